"""Combining findings into paragraph and document scores, verdicts and reasons.

A paragraph's score is the chance that none of its findings is a real defect:
each finding carries a severity (how often a finding of that kind marks a bad
paragraph), and the score is the product of (1 - severity). Every large step
down is therefore explained by a finding a person can read; the only other
term is a small fluency factor (at most -0.02) that orders paragraphs without
findings by how fluent the language model finds them against clean text.
"""

from __future__ import annotations

from collections import Counter

from quality.report import KEEP, REJECT, REVIEW, DocumentReport, Finding, ParagraphReport, count_noun

PARAGRAPH_REJECT_BELOW = 0.5
PARAGRAPH_REVIEW_BELOW = 0.8
DOCUMENT_REJECT_SHARE = 0.25  # of the text (by characters) rejected or repeated
DOCUMENT_REVIEW_SHARE = 0.05
# a paragraph flagged only for these is style or a loanword, not garbling
GARBLING_CODES = {"disfluent", "truncated", "repetition", "casing", "punctuation", "foreign-fragment", "agreement",
                  "markup", "mojibake"}

# what a paragraph flagged with each code does, said of one paragraph and of several
CODE_NAMES = {
    "duplicate": ("repeats an earlier one", "repeat earlier ones"),
    "foreign-fragment": ("contains untranslated text", "contain untranslated text"),
    "punctuation": ("has broken punctuation", "have broken punctuation"),
    "casing": ("has wrong capitalisation", "have wrong capitalisation"),
    "repetition": ("stutters (a phrase repeated)", "stutter (a phrase repeated)"),
    "truncated": ("has sentences cut off", "have sentences cut off"),
    "disfluent": ("reads as garbled to the language model", "read as garbled to the language model"),
    "agreement": ("has words that do not agree", "have words that do not agree"),
    "markup": ("contains leftover markup", "contain leftover markup"),
    "mojibake": ("contains mojibake", "contain mojibake"),
}


# how much the language model's overall fluency percentile moves a score: enough to
# order paragraphs that have no finding, too little to change a verdict on its own
FLUENCY_WEIGHT = 0.02


def paragraph_score(findings: list[Finding], fluency_percentile: float | None = None) -> float:
    """1 minus the noisy-OR of the findings' severities, times a small fluency factor.

    `fluency_percentile` is the share of clean paragraphs of the language that
    are less fluent than this one (1 when unknown).
    """
    score = 1.0
    for finding in findings:
        score *= 1.0 - finding.severity
    if fluency_percentile is not None:
        score *= 1.0 - FLUENCY_WEIGHT * (1.0 - fluency_percentile)
    return score


def paragraph_verdict(score: float, duplicate_of: int | None) -> str:
    """keep / review / reject for one paragraph."""
    if duplicate_of is not None or score < PARAGRAPH_REJECT_BELOW:
        return REJECT
    if score < PARAGRAPH_REVIEW_BELOW:
        return REVIEW
    return KEEP


def document_verdict(paragraphs: list[ParagraphReport]) -> tuple[float, str, list[str], dict]:
    """Document score (length-weighted paragraph scores, repeats counting 0), verdict, reasons, stats."""
    lengths = [max(1, p.end - p.start) for p in paragraphs]
    total = sum(lengths)
    if not paragraphs:
        return 0.0, REJECT, ["no text"], {"paragraphs": 0}
    repeated = [p for p in paragraphs if p.duplicate_of is not None]
    garbled = [p for p in paragraphs if p.duplicate_of is None and p.verdict == REJECT]
    review = [p for p in paragraphs if p.duplicate_of is None and p.verdict == REVIEW]
    score = sum(length * (0.0 if p.duplicate_of is not None else p.score) for p, length in zip(paragraphs, lengths))
    score /= total
    # shares by paragraph state, in one pass (membership tests on the lists were quadratic)
    bad_share = sum(length for p, length in zip(paragraphs, lengths)
                    if p.duplicate_of is not None or p.verdict == REJECT) / total
    review_share = sum(length for p, length in zip(paragraphs, lengths)
                       if p.duplicate_of is None and p.verdict == REVIEW) / total
    reasons = []
    n = len(paragraphs)
    if garbled:
        codes = Counter(f.code for p in garbled for f in p.findings if f.code in GARBLING_CODES)
        form = 0 if len(garbled) == 1 else 1
        kinds = ", ".join(CODE_NAMES[c][form].split(" (")[0] for c, _ in codes.most_common(3))
        look = "looks" if len(garbled) == 1 else "look"
        reasons.append(f"{len(garbled)} of {count_noun(n, 'paragraph')} {look} machine-translated or garbled ({kinds})")
    if repeated:
        firsts = sorted({p.duplicate_of + 1 for p in repeated})
        repeat = "repeats" if len(repeated) == 1 else "repeat"
        earlier = "an earlier one" if len(firsts) == 1 else "earlier ones"
        originals = f"paragraph{'s' * (len(firsts) > 1)} {_ranges(firsts)}"
        reasons.append(f"{count_noun(len(repeated), 'paragraph')} {repeat} {earlier} (of {originals})")
    if review:
        reasons.append(f"{count_noun(len(review), 'paragraph')} worth a look")
    if bad_share >= DOCUMENT_REJECT_SHARE:
        verdict = REJECT
    elif bad_share >= DOCUMENT_REVIEW_SHARE or garbled or repeated or review_share >= DOCUMENT_REJECT_SHARE:
        verdict = REVIEW
    else:
        verdict = KEEP
    if not reasons:
        reasons.append("no problems found")
    stats = {
        "paragraphs": n,
        "garbled_paragraphs": len(garbled),
        "duplicate_paragraphs": len(repeated),
        "review_paragraphs": len(review),
        "bad_share": round(bad_share, 4),
        "findings": dict(Counter(f.code for p in paragraphs for f in p.findings)),
    }
    return score, verdict, reasons, stats


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


def build_document_report(
    source: str, lang: str | None, confidence: float, paragraph_reports: list[ParagraphReport]
) -> DocumentReport:
    """Assemble a DocumentReport from scored paragraph reports."""
    score, verdict, reasons, stats = document_verdict(paragraph_reports)
    return DocumentReport(source, lang, confidence, score, verdict, reasons, paragraph_reports, stats=stats)
