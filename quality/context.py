"""What detectors see: a document cut into paragraphs, each tokenised, its
language identified and, on demand, scored by its language's model.

Everything here is computed once per paragraph and shared, so that adding a
detector never means tokenising or scoring the text again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from quality.models import LanguageModel, ModelSet
from quality.normalize import Token
from quality.report import Finding, Paragraph


@dataclass
class TokenScores:
    """Per-token KenLM results for a paragraph scored as one sentence.

    `logprob[i]` is log10 P(token i | its context), `ngram[i]` the length of
    the n-gram the model matched (1 = it backed off to the unigram), `oov[i]`
    whether the token is unknown; `eos` is log10 P(</s> | last tokens).
    """

    logprob: np.ndarray
    ngram: np.ndarray
    oov: np.ndarray
    eos: float
    # log10 P(token) with no context (SLOR's unigram term), from the same pass; None from the Python reference
    unigram: np.ndarray | None = None


@dataclass
class ParagraphContext:
    """One paragraph with everything detectors need about it."""

    paragraph: Paragraph
    tokens: list[Token]
    lang: str
    lang_confidence: float
    model: LanguageModel | None
    _scores: TokenScores | None = field(default=None, repr=False)
    # per-paragraph results shared by detectors and scoring (e.g. SLOR), computed once
    cache: dict = field(default_factory=dict, repr=False)

    @property
    def text(self) -> str:
        """The paragraph's text."""
        return self.paragraph.text

    @property
    def index(self) -> int:
        """The paragraph's 0-based index in the document."""
        return self.paragraph.index

    @property
    def norm_text(self) -> str:
        """The normalised text the model scores."""
        return " ".join(t.norm for t in self.tokens)

    @property
    def word_count(self) -> int:
        """Number of word tokens."""
        return sum(1 for t in self.tokens if t.is_word)

    def scores(self) -> TokenScores | None:
        """Per-token model scores (computed once), or None without a model."""
        if self.model is None or not self.tokens:
            return None
        if self._scores is None:
            self._scores = score_tokens(self.model, self.tokens)
        return self._scores

    def finding(self, code: str, start: int, end: int, message: str, severity: float, **data) -> Finding:
        """A finding for text[start:end] of this paragraph (offsets converted to the document's)."""
        base = self.paragraph.start
        return Finding(
            code=code,
            start=base + start,
            end=base + end,
            text=self.text[start:end],
            message=message,
            severity=severity,
            data=data,
            paragraph=self.index,
        )


def score_tokens(model: LanguageModel, tokens: list[Token]) -> TokenScores:
    """One language-model pass over a paragraph's tokens as one sentence: the compiled core's, or the
    Python kenlm module's where the core is not built (the reference the parity tests compare against)."""
    core = model.core_lm
    if core is None:
        return score_tokens_reference(model, tokens)
    logprob, ngram, oov, unigram, eos = core.full_scores([t.norm for t in tokens])
    return TokenScores(logprob=np.frombuffer(logprob, dtype=np.float64), ngram=np.frombuffer(ngram, dtype=np.int32),
                       oov=np.frombuffer(oov, dtype=bool), eos=eos, unigram=np.frombuffer(unigram, dtype=np.float64))


def score_tokens_reference(model: LanguageModel, tokens: list[Token]) -> TokenScores:
    """The same pass through the Python kenlm module (no unigram terms: fluency asks the model for those)."""
    norm_text = " ".join(t.norm for t in tokens)
    results = np.array(list(model.kenlm.full_scores(norm_text, bos=True, eos=True)), dtype=np.float64)
    return TokenScores(
        logprob=results[:-1, 0],
        ngram=results[:-1, 1].astype(np.int32),
        oov=results[:-1, 2].astype(bool),
        eos=float(results[-1, 0]),
    )


@dataclass
class DocumentContext:
    """A document cut into paragraph contexts, with its language and the models."""

    source: str
    text: str
    paragraphs: list[ParagraphContext]
    lang: str
    lang_confidence: float
    models: ModelSet
    # per-document results shared by detectors (e.g. the document's own names), computed once
    cache: dict = field(default_factory=dict, repr=False)
