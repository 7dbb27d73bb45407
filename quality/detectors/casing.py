"""Capital letters where the language does not put them, and missing ones.

Three cases: a paragraph or a sentence that starts in lower case, and a
capitalised common word in mid-sentence ("afirmando que Es un síntoma").
What counts as common comes from the training text: how often that word is
written with a capital in mid-sentence (names are, "gobierno" sometimes is,
"primero" almost never). Runs of capitalised words are names and titles.
Conventions are not faults: a document that starts most sentences in lower case
(chat, a transcript), French lower case after "?" or "!", German nominalised
verbs and adjectives after an article ("das Rechnen"); a one-line message's
lower-case start is weak evidence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from quality.context import DocumentContext, ParagraphContext
from quality.detectors.base import INFORMAL, FindingCode, ParagraphDetector, register
from quality.report import Finding
from quality.style import is_transcript

# after these a capital is expected, so one there is never suspicious
_OPENERS = {".", "!", "?", ":", '"', "'", "-", "(", "¿", "¡", "[", "/", "•", "*"}
# a lower-case word after a full stop is normal after these
_ABBREVIATION_RE = re.compile(
    r"^(?:[^\W\d_]|[A-ZÁÉÍÓÚ]{1,3}|etc|sr|sra|dr|dra|núm|no|vol|pág|art|ej|aprox|vs|cf|al|p|pp)$"
)
RARE_CAPITAL = 0.03  # a word capitalised in under 3% of its mid-sentence uses
# A document that starts most of its sentences in lower case writes that way (chat, transcribed speech):
# from this many lower-case starts, making up this share of all its sentence starts, they are its convention
CONVENTION_MIN_LOWER = 4
CONVENTION_SHARE = 0.75
# a transcript (it has filled pauses) needs only two: transcription conventions write speech in lower case
TRANSCRIPT_MIN_LOWER = 2
# a one-line message ("in camera mancava uno specchio, bagno troppo piccolo"): its lower-case start is weak
MESSAGE_MAX_WORDS = 16
MESSAGE_LOWER_START = 0.25
# lower-case sentence starts (after stops) a paragraph with no capitalised one needs for them to count as
# informal style (`quality.detectors.base.INFORMAL`); fewer are as likely a broken first and second sentence
INFORMAL_MIN_LOWER_STARTS = 2
_MESSAGE_FINAL = set('.!?:;"\'»”)…')
_SENTENCE_STOP_RE = re.compile(r"[.!?…]\s")
# a lower-case "word" with a digit is a code or a ticker ("petr4", "goll4"), laughter is laughter
_NOT_A_WORD_START_RE = re.compile(r"\w*\d\w*|(?:[jhk][aeiou]){2,}h?|k{3,}|(?:rs){2,}r?|lol|xd+", re.IGNORECASE)
# French continues a sentence in lower case after "?" or "!" ("Tu viens ? dit-il"); Spanish does not (measured:
# allowing it there let word-order garbling through, "¿cuál es la solución? solución La")
_CONTINUES_AFTER = {"fr": {"?", "!"}}
# German writes any word used as a noun with a capital: after an article, a preposition fused with one, or a
# quantifier, a capital marks a nominalised verb or adjective ("das Rechnen", "beim Sehen", "etwas Neues")
_NOUN_MARKERS = {"de": {
    "der", "die", "das", "dem", "den", "des", "ein", "eine", "einen", "einem", "einer", "eines", "kein", "keine",
    "keinen", "keinem", "keiner", "keines", "beim", "zum", "zur", "vom", "im", "am", "ins", "ans", "aufs", "durchs",
    "fürs", "ums", "übers", "etwas", "nichts", "viel", "viele", "vieles", "wenig", "alles", "allem", "allen",
    "sein", "seine", "seinem", "seinen", "ihr", "ihre", "ihrem", "ihren", "mein", "meine", "meinem", "meinen",
    "dein", "deine", "unser", "unsere", "unserem", "unseren", "euer", "eure", "dieses", "diesem", "diesen",
    "jedes", "jedem", "jeden", "manches", "genug", "mehr", "weniger", "lauter"}}
# log10: a word at most this much less likely at a sentence start than elsewhere may be a sentence opener
NOMINAL_START_AFFINITY = -0.2
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
        lower_style = doc.cache.get("lower_case_style")
        if lower_style is None:
            lower_style = doc.cache["lower_case_style"] = writes_in_lower_case(doc)
        first = tokens[words[0]]
        raw_first = text[first.start : first.end]
        if (raw_first[0].islower() and words[0] == 0 and not lower_style
                and not _NOT_A_WORD_START_RE.fullmatch(raw_first)):
            yield paragraph.finding(
                "casing", first.start, first.end, "paragraph starts in lower case",
                MESSAGE_LOWER_START if _one_line_message(paragraph, doc) else 0.45, word=raw_first,
                informal=True,
            )
        ends = sentence_ends(paragraph.lang)
        names = doc.cache.get("names")
        if names is None:
            names = doc.cache["names"] = document_names(doc)
        continues_after = _CONTINUES_AFTER.get(paragraph.lang, set())
        later: list[Finding] = []
        lower_starts: list[Finding] = []
        capital_starts = 0 if raw_first[0].islower() else 1
        for i in range(1, len(tokens)):
            token = tokens[i]
            if not token.is_word:
                continue
            raw = text[token.start : token.end]
            previous = tokens[i - 1]
            if (previous.norm in ends and raw[0].islower() and previous.end < token.start
                    and not lower_style and previous.norm not in continues_after
                    and not _NOT_A_WORD_START_RE.fullmatch(raw)
                    and not _after_abbreviation(text, tokens, i - 1)
                    and not _known_after_stop(paragraph, i)):
                finding = paragraph.finding(
                    "casing", token.start, token.end, "sentence starts in lower case", 0.3, word=raw
                )
                later.append(finding)
                lower_starts.append(finding)
            elif raw[0].isupper() and self._capital_mid_sentence(paragraph, i, raw) and token.norm not in names:
                later.append(paragraph.finding(
                    "casing", token.start, token.end, f"capital letter in mid-sentence: '{raw}'", 0.2, word=raw
                ))
            if previous.norm in ends and raw[0].isupper() and previous.end < token.start:
                capital_starts += 1
        if not capital_starts and len(lower_starts) >= INFORMAL_MIN_LOWER_STARTS:
            # no sentence of the paragraph starts with a capital, over several sentences: the writer's informal
            # convention, not a sentence or two broken among capitalised ones
            for finding in lower_starts:
                finding.data[INFORMAL] = True
        yield from later

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
        if (previous.norm in _NOUN_MARKERS.get(paragraph.lang, ())
                and not _starts_sentences(paragraph.model, tokens[i].norm)):
            return False  # German nominalisation: "das Rechnen", "beim Sehen"
        if (paragraph.lang == "de" and i + 1 < len(tokens) and tokens[i + 1].norm == "-"
                and tokens[i + 1].start == tokens[i].end):
            return False  # German suspended compound: "Vor- und Nachname"
        ratio = paragraph.model.capital_ratio(tokens[i].norm)
        return ratio is not None and ratio < RARE_CAPITAL


def _starts_sentences(model, word: str) -> bool:
    """True when the model finds the word likelier at a sentence start than elsewhere ("Dabei", "Hier", "Nur").

    After an article such a capital is a new sentence run into a cut one ("an der Durch das ..."), not a
    nominalised verb or adjective, which rarely opens a sentence ("das Rechnen", "das Sagen").
    """
    at_start = next(iter(model.kenlm.full_scores(word, bos=True, eos=False)))[0]
    anywhere = next(iter(model.kenlm.full_scores(word, bos=False, eos=False)))[0]
    return at_start - anywhere > NOMINAL_START_AFFINITY


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


def _one_line_message(paragraph: ParagraphContext, doc: DocumentContext) -> bool:
    """A short line of one sentence with no punctuation at its end, alone or among other short lines:
    a chat message, a post in a thread, a list item.

    Written without any sentence punctuation, it is unedited rather than garbled: its lower-case start
    weighs less (a cut sentence is still told by its end, by the truncation detector). Among paragraphs of
    edited prose the same line is a heading that should have had its capital (seed 002's third paragraph).
    """
    text = paragraph.text
    if (paragraph.word_count > MESSAGE_MAX_WORDS or text.rstrip()[-1:] in _MESSAGE_FINAL
            or _SENTENCE_STOP_RE.search(text)):
        return False
    short = doc.cache.get("short_paragraphs")
    if short is None:
        counts = sorted(p.word_count for p in doc.paragraphs)
        short = doc.cache["short_paragraphs"] = counts[len(counts) // 2] <= MESSAGE_MAX_WORDS
    return short


def writes_in_lower_case(doc: DocumentContext) -> bool:
    """True when the document starts most of its sentences in lower case: its own convention (chat, transcripts).

    Garbling lower-cases some sentence starts among capitalised ones; a writer who never capitalises does it
    throughout, so only a document with several lower-case starts, most of its starts, counts (two in a
    transcript, which its filled pauses give away: "euh", "uh", "ähm").
    """
    lower = upper = 0
    for paragraph in doc.paragraphs:
        text, tokens = paragraph.text, paragraph.tokens
        ends = sentence_ends(paragraph.lang)
        at_start = True
        for i, token in enumerate(tokens):
            if token.is_word:
                if at_start and text[token.start].isupper():
                    upper += 1
                elif at_start and text[token.start].islower() and (
                        i == 0 or (tokens[i - 1].end < token.start and not _after_abbreviation(text, tokens, i - 1)
                                   and not _known_after_stop(paragraph, i))):
                    lower += 1  # counted as the detector would flag it: not after "etc." or "δισ."
                at_start = False
            elif token.norm in ends:
                at_start = True
    least = TRANSCRIPT_MIN_LOWER if is_transcript(doc) else CONVENTION_MIN_LOWER
    return lower >= least and lower >= CONVENTION_SHARE * (lower + upper)


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
    if stop == 1 and before.norm.isdigit():
        return True  # a numbered list item: "1. fröhlicher Gruß"
    if before.norm == "." or text[before.start : before.end].endswith("."):
        return True  # "..." or ". ."
    if stop + 1 < len(tokens) and text[tokens[stop].start : tokens[stop + 1].start].count(".") > 1:
        return True
    return before.end == tokens[stop].start and bool(_ABBREVIATION_RE.match(text[before.start : before.end]))
