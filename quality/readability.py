"""Readability with the formula made for the document's language (textstat).

Only validated formulas are reported: Fernández-Huerta and Szigriszt-Pazos for
Spanish, Flesch reading ease for English, Martins' Portuguese adaptation of
Flesch. For languages with no validated formula here (Greek among them) we say
so rather than show an English formula's number.
"""

from __future__ import annotations

from typing import Any

# textstat language codes and the formulas validated for each language
_FORMULAS: dict[str, list[tuple[str, str]]] = {
    "es": [("fernandez_huerta", "Fernández-Huerta"), ("szigriszt_pazos", "Szigriszt-Pazos")],
    "en": [("flesch_reading_ease_en", "Flesch reading ease (syllables from Pyphen's en_US dictionary)")],
    "pt": [("flesch_reading_ease", "Flesch reading ease, Portuguese adaptation (Martins et al. 1996)")],
    "it": [("gulpease_index", "Gulpease")],
    "de": [("wiener_sachtextformel", "Wiener Sachtextformel")],
    "fr": [("flesch_reading_ease", "Flesch reading ease, French adaptation (Kandel and Moles)")],
}


def readability(text: str, lang: str | None) -> dict[str, Any]:
    """Scores of the validated formulas for `lang`, or a note saying there is none."""
    formulas = _FORMULAS.get(lang or "")
    if not formulas:
        return {"note": f"no validated readability formula for {lang or 'this language'}"}
    if len(text.split()) < 30:
        return {"note": "too short for a readability score (under 30 words)"}
    import textstat

    scorer = textstat.textstat.__class__()  # a private instance: set_lang is global state otherwise
    scorer.set_lang(lang)
    out: dict[str, Any] = {}
    for function, label in formulas:
        if function == "wiener_sachtextformel":
            value = scorer.wiener_sachtextformel(text, 1)
        elif function == "flesch_reading_ease_en":
            value = _flesch_english(scorer, text)
        else:
            value = getattr(scorer, function)(text)
        out[function] = {"value": round(float(value), 1), "formula": label}
    return out


def _flesch_english(scorer, text: str) -> float:
    """Flesch (1948) reading ease with Pyphen syllable counts.

    textstat counts English syllables with NLTK's CMUdict, which it downloads at
    run time; we never touch the network, so we count with the hyphenation
    dictionary Pyphen ships (a few percent off CMUdict on news text).
    """
    import pyphen

    words = text.split()
    hyphenator = pyphen.Pyphen(lang="en_US")
    letters_only = ["".join(c for c in w if c.isalpha()).lower() for w in words]
    letters_only = [w for w in letters_only if w]
    if not letters_only:
        return 0.0
    syllables = sum(len(hyphenator.positions(w)) + 1 for w in letters_only)
    sentences = max(1, scorer.sentence_count(text))
    return 206.835 - 1.015 * (len(letters_only) / sentences) - 84.6 * (syllables / len(letters_only))
