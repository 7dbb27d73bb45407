"""Language identification: about 240 languages named, seven modelled, none passed off as another.

Two identifiers, chosen by measurement (bench/langid.py, bench/RESULTS.md):

- whatlang (Rust, `whatlang-pyo3`; 69 languages, trigram tables compiled into
  the library: no load time, ~1 µs per token) runs on every document;
- heliport (HPLT's identifier, Rust with a Python wheel; ~220 languages, its
  model ships in the wheel) runs only when whatlang is unsure or the text is
  not in a modelled language. It costs about 2 s of CPU and 0.8 GB to load, so
  it is loaded on first need, once per process; `QUALITY_LANGID=fast` never
  loads it (unmodelled text is then named by whatlang alone, or `und`).

Neither is trusted to tell a modelled language from its neighbours that the
identifiers do not know well (Asturian is labelled Spanish, Kabuverdianu
Portuguese, Galician often Portuguese by whatlang): a label naming a modelled
language must also pass the vocabulary check, the share of the text's
lower-case words that the model's own vocabulary (`vocab.tsv`, the 20,000
most frequent words of its training text) knows. Its threshold,
0.80 - 0.6/sqrt(words), lies under the 1% quantile of held-out clean text of
every Latin-script modelled language at every length (measured on the
corpora's held-out lines, not on the benchmark); close neighbours score
0.4-0.7. whatlang alone decides only with 0.1 to spare; below that heliport
decides, and its label must pass the check too. Greek needs no check: no
other identified language is written in its script.
"""

from __future__ import annotations

import importlib.util
import math
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from quality.langcodes import UNDETERMINED, from_identifier
from quality.langcodes import normalize_lang_code as normalize_lang_code  # re-exported: the public name
from quality.models import ModelSet
from quality.normalize import Token, tokenize

# the vocabulary check: at least VOCAB_SHARE - VOCAB_SLACK / sqrt(words) of lower-case words known to the model
VOCAB_SHARE, VOCAB_SLACK = 0.80, 0.6
# what whatlang's label needs on its own, without heliport's: VOCAB_MARGIN more
VOCAB_MARGIN = 0.1
# under this many lower-case words the check abstains: one word cannot contradict an identifier
VOCAB_MIN_WORDS = 3
# modelled languages whose script no other identified language uses: the script is the check
OWN_SCRIPT = {"el"}
# a paragraph is identified on its own from this many words (shorter ones take the document's language)
PARAGRAPH_MIN_WORDS = 8
# identification reads at most this much of a document: enough to be sure, and a 10 MB record costs no more
IDENTIFY_CHARS = 20_000
# whatlang's first look reads at most this much (its cost grows with the text; the vocabulary check reads all)
WHATLANG_CHARS = 3_000
# QUALITY_LANGID=fast: never load heliport (whatlang and the vocabulary check only)
FAST_ENV = "QUALITY_LANGID"


@dataclass(frozen=True)
class LanguageGuess:
    """A language code (or "und"), a confidence in [0, 1], and which identifier said so."""

    lang: str
    confidence: float
    by: str = ""


# Unicode blocks of scripts that name their language or family; one C-level regex pass each
_SCRIPT_RE = {
    script: re.compile(f"[{ranges}]")
    for script, ranges in {
        "GREEK": "\u0370-\u03ff\u1f00-\u1fff", "CYRILLIC": "\u0400-\u052f", "ARMENIAN": "\u0530-\u058f",
        "HEBREW": "\u0590-\u05ff", "ARABIC": "\u0600-\u06ff\u0750-\u077f", "DEVANAGARI": "\u0900-\u097f",
        "THAI": "\u0e00-\u0e7f", "GEORGIAN": "\u10a0-\u10ff", "HANGUL": "\u1100-\u11ff\uac00-\ud7af",
        "HIRAGANA": "\u3040-\u309f", "KATAKANA": "\u30a0-\u30ff", "CJK": "\u3400-\u4dbf\u4e00-\u9fff",
    }.items()
}
# the script of a language a model might be trained for (`quality train`), where it is not Latin
_SCRIPT_OF: dict[str, str | None] = {
    "el": "GREEK", "ru": "CYRILLIC", "uk": "CYRILLIC", "bg": "CYRILLIC", "be": "CYRILLIC", "mk": "CYRILLIC",
    "sr": None, "kk": "CYRILLIC", "ky": "CYRILLIC", "mn": "CYRILLIC", "tg": "CYRILLIC", "ar": "ARABIC",
    "fa": "ARABIC", "ur": "ARABIC", "ps": "ARABIC", "ckb": "ARABIC", "he": "HEBREW", "yi": "HEBREW",
    "hi": "DEVANAGARI", "mr": "DEVANAGARI", "ne": "DEVANAGARI", "th": "THAI", "hy": "ARMENIAN", "ka": "GEORGIAN",
    "ko": "HANGUL", "zh": "CJK", "ja": None,
}
_LATIN_RE = re.compile("[A-Za-z\u00c0-\u024f\u1e00-\u1eff]")
_NON_LATIN_RE = re.compile("[^\\W\\d_A-Za-z\u00c0-\u024f\u1e00-\u1eff]")
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


_SPACED_RE = re.compile("[A-Za-z\u00c0-\u024f\u1e00-\u1eff\u0370-\u03ff\u1f00-\u1fff\u0400-\u052f"
                        "\u0530-\u058f\u10a0-\u10ff]")


def written_with_spaces(text: str) -> bool:
    """Whether most letters of `text` are Latin, Greek, Cyrillic, Armenian or Georgian: scripts that separate
    words with spaces and put quotation marks outside them (not Chinese, Thai, Lao, Arabic, Hebrew...)."""
    if text.isascii():
        return True
    letters = len(_LETTER_RE.findall(text))
    return letters == 0 or len(_SPACED_RE.findall(text)) >= 0.5 * letters


def lowercase_words(text: str, tokens: list[Token]) -> list[str]:
    """The normal forms of the words of `text` that start in lower case (no names, no sentence starts)."""
    return [token.norm for token in tokens if token.is_word and text[token.start].islower()]


def _whatlang(text: str) -> tuple[str, float, bool]:
    """(our code, confidence, reliable) from whatlang; ("und", 0, False) when it cannot tell."""
    import whatlang

    try:
        info = whatlang.detect(text)
    except ValueError:  # "Language could not be detected": no letters, or nothing it knows
        return UNDETERMINED, 0.0, False
    return from_identifier(info.lang), float(info.confidence), bool(info.is_reliable)


class LanguageIdentifier:
    """Identifies the language of a document or paragraph; checks a modelled label against the model's words."""

    def __init__(self, models: ModelSet, full: bool | None = None):
        self.models = models
        self.modelled = set(models.langs)
        self.full = os.environ.get(FAST_ENV, "").strip().lower() != "fast" if full is None else full
        if self.full and importlib.util.find_spec("heliport") is None:
            self.full = False  # heliport (GPLv3) uninstalled on purpose: whatlang and the vocabulary alone
        self._heliport = None
        self._lock = threading.Lock()

    @property
    def heliport_loaded(self) -> bool:
        """Whether this process has loaded the heavy identifier (it is loaded on first need)."""
        return self._heliport is not None

    def identify(self, text: str, words: list[str] | None = None) -> LanguageGuess:
        """The language of a document (or any text): whatlang first, heliport when that is not enough.

        `words` are the text's lower-case words (`lowercase_words`), when the caller has them.
        """
        if len(text) > IDENTIFY_CHARS:
            cut = text.rfind(" ", 0, IDENTIFY_CHARS)
            text, words = text[:cut if cut > 0 else IDENTIFY_CHARS], None
        if words is None:
            words = lowercase_words(text, tokenize(text))
        # whatlang reads a prefix: its label is then checked against the words of the whole text
        lang, confidence, reliable = _whatlang(text[:WHATLANG_CHARS])
        if (reliable and lang in self.modelled and self.vocabulary_agrees(lang, words, VOCAB_MARGIN)
                and self.script_fits(lang, text)):
            return LanguageGuess(lang, confidence, "whatlang")
        if not self.full:
            # no second opinion: whatlang's label where it is sure, or where the model's words bear out a
            # modelled label it is unsure of (short text)
            if lang in self.modelled and self.vocabulary_agrees(lang, words, VOCAB_MARGIN) \
                    and self.script_fits(lang, text) and len(words) >= VOCAB_MIN_WORDS:
                return LanguageGuess(lang, confidence, "whatlang")
            if reliable and lang not in self.modelled:
                return LanguageGuess(lang, confidence, "whatlang")
            return LanguageGuess(UNDETERMINED, 0.0, "whatlang")
        return self._heliport_guess(text, words)

    def identify_paragraph(self, text: str, tokens: list[Token], doc_lang: str) -> LanguageGuess | None:
        """A paragraph's own language where it confidently differs from the document's, else None.

        Cheap (whatlang only), and only for paragraphs long enough to tell, or
        written in another script than most of the document.
        """
        words = sum(1 for token in tokens if token.is_word)
        if words < PARAGRAPH_MIN_WORDS:
            return None
        lang, confidence, reliable = _whatlang(text)
        if not reliable or lang in (doc_lang, UNDETERMINED):
            return None
        if lang in self.modelled and not (self.vocabulary_agrees(lang, lowercase_words(text, tokens), VOCAB_MARGIN)
                                          and self.script_fits(lang, text)):
            return None  # a neighbour of a modelled language (Galician labelled Portuguese): not evidence
        return LanguageGuess(lang, confidence, "whatlang")

    def script_fits(self, lang: str, text: str) -> bool:
        """Whether most letters of `text` are in the modelled language's script (Lao text quoting
        "São Paulo" is not Portuguese, whatever an identifier makes of its few Latin words)."""
        script = _SCRIPT_OF.get(lang, "LATIN")
        if script is None:
            return True  # written in several scripts (Japanese): no check
        if text.isascii():
            return script == "LATIN"
        if script == "LATIN" and _NON_LATIN_RE.search(text) is None:
            return True  # most text: one scan finds no letter outside Latin, no need to count
        letters = len(_LETTER_RE.findall(text))
        pattern = _LATIN_RE if script == "LATIN" else _SCRIPT_RE[script]
        return letters > 0 and len(pattern.findall(text)) >= 0.5 * letters

    def vocabulary_agrees(self, lang: str, words: list[str], margin: float = 0.0) -> bool:
        """Whether enough of a text's lower-case `words` (no names, no sentence starts) are in `lang`'s model
        vocabulary: at least VOCAB_SHARE - VOCAB_SLACK / sqrt(len(words)) + `margin` of them.

        Under VOCAB_MIN_WORDS words the check abstains (True): a one-word text
        cannot contradict an identifier.
        """
        model = self.models.get(lang)
        if model is None:
            return False
        if lang in OWN_SCRIPT or len(words) < VOCAB_MIN_WORDS:
            return True
        vocab = model.vocab
        share = sum(1 for word in words if word in vocab) / len(words)
        return share >= VOCAB_SHARE - VOCAB_SLACK / math.sqrt(len(words)) + margin

    def _heliport_guess(self, text: str, words: list[str]) -> LanguageGuess:
        identifier = self._load_heliport()
        label, score = identifier.identify_with_score(text)
        lang = from_identifier(label)
        confidence = max(0.0, min(1.0, float(score)))
        if lang in self.modelled and not (self.vocabulary_agrees(lang, words) and self.script_fits(lang, text)):
            # close to a modelled language, but not it (Asturian, Kabuverdianu): never judged by its model
            return LanguageGuess(UNDETERMINED, 0.0, "heliport+vocabulary")
        return LanguageGuess(lang, confidence if lang != UNDETERMINED else 0.0, "heliport")

    def _load_heliport(self):
        if self._heliport is None:
            with self._lock:
                if self._heliport is None:
                    import heliport

                    self._heliport = heliport.Identifier()
        return self._heliport


# whatlang's languages (ISO 639-3), for `quality models` when heliport is not installed
_WHATLANG_LABELS = """epo eng rus cmn spa por ita ben fra deu ukr kat ara hin jpn heb yid pol amh jav kor nob dan swe
fin tur nld hun ces ell bul bel mar kan ron slv hrv srp mkd lit lav est tam vie urd tha guj uzb pan aze ind tel pes mal
ori mya nep sin khm tuk aka zul sna afr lat slk cat tgl hye"""


def identified_languages() -> list[str]:
    """Codes of every language heliport can name (read from its thresholds file: no model is loaded), sorted;
    without heliport, whatlang's."""
    if importlib.util.find_spec("heliport") is None:
        return sorted({from_identifier(label) for label in _WHATLANG_LABELS.split()})
    import heliport

    thresholds = Path(heliport.__file__).parent / "confidenceThresholds"
    codes = {from_identifier(line.split("\t")[0]) for line in thresholds.read_text(encoding="utf-8").splitlines()
             if line.strip()}
    codes.discard(UNDETERMINED)
    return sorted(codes)
