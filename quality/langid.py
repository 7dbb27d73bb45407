"""Language identification from the models' own vocabularies.

A multinomial naive Bayes over each language's most frequent words (taken from
its training text, `vocab.tsv`), with a script check first so that Greek or
Cyrillic text never needs word statistics. It costs one dictionary look-up per
token, which matters when the filter runs over millions of documents.

Languages without a model can still be named when their script gives them away;
Latin-script text in a language we have no model for comes out as "und".
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass

import numpy as np

from quality.models import ModelSet
from quality.normalize import Token

TOP_WORDS = 5000
UNDETERMINED = "und"

# scripts that name their language (or family) outright
_SCRIPT_LANG = {
    "GREEK": "el", "CYRILLIC": "ru", "ARABIC": "ar", "HEBREW": "he", "CJK": "zh", "HANGUL": "ko",
    "HIRAGANA": "ja", "KATAKANA": "ja", "DEVANAGARI": "hi", "THAI": "th", "ARMENIAN": "hy", "GEORGIAN": "ka",
}


@dataclass(frozen=True)
class LanguageGuess:
    """A language code (or "und") and a confidence in [0, 1]."""

    lang: str
    confidence: float


def _script(char: str) -> str:
    name = unicodedata.name(char, "")
    return name.split(" ", 1)[0] if name else ""


def dominant_script(text: str) -> tuple[str, float]:
    """The script most letters of `text` are written in, and its share of the letters."""
    counts: dict[str, int] = {}
    letters = 0
    for char in text:
        if char.isalpha():
            letters += 1
            script = _script(char)
            counts[script] = counts.get(script, 0) + 1
    if not letters:
        return "", 0.0
    script = max(counts, key=counts.__getitem__)
    return script, counts[script] / letters


class LanguageIdentifier:
    """Identifies the language of a paragraph or document among the available models."""

    def __init__(self, models: ModelSet):
        self.langs = [m.lang for m in models.all()]
        self._scripted = {m.lang for m in models.all() if m.lang in _SCRIPT_LANG.values()}
        latin = [m for m in models.all() if m.lang not in self._scripted]
        self._latin_langs = [m.lang for m in latin]
        table: dict[str, np.ndarray] = {}
        floors = np.array([math.log(0.5 / m.vocab_total) for m in latin]) if latin else np.zeros(0)
        for column, model in enumerate(latin):
            top = sorted(model.vocab.items(), key=lambda item: -item[1].count)[:TOP_WORDS]
            for word, entry in top:
                if not any(c.isalpha() for c in word):
                    continue  # punctuation and numbers are shared by all languages
                row = table.get(word)
                if row is None:
                    row = table[word] = floors.copy()
                row[column] = math.log(entry.count / model.vocab_total)
        self._table = table

    def identify(self, text: str, tokens: list[Token]) -> LanguageGuess:
        """Guess the language of `text` (its `tokens` already computed)."""
        script, share = dominant_script(text)
        if script and script != "LATIN" and share >= 0.5:
            return LanguageGuess(_SCRIPT_LANG.get(script, UNDETERMINED), share)
        return self._latin(tokens)

    def _latin(self, tokens: list[Token]) -> LanguageGuess:
        if not self._latin_langs:
            return LanguageGuess(UNDETERMINED, 0.0)
        total = np.zeros(len(self._latin_langs))
        known = words = 0
        for token in tokens:
            if not token.is_word:
                continue
            words += 1
            row = self._table.get(token.norm)
            if row is not None:
                total += row
                known += 1
        # too little evidence, or most words known to none of our languages
        if known < 2 or known < 0.25 * words:
            return LanguageGuess(UNDETERMINED, 0.0)
        best = int(np.argmax(total))
        ordered = np.sort(total)
        margin = (ordered[-1] - ordered[-2]) / known if len(ordered) > 1 else 5.0
        # a margin of ~1 nat per known word is decisive
        confidence = float(1 - math.exp(-known * max(margin, 0.0) / 3))
        return LanguageGuess(self._latin_langs[best], confidence)
