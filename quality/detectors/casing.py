"""Capital letters where the language does not put them, and missing ones.

Three cases: a paragraph or a sentence that starts in lower case, and a
capitalised common word in mid-sentence ("afirmando que Es un síntoma").
What counts as common comes from the training text: how often that word is
written with a capital in mid-sentence (names are, "gobierno" sometimes is,
"primero" almost never). Runs of capitalised words are names and titles.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from quality.context import DocumentContext, ParagraphContext
from quality.detectors.base import FindingCode, ParagraphDetector, register
from quality.report import Finding

# after these a capital is expected, so one there is never suspicious
_OPENERS = {".", "!", "?", ":", '"', "'", "-", "(", "¿", "¡", "[", "/", "•", "*"}
# a lower-case word after a full stop is normal after these
_ABBREVIATION_RE = re.compile(
    r"^(?:[^\W\d_]|[A-ZÁÉÍÓÚ]{1,3}|etc|sr|sra|dr|dra|núm|no|vol|pág|art|ej|aprox|vs|cf|al|p|pp)$"
)
RARE_CAPITAL = 0.03  # a word capitalised in under 3% of its mid-sentence uses
# Greek writes its question mark as ";" (U+037E, which NFC turns into ";")
_SENTENCE_ENDS = {".", "!", "?"}
_EXTRA_SENTENCE_ENDS = {"el": {";"}}


def sentence_ends(lang: str) -> set[str]:
    """Tokens that end a sentence in `lang`."""
    return _SENTENCE_ENDS | _EXTRA_SENTENCE_ENDS.get(lang, set())


@register
class CasingDetector(ParagraphDetector):
    """Lower-case paragraph and sentence starts; capitalised common words mid-sentence."""

    name = "casing"
    codes = (FindingCode("casing", "has wrong capitalisation", "have wrong capitalisation", severity=0.4),)

    def detect_paragraph(self, paragraph: ParagraphContext, doc: DocumentContext) -> Iterable[Finding]:
        """Casing findings of one paragraph."""
        text, tokens = paragraph.text, paragraph.tokens
        words = [i for i, t in enumerate(tokens) if t.is_word]
        if not words:
            return
        first = tokens[words[0]]
        raw_first = text[first.start : first.end]
        if raw_first[0].islower() and words[0] == 0:
            yield paragraph.finding(
                "casing", first.start, first.end, "paragraph starts in lower case", 0.45, word=raw_first
            )
        ends = sentence_ends(paragraph.lang)
        names = doc.cache.get("names")
        if names is None:
            names = doc.cache["names"] = document_names(doc)
        for i in range(1, len(tokens)):
            token = tokens[i]
            if not token.is_word:
                continue
            raw = text[token.start : token.end]
            previous = tokens[i - 1]
            if (previous.norm in ends and raw[0].islower() and previous.end < token.start
                    and not _after_abbreviation(text, tokens, i - 1)
                    and not _known_after_stop(paragraph, i)):
                yield paragraph.finding(
                    "casing", token.start, token.end, "sentence starts in lower case", 0.3, word=raw
                )
            elif raw[0].isupper() and self._capital_mid_sentence(paragraph, i, raw) and token.norm not in names:
                yield paragraph.finding(
                    "casing", token.start, token.end, f"capital letter in mid-sentence: '{raw}'", 0.2, word=raw
                )

    @staticmethod
    def _capital_mid_sentence(paragraph: ParagraphContext, i: int, raw: str) -> bool:
        tokens, text = paragraph.tokens, paragraph.text
        if not (raw[0].isupper() and (len(raw) == 1 or raw[1:].islower())) or paragraph.model is None:
            return False
        previous = tokens[i - 1]
        if previous.norm in _OPENERS or previous.norm in sentence_ends(paragraph.lang):
            return False
        if not (previous.is_word or previous.norm in {",", ";"}):
            return False
        if previous.end == tokens[i].start:
            return False  # "Z.AI", "R2-Nvidia": inside a name
        if _in_capitalised_run(text, tokens, i):
            return False  # a name or title: "Casa Blanca", "Tropas de Choque"
        ratio = paragraph.model.capital_ratio(tokens[i].norm)
        return ratio is not None and ratio < RARE_CAPITAL


def _is_capitalised(text: str, token) -> bool:
    return token.is_word and text[token.start].isupper()


def _in_capitalised_run(text: str, tokens: list, i: int) -> bool:
    """True when a neighbour is capitalised too, directly or across one short lower-case connector ("de")."""
    for step in (-1, 1):
        near = i + step
        if 0 <= near < len(tokens) and _is_capitalised(text, tokens[near]):
            return True
        far = i + 2 * step
        if (0 <= far < len(tokens) and tokens[near].is_word and len(tokens[near].norm) <= 4
                and _is_capitalised(text, tokens[far])):
            return True
    return False


def document_names(doc: DocumentContext) -> set[str]:
    """Words the document writes capitalised mid-sentence at least twice and never in lower case: its names.

    A place or person the model does not know ("Cosa, Italia", "Al") is still
    written the same way every time; a casing error rarely repeats exactly.
    """
    capitalised: dict[str, int] = {}
    lower: set[str] = set()
    for paragraph in doc.paragraphs:
        text = paragraph.text
        for k, token in enumerate(paragraph.tokens):
            if not token.is_word:
                continue
            if text[token.start].isupper():
                if k > 0 and paragraph.tokens[k - 1].norm not in _SENTENCE_ENDS:
                    capitalised[token.norm] = capitalised.get(token.norm, 0) + 1
            else:
                lower.add(token.norm)
    return {word for word, count in capitalised.items() if count >= 2 and word not in lower}


def _known_after_stop(paragraph: ParagraphContext, i: int) -> bool:
    """True when the training text has this word after this same word and full stop ("δισ. ευρώ", "mill. de").

    That is what an abbreviation looks like to the language model: the
    three tokens are a known n-gram, where a real sentence start is not.
    """
    if paragraph.model is None or i < 2:
        return False
    context = " ".join(t.norm for t in paragraph.tokens[i - 2 : i + 1])
    *_, last = paragraph.model.kenlm.full_scores(context, bos=False, eos=False)
    return last[1] >= 3


def _after_abbreviation(text: str, tokens: list, stop: int) -> bool:
    """True when the full stop at tokens[stop] ends an abbreviation or an ellipsis."""
    if stop == 0:
        return False
    before = tokens[stop - 1]
    if before.norm == "." or text[before.start : before.end].endswith("."):
        return True  # "..." or ". ."
    if stop + 1 < len(tokens) and text[tokens[stop].start : tokens[stop + 1].start].count(".") > 1:
        return True
    return before.end == tokens[stop].start and bool(_ABBREVIATION_RE.match(text[before.start : before.end]))
