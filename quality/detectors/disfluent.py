"""Spans the language model finds very unlikely for clean text of the language.

Two measures, both calibrated on clean held-out text of the paragraph's
language (`calibration.json`): the worst window of a few tokens by SLOR
(garbled phrases, broken agreement), and the paragraph's mean log probability
(text that is wrong throughout), both on SLOR with names masked. A window is reported only when it is rarer
than the number of windows in the paragraph makes likely by chance.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from quality.context import DocumentContext, ParagraphContext
from quality.detectors.base import FindingCode, ParagraphDetector, register
from quality.fluency import WINDOW, mean_slor, tail_probability, token_slor, window_means
from quality.report import Finding

WINDOW_P = 0.005  # chance-corrected tail probability under which a window is reported
PARAGRAPH_P = 0.002  # a paragraph mean rarer than 1 in 500 clean paragraphs
# headlines and captions are short and name-heavy: their mean says little
MIN_WORDS_FOR_MEAN = 20


@register
class DisfluencyDetector(ParagraphDetector):
    """The least fluent window of a paragraph, and paragraphs unlikely throughout."""

    name = "disfluent"
    codes = (FindingCode("disfluent", "reads as garbled to the language model",
                         "read as garbled to the language model", severity=0.4),)

    def detect_paragraph(self, paragraph: ParagraphContext, doc: DocumentContext) -> Iterable[Finding]:
        """At most one window finding and one whole-paragraph finding."""
        model = paragraph.model
        if model is None or not model.calibration.get("window_slor") or len(paragraph.tokens) < WINDOW:
            return
        calibration = model.calibration
        means = window_means(token_slor(paragraph))
        missing = np.isnan(means)
        windows = len(means) - int(np.count_nonzero(missing))
        if not windows:
            return
        worst = int(np.argmin(np.where(missing, np.inf, means)))
        # chance correction: with n windows, one as rare as 1/n is expected in clean text
        p_value = min(1.0, tail_probability(float(means[worst]), calibration["window_slor"]) * windows)
        if p_value < WINDOW_P:
            tokens = paragraph.tokens[worst : worst + WINDOW]
            yield paragraph.finding(
                "disfluent",
                tokens[0].start,
                tokens[-1].end,
                f"unlikely word sequence for clean {model.lang} text (p={p_value:.3f})",
                _severity(p_value, WINDOW_P),
                slor=round(float(means[worst]), 2),
                p=round(p_value, 5),
            )
        mean = mean_slor(paragraph)
        p_mean = 1.0 if mean is None else tail_probability(mean, calibration["mean_slor"])
        if p_mean < PARAGRAPH_P and paragraph.word_count >= MIN_WORDS_FOR_MEAN:
            yield paragraph.finding(
                "disfluent",
                0,
                len(paragraph.text),
                f"paragraph as a whole is less fluent than {1 - p_mean:.1%} of clean {model.lang} text",
                _severity(p_mean, PARAGRAPH_P),
                mean_slor=round(mean, 3),
                p=round(p_mean, 5),
            )


def _severity(p_value: float, threshold: float) -> float:
    """0.2 at the threshold, rising to 0.7 a hundred times below it."""
    return float(np.clip(0.2 + 0.25 * np.log10(threshold / max(p_value, 1e-9)), 0.2, 0.7))
