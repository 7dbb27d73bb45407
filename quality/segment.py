"""Splitting a document into paragraphs, keeping character offsets.

Documents come two ways: one paragraph per line (most web and news dumps,
like the seeds), or paragraphs separated by blank lines with hard-wrapped lines
inside (plain-text files, e-mail). We tell them apart by whether lines inside
blank-line blocks end like sentences.
"""

from __future__ import annotations

import re

from quality.report import Paragraph

# Past this, a "paragraph" is a run of text with no line breaks (a 5 MB single
# line); it is cut at sentence ends so each piece is scored on its own.
MAX_PARAGRAPH_CHARS = 5000

_BLANK_LINE_RE = re.compile(r"\n[ \t\r\f\v]*\n")
_SENTENCE_END = tuple('.!?:;"”»)…')
_CUT_RE = re.compile(r"[.!?…][\"”»)]?\s+")


def _lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) of each non-blank line in text[start:end], stripped."""
    spans = []
    pos = start
    while pos < end:
        newline = text.find("\n", pos, end)
        line_end = end if newline < 0 else newline
        spans.append(_strip(text, pos, line_end))
        pos = line_end + 1
    return [(s, e) for s, e in spans if e > s]


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _is_hard_wrapped(text: str, blocks: list[list[tuple[int, int]]]) -> bool:
    """True when lines inside blank-line blocks are wrapped prose, not paragraphs."""
    inner = [line for block in blocks if len(block) > 1 for line in block[:-1]]
    if not inner:
        return False
    unfinished = sum(1 for s, e in inner if not text[s:e].endswith(_SENTENCE_END))
    return unfinished / len(inner) >= 0.5


def _cut_long(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Cut an over-long span at sentence ends (or spaces) into pieces below the limit."""
    pieces = []
    while end - start > MAX_PARAGRAPH_CHARS:
        window_end = start + MAX_PARAGRAPH_CHARS
        cut = -1
        for match in _CUT_RE.finditer(text, start + MAX_PARAGRAPH_CHARS // 2, window_end):
            cut = match.end()
        if cut < 0:
            cut = text.rfind(" ", start + 1, window_end)
        if cut <= start:
            cut = window_end
        piece = _strip(text, start, cut)
        if piece[1] > piece[0]:
            pieces.append(piece)
        start = cut
    piece = _strip(text, start, end)
    if piece[1] > piece[0]:
        pieces.append(piece)
    return pieces


def split_paragraphs(text: str) -> list[Paragraph]:
    """Paragraphs of `text` with offsets such that text[p.start:p.end] == p.text."""
    blocks: list[list[tuple[int, int]]] = []
    pos = 0
    for match in _BLANK_LINE_RE.finditer(text):
        blocks.append(_lines(text, pos, match.start()))
        pos = match.end()
    blocks.append(_lines(text, pos, len(text)))
    blocks = [b for b in blocks if b]
    if _is_hard_wrapped(text, blocks):
        spans = [(block[0][0], block[-1][1]) for block in blocks]
    else:
        spans = [line for block in blocks for line in block]
    paragraphs = []
    for span_start, span_end in spans:
        for start, end in _cut_long(text, span_start, span_end):
            paragraphs.append(Paragraph(len(paragraphs), start, end, text[start:end]))
    return paragraphs
