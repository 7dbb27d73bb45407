"""Readability with the formula made for the document's language.

Only validated formulas are reported: Fernández-Huerta and Szigriszt-Pazos for
Spanish, Flesch reading ease for English, Martins' Portuguese adaptation of
Flesch, Kandel and Moles' for French, Gulpease for Italian, the Wiener
Sachtextformel for German. For languages with no validated formula here (Greek
among them) we say so rather than show an English formula's number.

Words, sentences and the language constants are textstat's; syllables follow
textstat's rule for these languages (Pyphen hyphenation points + 1) but are
cached per word, since counting them afresh for every document was a third of
the analysis time. English syllables come from Pyphen too: textstat would
download NLTK's CMUdict at run time, and we never touch the network.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from textstat.backend.counts import count_chars, count_sentences
from textstat.backend.selections import list_words
from textstat.backend.utils import get_lang_cfg, get_pyphen

MIN_WORDS = 30
# Pyphen dictionary per language (textstat's choice for all but English)
_HYPHENATION = {"es": "es", "pt": "pt", "fr": "fr", "de": "de", "it": "it", "en": "en_US"}


@lru_cache(maxsize=1 << 17)
def syllables(word: str, lang: str) -> int:
    """Syllables of a lower-case word: hyphenation points + 1."""
    return len(get_pyphen(_HYPHENATION[lang]).positions(word)) + 1


class _Counts:
    """The counts every formula is built from, computed once per text."""

    def __init__(self, text: str, lang: str):
        self.words = list_words(text, lowercase=True)
        self.n_words = len(self.words)
        self.n_sentences = count_sentences(text)
        self.syllables = [syllables(w, lang) for w in self.words]
        self.words_per_sentence = self.n_words / self.n_sentences
        self.syllables_per_word = sum(self.syllables) / self.n_words


def _fernandez_huerta(c: _Counts, text: str) -> float:
    return 206.84 - 60 * c.syllables_per_word - 1.02 * c.words_per_sentence


def _szigriszt_pazos(c: _Counts, text: str) -> float:
    return get_lang_cfg("es", "fre_base") - 62.3 * c.syllables_per_word - c.words_per_sentence


def _flesch(base: float, per_sentence: float, per_syllable: float) -> Callable[[_Counts, str], float]:
    def formula(c: _Counts, text: str) -> float:
        return base - per_sentence * c.words_per_sentence - per_syllable * c.syllables_per_word

    return formula


def _gulpease(c: _Counts, text: str) -> float:
    characters = count_chars(text, ignore_spaces=True)  # textstat's definition: punctuation included
    return 89 + (300 * c.n_sentences - 10 * characters) / c.n_words


def _wiener_sachtextformel_1(c: _Counts, text: str) -> float:
    long_words = sum(1 for w in list_words(text, rm_apostrophe=True) if len(w) > 6)
    polysyllables = 100 * sum(1 for s in c.syllables if s >= 3) / c.n_words
    monosyllables = 100 * sum(1 for s in c.syllables if s == 1) / c.n_words
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
