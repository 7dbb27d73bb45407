"""Sentences cut off: a paragraph that stops mid-sentence, and a sentence cut
and run into the next without punctuation ("... anuales Johnson ha dicho").

Prose ends its last sentence with punctuation; a title or caption may not.
So a paragraph of several sentences, or a long one, that stops without final
punctuation was cut; a short one-sentence line is a title unless the language
model says no sentence can end on its last words ("... lo nuevo para"). A
short line followed by more text is a heading; a short line standing alone (a
one-line document, or the last line) gets only a weak finding.
Social-media endings (a link, a hashtag, a mention, an emoticon or emoji, laughter) are not cuts. A
headline followed by its text may end on any word but a function word ("für"); a document that leaves out
most final stops (posts, comments) does so by convention, and gets weak evidence only.
A capital after a lower-case word is a run-on only when a sentence break there
makes the text much likelier to the model.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from quality.context import DocumentContext, ParagraphContext
from quality.detectors.base import FindingCode, ParagraphDetector, register
from quality.report import Finding

_FINAL = set('.!?"\'):;…»”-')
END_LOGPROB = -1.9  # log10 P(". " | last words) below this: no sentence ends here
RUN_ON_GAIN = 1.5  # log10: a sentence break at least ~30 times likelier than none
MIN_WORDS = 4  # for the run-on test
MIN_END_WORDS = 2  # a one-word line ("*congelador", a name) says nothing about its end
CAPITALISED_OFTEN = 0.3  # words this often capitalised mid-sentence are names: no run-on test
TITLE_MAX_WORDS = 16  # a one-sentence line this short may be a title
# On WMT24, 8 in 10 broken MT outputs ended without final punctuation against 1 in 8 human translations
# (those: headlines, links, hashtags); too weak to change a verdict alone, strong enough to rank by.
WEAK_END = 0.08
# A document most of whose paragraphs end without final punctuation writes that way (posts, comments,
# list items): from this many such paragraphs, this share of them, a missing stop is its convention
CONVENTION_MIN_UNFINISHED = 3
CONVENTION_SHARE = 0.5
# endings that are not cuts: a link, #hashtag, @mention, emoticon, or a number; the runs of digits and of
# symbols start only where such a run starts (else a search tries, and rescans, every position in one)
_SOCIAL_END_RE = re.compile(
    r"(https?://\S+|www\.\S+|[#@]\w+|[:;xX]-?[()DPpO3/\\|]+|<3|(?<!\d)\d+"
    r"|\b(?:[jh][aeiou]){2,}h?|\bk{3,}|\blol|\bx[dD]+"  # laughter: jajaja, hahaha, kkkk, lol, xD
    r"|(?<![^\w\s.,;:!?\"'”»)…-])[^\w\s.,;:!?\"'”»)…-]+)$",  # emoji and kaomoji (😂, ^_^, •_•)
    re.IGNORECASE,
)
_SENTENCE_BREAK_RE = re.compile(r"[.!?…]\s")
# a headline's sentence break is not the full stop of a number or a short abbreviation ("26.", "St.", "a. D.")
_HEADLINE_BREAK_RE = re.compile(r"(?:[^\W\d_]{3,}\.|(?<![^\W\d_])[^\W\d_A-ZÀ-ÞΑ-Ω]{2}\.|[!?…])\s")
FUNCTION_WORD_RANK = 150  # a line ending on one of the language's most frequent words was cut, even a short one


@register
class TruncationDetector(ParagraphDetector):
    """Paragraphs that end mid-sentence and sentences run into each other."""

    name = "truncated"
    codes = (FindingCode("truncated", "has sentences cut off", "have sentences cut off", severity=0.5),)

    def __init__(self, models):
        super().__init__(models)
        self._frequent: dict[str, set[str]] = {}

    def _function_words(self, model) -> set[str]:
        """The language's most frequent words ("und", "für", "the"): a headline does not end on one."""
        words = self._frequent.get(model.lang)
        if words is None:
            ranked = sorted(model.vocab.items(), key=lambda item: -item[1].count)
            words = self._frequent[model.lang] = {w for w, _ in ranked[:FUNCTION_WORD_RANK] if w.isalpha()}
        return words

    @staticmethod
    def _is_heading(paragraph: ParagraphContext, doc: DocumentContext) -> bool:
        """A title-like line that opens a document or is followed by more text is a heading, by position."""
        return paragraph.index + 1 < len(doc.paragraphs)

    def detect_paragraph(self, paragraph: ParagraphContext, doc: DocumentContext) -> Iterable[Finding]:
        """Truncation findings of one paragraph."""
        model, tokens = paragraph.model, paragraph.tokens
        if model is None or paragraph.word_count < MIN_END_WORDS:
            return
        lm = model.kenlm
        norms = [t.norm for t in tokens]
        last = tokens[-1]
        if last.norm not in _FINAL and last.norm != "," and not _social_end(paragraph.text):
            context = " ".join(norms[-4:])
            end_logprob = lm.score(context + " .", bos=False, eos=False) - lm.score(context, bos=False, eos=False)
            cannot_end = end_logprob < END_LOGPROB
            is_title = paragraph.word_count <= TITLE_MAX_WORDS and not _SENTENCE_BREAK_RE.search(paragraph.text)
            headline = paragraph.word_count <= TITLE_MAX_WORDS and not _HEADLINE_BREAK_RE.search(paragraph.text)
            heading = (headline and self._is_heading(paragraph, doc) and _text_follows(paragraph, doc)
                       and last.norm not in self._function_words(model))
            if not cannot_end and not is_title and _leaves_out_stops(doc):
                # the writer's convention, not a cut: weak evidence, as for a lone line
                yield paragraph.finding(
                    "truncated", last.start, last.end,
                    "no final punctuation (the document often leaves it out)", WEAK_END,
                    end_logprob=round(end_logprob, 2), informal=True,
                )
            elif heading:
                pass  # a headline followed by its text may end on any word ("... wird Merkel empfangen")
            elif cannot_end or not is_title:
                start = tokens[max(0, len(tokens) - 3)].start
                why = "no sentence ends on these words" if cannot_end else "its last sentence has no end"
                yield paragraph.finding(
                    "truncated",
                    start,
                    last.end,
                    f"paragraph stops mid-sentence after '{paragraph.text[last.start:last.end]}' ({why})",
                    0.55 if cannot_end else 0.45,
                    end_logprob=round(end_logprob, 2),
                    # only a missing stop after words a sentence can end on is informal style; the rest is a cut
                    **({} if cannot_end else {"informal": True}),
                )
            elif not self._is_heading(paragraph, doc):
                # a lone line with no final punctuation: as often a cut sentence as a title; weak evidence
                yield paragraph.finding(
                    "truncated",
                    last.start,
                    last.end,
                    "no final punctuation: a title, or a sentence cut off",
                    WEAK_END,
                    end_logprob=round(end_logprob, 2),
                    informal=True,
                )
        elif last.norm == ",":
            yield paragraph.finding("truncated", last.start, last.end, "paragraph ends with a comma", 0.6)
        text = paragraph.text
        if paragraph.word_count < MIN_WORDS:
            return
        for i in range(2, len(tokens) - 1):
            token, previous = tokens[i], tokens[i - 1]
            if not (token.is_word and previous.is_word and text[token.start].isupper()):
                continue
            if not text[previous.start].islower():
                continue
            ratio = model.capital_ratio(token.norm)
            if ratio is None or ratio >= CAPITALISED_OFTEN:
                continue
            left, right = norms[max(0, i - 3) : i], norms[i : i + 3]
            joined = lm.score(" ".join(left + right), bos=False, eos=False)
            broken = lm.score(" ".join(left + ["."]), bos=False, eos=True) + lm.score(
                " ".join(right), bos=True, eos=False
            )
            if broken - joined >= RUN_ON_GAIN:
                yield paragraph.finding(
                    "truncated",
                    previous.start,
                    token.end,
                    f"sentence cut and run into the next at '{text[previous.start:token.end]}'",
                    0.45,
                    gain=round(broken - joined, 2),
                )


def _text_follows(paragraph: ParagraphContext, doc: DocumentContext) -> bool:
    """True when the next paragraph reads as body text: it starts with a capital and ends like a sentence."""
    following = doc.paragraphs[paragraph.index + 1].text
    return following[:1].isupper() and following.rstrip()[-1:] in _FINAL and len(following.split()) >= 6


def _leaves_out_stops(doc: DocumentContext) -> bool:
    """True when the document ends most of its paragraphs without final punctuation (computed once)."""
    cached = doc.cache.get("leaves_out_stops")
    if cached is None:
        ends = [p.tokens[-1].norm for p in doc.paragraphs if p.word_count >= MIN_END_WORDS]
        unfinished = sum(1 for norm in ends if norm not in _FINAL)
        cached = doc.cache["leaves_out_stops"] = (unfinished >= CONVENTION_MIN_UNFINISHED
                                                  and unfinished >= CONVENTION_SHARE * len(ends))
    return cached


def _social_end(text: str) -> bool:
    """True when `text` ends with a link, hashtag, mention, emoticon, emoji, laughter or a number.

    Every such ending lies within the last run of non-space characters, so
    only that run is searched: the search tries each position it is given.
    """
    runs = text.rsplit(maxsplit=1)
    return bool(runs) and _SOCIAL_END_RE.search(runs[-1]) is not None
