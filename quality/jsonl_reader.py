"""Reading JSON Lines input for `quality filter`: plain, gzip, zstd, xz or bzip2 files, or standard input.

The compression is told by the file's first bytes, whatever its name says.

Files are read in binary and split into lines here; decoding and parsing
happen later, per line, so one bad line never stops a file. Problems that end
a file early (missing, truncated, corrupt) become an `InputProblem` in the
stream and reading goes on with the next file.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import sys
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

import zstandard

READ_CHUNK = 1 << 16
UTF8_BOM = b"\xef\xbb\xbf"


@dataclass(slots=True)
class InputLine:
    """One non-blank line of an input file, undecoded (with its newline, if any)."""

    file: str
    line: int
    raw: bytes


@dataclass(slots=True)
class InputProblem:
    """A line or file that could not be read; becomes an error record."""

    file: str
    line: int | None
    message: str
    raw: bytes = b""  # the start of the line, for the error record
    size: int = 0  # the whole line's length in bytes, when more than `raw`
    unopened: bool = False  # the file could not be opened at all (missing, a folder, no permission): no record


    @property
    def bytes_read(self) -> int:
        """Bytes of input this problem stands for (the MB/s figures count them)."""
        return max(self.size, len(self.raw))


class TruncatedInput(Exception):
    """A compressed stream ended before its end-of-stream marker."""


class _ZstdReader(io.RawIOBase):
    """Decompresses every frame of a .zst stream and raises TruncatedInput when the last one is cut off.

    zstandard's own stream_reader returns a silent EOF on a truncated file, so
    a cut-off shard would pass unnoticed.
    """

    def __init__(self, source: BinaryIO):
        self._source = source
        self._decompressor = zstandard.ZstdDecompressor()
        self._frame = self._decompressor.decompressobj()
        self._pending = b""
        self._in_frame = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._pending:
            compressed = self._source.read(READ_CHUNK)
            if not compressed:
                if self._in_frame:
                    raise TruncatedInput("zstd stream ended inside a frame")
                return 0
            self._pending = self._feed(compressed)
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size

    def _feed(self, compressed: bytes) -> bytes:
        out = []
        while compressed:
            self._in_frame = True
            out.append(self._frame.decompress(compressed))
            if not self._frame.eof:
                break
            # a frame ended; what follows is the next frame (zstd files may be concatenations)
            compressed = self._frame.unused_data
            self._frame = self._decompressor.decompressobj()
            self._in_frame = False
        return b"".join(out)

    def close(self) -> None:
        self._source.close()
        super().close()


GZIP_MAGIC, ZSTD_MAGIC, XZ_MAGIC, BZIP2_MAGIC = b"\x1f\x8b", b"\x28\xb5\x2f\xfd", b"\xfd7zXZ\x00", b"BZh"


def open_input(path: str) -> BinaryIO:
    """A binary stream of the decompressed content of `path` ('-' is standard input), by its magic bytes."""
    if path == "-":
        return sys.stdin.buffer
    with open(path, "rb") as probe:
        head = probe.read(6)
    if head.startswith(GZIP_MAGIC):
        return gzip.open(path, "rb")
    if head.startswith(ZSTD_MAGIC):
        return io.BufferedReader(_ZstdReader(open(path, "rb")), buffer_size=READ_CHUNK)
    if head.startswith(XZ_MAGIC):
        return lzma.open(path, "rb")
    if head.startswith(BZIP2_MAGIC) and head[3:4] in (b"1", b"2", b"3", b"4", b"5", b"6", b"7", b"8", b"9"):
        return bz2.open(path, "rb")
    return open(path, "rb")


def iter_input_lines(paths: list[str], max_record_bytes: int) -> Iterator[InputLine | InputProblem]:
    """Every non-blank line of every input, in order; unreadable parts as InputProblem."""
    for path in paths or ["-"]:
        name = "<stdin>" if path == "-" else path
        try:
            stream = open_input(path)
            if path.endswith((".gz", ".zst")) and os.path.getsize(path) == 0:
                stream.close()  # gzip reads an empty file as empty; it is not a compressed file at all
                yield InputProblem(name, None, "empty file: not even a compressed header (truncated?)")
                continue
        except FileNotFoundError:
            yield InputProblem(name, None, "no such file", unopened=True)
            continue
        except OSError as err:
            yield InputProblem(name, None, f"cannot open: {err.strerror or err}", unopened=True)
            continue
        try:
            yield from _lines_of(stream, name, max_record_bytes)
        finally:
            if stream is not sys.stdin.buffer:
                stream.close()


def _lines_of(stream: BinaryIO, name: str, max_record_bytes: int) -> Iterator[InputLine | InputProblem]:
    number = 0
    try:
        while True:
            # read one byte past the limit (plus a newline) so an oversized line is seen without loading it whole
            raw = stream.readline(max_record_bytes + 2)
            if not raw:
                return
            number += 1
            if number == 1 and raw.startswith(UTF8_BOM):
                raw = raw[len(UTF8_BOM):]  # a byte-order mark opens the file, not the first record
            if len(raw.rstrip(b"\r\n")) > max_record_bytes:
                size = len(raw.rstrip(b"\r\n")) + _skip_rest_of_line(stream, raw)
                yield InputProblem(name, number, f"record is {size} bytes, over the limit of {max_record_bytes}",
                                   raw[:4000], size)
                continue
            if raw.strip():
                yield InputLine(name, number, raw)
    except (EOFError, TruncatedInput):
        yield InputProblem(name, None, f"file truncated after line {number}")
    except (OSError, zlib.error, zstandard.ZstdError, lzma.LZMAError) as err:
        yield InputProblem(name, None, f"file unreadable after line {number}: {err}")


def _skip_rest_of_line(stream: BinaryIO, head: bytes) -> int:
    """Read and discard the rest of an oversized line; return how many more bytes it had."""
    if head.endswith(b"\n"):
        return 0
    extra = 0
    while True:
        piece = stream.readline(READ_CHUNK)
        if not piece:
            return extra
        if piece.endswith(b"\n"):
            return extra + len(piece.rstrip(b"\r\n"))
        extra += len(piece)
