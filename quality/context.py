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
            results = np.array(list(self.model.kenlm.full_scores(self.norm_text, bos=True, eos=True)),
                               dtype=np.float64)
            self._scores = TokenScores(
                logprob=results[:-1, 0],
                ngram=results[:-1, 1].astype(np.int32),
                oov=results[:-1, 2].astype(bool),
                eos=float(results[-1, 0]),
            )
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
