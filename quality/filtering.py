"""`quality filter`: split a JSON Lines corpus into kept, rejected and error records.

The parent process reads lines in order, hands chunks to an analysis backend
(in-process, a multiprocessing pool, or Dask) and gets results back in the
same order. Everything with state lives in the parent: the outputs, the
counts, and the cross-document dedup index, so results do not depend on how
many workers there are.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import stat
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import BinaryIO, TextIO

from quality.dedup_index import DedupIndex, mark_cross_document_repeats
from quality.filter_worker import (
    Analysed,
    AnalysisSettings,
    Failure,
    analyse_chunk,
    dump_quality,
    ordered_window,
    shared_detector,
    splice_quality,
)
from quality.jsonl_reader import InputLine, InputProblem, iter_input_lines
from quality.report import VERDICT_RANK

# a Dask scheduler address (tcp://10.0.0.5:8786, tls://..., inproc://...) or local:N
_SCHEDULER_RE = re.compile(r"^(?:[a-z][a-z0-9+.-]*://\S+|local:[1-9]\d*)$")
CHUNK_BYTES = 4 << 20  # a chunk also ends at this many bytes, so huge records do not pile up in one task
PROGRESS_EVERY = 0.5  # seconds
ERROR_RAW_CHARS = 1000

Chunk = list[InputLine | InputProblem]
Result = Analysed | Failure | None


class FilterUsageError(ValueError):
    """The options do not make sense together."""


@dataclass
class FilterOptions:
    """Everything `quality filter` was asked to do."""

    inputs: list[str]
    settings: AnalysisSettings = field(default_factory=AnalysisSettings)
    output: str | None = None  # None or '-': standard output
    rejected: str | None = None
    errors: str | None = None
    drop_rejected: bool = False
    annotate: bool = False
    reject_verdict: str = "reject"
    min_score: float | None = None
    max_record_bytes: int = 10_000_000
    jobs: int = 1
    chunk_size: int = 64
    scheduler: str | None = None
    dedup_index: str | None = None
    progress: bool | None = None  # None: only when stderr is a terminal

    def validate(self) -> None:
        """Raise FilterUsageError when rejected records would have nowhere to go, or options clash."""
        if self.annotate and (self.rejected or self.drop_rejected):
            raise FilterUsageError("--annotate writes every record to the output; drop --rejected/--drop-rejected")
        if not (self.annotate or self.rejected or self.drop_rejected):
            raise FilterUsageError("say where rejected records go: --rejected FILE, --drop-rejected, "
                                   "or --annotate to keep every record with its verdict")
        if self.reject_verdict not in VERDICT_RANK or self.reject_verdict == "keep":
            raise FilterUsageError("--reject-verdict must be review or reject")
        if self.max_record_bytes < 2:
            raise FilterUsageError("--max-record-bytes must be at least 2")
        if self.chunk_size < 1:
            raise FilterUsageError("--chunk-size must be at least 1")
        if self.jobs < 0:
            raise FilterUsageError("--jobs must be 0 (all cores) or more")
        if self.min_score is not None and not 0.0 <= self.min_score <= 1.0:
            raise FilterUsageError("--min-score must be between 0 and 1")
        if self.scheduler is not None and not _SCHEDULER_RE.match(self.scheduler):
            raise FilterUsageError(f"--scheduler {self.scheduler!r}: expected tcp://HOST:PORT (or another Dask "
                                   "address with a scheme) or local:N with N at least 1")
        self._check_paths()

    def _check_paths(self) -> None:
        """No two outputs may be one file, and no output may be an input: opening it would empty it."""
        named = [("-o", self.output or "-"), ("--rejected", self.rejected), ("--errors", self.errors),
                 ("--dedup-index", self.dedup_index)]
        named = [(option, path) for option, path in named if path is not None]
        stdout = [option for option, path in named if path == "-"]
        if len(stdout) > 1:
            raise FilterUsageError(f"{' and '.join(stdout)} both write to standard output; give one a file")
        seen: dict[str, str] = {}
        for option, path in named:
            if path == "-":
                continue
            real = os.path.realpath(path)
            if real in seen:
                raise FilterUsageError(f"{seen[real]} and {option} are the same file: {path}")
            seen[real] = option
        for path in self.inputs:
            if path != "-" and os.path.realpath(path) in seen:
                raise FilterUsageError(f"{path} is both an input and the {seen[os.path.realpath(path)]} output")

    def is_rejected(self, verdict: str, score: float) -> bool:
        """The cut: verdict at or past --reject-verdict, or score under --min-score."""
        if VERDICT_RANK[verdict] >= VERDICT_RANK[self.reject_verdict]:
            return True
        return self.min_score is not None and score < self.min_score


@dataclass
class FilterSummary:
    """Counts of one run; read == kept + rejected + errors."""

    read: int = 0
    kept: int = 0
    rejected: int = 0
    errors: int = 0
    bytes_read: int = 0
    languages: Counter = field(default_factory=Counter)  # analysed documents per language
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None

    @property
    def elapsed(self) -> float:
        """Seconds since the run started (until it finished)."""
        return (self.finished or time.monotonic()) - self.started

    def rates(self) -> tuple[float, float]:
        """(records/s, MB/s) so far."""
        seconds = max(self.elapsed, 1e-9)
        return self.read / seconds, self.bytes_read / 1e6 / seconds

    def line(self) -> str:
        """The one-line summary printed at the end."""
        per_second, megabytes = self.rates()
        langs = ", ".join(f"{lang} {n:,}" for lang, n in self.languages.most_common())
        return (f"read {self.read:,}, kept {self.kept:,}, rejected {self.rejected:,}, errors {self.errors:,} "
                f"in {self.elapsed:.1f}s ({per_second:,.0f} records/s, {megabytes:.2f} MB/s)"
                + (f"; languages: {langs}" if langs else ""))


class Progress:
    """A progress line on stderr, at most every PROGRESS_EVERY seconds."""

    def __init__(self, stream: TextIO, enabled: bool):
        self.stream, self.enabled = stream, enabled
        self.terminal = stream.isatty()
        self._last = 0.0

    def update(self, summary: FilterSummary) -> None:
        """Show the counts if enough time has passed since the last update."""
        now = time.monotonic()
        if not self.enabled or now - self._last < PROGRESS_EVERY:
            return
        self._last = now
        per_second, megabytes = summary.rates()
        kept = 100.0 * summary.kept / summary.read if summary.read else 0.0
        text = f"{summary.read:,} records, {per_second:,.0f} records/s, {megabytes:.2f} MB/s, kept {kept:.1f}%"
        # a terminal gets one line rewritten in place; a log file gets one line per update
        self.stream.write(f"\r{text}\x1b[K" if self.terminal else text + "\n")
        self.stream.flush()

    def message(self, text: str) -> None:
        """Write a line of its own to the stream (an error), first wiping a progress line drawn in place."""
        if self.enabled and self.terminal and self._last:
            self.stream.write("\r\x1b[K")
            self._last = 0.0  # redraw at the next update
        self.stream.write(text + "\n")

    def finish(self) -> None:
        """End the rewritten line so the summary starts on its own."""
        if self.enabled and self.terminal and self._last:
            self.stream.write("\n")


class Outputs:
    """The output files, opened in binary so input bytes pass through untouched."""

    def __init__(self, options: FilterOptions):
        self._opened: list[BinaryIO] = []
        self._created: list[str] = []
        try:
            self.kept = self._open(options.output or "-")
            self.rejected = self._open(options.rejected)
            self.errors = self._open(options.errors)
        except OSError:
            self._abandon()
            raise
        for handle in self._opened:  # every output could be opened: only now empty the old contents
            if stat.S_ISREG(os.fstat(handle.fileno()).st_mode):  # not /dev/null or a pipe
                handle.truncate(0)

    def _open(self, path: str | None) -> BinaryIO | None:
        if path is None:
            return None
        if path == "-":
            return sys.stdout.buffer
        existed = os.path.exists(path)
        # append mode does not empty an existing file, so a later output that cannot be opened loses nothing
        handle = open(path, "ab")  # noqa: SIM115 - closed in close(), after the whole run
        self._opened.append(handle)
        if not existed:
            self._created.append(path)
        return handle

    def _abandon(self) -> None:
        for handle in self._opened:
            handle.close()
        for path in self._created:
            os.unlink(path)

    def close(self) -> None:
        """Flush standard output and close the files."""
        self.kept.flush()
        for handle in self._opened:
            handle.close()


def chunked(items: Iterable[InputLine | InputProblem], size: int) -> Iterator[Chunk]:
    """Groups of at most `size` items (or CHUNK_BYTES of lines), in order."""
    chunk: Chunk = []
    nbytes = 0
    for item in items:
        chunk.append(item)
        nbytes += len(item.raw)
        if len(chunk) >= size or nbytes >= CHUNK_BYTES:
            yield chunk
            chunk, nbytes = [], 0
    if chunk:
        yield chunk


def analyse_in_process(chunks: Iterable[Chunk], settings: AnalysisSettings) -> Iterator[tuple[Chunk, list[Result]]]:
    """The single-core backend."""
    for chunk in chunks:
        yield chunk, analyse_chunk(chunk, settings)


def _init_pool_worker(models_dir: str | None) -> None:
    shared_detector(models_dir)


WORKER_DIED = "worker process died while analysing this record (killed, or out of memory?)"


class _WorkerPool:
    """A process pool that survives the death of a worker.

    multiprocessing.Pool waits forever for the task of a worker that was
    killed (by the OOM killer, say); concurrent.futures reports it as a broken
    pool instead. Then a new pool is started and the chunks that were in
    flight are analysed again one record at a time, so only a record that
    kills its worker again becomes an error, and the run goes on.
    """

    def __init__(self, jobs: int, settings: AnalysisSettings):
        self.jobs, self.settings = jobs, settings
        self._executor = self._start()

    def _start(self):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # fork: workers start at once and share the parent's imported modules; models are mmapped either way
        context = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else None)
        return ProcessPoolExecutor(self.jobs, mp_context=context, initializer=_init_pool_worker,
                                   initargs=(self.settings.models_dir,))

    def submit(self, chunk: Chunk):
        """Queue a chunk; the returned handle is passed to result()."""
        try:
            return chunk, self._executor.submit(analyse_chunk, chunk, self.settings)
        except BrokenProcessPool:
            return chunk, None  # the pool broke since the last result: result() redoes the chunk

    def result(self, pending) -> list[Result]:
        """The results of a submitted chunk, in order, whatever happened to the worker."""
        chunk, future = pending
        if future is not None:
            try:
                return future.result()
            except BrokenProcessPool:
                pass
        return [self._one_by_one(item) for item in chunk]

    def _one_by_one(self, item: InputLine | InputProblem) -> Result:
        if not isinstance(item, InputLine):
            return None
        for _ in range(2):
            try:
                return self._executor.submit(analyse_chunk, [item], self.settings).result()[0]
            except BrokenProcessPool:
                self._restart()
        return Failure(WORKER_DIED)  # it broke a fresh pool twice: it is this record

    def _restart(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
        self._executor = self._start()

    def close(self) -> None:
        """Stop the workers."""
        self._executor.shutdown(wait=True, cancel_futures=True)


def analyse_in_pool(chunks: Iterable[Chunk], settings: AnalysisSettings,
                    jobs: int) -> Iterator[tuple[Chunk, list[Result]]]:
    """A multiprocessing backend: results in input order, at most IN_FLIGHT_PER_WORKER chunks queued per worker.

    Executor.map would be the obvious choice, but it drains its input iterator
    at once, holding a whole corpus in memory; a bounded window of futures,
    collected oldest first, keeps the order and the memory flat.
    """
    pool = _WorkerPool(jobs, settings)
    try:
        yield from ordered_window(chunks, pool.submit, pool.result, jobs)
    finally:
        pool.close()


def run_filter(options: FilterOptions, stderr: TextIO | None = None) -> FilterSummary:
    """Run the filter; return the counts. Per-record problems go to the errors output and `stderr`."""
    stderr = stderr or sys.stderr
    options.validate()
    settings = options.settings
    if options.dedup_index and not settings.dedup:
        settings = dataclasses.replace(settings, dedup=True)
    # fail fast on a bad model folder, before any output; forked workers inherit the loaded models.
    # No warm-up analysis here: it ran serially while the workers waited (1.8 s of a 10 s run),
    # and each worker loads what its languages need (hyphenation patterns) on first use.
    shared_detector(settings.models_dir).models.check()
    summary = FilterSummary()
    progress = Progress(stderr, options.progress if options.progress is not None else stderr.isatty())
    index = DedupIndex(options.dedup_index) if options.dedup_index else None
    outputs = Outputs(options)
    chunks = chunked(iter_input_lines(options.inputs, options.max_record_bytes), options.chunk_size)
    try:
        for chunk, results in _backend(options, settings, chunks):
            for item, result in zip(chunk, results, strict=True):
                _handle(item, result, options, settings, index, outputs, summary, progress)
            progress.update(summary)
    finally:
        progress.finish()
        outputs.close()
        if index is not None:
            index.close()
    summary.finished = time.monotonic()
    return summary


def _backend(options: FilterOptions, settings: AnalysisSettings,
             chunks: Iterator[Chunk]) -> Iterator[tuple[Chunk, list[Result]]]:
    if options.scheduler:
        from quality.dask import analyse_on_dask

        return analyse_on_dask(chunks, settings, options.scheduler)
    jobs = options.jobs or os.cpu_count() or 1
    if jobs == 1:
        return analyse_in_process(chunks, settings)
    return analyse_in_pool(chunks, settings, jobs)


def _handle(item: InputLine | InputProblem, result: Result, options: FilterOptions, settings: AnalysisSettings,
            index: DedupIndex | None, outputs: Outputs, summary: FilterSummary, progress: Progress) -> None:
    """Count one record and write it where it belongs."""
    summary.read += 1
    summary.bytes_read += item.bytes_read if isinstance(item, InputProblem) else len(item.raw)
    if isinstance(item, InputProblem) or isinstance(result, Failure) or result is None:
        message = item.message if isinstance(item, InputProblem) else result.message
        _write_error(item, message, outputs, summary, progress)
        return
    verdict, score, quality_json = result.verdict, result.score, result.quality_json
    summary.languages[result.lang or "und"] += 1
    if index is not None and result.paragraph_hashes:
        repeats = index.lookup(result.doc_id, result.paragraph_hashes)
        if repeats:
            text = json.loads(item.raw)[settings.text_field]
            mark_cross_document_repeats(result.report, repeats, text)
            verdict, score = result.report.verdict, result.report.score
            quality_json = dump_quality(result.report.to_dict(compact=settings.compact))
    try:
        line = splice_quality(item.raw, quality_json)
    except ValueError as err:  # cannot happen for a line json.loads took as an object, but never lose a record
        _write_error(item, str(err), outputs, summary, progress)
        return
    rejected = options.is_rejected(verdict, score)
    if index is not None and result.paragraph_hashes:
        index.add(result.doc_id, result.paragraph_hashes, kept=not rejected)
    if rejected:
        summary.rejected += 1
        target = outputs.kept if options.annotate else outputs.rejected
    else:
        summary.kept += 1
        target = outputs.kept
    if target is not None:
        target.write(line)


def _write_error(item: InputLine | InputProblem, message: str, outputs: Outputs, summary: FilterSummary,
                 progress: Progress) -> None:
    summary.errors += 1
    where = item.file if item.line is None else f"{item.file}:{item.line}"
    progress.message(f"error: {where}: {message}")
    if outputs.errors is not None:
        raw = item.raw.decode("utf-8", errors="replace").rstrip("\r\n")[:ERROR_RAW_CHARS]
        record = {"file": item.file, "line": item.line, "error": message, "raw": raw}
        outputs.errors.write(json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n")
