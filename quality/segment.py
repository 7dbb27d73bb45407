"""Splitting a document into paragraphs, keeping character offsets.

Documents come two ways: one paragraph per line (most web and news dumps,
like the seeds), or paragraphs separated by blank lines with hard-wrapped lines
inside (plain-text files, e-mail). We tell them apart by whether lines inside
blank-line blocks end like sentences. Either way, a list item (a line opening
with a bullet or a number) and a table row are paragraphs of their own: joined
to their neighbours they would read as one long sentence with no end.
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
# a bullet (- * • · ‣ ▪ – —) or a number or letter with . or ) followed by a space: "- milk", "2. Stir", "b) red"
_LIST_ITEM_RE = re.compile(r"(?:[-*•·‣▪◦–—]|\d{1,3}[.)]|[a-zA-Z][)])[ \t]+\S")
# a table row: cells between pipes, or cells separated by tabs
_TABLE_ROW_RE = re.compile(r"^\|.*\||[^\t\n]+\t[^\t\n]+\t")


def is_list_item(line: str) -> bool:
    """True when `line` (stripped) opens like a list item: a bullet or an item number, then text."""
    return _LIST_ITEM_RE.match(line) is not None


def is_table_row(line: str) -> bool:
    """True when `line` (stripped) is a row of a table: cells between pipes, or two tabs or more."""
    return _TABLE_ROW_RE.match(line) is not None


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
    # list items and table rows, and the lines before them, end where they end by choice: they do not vote
    inner = [(line, after) for block in blocks if len(block) > 1 for line, after in zip(block, block[1:])
             if not _stands_alone(text[line[0] : line[1]]) and not _stands_alone(text[after[0] : after[1]])]
    if not inner:
        return False
    # a line was wrapped when it does not end a sentence and the next line's first word would not have fitted
    # on it: a menu, a list of links or short lines of code end early by choice
    width = 0.9 * max(e - s for block in blocks for s, e in block)
    wrapped = sum(1 for (s, e), (after, after_end) in inner if not text[s:e].endswith(_SENTENCE_END)
                  and e - s + 1 + len(text[after:after_end].split(maxsplit=1)[0]) > width)
    return wrapped / len(inner) >= 0.5


def _stands_alone(line: str) -> bool:
    return is_list_item(line) or is_table_row(line)


def _unwrap(text: str, block: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The paragraphs of a hard-wrapped block: its lines joined, but for list items and table rows, which
    stand alone (an indented line after a list item continues it)."""
    spans: list[tuple[int, int]] = []
    item_open = False  # the last span is a list item an indented line may continue
    for start, end in block:
        line = text[start:end]
        indented = start > 0 and text[start - 1] in " \t"
        if _stands_alone(line):
            spans.append((start, end))
            item_open = is_list_item(line)
        elif spans and (not item_open or indented) and not is_table_row(text[spans[-1][0] : spans[-1][1]]):
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
            item_open = False
    return spans


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
        spans = [span for block in blocks for span in _unwrap(text, block)]
    else:
        spans = [line for block in blocks for line in block]
    paragraphs = []
    for span_start, span_end in spans:
        for start, end in _cut_long(text, span_start, span_end):
            paragraphs.append(Paragraph(len(paragraphs), start, end, text[start:end]))
    return paragraphs
