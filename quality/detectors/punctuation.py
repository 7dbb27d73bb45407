"""Punctuation that human editors do not leave: quotes glued to words, a
paragraph opening with a full stop, words run into the next sentence, a
bracket with no partner, a space after "¿" or "¡".

A space before a full stop is common in scraped clean text (a removed link
leaves "the Financial Times ."), so it weighs little on its own.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable

from quality.context import DocumentContext, ParagraphContext
from quality.detectors.base import FindingCode, ParagraphDetector, register
from quality.report import Finding

_QUOTES = "\"“”«»„"
# a quote with no space on either side, between a word (or a colon) and a word: lanzar”en, afirmando:”No
# (each pattern starts with the punctuation it is about and looks behind from there: a leading
# look-behind would be tried at every character of every paragraph)
_GLUED_QUOTE_RE = re.compile(rf"[{_QUOTES}](?:(?<=[\w:;,.!?][{_QUOTES}])(?=\w)|(?<=\w[{_QUOTES}])(?=[^\W\d_]))")
_SPACE_BEFORE_RE = re.compile(r"(?<=\w)[ \t]+[.,;:!?](?=\s|$)(?!\s\.)")  # not the start of ". . ."
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
# ". ." is a doubled full stop, but ". . ." a spaced ellipsis (German and transcribed-speech style)
_DOUBLED_RE = re.compile(r"([,;:])(?<![.,][,;:])\s*\1(?![.,])|\.(?<!\.\.)(?<!\.\s\.)\s\.(?!\.)(?!\s\.)")
# French typography puts a (thin) space before ? ! : ; and inside « »: the convention, not a removed link
_SPACED_BEFORE = {"fr": set("?!:;")}
# an emoticon's bracket has no partner by design: ":)", ";-(", "=)", a lone "(:" or "^^)" ("8)" is a number's)
_EMOTICON_BRACKET_RE = re.compile(r"[:;=][-'^o]?[()\[\]]+|(?<!\S)[()][-'^o]?[:;=](?!\S)|\^\^?\)")
_RUN_RE = re.compile(r"\S+")
# evidence shown each side of a glued quote or missing space: a word, or this much of a longer run
EVIDENCE_CHARS = 60


@register
class PunctuationDetector(ParagraphDetector):
    """Glued quotes, opening punctuation, missing or doubled spaces around punctuation."""

    name = "punctuation"
    codes = (FindingCode("punctuation", "has broken punctuation", "have broken punctuation", severity=0.35),)

    def detect_paragraph(self, paragraph: ParagraphContext, doc: DocumentContext) -> Iterable[Finding]:
        """Punctuation findings of one paragraph."""
        text = paragraph.text
        match = _OPENS_WITH_RE.match(text)
        if match:
            message = "paragraph starts with punctuation: a sentence was cut"
            yield paragraph.finding("punctuation", match.end() - 1, match.end(), message, 0.6)
        words: _Words | None = None  # built on the first match: most paragraphs have none
        seen: set[int] = set()
        for match in _GLUED_QUOTE_RE.finditer(text):
            if words is None:
                words = _Words(text)
            word = words.index(match.start())
            if word in seen:
                continue  # two glued quotes in one word: one finding
            seen.add(word)
            start, end = words.evidence(word, match.start())
            yield paragraph.finding("punctuation", start, end, "quotation mark glued to a word (no space)", 0.35)
        seen.clear()
        for match in _NO_SPACE_AFTER_RE.finditer(text):
            if words is None:
                words = _Words(text)
            word = words.index(match.start())
            if word in seen or words.looks_like_url(word):
                continue  # one finding per word, as for quotes
            seen.add(word)
            start, end = words.evidence(word, match.start())
            yield paragraph.finding("punctuation", start, end, "no space after sentence punctuation", 0.3)
        for match in _DOUBLED_RE.finditer(text):
            yield paragraph.finding("punctuation", match.start(), match.end(), "doubled punctuation", 0.25)
        for match in _SPACE_AFTER_OPENING_RE.finditer(text):
            yield paragraph.finding("punctuation", match.start(), match.end() + 1,
                                    "space after an opening question or exclamation mark", 0.3)
        for start in _unbalanced_brackets(text):
            yield paragraph.finding("punctuation", start, start + 1, "bracket with no partner", 0.25)
        spaced = _SPACED_BEFORE.get(paragraph.lang, set())
        for match in _SPACE_BEFORE_RE.finditer(text):
            if text[match.end() - 1] in spaced:
                continue
            yield paragraph.finding(
                "punctuation", match.start(), match.end(), "space before punctuation (often a removed link)", 0.1,
                informal=True,
            )


def _unbalanced_brackets(text: str) -> list[int]:
    """Positions of closing brackets with no opening one, and of opening ones never closed.

    A lone ")" after a list marker ("1) ...", "a) ...") is a numbering, not a bracket, and the
    brackets of emoticons (":)", ";-(") are not brackets at all.
    """
    stack: list[tuple[str, int]] = []
    lonely: list[int] = []
    emoticons = {pos for match in _EMOTICON_BRACKET_RE.finditer(text) for pos in range(*match.span())}
    for match in _BRACKET_RE.finditer(text):
        pos, char = match.start(), match.group()
        if pos in emoticons:
            continue
        if char in "([":
            stack.append((char, pos))
        elif char in _PAIRS:
            if stack and stack[-1][0] == _PAIRS[char]:
                stack.pop()
            elif not re.search(r"(?:^|\s)(?:\d{1,2}|[a-zA-Z])$", text[max(0, pos - 3) : pos]):
                lonely.append(pos)
    return lonely + [pos for _, pos in stack]


class _Words:
    """The runs of non-space characters of a paragraph, found once.

    Each match looks its word up by bisection; scanning out from the match
    instead made a paragraph-long run ('"a"a"a…', 5,000 characters) quadratic.
    """

    def __init__(self, text: str):
        self.text = text
        spans = [match.span() for match in _RUN_RE.finditer(text)]
        self.starts = [start for start, _ in spans]
        self.ends = [end for _, end in spans]
        self._urls: dict[int, bool] = {}

    def index(self, pos: int) -> int:
        """The index of the run holding position `pos` (a non-space character)."""
        return bisect_right(self.starts, pos) - 1

    def evidence(self, word: int, pos: int) -> tuple[int, int]:
        """The run around `pos`, cut to EVIDENCE_CHARS each side: what a person needs to see."""
        return max(self.starts[word], pos - EVIDENCE_CHARS), min(self.ends[word], pos + 1 + EVIDENCE_CHARS)

    def looks_like_url(self, word: int) -> bool:
        """A link or an e-mail address, whose dots need no space after them (once per run)."""
        url = self._urls.get(word)
        if url is None:
            start, end, text = self.starts[word], self.ends[word], self.text
            url = self._urls[word] = (text.find("://", start, end) >= 0 or text.find("@", start, end) >= 0
                                      or text[start : min(end, start + 3)].lower() == "www")
        return url
