"""Punctuation that human editors do not leave: quotes glued to words, a
paragraph opening with a full stop, words run into the next sentence, a
bracket with no partner, a space after "¿" or "¡".

A space before a full stop is common in scraped clean text (a removed link
leaves "the Financial Times ."), so it weighs little on its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from quality.context import DocumentContext, ParagraphContext
from quality.detectors.base import ParagraphDetector, register
from quality.report import Finding

_QUOTES = "\"“”«»„"
# a quote with no space on either side, between a word (or a colon) and a word: lanzar”en, afirmando:”No
# (each pattern starts with the punctuation it is about and looks behind from there: a leading
# look-behind would be tried at every character of every paragraph)
_GLUED_QUOTE_RE = re.compile(rf"[{_QUOTES}](?:(?<=[\w:;,.!?][{_QUOTES}])(?=\w)|(?<=\w[{_QUOTES}])(?=[^\W\d_]))")
_SPACE_BEFORE_RE = re.compile(r"(?<=\w)[ \t]+[.,;:!?](?=\s|$)")
_OPENS_WITH_RE = re.compile(r"^\s*[.,;:!?)\]}]")
# two lower-case letters, sentence punctuation, then a capitalised word with no space: "votos.Él"
# "votos.Él": a lower-case word, sentence punctuation, a capitalised word; lower case after the
# dot is a domain or an abbreviation ("zougla.gr"), capitals on both sides an acronym ("EE.UU")
_NO_SPACE_AFTER_RE = re.compile(
    r"[.;:!?](?<=[^\W\d_]{2}[.;:!?])(?<=[^\W\d_A-ZÀ-ÞΑ-Ω][.;:!?])(?=[A-ZÀ-ÞΑ-ΩΆ-Ώ][^\W\d_A-ZÀ-ÞΑ-Ω])"
)
# Spanish opening marks take no space after them: "¿ dónde?" is a tokeniser's artifact
_SPACE_AFTER_OPENING_RE = re.compile(r"[¿¡]\s+(?=\w)")
_PAIRS = {")": "(", "]": "["}
_BRACKET_RE = re.compile(r"[()\[\]]")
_DOUBLED_RE = re.compile(r"([,;:])(?<![.,][,;:])\s*\1(?![.,])|\.(?<!\.\.)\s\.(?!\.)")


@register
class PunctuationDetector(ParagraphDetector):
    """Glued quotes, opening punctuation, missing or doubled spaces around punctuation."""

    name = "punctuation"
    codes = ("punctuation",)

    def detect_paragraph(self, paragraph: ParagraphContext, doc: DocumentContext) -> Iterable[Finding]:
        """Punctuation findings of one paragraph."""
        text = paragraph.text
        match = _OPENS_WITH_RE.match(text)
        if match:
            message = "paragraph starts with punctuation: a sentence was cut"
            yield paragraph.finding("punctuation", match.end() - 1, match.end(), message, 0.6)
        seen: set[tuple[int, int]] = set()
        for match in _GLUED_QUOTE_RE.finditer(text):
            start, end = _word_around(text, match.start())
            if (start, end) in seen:
                continue  # two glued quotes in one word: one finding
            seen.add((start, end))
            yield paragraph.finding("punctuation", start, end, "quotation mark glued to a word (no space)", 0.35)
        for match in _NO_SPACE_AFTER_RE.finditer(text):
            if _looks_like_url(text, match.start()):
                continue
            start, end = _word_around(text, match.start())
            yield paragraph.finding("punctuation", start, end, "no space after sentence punctuation", 0.3)
        for match in _DOUBLED_RE.finditer(text):
            yield paragraph.finding("punctuation", match.start(), match.end(), "doubled punctuation", 0.25)
        for match in _SPACE_AFTER_OPENING_RE.finditer(text):
            yield paragraph.finding("punctuation", match.start(), match.end() + 1,
                                    "space after an opening question or exclamation mark", 0.3)
        for start in _unbalanced_brackets(text):
            yield paragraph.finding("punctuation", start, start + 1, "bracket with no partner", 0.25)
        for match in _SPACE_BEFORE_RE.finditer(text):
            yield paragraph.finding(
                "punctuation", match.start(), match.end(), "space before punctuation (often a removed link)", 0.1
            )


def _unbalanced_brackets(text: str) -> list[int]:
    """Positions of closing brackets with no opening one, and of opening ones never closed.

    A lone ")" after a list marker ("1) ...", "a) ...") is a numbering, not a bracket.
    """
    stack: list[tuple[str, int]] = []
    lonely: list[int] = []
    for match in _BRACKET_RE.finditer(text):
        pos, char = match.start(), match.group()
        if char in "([":
            stack.append((char, pos))
        elif char in _PAIRS:
            if stack and stack[-1][0] == _PAIRS[char]:
                stack.pop()
            elif not re.search(r"(?:^|\s)(?:\d{1,2}|[a-zA-Z])$", text[max(0, pos - 3) : pos]):
                lonely.append(pos)
    return lonely + [pos for _, pos in stack]


def _word_around(text: str, pos: int) -> tuple[int, int]:
    """The non-space run of characters around position `pos` (the evidence a person needs to see)."""
    start = pos
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    end = pos + 1
    while end < len(text) and not text[end].isspace():
        end += 1
    return start, end


def _looks_like_url(text: str, pos: int) -> bool:
    start, end = _word_around(text, pos)
    word = text[start:end].lower()
    return "://" in word or word.startswith("www") or "@" in word
