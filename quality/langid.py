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
import re
from dataclasses import dataclass

import numpy as np

from quality.models import ModelSet
from quality.normalize import Token

TOP_WORDS = 5000
UNDETERMINED = "und"

# three-letter ISO 639-2/3 codes (terminology and bibliographic) of the languages models ship for
_THREE_LETTER = {"eng": "en", "spa": "es", "por": "pt", "ell": "el", "gre": "el", "fra": "fr", "fre": "fr",
                 "deu": "de", "ger": "de", "ita": "it"}
_SUBTAG_RE = re.compile(r"[-_]")


def normalize_lang_code(code: str | None) -> str | None:
    """A caller's language code as models are named: "EN", "en-US", "pt_BR", "eng" -> "en", "pt", "en".

    Strips, lower-cases, keeps the primary subtag of a BCP 47 or POSIX tag and
    maps three-letter codes of the shipped languages to two letters. None, an
    empty or blank string, or "und" (BCP 47 for undetermined) mean: detect (None).
    """
    if code is None:
        return None
    primary = _SUBTAG_RE.split(code.strip().lower(), maxsplit=1)[0].strip()
    if not primary or primary == UNDETERMINED:
        return None
    return _THREE_LETTER.get(primary, primary)


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


# Unicode blocks of the scripts above; one C-level regex pass each instead of a
# unicodedata look-up per character (this ran on every paragraph)
_SCRIPT_RE = {
    script: re.compile(f"[{ranges}]")
    for script, ranges in {
        "GREEK": "\u0370-\u03ff\u1f00-\u1fff", "CYRILLIC": "\u0400-\u052f", "ARMENIAN": "\u0530-\u058f",
        "HEBREW": "\u0590-\u05ff", "ARABIC": "\u0600-\u06ff\u0750-\u077f", "DEVANAGARI": "\u0900-\u097f",
        "THAI": "\u0e00-\u0e7f", "GEORGIAN": "\u10a0-\u10ff", "HANGUL": "\u1100-\u11ff\uac00-\ud7af",
        "HIRAGANA": "\u3040-\u309f", "KATAKANA": "\u30a0-\u30ff", "CJK": "\u3400-\u4dbf\u4e00-\u9fff",
    }.items()
}
_ANY_SCRIPT_RE = re.compile("|".join(pattern.pattern for pattern in _SCRIPT_RE.values()))
_LETTER_RE = re.compile(r"[^\W\d_]")


def dominant_script(text: str) -> tuple[str, float]:
    """The script most letters of `text` are written in ("LATIN" for any other), and its share of the letters."""
    if _LETTER_RE.search(text) is None:
        return "", 0.0
    if text.isascii() or _ANY_SCRIPT_RE.search(text) is None:
        return "LATIN", 1.0  # most text: no letter of the scripts above, so no need to count
    letters = len(_LETTER_RE.findall(text))
    counts = {script: len(pattern.findall(text)) for script, pattern in _SCRIPT_RE.items()}
    script = max(counts, key=counts.__getitem__)
    others = letters - sum(counts.values())
    if counts[script] >= others:
        return script, counts[script] / letters
    return "LATIN", others / letters


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
        table = self._table
        norms = [token.norm for token in tokens if token.is_word]
        rows = [table[norm] for norm in norms if norm in table]
        words, known = len(norms), len(rows)
        # too little evidence, or most words known to none of our languages
        if known < 2 or known < 0.25 * words:
            return LanguageGuess(UNDETERMINED, 0.0)
        total = np.add.reduce(rows, axis=0)
        best = int(np.argmax(total))
        ordered = np.sort(total)
        margin = (ordered[-1] - ordered[-2]) / known if len(ordered) > 1 else 5.0
        # a margin of ~1 nat per known word is decisive
        confidence = float(1 - math.exp(-known * max(margin, 0.0) / 3))
        return LanguageGuess(self._latin_langs[best], confidence)
