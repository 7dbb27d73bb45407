"""Language-model fluency measures, shared by the `disfluent` detector and the
calibration step (they must compute exactly the same thing).

The local measure is SLOR (Lau, Clark and Lappin 2017): a token's log
probability in context minus its unigram log probability, so that rare words
(names, numbers) are not mistaken for bad grammar. A short window of it finds
the few broken words that a paragraph average hides.
"""

from __future__ import annotations

import math
from bisect import bisect_left

import numpy as np

from quality.context import ParagraphContext

WINDOW = 4
# quantiles stored by calibration: fine in the low tail, where the decisions are made
TAIL_QUANTILES = (1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99)


def token_slor(paragraph: ParagraphContext) -> np.ndarray | None:
    """Per-token SLOR of a paragraph, NaN where it says nothing about fluency (None without a model).

    Names break n-gram contexts without being errors: unknown words, the word
    after one, capitalised words and numbers are masked out.
    """
    if "slor" in paragraph.cache:
        return paragraph.cache["slor"]
    scores = paragraph.scores()
    if scores is None:
        return None
    model, text, tokens = paragraph.model, paragraph.text, paragraph.tokens
    unigrams = scores.unigram  # from the core's one pass; the Python reference asks the model word by word
    if unigrams is None:
        unigrams = np.fromiter(map(model.unigram_logprob, [t.norm for t in tokens]), dtype=np.float64,
                               count=len(tokens))
    slor = scores.logprob - unigrams
    masked = scores.oov.copy()
    masked[1:] |= scores.oov[:-1]
    names = [i for i, token in enumerate(tokens)
             if token.is_word and (text[token.start].isupper() or "0" in token.norm)]
    if names:
        masked[names] = True
        following = [i + 1 for i in names if i + 1 < len(tokens)]
        masked[following] = True
    slor[masked] = np.nan
    paragraph.cache["slor"] = slor
    return slor


def window_means(values: np.ndarray, width: int = WINDOW) -> np.ndarray:
    """Means of every run of `width` consecutive values; windows touching a NaN are NaN."""
    if len(values) < width:
        return np.zeros(0)
    missing = np.isnan(values)
    cumulative = np.concatenate(([0.0], np.cumsum(np.where(missing, 0.0, values))))
    gaps = np.concatenate(([0], np.cumsum(missing)))
    means = (cumulative[width:] - cumulative[:-width]) / width
    means[(gaps[width:] - gaps[:-width]) > 0] = np.nan
    return means


def mean_slor(paragraph: ParagraphContext) -> float | None:
    """Average SLOR over the tokens that are not masked (None without a model or such tokens)."""
    if "mean_slor" in paragraph.cache:
        return paragraph.cache["mean_slor"]
    slor, mean = token_slor(paragraph), None
    if slor is not None:
        missing = np.isnan(slor)
        count = len(slor) - int(np.count_nonzero(missing))
        if count:  # what np.nanmean computes, without its overhead on short arrays
            mean = float(np.sum(np.where(missing, 0.0, slor)) / count)
    paragraph.cache["mean_slor"] = mean
    return mean


def tail_probability(value: float, quantiles: dict[str, float], extrapolate: bool = False) -> float:
    """P(clean value <= value), interpolated in log space from stored low-tail quantiles.

    Below the lowest stored quantile it is half that quantile's level, or with
    `extrapolate` the log-linear tail of the two lowest quantiles carried on
    (down to 1e-12), so values far below clean text keep their order.
    """
    levels, values = _prepared(quantiles)
    if value <= values[0]:
        (_, v_low, log_low), (_, v_high, log_high) = levels[0], levels[1]
        if not extrapolate or v_high <= v_low:
            return levels[0][0] * 0.5
        return max(1e-12, math.exp(log_low + (value - v_low) * (log_high - log_low) / (v_high - v_low)))
    k = bisect_left(values, value)
    if k == len(values):
        return 1.0
    (_, v_low, log_low), (_, v_high, log_high) = levels[k - 1], levels[k]
    share = 0.0 if v_high == v_low else (value - v_low) / (v_high - v_low)
    return math.exp(log_low + share * (log_high - log_low))


# calibration tables, sorted and with their logs, by id(); the table itself is kept so its id is never reused
_PREPARED: dict[int, tuple[dict, list[tuple[float, float, float]], list[float]]] = {}


def _prepared(quantiles: dict[str, float]) -> tuple[list[tuple[float, float, float]], list[float]]:
    entry = _PREPARED.get(id(quantiles))
    if entry is None:
        if len(_PREPARED) > 1024:
            _PREPARED.clear()
        levels = [(q, v, math.log(q)) for q, v in sorted((float(q), v) for q, v in quantiles.items())]
        entry = _PREPARED[id(quantiles)] = (quantiles, levels, [v for _, v, _ in levels])
    return entry[1], entry[2]


def mean_logprob(paragraph: ParagraphContext) -> float | None:
    """Average log10 probability per token, </s> included (None without a model)."""
    scores = paragraph.scores()
    if scores is None:
        return None
    return float((scores.logprob.sum() + scores.eos) / (len(scores.logprob) + 1))


def fluency_percentile(paragraph: ParagraphContext) -> float | None:
    """How fluent a paragraph is against clean text of its language, 0-1 (None when unknown).

    The mean of two calibrated percentiles: of the mean log probability, which
    orders broken MT below human text (WMT24 ROC-AUC 0.63, where mean SLOR
    gives 0.50), and of the mean SLOR, which orders broken agreement and word
    order below clean text (where log probability, swayed by rare words, does
    less well).
    """
    model = paragraph.model
    if model is None or not model.calibration.get("mean_logprob"):
        return None
    logprob, slor = mean_logprob(paragraph), mean_slor(paragraph)
    if logprob is None:
        return None
    by_logprob = tail_probability(logprob, model.calibration["mean_logprob"])
    if slor is None:
        return by_logprob
    return (by_logprob + tail_probability(slor, model.calibration["mean_slor"])) / 2


# The calibration paragraphs are 40 to 160 words long (`quality.corpus.heldout_paragraphs`); a mean over fewer
# words strays further from the median by chance (its spread grows as 1/sqrt(words)), so a shorter paragraph's
# mean is drawn towards the median by sqrt(words / CALIBRATED_WORDS) before it is compared with them.
CALIBRATED_WORDS = 60


def length_adjusted(value: float, quantiles: dict[str, float], words: int) -> float:
    """`value`, a mean over `words` words, moved towards the calibrated median as if it were a mean over
    CALIBRATED_WORDS words (unchanged for paragraphs as long as the calibration's or longer)."""
    if words >= CALIBRATED_WORDS or "0.5" not in quantiles:
        return value
    median = quantiles["0.5"]
    return median + (value - median) * math.sqrt(max(words, 1) / CALIBRATED_WORDS)


def fluency_measures(paragraph: ParagraphContext) -> dict[str, float]:
    """The calibrated fluency features of a paragraph (empty without a calibrated model).

    `fluency_percentile` is what `fluency_percentile` returns (it orders
    paragraphs). `logprob_percentile` and `slor_percentile` are the shares of
    clean paragraphs of the language with a lower mean log probability and a
    lower mean SLOR, the means of short paragraphs first adjusted for their
    length (`length_adjusted`), the tail extrapolated below the lowest stored
    quantile: p-values for "this is not clean text", which the scorer uses.
    """
    model = paragraph.model
    overall = fluency_percentile(paragraph)
    if overall is None:
        return {}
    logprob, slor = mean_logprob(paragraph), mean_slor(paragraph)
    words, calibration = paragraph.word_count, model.calibration
    features = {"fluency_percentile": overall, "logprob_percentile": tail_probability(
        length_adjusted(logprob, calibration["mean_logprob"], words), calibration["mean_logprob"], True)}
    if slor is not None:
        features["slor_percentile"] = tail_probability(
            length_adjusted(slor, calibration["mean_slor"], words), calibration["mean_slor"], True)
    return features
