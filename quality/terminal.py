"""Text bound for a terminal: control characters shown, never obeyed.

A document or a file name can hold ESC, BEL, OSC sequences or a carriage
return that would retitle, recolour or overwrite the user's terminal. Text
printed for a person (the `check` text report, error messages) goes through
`printable`; JSON and HTML outputs keep the text as it is (their own escaping
already makes it harmless).
"""

from __future__ import annotations

import re

# C0 controls except tab and newline, DEL, C1 controls, the bidirectional overrides that reorder a line, and
# lone surrogates (undecodable bytes of a file name), which a UTF-8 terminal cannot even be sent
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, keep_newlines: bool = True) -> str:
    """`text` with each control character written as an escape (ESC as `\\x1b`), so a terminal shows it."""
    escaped = _CONTROL.sub(_escape, text)
    return escaped if keep_newlines else escaped.replace("\n", "\\n")
