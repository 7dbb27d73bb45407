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

One writer at a time: the index is opened inside one write transaction that
is held for the whole run, so a second run on the same file is refused at
once with a clear message (it does not wait), and nothing a run adds is
visible to anyone until `commit()`. `quality filter` commits only after its
outputs were renamed into place, so after a crash or a kill the index never
holds documents that its outputs do not.

For `quality filter --output-dir` (quality/shards.py) the rows added while a
shard is filtered carry that shard's number and are committed in one
transaction with the shard's row in `shards`, when the shard's outputs are
complete: a crash mid-shard leaves none of them, and a shard that is redone
has its committed rows deleted first, so it never finds itself "seen before".
"""

from __future__ import annotations

import functools
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from quality.report import VERDICT_RANK, DocumentReport, Finding, count_noun
from quality.scoring import REJECT_BELOW, REVIEW_BELOW, document_verdict, verdict_for

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS paragraphs (hash BLOB PRIMARY KEY, doc_id TEXT, paragraph INTEGER, seq INTEGER)",
    "CREATE TABLE IF NOT EXISTS documents (seq INTEGER PRIMARY KEY, doc_id TEXT UNIQUE)",
    # shards of `quality filter --output-dir` runs whose rows are committed (tag: output folder and shard name)
    "CREATE TABLE IF NOT EXISTS shards (id INTEGER PRIMARY KEY, tag TEXT UNIQUE)",
)


class DedupIndexError(Exception):
    """The index file cannot be used; the message names it."""


def _named_errors(method):
    """SQLite failures during a run (a full disk, an I/O error) as DedupIndexError naming the file."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as err:
            raise DedupIndexError(f"{self.path}: cannot update the dedup index ({err})") from err

    return wrapper


_SURROGATE = re.compile("[\ud800-\udfff]")


def _storable(doc_id: str) -> str:
    # a lone surrogate (valid in JSON ids) cannot be stored as UTF-8 text: U+FFFD one for one, as analyze does
    return _SURROGATE.sub("\ufffd", doc_id)


@dataclass(slots=True)
class FirstCopy:
    """Where a paragraph was first seen: document id and 0-based paragraph index."""

    doc_id: str
    paragraph: int


class DedupIndex:
    """Paragraph hash -> first document and paragraph, kept in SQLite across runs."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._db: sqlite3.Connection | None = None
        try:
            # no busy wait (timeout 0) and transactions under our control (isolation_level None)
            self._db = sqlite3.connect(str(self.path), timeout=0, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("BEGIN IMMEDIATE")  # the write lock, held until close()
            for statement in SCHEMA:
                self._db.execute(statement)
            columns = {row[1] for row in self._db.execute("PRAGMA table_info(paragraphs)")}
            if "seq" not in columns:  # an index written before documents were numbered: its rows come first
                self._db.execute("ALTER TABLE paragraphs ADD COLUMN seq INTEGER")
            for table in ("paragraphs", "documents"):  # rows of plain runs have no shard (NULL)
                if "shard" not in {row[1] for row in self._db.execute(f"PRAGMA table_info({table})")}:
                    self._db.execute(f"ALTER TABLE {table} ADD COLUMN shard INTEGER")
        except sqlite3.Error as err:
            if self._db is not None:
                self._db.close()
            if isinstance(err, sqlite3.OperationalError) and "locked" in str(err):
                raise DedupIndexError(f"{self.path}: the dedup index is in use by another run "
                                      "(one writer at a time; wait for it to finish)") from err
            raise DedupIndexError(f"{self.path}: not a usable dedup index ({err})") from err
        self._shard: int | None = None  # the shard being filtered (--output-dir): its rows wait for finish_shard

    def _seq(self, doc_id: str) -> int | None:
        row = self._db.execute("SELECT seq FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        return None if row is None else row[0]

    @_named_errors
    def lookup(self, doc_id: str, hashes: list[tuple[int, bytes]]) -> dict[int, FirstCopy]:
        """paragraph index -> its first copy, for paragraphs first seen in another document
        (and, for a document seen in an earlier run, indexed before it was first seen)."""
        if not hashes:
            return {}
        doc_id = _storable(doc_id)
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

    @_named_errors
    def add(self, doc_id: str, hashes: list[tuple[int, bytes]], kept: bool = True) -> None:
        """Number a document on first sight and, when it was kept, index its paragraphs; earlier entries win."""
        doc_id = _storable(doc_id)
        self._db.execute("INSERT OR IGNORE INTO documents (doc_id, shard) VALUES (?, ?)", (doc_id, self._shard))
        if kept:
            seq = self._seq(doc_id)
            self._db.executemany(
                "INSERT OR IGNORE INTO paragraphs (hash, doc_id, paragraph, seq, shard) VALUES (?, ?, ?, ?, ?)",
                [(digest, doc_id, index, seq, self._shard) for index, digest in hashes])

    @_named_errors
    def begin_shard(self, tag: str) -> None:
        """Tag the rows added from now on with a shard; nothing is committed until finish_shard()."""
        self._db.execute("COMMIT")
        self._db.execute("PRAGMA synchronous=FULL")  # a committed shard survives a power cut, as its marker does
        self._db.execute("BEGIN IMMEDIATE")
        self._shard = self._db.execute("INSERT INTO shards (tag) VALUES (?)", (tag,)).lastrowid

    def finish_shard(self) -> None:
        """Commit the shard's rows and its row in `shards` in one transaction."""
        self._shard = None
        self.commit()

    def shard_tags(self) -> set[str]:
        """Tags of the shards whose rows are committed."""
        return {tag for (tag,) in self._db.execute("SELECT tag FROM shards")}

    @_named_errors
    def discard_shards(self, tags: list[str]) -> None:
        """Delete the rows of these shards (unfinished ones, to be redone) in one transaction."""
        for tag in tags:
            row = self._db.execute("SELECT id FROM shards WHERE tag = ?", (tag,)).fetchone()
            if row is not None:
                for table in ("paragraphs", "documents", "shards"):
                    column = "id" if table == "shards" else "shard"
                    self._db.execute(f"DELETE FROM {table} WHERE {column} = ?", row)
        self.commit()

    @_named_errors
    def commit(self) -> None:
        """Make everything added so far durable and visible; the write lock is kept."""
        self._db.execute("COMMIT")
        self._db.execute("BEGIN IMMEDIATE")

    def __len__(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM paragraphs").fetchone()[0]

    @_named_errors
    def close(self, commit: bool = True) -> None:
        """Commit (or, with commit=False, drop everything added since the last commit) and close.

        The rows of a shard not finished (--output-dir) are always dropped: its outputs were not completed.
        """
        if self._db is None:
            return
        try:
            self._db.execute("COMMIT" if commit and self._shard is None else "ROLLBACK")
        finally:
            self._shard = None
            self._db.close()
            self._db = None


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
    reasons = [r for r in report.reasons if not r.startswith("no problems found")]
    docs = sorted({first.doc_id for first in repeats.values()})
    shown = ", ".join(docs[:3]) + (f" and {len(docs) - 3} more" if len(docs) > 3 else "")
    repeat = "repeats another document" if len(repeats) == 1 else "repeat other documents"
    reasons.append(f"{count_noun(len(repeats), 'paragraph')} {repeat} ({shown})")
    if not report.modelled and VERDICT_RANK[verdict] < VERDICT_RANK[report.verdict]:
        # an unmodelled language keeps the floor its --unmodelled policy gave it, its score saying so too
        score = min(score, (REVIEW_BELOW if report.verdict == "review" else REJECT_BELOW) - 0.01)
        verdict = verdict_for(score)
    stats["cross_document_duplicates"] = len(repeats)
    report.score, report.verdict, report.reasons = score, verdict, reasons
    report.stats = stats
