"""Combining findings and fluency into paragraph and document scores, verdicts and reasons.

A paragraph's score is the chance that none of its findings is a real defect,
times the chance that its fluency is not a defect either: the product of
(1 - severity) over its findings and (1 - fluency penalty), where the fluency
penalty is a calibrated term (how rare the paragraph's log probability and SLOR
are among clean paragraphs of its language; see `fluency_penalty`). So word
salad with no structural fault still scores low, and every step down is named:
a finding, or the fluency measure in the paragraph's `features`.

The verdict is a function of the score alone, with the same thresholds for
paragraphs and documents (`verdict_for`), so a score and its verdict never
disagree. A document's score is the length-weighted mean of its paragraphs'
scores, capped by how much of its text is rejected or repeated
(`document_ceiling`), which is how "a quarter of the text is garbage" makes a
document `reject` although its other paragraphs are clean.
"""

from __future__ import annotations

import math
from collections import Counter

from quality.detectors.base import GARBLING, NOT_PROSE, REPEAT, FindingCode, finding_code, is_informal
from quality.report import KEEP, REJECT, REVIEW, DocumentReport, Finding, ParagraphReport, count_noun

# The verdict thresholds, for paragraphs and documents alike: below REJECT_BELOW reject, below REVIEW_BELOW review.
REJECT_BELOW = 0.5
REVIEW_BELOW = 0.8
# kept under their old names: other modules and users import them
PARAGRAPH_REJECT_BELOW = REJECT_BELOW
PARAGRAPH_REVIEW_BELOW = REVIEW_BELOW
DOCUMENT_REJECT_SHARE = 0.25  # of the text (by characters) rejected or repeated: the document is rejected
DOCUMENT_REVIEW_SHARE = 0.25  # of the text in review: the document is reviewed
# How far below a threshold a capped document score sits, so the cap and the verdict agree exactly.
_BELOW = 0.01

# What the not-prose policy does to a paragraph labelled list, code, table or boilerplate: the severity its
# not-prose finding gets (0 keeps it, 0.3 puts it at 0.7, in review, 1 rejects it).
NOT_PROSE_SEVERITY = {"keep": 0.0, "review": 0.3, "reject": 1.0}
DEFAULT_NOT_PROSE = "keep"

# The fluency term, named like a finding in reasons.
FLUENCY = FindingCode("fluency", "reads as unlikely text to the language model",
                      "read as unlikely text to the language model")
# Fluency penalty: 0 while the paragraph's mean SLOR is commoner than FLUENCY_FREE_P among clean paragraphs of
# its language, then rising by FLUENCY_SLOPE per factor of ten rarer, up to FLUENCY_MAX_PENALTY; a small term
# (FLUENCY_ORDER_WEIGHT) orders the paragraphs above that by their fluency percentile.
FLUENCY_FREE_P = 0.005
FLUENCY_SLOPE = 0.4
FLUENCY_MAX_PENALTY = 0.9
FLUENCY_ORDER_WEIGHT = 0.02
# fewer words than this say too little about fluency for more than the ordering term
FLUENCY_MIN_WORDS = 8
# A paragraph whose only findings are informal-style ones (`quality.detectors.base.INFORMAL`: lower-case start,
# no final stop, space before punctuation) and whose fluency is in the clean range scores at least this: `review`,
# not `reject`. Two weak faults together (0.55 x 0.55) would otherwise reject a fluent post or tweet.
INFORMAL_FLOOR = REJECT_BELOW


def verdict_for(score: float) -> str:
    """keep / review / reject for a paragraph's or a document's score: the only place verdicts come from."""
    if score < REJECT_BELOW:
        return REJECT
    if score < REVIEW_BELOW:
        return REVIEW
    return KEEP


def fluency_penalty(features: dict[str, float], words: int) -> float:
    """The share of a paragraph's score its fluency takes away, 0 to FLUENCY_MAX_PENALTY.

    `features` holds calibrated percentiles against clean paragraphs of the
    language (`quality.fluency.fluency_measures`). `slor_percentile` (the
    share of clean paragraphs with a lower mean SLOR, adjusted for length) is
    a p-value: by calibration a clean paragraph gets a penalty of
    FLUENCY_SLOPE or more with a chance of FLUENCY_FREE_P / 10. The constants
    are chosen by measurement (bench/RESULTS.md): starting earlier catches
    more local shuffles in German but penalises human translations of WMT24,
    whose SLOR is no better than the systems'. SLOR rather than log probability, because
    measured on word salad and local shuffles it separates them from clean
    text better in every language, and names do not sway it (a headline of
    names has a low log probability). `fluency_percentile` orders the rest.
    """
    if not features:
        return 0.0
    order = FLUENCY_ORDER_WEIGHT * (1.0 - features.get("fluency_percentile", 1.0))
    if "slor_percentile" not in features or words < FLUENCY_MIN_WORDS:
        return order
    p_value = features["slor_percentile"]
    rarity = max(0.0, math.log10(FLUENCY_FREE_P / max(p_value, 1e-12)))
    return min(FLUENCY_MAX_PENALTY, order + FLUENCY_SLOPE * rarity)


def paragraph_score(findings: list[Finding], penalty: float = 0.0) -> float:
    """The product of (1 - severity) over `findings`, times (1 - the fluency `penalty`)."""
    score = 1.0 - penalty
    for finding in findings:
        score *= 1.0 - finding.severity
    return max(0.0, score)


def paragraph_verdict(score: float, duplicate_of: int | None = None) -> str:
    """keep / review / reject for one paragraph: `verdict_for(score)` (a repeat's score is already 0)."""
    return verdict_for(score)


def score_paragraph(index: int, start: int, end: int, lang: str | None, findings: list[Finding],
                    duplicate_of: int | None, features: dict[str, float], words: int,
                    not_prose: str = DEFAULT_NOT_PROSE) -> ParagraphReport:
    """A paragraph's report from its findings and fluency features.

    A paragraph a detector labels not prose (a list item, code, a table,
    boilerplate) is not judged as prose: its garbling findings and its fluency
    are left out, and its not-prose finding weighs what the `not_prose` policy
    says (`NOT_PROSE_SEVERITY`). A paragraph with only informal-style findings
    and fluency in the clean range (no penalty beyond the ordering term) scores
    at least INFORMAL_FLOOR.
    """
    if not_prose not in NOT_PROSE_SEVERITY:
        raise ValueError(f"not_prose must be one of {', '.join(NOT_PROSE_SEVERITY)}, not {not_prose!r}")
    kinds = {f.code: finding_code(f.code).kind for f in findings}
    features = dict(features)
    if NOT_PROSE in kinds.values():
        findings = [f for f in findings if kinds[f.code] != GARBLING]
        for finding in findings:
            if kinds[finding.code] == NOT_PROSE:
                finding.severity = NOT_PROSE_SEVERITY[not_prose]
        penalty = 0.0
    else:
        penalty = fluency_penalty(features, words)
    if features:
        features["fluency_penalty"] = penalty
    score = paragraph_score(findings, penalty)
    if findings and penalty <= FLUENCY_ORDER_WEIGHT and all(is_informal(f) for f in findings):
        score = max(score, INFORMAL_FLOOR)
    return ParagraphReport(index=index, start=start, end=end, lang=lang, score=score, verdict=verdict_for(score),
                           findings=findings, duplicate_of=duplicate_of, features=features)


def document_ceiling(paragraphs: list[ParagraphReport]) -> float:
    """The highest score a document can have given the share of its text rejected, repeated or in review.

    Any rejected or repeated paragraph puts the document just below REVIEW_BELOW; their share reaching
    DOCUMENT_REJECT_SHARE puts it just below REJECT_BELOW, falling to their own mean score when all of the
    text is bad (so a one-paragraph document scores what its paragraph scores). A review share of
    DOCUMENT_REVIEW_SHARE puts it just below REVIEW_BELOW. Between those points the ceiling is linear.
    """
    lengths = [max(1, p.end - p.start) for p in paragraphs]
    total = sum(lengths)
    bad_length = sum(n for p, n in zip(paragraphs, lengths) if p.verdict == REJECT)
    bad = bad_length / total
    review = sum(n for p, n in zip(paragraphs, lengths) if p.verdict == REVIEW) / total
    ceiling = 1.0
    if bad > 0:
        top, bottom = REVIEW_BELOW - _BELOW, REJECT_BELOW - _BELOW
        if bad < DOCUMENT_REJECT_SHARE:
            ceiling = top - (top - bottom) * bad / DOCUMENT_REJECT_SHARE
        else:
            bad_mean = sum(n * p.score for p, n in zip(paragraphs, lengths) if p.verdict == REJECT) / bad_length
            share = (bad - DOCUMENT_REJECT_SHARE) / (1.0 - DOCUMENT_REJECT_SHARE)
            ceiling = bottom + (min(bad_mean, bottom) - bottom) * share
    if review >= DOCUMENT_REVIEW_SHARE:
        ceiling = min(ceiling, REVIEW_BELOW - _BELOW)
    return ceiling


def _kind_of(paragraph: ParagraphReport) -> str:
    """Why a paragraph is where it is: REPEAT, NOT_PROSE or GARBLING (or STYLE for findings of no kind)."""
    kinds = {finding_code(f.code).kind for f in paragraph.findings}
    if paragraph.duplicate_of is not None or REPEAT in kinds:
        return REPEAT
    if NOT_PROSE in kinds:
        return NOT_PROSE
    return GARBLING


def document_verdict(paragraphs: list[ParagraphReport]) -> tuple[float, str, list[str], dict]:
    """Document score, verdict (`verdict_for` the score), reasons and stats."""
    if not paragraphs:
        return 0.0, REJECT, ["no text"], {"paragraphs": 0}
    lengths = [max(1, p.end - p.start) for p in paragraphs]
    total = sum(lengths)
    mean = sum(n * p.score for p, n in zip(paragraphs, lengths)) / total
    score = min(mean, document_ceiling(paragraphs))
    verdict = verdict_for(score)
    kinds = [_kind_of(p) for p in paragraphs]
    repeated = [p for p, k in zip(paragraphs, kinds) if k == REPEAT]
    garbled = [p for p, k in zip(paragraphs, kinds) if k == GARBLING and p.verdict == REJECT]
    not_prose = [p for p, k in zip(paragraphs, kinds) if k == NOT_PROSE]
    review = [p for p, k in zip(paragraphs, kinds) if k == GARBLING and p.verdict == REVIEW]
    bad_share = sum(n for p, n in zip(paragraphs, lengths) if p.verdict == REJECT) / total
    reasons = []
    n = len(paragraphs)
    if garbled:
        form = 0 if len(garbled) == 1 else 1
        look = "looks" if len(garbled) == 1 else "look"
        reasons.append(f"{len(garbled)} of {count_noun(n, 'paragraph')} {look} machine-translated or garbled "
                       f"({_what_moved(garbled, form)})")
    if repeated:
        firsts = sorted({p.duplicate_of + 1 for p in repeated if p.duplicate_of is not None})
        repeat = "repeats" if len(repeated) == 1 else "repeat"
        if firsts:
            earlier = "an earlier one" if len(firsts) == 1 else "earlier ones"
            originals = f"paragraph{'s' * (len(firsts) > 1)} {_ranges(firsts)}"
            reasons.append(f"{count_noun(len(repeated), 'paragraph')} {repeat} {earlier} (of {originals})")
    if not_prose:
        labels = Counter(f.code for p in not_prose for f in p.findings if finding_code(f.code).kind == NOT_PROSE)
        is_are = "is" if len(not_prose) == 1 else "are"
        what = ", ".join(code for code, _ in labels.most_common())
        reasons.append(f"{len(not_prose)} of {count_noun(n, 'paragraph')} {is_are} not prose ({what})")
    if review:
        reasons.append(f"{count_noun(len(review), 'paragraph')} worth a look ({_what_moved(review, 0)})")
    if not reasons:
        reasons.append("no problems found")
    stats = {
        "paragraphs": n,
        "garbled_paragraphs": len(garbled),
        "duplicate_paragraphs": len(repeated),
        "review_paragraphs": len(review),
        "not_prose_paragraphs": len(not_prose),
        "bad_share": round(bad_share, 4),
        "findings": dict(Counter(f.code for p in paragraphs for f in p.findings)),
    }
    return score, verdict, reasons, stats


def _what_moved(paragraphs: list[ParagraphReport], form: int) -> str:
    """The three things that took these paragraphs' scores down most (summed -log of each factor of the score):
    finding codes, or the fluency term."""
    weights: Counter = Counter()
    for paragraph in paragraphs:
        for finding in paragraph.findings:
            if finding_code(finding.code).garbling and finding.severity > 0:
                weights[finding.code] += -math.log(max(1e-9, 1.0 - finding.severity))
        penalty = paragraph.features.get("fluency_penalty", 0.0)
        if penalty >= 0.1:
            weights[FLUENCY.code] += -math.log(max(1e-9, 1.0 - penalty))
    names = []
    for code, _ in weights.most_common(3):
        declared = FLUENCY if code == FLUENCY.code else finding_code(code)
        names.append((declared.one, declared.many)[form].split(" (")[0])
    return ", ".join(names) or "low scores"


def _ranges(numbers: list[int]) -> str:
    """[14, 15, 16, 18] -> '14-16, 18'."""
    parts, start = [], None
    for i, number in enumerate(numbers):
        if start is None:
            start = number
        if i + 1 == len(numbers) or numbers[i + 1] != number + 1:
            parts.append(str(start) if start == number else f"{start}-{number}")
            start = None
    return ", ".join(parts)


def cap_document(report: DocumentReport, ceiling: float) -> None:
    """Lower a document's score to at most `ceiling` and set its verdict from the score (e.g. an unsupported
    language is at most `review`)."""
    report.score = min(report.score, ceiling)
    report.verdict = verdict_for(report.score)


def build_document_report(
    source: str, lang: str | None, confidence: float, paragraph_reports: list[ParagraphReport]
) -> DocumentReport:
    """Assemble a DocumentReport from scored paragraph reports."""
    score, verdict, reasons, stats = document_verdict(paragraph_reports)
    return DocumentReport(source, lang, confidence, score, verdict, reasons, paragraph_reports, stats=stats)
