"""Synthetic corruptions of clean paragraphs, modelled on the defects of seed 002.

Each function takes a clean paragraph and returns a corrupted copy, or None
when the paragraph offers no place for that corruption. They are used by the
benchmarks only: the detectors are never fitted on them.
"""

from __future__ import annotations

import random
import re

# article/agreement swaps per language: a frequent source of broken agreement in MT
_AGREEMENT = {
    "es": {"el": "la", "la": "el", "los": "las", "las": "los", "un": "una", "una": "un", "del": "de la"},
    "pt": {"o": "a", "a": "o", "os": "as", "as": "os", "um": "uma", "uma": "um", "do": "da", "da": "do"},
    "en": {"is": "are", "are": "is", "was": "were", "were": "was", "has": "have", "have": "has", "a": "an"},
    "el": {"ο": "η", "η": "ο", "το": "τον", "τον": "το", "την": "τον", "οι": "τα", "τα": "οι", "της": "του"},
    "fr": {"le": "la", "la": "le", "les": "la", "un": "une", "une": "un"},
    "de": {"der": "die", "die": "das", "das": "der", "ein": "eine", "eine": "ein"},
    "it": {"il": "la", "la": "il", "i": "le", "le": "i", "un": "una", "una": "un"},
}
_WORD_RE = re.compile(r"\w+", re.UNICODE)
_SENTENCE_END_RE = re.compile(r"[.!?] +(?=\w)")


def _words(text: str) -> list[re.Match]:
    return list(_WORD_RE.finditer(text))


def glued_quote(text: str, rng: random.Random, lang: str, english: list[str]) -> str | None:
    """A quoted phrase with its quotes glued to the neighbouring words: dijo”no hay nada”para."""
    spaces = [m.start() for m in re.finditer(" ", text)]
    if len(spaces) < 6:
        return None
    first = rng.randrange(1, len(spaces) - 4)
    second = first + rng.randrange(2, 4)
    out = list(text)
    out[spaces[first]] = "”"
    out[spaces[second]] = "”"
    return "".join(out)


def lowercase_starts(text: str, rng: random.Random, lang: str, english: list[str]) -> str | None:
    """The paragraph, and a sentence in it, start in lower case."""
    if not text[:1].isupper():
        return None
    out = text[0].lower() + text[1:]
    starts = [m.end() for m in _SENTENCE_END_RE.finditer(out) if out[m.end()].isupper()]
    if starts:
        pos = rng.choice(starts)
        out = out[:pos] + out[pos].lower() + out[pos + 1 :]
    return out


def foreign_words(text: str, rng: random.Random, lang: str, english: list[str]) -> str | None:
    """Two or three words replaced by an English phrase left untranslated."""
    words = _words(text)
    if len(words) < 8 or not english:
        return None
    phrase = rng.choice(english)
    i = rng.randrange(1, len(words) - 3)
    n = rng.randrange(2, 4)
    return text[: words[i].start()] + phrase + text[words[i + n - 1].end() :]


def stutter(text: str, rng: random.Random, lang: str, english: list[str]) -> str | None:
    """A two- or three-word phrase said twice: de agosto de agosto."""
    words = _words(text)
    if len(words) < 6:
        return None
    n = rng.choice((2, 3))
    i = rng.randrange(0, len(words) - n)
    span = text[words[i].start() : words[i + n - 1].end()]
    return text[: words[i + n - 1].end()] + " " + span + text[words[i + n - 1].end() :]


def truncated(text: str, rng: random.Random, lang: str, english: list[str]) -> str | None:
    """A sentence cut mid-way and run into the next, or the paragraph cut mid-sentence."""
    ends = list(_SENTENCE_END_RE.finditer(text))
    words = _words(text)
    if ends and rng.random() < 0.5:
        end = rng.choice(ends)
        before = [w for w in words if w.end() < end.start()]
        if len(before) < 4:
            return None
        cut = before[-rng.randrange(2, min(5, len(before)))].end()
        return text[:cut] + " " + text[end.end() :]
    if len(words) < 8:
        return None
    cut = words[rng.randrange(len(words) // 2, len(words) - 2)].end()
    return text[:cut]


def agreement(text: str, rng: random.Random, lang: str, english: list[str]) -> str | None:
    """Two articles or verbs swapped for the wrong gender or number: los crisis."""
    swaps = _AGREEMENT.get(lang, {})
    places = [m for m in _words(text) if m.group() in swaps]
    if len(places) < 2:
        return None
    out = text
    for match in sorted(rng.sample(places, 2), key=lambda m: -m.start()):
        out = out[: match.start()] + swaps[match.group()] + out[match.end() :]
    return out


def word_order(text: str, rng: random.Random, lang: str, english: list[str]) -> str | None:
    """Two pairs of neighbouring words swapped: a garbled word order."""
    words = _words(text)
    if len(words) < 8:
        return None
    out = text
    for i in sorted(rng.sample(range(len(words) - 1), 2), reverse=True):
        a, b = words[i], words[i + 1]
        if b.start() - a.end() != 1:
            continue
        out = out[: a.start()] + b.group() + " " + a.group() + out[b.end() :]
    return out if out != text else None


def mt_mix(text: str, rng: random.Random, lang: str, english: list[str]) -> str | None:
    """Three of the corruptions above together, as in a badly machine-translated paragraph."""
    kinds = rng.sample([glued_quote, lowercase_starts, foreign_words, stutter, truncated, agreement, word_order], 3)
    out = text
    for kind in kinds:
        out = kind(out, rng, lang, english) or out
    return out if out != text else None


def _salad(words: list[str]) -> str:
    """Words joined into one clean-looking sentence: capital first letter, a full stop, no other sentence end,
    so that nothing but the order of the words is wrong."""
    text = " ".join(words).strip(",;: ")
    return text[:1].upper() + text[1:] + "."


def _bare_words(text: str) -> list[str] | None:
    words = [w.strip(".!?¡¿") for w in text.split()]
    words = [w for w in words if w]
    if len(words) < 6:
        return None
    # the old first word loses its capital unless it is a name or an acronym
    if words[0][:1].isupper() and not words[0][1:2].isupper():
        words[0] = words[0][:1].lower() + words[0][1:]
    return words


def word_salad(text: str, rng: random.Random, lang: str, english: list[str]) -> str | None:
    """All the words of the paragraph shuffled, with no structural fault left to see: word salad."""
    words = _bare_words(text)
    if words is None:
        return None
    rng.shuffle(words)
    return _salad(words)


def local_shuffle(text: str, rng: random.Random, lang: str, english: list[str]) -> str | None:
    """The words shuffled within each run of four: the right words, locally in the wrong order."""
    words = _bare_words(text)
    if words is None:
        return None
    shuffled = []
    for i in range(0, len(words), 4):
        run = words[i : i + 4]
        rng.shuffle(run)
        shuffled += run
    return _salad(shuffled)


KINDS = {
    "glued-quote": glued_quote,
    "lowercase": lowercase_starts,
    "foreign": foreign_words,
    "stutter": stutter,
    "truncated": truncated,
    "agreement": agreement,
    "word-order": word_order,
    "mt-mix": mt_mix,
    "word-salad": word_salad,
    "local-shuffle": local_shuffle,
}
