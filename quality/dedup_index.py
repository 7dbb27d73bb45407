"""Cross-document repeats: a persistent SQLite index of normalised paragraph hashes.

The index lives in one process (the one writing the output) and is consulted
in input order, so "first" means first in the input, whatever the number of
workers: INSERT OR IGNORE keeps the first writer. Only documents that pass the
cut are indexed, so a paragraph counts as a repeat when it is already in the
kept corpus, and a re-run of the same document (same id) is not its own repeat.

Every document analysed gets a sequence number the first time its id is seen
(kept or not), and each indexed paragraph carries its document's number. A
document seen before only counts paragraphs indexed before it was first seen,
so a re-run over the same shard gives the same verdicts as the first run.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from quality.report import DocumentReport, Finding, count_noun
from quality.scoring import REVIEW_BELOW, document_verdict, verdict_for

COMMIT_EVERY = 1000  # documents; a crash loses at most this many documents' paragraphs
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS paragraphs (hash BLOB PRIMARY KEY, doc_id TEXT, paragraph INTEGER, seq INTEGER)",
    "CREATE TABLE IF NOT EXISTS documents (seq INTEGER PRIMARY KEY, doc_id TEXT UNIQUE)",
)


class DedupIndexError(Exception):
    """The index file cannot be used; the message names it."""


@dataclass(slots=True)
class FirstCopy:
    """Where a paragraph was first seen: document id and 0-based paragraph index."""

    doc_id: str
    paragraph: int


class DedupIndex:
    """Paragraph hash -> first document and paragraph, kept in SQLite across runs."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        try:
            self._db = sqlite3.connect(str(self.path))
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            for statement in SCHEMA:
                self._db.execute(statement)
            columns = {row[1] for row in self._db.execute("PRAGMA table_info(paragraphs)")}
            if "seq" not in columns:  # an index written before documents were numbered: its rows come first
                self._db.execute("ALTER TABLE paragraphs ADD COLUMN seq INTEGER")
            self._db.commit()
        except sqlite3.Error as err:
            raise DedupIndexError(f"{self.path}: not a usable dedup index ({err})") from err
        self._pending = 0

    def _seq(self, doc_id: str) -> int | None:
        row = self._db.execute("SELECT seq FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        return None if row is None else row[0]

    def lookup(self, doc_id: str, hashes: list[tuple[int, bytes]]) -> dict[int, FirstCopy]:
        """paragraph index -> its first copy, for paragraphs first seen in another document
        (and, for a document seen in an earlier run, indexed before it was first seen)."""
        if not hashes:
            return {}
        seen_as = self._seq(doc_id)
        by_hash = {digest: index for index, digest in hashes}
        found: dict[int, FirstCopy] = {}
        digests = list(by_hash)
        # SQLite caps host parameters (999 in old builds); look up in slices
        for start in range(0, len(digests), 500):
            part = digests[start : start + 500]
            rows = self._db.execute(
                f"SELECT hash, doc_id, paragraph, seq FROM paragraphs WHERE hash IN ({','.join('?' * len(part))})",
                part)
            for digest, first_doc, first_paragraph, seq in rows:
                if first_doc != doc_id and (seen_as is None or seq is None or seq < seen_as):
                    found[by_hash[digest]] = FirstCopy(first_doc, first_paragraph)
        return found

    def add(self, doc_id: str, hashes: list[tuple[int, bytes]], kept: bool = True) -> None:
        """Number a document on first sight and, when it was kept, index its paragraphs; earlier entries win."""
        self._db.execute("INSERT OR IGNORE INTO documents (doc_id) VALUES (?)", (doc_id,))
        if kept:
            seq = self._seq(doc_id)
            self._db.executemany("INSERT OR IGNORE INTO paragraphs (hash, doc_id, paragraph, seq) VALUES (?, ?, ?, ?)",
                                 [(digest, doc_id, index, seq) for index, digest in hashes])
        self._pending += 1
        if self._pending >= COMMIT_EVERY:
            self.commit()

    def commit(self) -> None:
        """Make the pending inserts durable."""
        self._db.commit()
        self._pending = 0

    def __len__(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM paragraphs").fetchone()[0]

    def close(self) -> None:
        """Commit and close."""
        self.commit()
        self._db.close()


def mark_cross_document_repeats(report: DocumentReport, repeats: dict[int, FirstCopy], text: str) -> None:
    """Add a `duplicate` finding to each paragraph that repeats another document; re-score the document.

    The paragraph's verdict becomes reject and it counts as a repeat (score 0)
    in the document score, exactly like a repeat within the document.
    """
    by_index = {p.index: p for p in report.paragraphs}
    for index, first in sorted(repeats.items()):
        paragraph = by_index[index]
        paragraph.findings.append(Finding(
            code="duplicate", start=paragraph.start, end=paragraph.end, text=text[paragraph.start : paragraph.end],
            message=f"repeats paragraph {first.paragraph + 1} of document {first.doc_id}", severity=1.0,
            detector="dedup-index", data={"duplicate_of_doc": first.doc_id, "duplicate_of_paragraph": first.paragraph},
            paragraph=index))
        paragraph.score, paragraph.verdict = 0.0, verdict_for(0.0)  # its finding's severity is 1
    score, verdict, _, stats = document_verdict(report.paragraphs)
    reasons = [r for r in report.reasons if r != "no problems found"]
    docs = sorted({first.doc_id for first in repeats.values()})
    shown = ", ".join(docs[:3]) + (f" and {len(docs) - 3} more" if len(docs) > 3 else "")
    repeat = "repeats another document" if len(repeats) == 1 else "repeat other documents"
    reasons.append(f"{count_noun(len(repeats), 'paragraph')} {repeat} ({shown})")
    if report.error:  # an unsupported language stays at least review, as in Detector.analyze
        score = min(score, REVIEW_BELOW - 0.01)
        verdict = verdict_for(score)
    stats["cross_document_duplicates"] = len(repeats)
    report.score, report.verdict, report.reasons = score, verdict, reasons
    report.stats = stats
