"""Readability with the formula made for the document's language.

Only validated formulas are reported: Fernández-Huerta and Szigriszt-Pazos for
Spanish, Flesch reading ease for English, Martins' Portuguese adaptation of
Flesch, Kandel and Moles' for French, Gulpease for Italian, the Wiener
Sachtextformel for German. For languages with no validated formula here (Greek
among them) we say so rather than show an English formula's number.

The counts follow textstat's definitions exactly (its word list, sentence
count, character count, constants, and its syllable rule for these languages:
Pyphen hyphenation points + 1), and tests/test_readability.py checks our
numbers against textstat's. We do not call textstat at run time: importing it
imports NLTK, a second of start-up in every process, and it counts syllables
afresh for each document (a third of the analysis time) where we cache them
per word. English syllables come from Pyphen too: textstat would download
NLTK's CMUdict at run time, and we never touch the network.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import pyphen

MIN_WORDS = 30
# Pyphen dictionary per language (textstat's choice for all but English)
_HYPHENATION = {"es": "es", "pt": "pt", "fr": "fr", "de": "de", "it": "it", "en": "en_US"}


# textstat's word list: punctuation removed, apostrophes kept inside English contractions only
_NON_CONTRACTION_APOSTROPHE_RE = re.compile(r"'(?![tsd]|ve|ll|re)")
_PUNCTUATION_BUT_APOSTROPHE_RE = re.compile(r"[^\w\s']")
_PUNCTUATION_RE = re.compile(r"[^\w\s]")
_SENTENCE_RE = re.compile(r"\b[^.!?]+[.!?]*")
_SPACE_RE = re.compile(r"\s")


def list_words(text: str, rm_apostrophe: bool = False) -> list[str]:
    """Words as textstat lists them (list_words with punctuation removed)."""
    if rm_apostrophe:
        return _PUNCTUATION_RE.sub("", text).split()
    return _PUNCTUATION_BUT_APOSTROPHE_RE.sub("", _NON_CONTRACTION_APOSTROPHE_RE.sub("", text)).split()


def count_sentences(text: str) -> int:
    """Sentences as textstat counts them: runs ending in . ! ?, ignoring those of two words or fewer."""
    sentences = _SENTENCE_RE.findall(text)
    short = sum(1 for sentence in sentences if len(list_words(sentence)) <= 2)
    return max(1, len(sentences) - short)


@lru_cache(maxsize=8)
def _hyphenator(lang: str) -> pyphen.Pyphen:
    return pyphen.Pyphen(lang=_HYPHENATION[lang])


@lru_cache(maxsize=1 << 17)
def syllables(word: str, lang: str) -> int:
    """Syllables of a lower-case word: hyphenation points + 1."""
    return len(_hyphenator(lang).positions(word)) + 1


class _Counts:
    """The counts every formula is built from, computed once per text."""

    def __init__(self, text: str, lang: str):
        words = Counter(w.lower() for w in list_words(text))  # each distinct word hyphenated once
        self.n_words = sum(words.values())
        self.n_sentences = count_sentences(text)
        by_syllables: Counter[int] = Counter()
        for word, times in words.items():
            by_syllables[syllables(word, lang)] += times
        self.n_syllables = sum(count * times for count, times in by_syllables.items())
        self.n_monosyllables = by_syllables[1]
        self.n_polysyllables = sum(times for count, times in by_syllables.items() if count >= 3)
        self.words_per_sentence = self.n_words / self.n_sentences
        self.syllables_per_word = self.n_syllables / self.n_words if self.n_words else 0.0


def _fernandez_huerta(c: _Counts, text: str) -> float:
    return 206.84 - 60 * c.syllables_per_word - 1.02 * c.words_per_sentence


def _szigriszt_pazos(c: _Counts, text: str) -> float:
    return 206.84 - 62.3 * c.syllables_per_word - c.words_per_sentence  # textstat's base for es


def _flesch(base: float, per_sentence: float, per_syllable: float) -> Callable[[_Counts, str], float]:
    def formula(c: _Counts, text: str) -> float:
        return base - per_sentence * c.words_per_sentence - per_syllable * c.syllables_per_word

    return formula


def _gulpease(c: _Counts, text: str) -> float:
    characters = len(_SPACE_RE.sub("", text))  # textstat's definition: punctuation included
    return 89 + (300 * c.n_sentences - 10 * characters) / c.n_words


def _wiener_sachtextformel_1(c: _Counts, text: str) -> float:
    long_words = sum(1 for w in list_words(text, rm_apostrophe=True) if len(w) > 6)
    polysyllables = 100 * c.n_polysyllables / c.n_words
    monosyllables = 100 * c.n_monosyllables / c.n_words
    return (0.1935 * polysyllables + 0.1672 * c.words_per_sentence + 0.1297 * 100 * long_words / c.n_words
            - 0.0327 * monosyllables - 0.875)


_FORMULAS: dict[str, list[tuple[str, str, Callable[[_Counts, str], float]]]] = {
    "es": [
        ("fernandez_huerta", "Fernández-Huerta", _fernandez_huerta),
        ("szigriszt_pazos", "Szigriszt-Pazos", _szigriszt_pazos),
    ],
    "en": [("flesch_reading_ease", "Flesch reading ease (syllables from Pyphen's en_US dictionary)",
            _flesch(206.835, 1.015, 84.6))],
    "pt": [("flesch_reading_ease", "Flesch reading ease, Portuguese adaptation (Martins et al. 1996)",
            _flesch(248.835, 1.015, 84.6))],
    "fr": [("flesch_reading_ease", "Flesch reading ease, French adaptation (Kandel and Moles 1958)",
            _flesch(207, 1.015, 73.6))],
    "it": [("gulpease_index", "Gulpease", _gulpease)],
    "de": [("wiener_sachtextformel", "Wiener Sachtextformel (1)", _wiener_sachtextformel_1)],
}


def readability(text: str, lang: str | None) -> dict[str, Any]:
    """Scores of the validated formulas for `lang`, or a note saying there is none."""
    formulas = _FORMULAS.get(lang or "")
    if not formulas:
        return {"note": f"no validated readability formula for {lang or 'this language'}"}
    counts = _Counts(text, lang)
    if counts.n_words < MIN_WORDS:
        return {"note": f"too short for a readability score (under {MIN_WORDS} words)"}
    return {name: {"value": round(float(formula(counts, text)), 1), "formula": label}
            for name, label, formula in formulas}
