"""Reading documents for `quality check`: files, folders and standard input.

Each input becomes either text to analyse or an `InputError` naming the file
and what is wrong; nothing is skipped silently.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

MAX_BYTES = 64 * 1024 * 1024
TEXT_SUFFIXES = {".txt", ".text", ".md", ""}
SKIPPED_SHOWN = 5


@dataclass
class InputDocument:
    """A document read from `source` (a path as given, or '-')."""

    source: str
    text: str


@dataclass
class SkippedFiles:
    """Files of a folder that were not read because they are not text files (a note, not an error)."""

    source: str
    files: list[str]

    @property
    def message(self) -> str:
        """One line naming the skipped files (the first few) and how many."""
        shown = ", ".join(self.files[:SKIPPED_SHOWN])
        more = f" and {len(self.files) - SKIPPED_SHOWN} more" if len(self.files) > SKIPPED_SHOWN else ""
        return (f"skipped {len(self.files)} file{'s' * (len(self.files) != 1)} that are not text files "
                f"(.txt, .text, .md or no suffix): {shown}{more}")


@dataclass
class InputError:
    """An input that could not be read as a text document, and why."""

    source: str
    message: str


def decode(data: bytes, source: str) -> InputDocument | InputError:
    """Bytes to text, refusing binary data, invalid UTF-8 and empty input with a clear message."""
    if not data.strip():
        return InputError(source, "empty file" if not data else "file holds only white space")
    if b"\x00" in data[:65536]:
        return InputError(source, "binary data (NUL bytes), not a text document")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        return InputError(source, f"not valid UTF-8: byte 0x{data[err.start]:02x} at offset {err.start} (line {line})")
    controls = sum(1 for c in text[:65536] if ord(c) < 32 and c not in "\n\r\t\f\v")
    if controls > 0.05 * min(len(text), 65536):
        return InputError(source, "binary data (control characters), not a text document")
    return InputDocument(source, text)


def read_path(path: Path, source: str) -> InputDocument | InputError:
    """Read one file."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return InputError(source, f"file is {size / 1e6:.0f} MB, over the {MAX_BYTES // 2**20} MiB limit")
        return decode(path.read_bytes(), source)
    except FileNotFoundError:
        return InputError(source, "no such file")
    except IsADirectoryError:
        return InputError(source, "is a directory")
    except PermissionError:
        return InputError(source, "permission denied")
    except OSError as err:
        return InputError(source, f"cannot read: {err.strerror or err}")


def iter_inputs(arguments: list[str]) -> Iterator[InputDocument | InputError | SkippedFiles]:
    """Documents named on the command line: files, folders (recursively, text files), '-' for stdin.

    A folder's other files (not hidden) are named in one `SkippedFiles` note.
    """
    for argument in arguments:
        if argument == "-":
            yield decode(sys.stdin.buffer.read(), "-")
            continue
        path = Path(argument)
        if path.is_dir():
            visible = sorted(p for p in path.rglob("*") if p.is_file()
                             and not any(part.startswith(".") for part in p.relative_to(path).parts))
            files = [p for p in visible if p.suffix.lower() in TEXT_SUFFIXES]
            skipped = [str(p.relative_to(path)) for p in visible if p.suffix.lower() not in TEXT_SUFFIXES]
            if skipped:
                yield SkippedFiles(argument, skipped)
            if not files:
                yield InputError(argument, "folder holds no text files (.txt, .text, .md or no suffix)")
            for file in files:
                yield read_path(file, str(file))
        else:
            yield read_path(path, argument)
