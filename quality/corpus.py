"""Reading training corpora and splitting them into training and held-out text.

The split is deterministic (by position, no randomness) so that the benchmarks
can rebuild exactly the held-out text a model was calibrated on, from the same
corpus files, without the project ever storing a copy of them.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# Held-out text is taken in blocks of consecutive lines, so that held-out
# paragraphs are built from neighbouring sentences of the same document.
HELDOUT_BLOCK_LINES = 50
HELDOUT_EVERY_N_BLOCKS = 20


@dataclass(frozen=True)
class CorpusSpec:
    """A corpus file and its weight: <1 keeps that fraction of lines, >1 repeats them."""

    path: Path
    weight: float = 1.0

    @classmethod
    def parse(cls, spec: str) -> CorpusSpec:
        """Parse `PATH` or `PATH@WEIGHT` (e.g. `europarl.txt.xz@0.25`)."""
        if "@" in spec:
            path, _, weight = spec.rpartition("@")
            try:
                return cls(Path(path), float(weight))
            except ValueError as err:
                raise ValueError(f"{spec}: weight after '@' must be a number") from err
        return cls(Path(spec))


def open_text(path: Path):
    """Open a plain, .gz, .xz or .bz2 text file for reading as UTF-8."""
    name = path.name
    if name.endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8", errors="replace")
    if name.endswith(".xz"):
        return lzma.open(path, "rt", encoding="utf-8", errors="replace")
    if name.endswith(".bz2"):
        return bz2.open(path, "rt", encoding="utf-8", errors="replace")
    return open(path, encoding="utf-8", errors="replace")


def is_heldout(line_number: int) -> bool:
    """True when line `line_number` (0-based) of a corpus file is held out."""
    return (line_number // HELDOUT_BLOCK_LINES) % HELDOUT_EVERY_N_BLOCKS == HELDOUT_EVERY_N_BLOCKS - 1


def read_split(spec: CorpusSpec) -> Iterator[tuple[bool, str]]:
    """Yield (held_out, line) for the non-empty lines of a corpus, applying its weight.

    Held-out lines are never weighted: they are the clean reference text and
    are yielded once each.
    """
    keep_every = round(1 / spec.weight) if spec.weight < 1 else 1
    repeats = max(1, round(spec.weight)) if spec.weight >= 1 else 1
    with open_text(spec.path) as handle:
        for number, line in enumerate(handle):
            line = line.strip()
            if not line:
                continue
            if is_heldout(number):
                yield True, line
                continue
            if number % keep_every:
                continue
            for _ in range(repeats):
                yield False, line


def heldout_paragraphs(specs: list[CorpusSpec], min_words: int = 40, max_words: int = 160) -> list[str]:
    """Clean held-out paragraphs: consecutive held-out lines joined to paragraph length.

    Corpora are one sentence or one paragraph per line; joining neighbours makes
    paragraphs of the length the detectors see in documents.
    """
    paragraphs: list[str] = []
    for spec in specs:
        current: list[str] = []
        words = 0
        last_number = -2
        with open_text(spec.path) as handle:
            for number, line in enumerate(handle):
                line = line.strip()
                if not line or not is_heldout(number):
                    continue
                if number != last_number + 1 and current:
                    # a new held-out block: do not glue unrelated documents
                    if words >= min_words // 2:
                        paragraphs.append(" ".join(current))
                    current, words = [], 0
                last_number = number
                current.append(line)
                words += len(line.split())
                if words >= min_words:
                    if words <= max_words:
                        paragraphs.append(" ".join(current))
                    current, words = [], 0
    return paragraphs
