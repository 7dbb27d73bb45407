"""Text normalisation shared by training and scoring.

A model only means something if it sees text normalised exactly as its training
corpus was, so `quality train` and every detector go through `tokenize` here.

Tokens keep their character offsets in the original text, so a finding computed
on normalised tokens can always point back at the words a person wrote.

The compiled core (`quality._core`, quality-core/src/tokenize.rs) does the work;
the Python below is the reference it is tested against (tests/test_core.py,
bench/core_parity.py), and serves only where the core is not built.
"""

from __future__ import annotations

import os
import re
import unicodedata
from typing import NamedTuple

if os.environ.get("QUALITY_CORE", "1") == "0":  # benchmarks and bisecting: the Python reference only
    _core = None
else:
    try:
        from quality import _core
    except ImportError:  # a source tree nobody has built: the reference implementation below serves
        _core = None

# Links (also bare domains: "Domain.com"), e-mail addresses, @mentions and #hashtags are single tokens that are
# not words (no casing or spelling rules apply inside them). A word is
# letters/digits with inner apostrophes or hyphens ("d'Alembert", "covid-19");
# anything else that is not space is a one-character token.
# Lengths are bounded (an address's local part has at most 64 characters, a domain label 63): unbounded,
# each token of "a.a.a.a…" rescanned the rest of the run for an "@" or a ".com", quadratic in its length.
_SPECIAL = (
    r"(?:https?://|www\.)[^\s<>\"“”]*[^\s<>\"“”.,;:!?)]|[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+|[@#]\w+"
    # generic top-level domains only: "casa.de" may be two words with a missing space
    r"|\b[\w-]{1,63}(?:\.[\w-]{1,63}){0,8}\.(?:com|org|net|gov|edu|info|io)\b(?:/[^\s<>\"“”]*[^\s<>\"“”.,;:!?)])?"
)
_TOKEN_RE = re.compile(rf"(?P<special>{_SPECIAL})|\w+(?:['’\-]\w+)*|[^\w\s]", re.UNICODE)
_DIGIT_RE = re.compile(r"\d")

# Every quote variant means the same to a language model; gluing and spacing
# of quotes is judged by the punctuation detector, not by the model.
_QUOTE_MAP = str.maketrans(
    {
        "“": '"',
        "”": '"',
        "„": '"',
        "«": '"',
        "»": '"',
        "‘": "'",
        "’": "'",
        "‚": "'",
        "´": "'",
        "`": "'",
        "–": "-",
        "—": "-",
        "…": ".",
        # ASCII digits here; other scripts' digits go through _DIGIT_RE
        **{str(d): "0" for d in range(1, 10)},
    }
)


class Token(NamedTuple):
    """One token: its normalised form and where it stands in the original text.

    A NamedTuple, not a dataclass: a paragraph makes one per word, and a frozen
    dataclass costs several times more to build.
    """

    norm: str
    start: int
    end: int
    is_word: bool


def normalize_token(raw: str, is_nfc: bool = False) -> str:
    """Normalise one raw token: NFC, lower case, unified quotes, digits to 0."""
    text = (raw if is_nfc else unicodedata.normalize("NFC", raw)).translate(_QUOTE_MAP).lower()
    return text if text.isascii() else _DIGIT_RE.sub("0", text)


def _fold_whole(text: str) -> str | None:
    """The whole text normalised at once, when that keeps every character in place (else None).

    Quote mapping, digit folding and (nearly always) lower-casing are one
    character for one character, so each token's normal form is then a slice
    of this string: one pass over the text instead of one per token.
    """
    if not unicodedata.is_normalized("NFC", text) or "Σ" in text:
        return None  # capital sigma lower-cases by context (σ or final ς): per token, as models were trained
    folded = text.translate(_QUOTE_MAP).lower()
    if len(folded) != len(text):
        return None  # "İ".lower() is two characters
    return folded if folded.isascii() else _DIGIT_RE.sub("0", folded)


def tokenize(text: str) -> list[Token]:
    """Split `text` into tokens with offsets into `text` itself (lone surrogates count as U+FFFD)."""
    if _core is None:
        return tokenize_reference(text)
    return _core.tokenize(text, Token)


def tokenize_batch(texts: list[str]) -> list[list[Token]]:
    """`tokenize` of each text, in one call to the core (which releases the GIL while it works)."""
    if _core is None:
        return [tokenize_reference(text) for text in texts]
    return _core.tokenize_batch(texts, Token)


def tokenize_reference(text: str) -> list[Token]:
    """The Python tokeniser: what the core must give, token for token (the parity tests compare them)."""
    tokens: list[Token] = []
    append = tokens.append
    folded = _fold_whole(text)
    for match in _TOKEN_RE.finditer(text):
        start, end = match.span()
        norm = folded[start:end] if folded is not None else normalize_token(match.group())
        first = text[start]
        append(Token(norm, start, end, match.lastgroup is None and (first.isalnum() or first == "_")))
    return tokens


def normalize_line(text: str) -> str:
    """The exact string a language model is trained on and asked to score."""
    return " ".join(token.norm for token in tokenize(text))
