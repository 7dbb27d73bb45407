"""`quality filter`: split a JSON Lines corpus into kept, rejected and error records.

The parent process reads lines in order, hands chunks to an analysis backend
(in-process, a multiprocessing pool, or Dask) and gets results back in the
same order. Everything with state lives in the parent: the outputs, the
counts, and the cross-document dedup index, so results do not depend on how
many workers there are.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import re
import signal
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import BinaryIO, TextIO

from quality.analyzer import replace_surrogates
from quality.dedup_index import DedupIndex, mark_cross_document_repeats
from quality.filter_worker import (
    Analysed,
    AnalysisSettings,
    Failure,
    analyse_chunk,
    decode_record,
    dump_quality,
    init_worker,
    ordered_window,
    shared_detector,
    splice_quality,
)
from quality.jsonl_reader import InputLine, InputProblem, iter_input_lines
from quality.outfile import AtomicOutput, same_file
from quality.report import VERDICT_RANK
from quality.shards import ShardBoundary
from quality.terminal import printable

# a Dask scheduler address (tcp://10.0.0.5:8786, tls://..., inproc://...) or local:N
_SCHEDULER_RE = re.compile(r"^(?:[a-z][a-z0-9+.-]*://\S+|local:[1-9]\d*)$")
CHUNK_BYTES = 4 << 20  # a chunk also ends at this many bytes, so huge records do not pile up in one task
PROGRESS_EVERY = 0.5  # seconds
ERROR_RAW_CHARS = 1000
ERROR_LINES_PER_FILE = 20  # error messages shown on stderr per input file; the rest are counted in one line

Chunk = list[InputLine | InputProblem]
Result = Analysed | Failure | None


class FilterUsageError(ValueError):
    """The options do not make sense together."""


class OutputWriteError(OSError):
    """An output could not be written (a full disk, an I/O error); the message names the file.

    `summary` holds the counts of the run when it stopped.
    """

    summary: FilterSummary | None = None


class FilterInterrupted(BaseException):
    """SIGTERM or SIGINT arrived while the parent waited for results (BaseException: no record catches it)."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


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
    output_dir: str | None = None  # per-shard outputs under this folder, resumable (quality/shards.py)

    def validate(self) -> None:
        """Raise FilterUsageError when rejected records would have nowhere to go, or options clash."""
        if self.output_dir is not None:
            from quality.shards import check_output_dir_options

            check_output_dir_options(self)
        if self.annotate and (self.rejected or self.drop_rejected):
            raise FilterUsageError("--annotate writes every record to the output; drop --rejected/--drop-rejected")
        if not (self.output_dir or self.annotate or self.rejected or self.drop_rejected):
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
        # by real path (for names that do not exist yet) and by device and inode (hard links, bind mounts)
        seen: list[tuple[str, str, str]] = []
        for option, path in named:
            if path == "-":
                continue
            for other_option, other_path, real in seen:
                if real == os.path.realpath(path) or same_file(path, other_path):
                    raise FilterUsageError(f"{other_option} and {option} are the same file: {path}")
            seen.append((option, path, os.path.realpath(path)))
        for path in self.inputs:
            if path == "-":
                continue
            for option, output, real in seen:
                if real == os.path.realpath(path) or same_file(path, output):
                    raise FilterUsageError(f"{path} is both an input and the {option} output ({output})")
        for option, path, _ in seen:
            if option == "--dedup-index":
                continue
            folder = os.path.dirname(path) or "."
            if not os.path.isdir(folder):
                raise FilterUsageError(f"{option} {path}: folder {folder} does not exist")

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
    unopened: int = 0  # input files that could not be opened at all: no record of theirs was read
    interrupted: int | None = None  # the signal that stopped the run early
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None
    shards: str | None = None  # --output-dir: how many shards were filtered, skipped as finished, unreadable
    errors_before: int = 0  # --output-dir: error records of the shards an earlier run finished (for the exit status)

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
        line = (f"read {self.read:,}, kept {self.kept:,}, rejected {self.rejected:,}, errors {self.errors:,} "
                f"in {self.elapsed:.1f}s ({per_second:,.0f} records/s, {megabytes:.2f} MB/s)")
        if self.unopened:
            line += f"; {self.unopened:,} input file{'s' * (self.unopened != 1)} could not be opened"
        if self.interrupted:
            line += f"; stopped by {signal.Signals(self.interrupted).name}: the outputs hold the records counted"
        if self.shards:
            line += f"; {self.shards}"
        if self.languages:
            line += "; languages: " + ", ".join(f"{lang} {n:,}" for lang, n in self.languages.most_common())
        return line


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


class _Sink:
    """One output: writes raise OutputWriteError naming the file."""

    def __init__(self, name: str, handle: BinaryIO):
        self.name, self.handle = name, handle

    def write(self, data: bytes) -> None:
        """Write bytes; a failure (ENOSPC, EIO) names this output."""
        try:
            self.handle.write(data)
        except BrokenPipeError:
            raise
        except OSError as err:
            raise OutputWriteError(err.errno, f"{self.name}: cannot write: {err.strerror or err}") from err


class Outputs:
    """The output files, written in binary so input bytes pass through untouched.

    Each file is written beside its destination and renamed into place by
    `commit()` (quality.outfile): until then an existing file of that name is
    left as it was, and a crash never leaves half a file under the name.
    """

    def __init__(self, options: FilterOptions):
        self._pending: list[AtomicOutput] = []
        try:
            self.kept = self._open(options.output or "-")
            self.rejected = self._open(options.rejected)
            self.errors = self._open(options.errors)
        except OSError:
            self.discard()
            raise

    def _open(self, path: str | None) -> _Sink | None:
        if path is None:
            return None
        if path == "-":
            return _Sink("<stdout>", sys.stdout.buffer)
        output = AtomicOutput(path)
        self._pending.append(output)
        return _Sink(path, output.file)

    def commit(self) -> None:
        """Flush standard output and rename every finished file into place."""
        try:
            sys.stdout.buffer.flush()
        except BrokenPipeError:
            pass
        except OSError as err:
            self.discard()
            raise OutputWriteError(err.errno, f"<stdout>: cannot write: {err.strerror or err}") from err
        # every file flushed and synced first (a full disk shows here), then all renamed: none or all replaced
        for output in list(self._pending):
            try:
                output.finish()
            except OSError as err:
                self.discard()
                raise OutputWriteError(err.errno, f"{output.path}: cannot write: {err.strerror or err}") from err
        while self._pending:
            output = self._pending[0]
            try:
                output.commit()
            except OSError as err:
                self.discard()
                raise OutputWriteError(err.errno, f"{output.path}: cannot rename into place: "
                                                  f"{err.strerror or err}") from err
            self._pending.pop(0)

    def discard(self) -> None:
        """Remove the files not yet committed; their destinations stay as they were."""
        while self._pending:
            self._pending.pop().discard()


class ErrorLines:
    """Error messages on stderr: at most ERROR_LINES_PER_FILE per input file, then one line for the rest."""

    def __init__(self, progress: Progress):
        self.progress = progress
        self.shown: dict[str, int] = {}
        self.hidden: dict[str, int] = {}

    def report(self, file: str, where: str, message: str) -> None:
        """Show one error, unless its file already showed its share."""
        if self.shown.get(file, 0) >= ERROR_LINES_PER_FILE:
            self.hidden[file] = self.hidden.get(file, 0) + 1
            return
        self.shown[file] = self.shown.get(file, 0) + 1
        self.progress.message(printable(f"error: {where}: {message}", keep_newlines=False))

    def finish(self) -> None:
        """One line per file whose errors were not all shown."""
        for file, count in self.hidden.items():
            self.progress.message(printable(f"error: {file}: {count:,} more error{'s' * (count != 1)} not shown "
                                            "(all are in the --errors file when one is given)", keep_newlines=False))


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


def _init_pool_worker(models_dir: str | None, parent: int) -> None:
    init_worker(parent)
    shared_detector(models_dir)


WORKER_DIED = "worker process died while analysing this record (killed, or out of memory?)"


@contextlib.contextmanager
def _signals_held():
    """Hold SIGTERM and SIGINT while the pool may fork a worker: raised inside fork's own handlers, the
    parent's FilterInterrupted would be printed and swallowed there. Held signals arrive right after."""
    held = {signal.SIGTERM, signal.SIGINT}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


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
                                   initargs=(self.settings.models_dir, os.getpid()))

    def submit(self, chunk: Chunk):
        """Queue a chunk; the returned handle is passed to result()."""
        try:
            with _signals_held():
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
                with _signals_held():
                    future = self._executor.submit(analyse_chunk, [item], self.settings)
                return future.result()[0]
            except BrokenProcessPool:
                self._restart()
        return Failure(WORKER_DIED)  # it broke a fresh pool twice: it is this record

    def _restart(self) -> None:
        # a worker killed while it held the task queue's lock leaves the other workers blocked on that lock
        # forever, and Python 3.11's clean-up of a broken pool waits for them at exit (CPython gh-94777): a run
        # that finished would never end. The old pool's survivors are stopped here.
        for process in list((getattr(self._executor, "_processes", None) or {}).values()):
            if process.is_alive():
                process.kill()
        self._executor.shutdown(wait=False, cancel_futures=True)
        self._executor = self._start()

    def close(self) -> None:
        """Stop the workers."""
        self._executor.shutdown(wait=True, cancel_futures=True)

    def terminate(self) -> None:
        """Stop the workers now, abandoning what they were doing (a signal or a fatal error)."""
        processes = list((getattr(self._executor, "_processes", None) or {}).values())
        for process in processes:
            if process.is_alive():
                process.kill()  # SIGKILL: their work is abandoned, and no handler of theirs may print a traceback
        for process in processes:
            process.join(5)
        # A worker killed while sending a result leaves half a message in the result pipe, and the executor's
        # manager thread would wait for the rest forever (and the interpreter for that thread at exit). Closing
        # our copy of the pipe's write end makes that read end with EOF: the manager sees a broken pool and stops.
        result_queue = getattr(self._executor, "_result_queue", None)
        with contextlib.suppress(Exception):
            result_queue._writer.close()
        self._executor.shutdown(wait=False, cancel_futures=True)


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
    except BaseException:
        pool.terminate()
        raise
    pool.close()


class _SignalGuard:
    """SIGTERM and SIGINT stop the run cleanly instead of killing it mid-write.

    While the parent waits for results, a signal raises FilterInterrupted at
    once (the workers are then stopped); while it writes, the signal is noted
    and the run stops after the current chunk, so no record is half written
    or half counted. Handlers are installed only in the main thread.
    """

    SIGNALS = (signal.SIGTERM, signal.SIGINT)

    def __init__(self):
        self.received: int | None = None
        self._owner = os.getpid()
        self._waiting = False
        self._previous: dict[int, object] = {}

    def __enter__(self) -> _SignalGuard:
        if threading.current_thread() is threading.main_thread():
            for signum in self.SIGNALS:
                self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *exc) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)

    def _handle(self, signum: int, frame) -> None:
        if os.getpid() != self._owner:  # a worker forked before its initializer reset the handlers
            if signum == signal.SIGTERM:
                os._exit(128 + signum)
            return  # Ctrl-C reaches the whole process group: the parent handles it
        if self.received is None:
            self.received = signum
        if self._waiting:
            self._waiting = False
            raise FilterInterrupted(signum)

    def next_result(self, results: Iterator):
        """next(results), interruptible by a signal."""
        if self.received is not None:
            raise FilterInterrupted(self.received)
        self._waiting = True
        try:
            return next(results)
        finally:
            self._waiting = False


def run_filter(options: FilterOptions, stderr: TextIO | None = None) -> FilterSummary:
    """Run the filter; return the counts. Per-record problems go to the errors output and `stderr`.

    Outputs are renamed into place at the end, then the dedup index is
    committed. SIGTERM or SIGINT stops the workers, commits what was finished
    in the same order and returns with `summary.interrupted` set. A write
    failure raises OutputWriteError after removing the unfinished outputs and
    leaving the index as it was.
    """
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
    errors = ErrorLines(progress)
    if options.output_dir:  # per-shard outputs and markers, resumable; locks the folder, then opens the index
        from quality.shards import ShardedOutputs

        outputs = ShardedOutputs(options, settings, summary, progress)
        index, items = outputs.index, outputs.items()
    else:
        index = DedupIndex(options.dedup_index) if options.dedup_index else None
        try:
            outputs = Outputs(options)
        except BaseException:
            if index is not None:
                index.close(commit=False)
            raise
        items = iter_input_lines(options.inputs, options.max_record_bytes)
    chunks = chunked(items, options.chunk_size)
    finished = False
    with _SignalGuard() as guard:
        try:
            results = iter(_backend(options, settings, chunks))
            while True:
                try:
                    chunk, chunk_results = guard.next_result(results)
                except StopIteration:
                    break
                for item, result in zip(chunk, chunk_results, strict=True):
                    if type(item) is ShardBoundary:
                        outputs.boundary(item)
                        continue
                    _handle(item, result, options, settings, index, outputs, summary, errors)
                progress.update(summary)
            finished = True
        except FilterInterrupted as interrupt:
            summary.interrupted = interrupt.signum
            finished = True
            _close_quietly(results)
        except BrokenPipeError:
            finished = True  # the reader of standard output went away: keep what was finished
            raise
        except OutputWriteError as err:
            err.summary = summary  # the caller says how far the run got
            raise
        finally:
            progress.finish()
            errors.finish()
            if finished:
                try:
                    outputs.commit()  # outputs first: the index never holds documents the outputs lack
                except OutputWriteError as err:
                    err.summary = summary
                    if index is not None:
                        index.close(commit=False)
                    raise
                except BaseException:
                    if index is not None:
                        index.close(commit=False)
                    raise
                if index is not None:
                    index.close()
            else:
                outputs.discard()
                if index is not None:
                    index.close(commit=False)
    summary.finished = time.monotonic()
    return summary


def _close_quietly(results) -> None:
    close = getattr(results, "close", None)
    if close is not None:
        # stopping workers after a signal: the run's outcome is already decided
        with contextlib.suppress(Exception):
            close()


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
            index: DedupIndex | None, outputs: Outputs, summary: FilterSummary, errors: ErrorLines) -> None:
    """Count one record and write it where it belongs."""
    if isinstance(item, InputProblem) and item.unopened:
        summary.unopened += 1  # no record was read from it: named on stderr, counted apart
        errors.report(item.file, item.file, item.message)
        return
    summary.read += 1
    summary.bytes_read += item.bytes_read if isinstance(item, InputProblem) else len(item.raw)
    if isinstance(item, InputProblem) or isinstance(result, Failure) or result is None:
        message = item.message if isinstance(item, InputProblem) else result.message
        _write_error(item, message, outputs, summary, errors)
        return
    verdict, score, quality_json = result.verdict, result.score, result.quality_json
    summary.languages[result.lang or "und"] += 1
    if index is not None and result.paragraph_hashes:
        repeats = index.lookup(result.doc_id, result.paragraph_hashes)
        if repeats:
            # the worker's own tolerant parse (4,300-digit integers) and its surrogate repair: same text, offsets
            decoded = decode_record(item.raw, settings)
            if isinstance(decoded, Failure):  # cannot happen: the worker parsed this very line
                _write_error(item, decoded.message, outputs, summary, errors)
                return
            mark_cross_document_repeats(result.report, repeats, replace_surrogates(decoded[1]))
            verdict, score = result.report.verdict, result.report.score
            quality_json = dump_quality(result.report.to_dict(compact=settings.compact))
    try:
        line = splice_quality(item.raw, quality_json)
    except ValueError as err:  # cannot happen for a line json.loads took as an object, but never lose a record
        _write_error(item, str(err), outputs, summary, errors)
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
                 errors: ErrorLines) -> None:
    summary.errors += 1
    where = item.file if item.line is None else f"{item.file}:{item.line}"
    errors.report(item.file, where, message)
    if outputs.errors is not None:
        raw = item.raw.decode("utf-8", errors="replace").rstrip("\r\n")[:ERROR_RAW_CHARS]
        record = {"file": item.file, "line": item.line, "error": message, "raw": raw}
        outputs.errors.write(json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n")
