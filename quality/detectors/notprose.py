"""Paragraphs that are not prose: list items, code, table rows, and web-page boilerplate.

Judged as prose, a bullet list reads as sentences cut off and a code snippet as
garbled text. Labelling them lets the scorer leave them out of the garbling
judgement and lets the user decide what to do with them (`--not-prose`).
Boilerplate is what a page repeats around its text: menus and breadcrumbs,
share buttons, cookie notices, "read more" and copyright lines.
"""

from __future__ import annotations

import re

from quality.context import DocumentContext, ParagraphContext
from quality.detectors.base import NOT_PROSE, BaseDetector, FindingCode, register
from quality.report import Finding
from quality.segment import is_table_row

# A list item opens with a bullet or an item number and says little: a long numbered paragraph is prose
# and is judged as prose. Dashes are left out: Spanish, Portuguese and Greek open dialogue with them.
_LIST_MARKER_RE = re.compile(r"(?:[-*•·‣▪◦►✓✔]|\d{1,3}[.)]|[a-zA-Z][)])[ \t]+(?=\S)")
LIST_ITEM_MAX_WORDS = 30

# Code: a line's signals (two make a line code; one does beside a code line)
_CODE_KEYWORD_RE = re.compile(
    r"^\s*(?:def |class |import |from \S+ import |return\b|if ?\(|for ?\(|while ?\(|elif |else:|try:|except\b|"
    r"for \w+ in \S+:|with \S+\(|"
    r"var |let |const |function\b|public |private |static |#include|#define|package |func |fn |print\(|"
    r"console\.log|SELECT |INSERT |UPDATE |\$ |>>> |@\w+\()")
_CODE_END_RE = re.compile(r"(?:[;{}]|[)\]]\s*:|=>\s*\{?|\[\]|\(\))\s*$")
_CODE_OPERATOR_RE = re.compile(r"==|!=|<=|>=|&&|\|\||::|->|=>|\+=|-=|\w\(\)|\w\[\w*\]|\w\.\w+\(")
_ASSIGNMENT_RE = re.compile(r"^\s*[A-Za-z_][\w.\[\]]*\s*=\s*\S")
_IDENTIFIER_RE = re.compile(r"\b[a-z]+_[a-z_]+\b|\b[a-z]+[A-Z][a-zA-Z]+\b")
_CODE_SYMBOLS = set("{}[]();=<>_/\\*&|$#@")

# Boilerplate
_MENU_SEPARATOR_RE = re.compile(r"\s+[|•·»›>/]\s+|\s*\|\s*")
MENU_ITEM_MAX_WORDS = 4
_SHARE_WORDS = {
    "share", "shares", "tweet", "pin", "email", "e-mail", "print", "facebook", "twitter", "x", "linkedin",
    "whatsapp", "telegram", "pinterest", "reddit", "instagram", "youtube", "tiktok", "on", "via", "this", "article",
    "compartir", "comparte", "compartilhar", "compartilhe", "partager", "partagez", "teilen", "condividi",
    "κοινοποίηση", "κοινοποιήστε", "en", "no", "sur", "auf", "su", "στο", "imprimir", "imprimer", "drucken",
    "stampa", "εκτύπωση", "correo", "copy", "link", "copiar", "enlace", "copier", "lien",
}
_SHARE_ANCHORS = {"share", "tweet", "facebook", "twitter", "linkedin", "whatsapp", "telegram", "pinterest", "reddit",
                  "compartir", "comparte", "compartilhar", "compartilhe", "partager", "partagez", "teilen",
                  "condividi", "κοινοποίηση", "κοινοποιήστε"}
_COOKIE_RE = re.compile(r"\bcookies?\b", re.IGNORECASE)
_CONSENT_RE = re.compile(
    r"\b(?:accept|agree|consent|use|uses|using|acept|usamos|utiliza|utilizamos|aceit|usa|utiliz|akzept|verwende|"
    r"nutze|accett|utilizziamo|accepte|utilis|αποδοχ|αποδέχ|χρησιμοποι)", re.IGNORECASE)
COOKIE_NOTICE_MAX_WORDS = 80
_STOCK_LINE_RE = re.compile(
    r"^(?:read more|leer más|leia mais|ler mais|lire la suite|weiterlesen|leggi (?:di più|tutto)|"
    r"διαβάστε (?:περισσότερα|επίσης)|skip to (?:main )?content|ir al contenido|saltar al contenido|"
    r"subscribe(?: to [\w ]+)?|suscríbete(?: [\w ]+)?|inscreva-se|abonnieren|abonnez-vous|iscriviti|"
    r"sign in|log in|iniciar sesión|anmelden|se connecter|accedi|"
    r"(?:©|\(c\)|copyright)\b.*|.*(?:all rights reserved|todos los derechos reservados|todos os direitos reservados|"
    r"tous droits réservés|alle rechte vorbehalten|tutti i diritti riservati|με την επιφύλαξη παντός δικαιώματος)"
    r"\.?)\s*[.:!»›>]*$", re.IGNORECASE)
BOILERPLATE_MAX_WORDS = 12


@register
class NotProseDetector(BaseDetector):
    """Labels list items, code, table rows and boilerplate, with the evidence that gave each away."""

    name = "notprose"
    codes = (
        FindingCode("list", "is a list item", "are list items", NOT_PROSE, 0.0),
        FindingCode("code", "is code", "are code", NOT_PROSE, 0.0),
        FindingCode("table", "is a table row", "are table rows", NOT_PROSE, 0.0),
        FindingCode("boilerplate", "is web-page boilerplate", "are web-page boilerplate", NOT_PROSE, 0.0),
    )

    def detect(self, doc: DocumentContext) -> list[Finding]:
        """At most one not-prose finding per paragraph."""
        code_signals = [_code_signals(p, doc.text) for p in doc.paragraphs]
        # a list has two items or more: one line opening with a dash is dialogue or a stray mark
        in_list = sum(1 for p in doc.paragraphs if _LIST_MARKER_RE.match(p.text)) >= 2
        findings = []
        for i, paragraph in enumerate(doc.paragraphs):
            neighbours = code_signals[max(0, i - 1) : i] + code_signals[i + 1 : i + 2]
            finding = _label(paragraph, code_signals[i], any(n >= 2 for n in neighbours), in_list)
            if finding is not None:
                finding.detector = self.name
                findings.append(finding)
        return findings


def _label(paragraph: ParagraphContext, code_signals: int, beside_code: bool, in_list: bool) -> Finding | None:
    text = paragraph.text
    words = len(text.split())
    lines = text.splitlines()
    if lines and all(is_table_row(line.strip()) for line in lines):
        return paragraph.finding("table", 0, len(text), "a table row, not prose", 0.0)
    if code_signals >= 2 or (code_signals == 1 and beside_code):
        return paragraph.finding("code", 0, len(text), "looks like program code, not prose", 0.0,
                                 signals=code_signals)
    marker = _LIST_MARKER_RE.match(text)
    if marker is not None and in_list and words <= LIST_ITEM_MAX_WORDS:
        return paragraph.finding("list", 0, marker.end(), "a list item, not prose", 0.0)
    boilerplate = _boilerplate(text, words)
    if boilerplate is not None:
        start, end, what = boilerplate
        return paragraph.finding("boilerplate", start, end, f"{what}, not prose", 0.0)
    return None


def _code_signals(paragraph: ParagraphContext, document: str) -> int:
    """How many of a paragraph's lines look like code, and how strongly: 0 (prose), 1 (a hint), 2 (code)."""
    strongest = 0
    offset = paragraph.paragraph.start
    for line in paragraph.text.splitlines() or [paragraph.text]:
        signals = _line_code_signals(line)
        # indentation in the document (a stripped paragraph's first line starts after it)
        start = offset + (paragraph.text.find(line) if line else 0)
        if document[max(0, start - 4) : start] == "    " or document[start - 1 : start] == "\t":
            signals += 1
        strongest = max(strongest, signals)
    return min(strongest, 2)


def _line_code_signals(line: str) -> int:
    stripped = line.strip()
    if not stripped:
        return 0
    signals = 0
    if _CODE_KEYWORD_RE.match(stripped):
        signals += 1
    if _CODE_END_RE.search(stripped):
        signals += 1
    if _CODE_OPERATOR_RE.search(stripped) or _ASSIGNMENT_RE.match(stripped):
        signals += 1
    if _IDENTIFIER_RE.search(stripped):
        signals += 1
    symbols = sum(1 for ch in stripped if ch in _CODE_SYMBOLS)
    if symbols / len(stripped) >= 0.15 and symbols >= 2:
        signals += 1
    return signals


def _boilerplate(text: str, words: int) -> tuple[int, int, str] | None:
    """(start, end, what) of the boilerplate a paragraph is, or None."""
    cookie = _COOKIE_RE.search(text)
    if cookie is not None and words <= COOKIE_NOTICE_MAX_WORDS and _CONSENT_RE.search(text):
        return cookie.start(), cookie.end(), "a cookie notice"
    if words > BOILERPLATE_MAX_WORDS:
        return None
    if _STOCK_LINE_RE.match(text.strip()):
        return 0, len(text), "a stock web-page line"
    tokens = [t.strip("|•·»›>/:()[]") for t in text.lower().split()]
    tokens = [t for t in tokens if t]
    if tokens and all(t in _SHARE_WORDS for t in tokens) and any(t in _SHARE_ANCHORS for t in tokens):
        return 0, len(text), "share buttons"
    items = [item for item in _MENU_SEPARATOR_RE.split(text.strip()) if item.strip()]
    if len(items) >= 3 and all(len(item.split()) <= MENU_ITEM_MAX_WORDS for item in items) \
            and not text.rstrip().endswith((".", "!", "?")):
        return 0, len(text), "a menu or breadcrumb"
    return None
