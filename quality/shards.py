"""`quality filter SHARDS... --output-dir DIR`: one set of outputs per input shard, resumable after a crash.

Layout of DIR:

    run.json               what the folder is written with (options, models, version); a later run must match
    .lock                  locked (fcntl) by the one run using the folder; it holds that run's process id
    kept/<shard>           kept records of <shard>, compressed like the input (.gz, .zst or plain)
    rejected/<shard>       rejected records
    errors/<shard>         error records
    done/<shard>.json      the completion marker: counts, input size and mtime, output sizes and SHA-256

A shard is finished when, and only when, its marker exists. Per shard, in
this order: the three outputs are written to temporary files beside their
final names (quality/outfile.py), synced and renamed into place; then the
shard's rows of the dedup index are committed in one transaction together with
a row naming the shard; then the marker is written (temporary file, rename).
A run killed at any moment therefore leaves each shard either finished
(marker) or not. A re-run skips finished shards and redoes the others from
the start: it deletes leftover temporary files, the outputs of unfinished
shards, and the index rows of this folder's shards that have no marker, so the
index is exactly what it was before the unfinished shard began. Shards are
finished in input order by the one parent process (workers only analyse), so
the outputs are byte-identical whatever --jobs, and whatever the interruptions.

`QUALITY_TEST_KILL_AT=POINT:N[:SIGNAL]` exists for the tests only: the parent
sends itself SIGNAL (default KILL) at the N-th occurrence of POINT in this run:
`record` (a record written), `opened` (a shard's temporary outputs created),
`renamed-one` (a shard's kept output renamed, the other two not yet),
`after-rename`, `after-commit` (the index rows committed), `after-marker`.
"""

from __future__ import annotations

import contextlib
import fcntl
import gzip
import hashlib
import json
import os
import signal
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import zstandard

from quality.outfile import TEMP_PREFIX, AtomicOutput, same_file

if TYPE_CHECKING:
    from quality.dedup_index import DedupIndex
    from quality.filter_worker import AnalysisSettings
    from quality.filtering import FilterOptions, FilterSummary, Progress
    from quality.jsonl_reader import InputLine, InputProblem

FOLDER_FORMAT = 1
KINDS = ("kept", "rejected", "errors")
RUN_FILE, LOCK_FILE, DONE = "run.json", ".lock", "done"
GZIP_LEVEL = 6  # gzip's own default; on JSON records Python's 9 took 4x the CPU for 2% smaller files
ZSTD_LEVEL = 3
KILL_ENV = "QUALITY_TEST_KILL_AT"


class OutputDirError(Exception):
    """The output folder cannot be used now (another run holds it, or it cannot be written); fatal."""


@dataclass(slots=True)
class ShardBoundary:
    """Put in the stream of input lines before and after each shard; the parent finishes a shard at its end."""

    shard: int  # position in ShardedOutputs.todo
    end: bool
    raw: bytes = b""  # chunked() measures every item by its raw bytes


@dataclass
class Shard:
    """One input file of the run and where its outputs go."""

    path: str  # as given on the command line
    name: str  # its file name: the name of its outputs and of its marker
    stat: os.stat_result | None = None  # taken just before it is read, for the marker
    marker: dict[str, Any] | None = None


def check_output_dir_options(options: FilterOptions) -> None:
    """Raise FilterUsageError for options that make no sense with --output-dir."""
    from quality.filtering import FilterUsageError

    clashes = [name for name, given in (("-o/--output", options.output not in (None, "-")),
                                        ("--rejected", options.rejected is not None),
                                        ("--errors", options.errors is not None),
                                        ("--drop-rejected", options.drop_rejected),
                                        ("--annotate", options.annotate)) if given]
    if clashes:
        raise FilterUsageError(f"--output-dir writes kept, rejected and errors per shard: drop {', '.join(clashes)}")
    if not options.inputs or "-" in options.inputs:
        raise FilterUsageError("--output-dir needs input files (standard input cannot be resumed)")
    names: dict[str, str] = {}
    for path in options.inputs:
        name = os.path.basename(path)
        if name in names:
            raise FilterUsageError(f"{names[name]} and {path} have the same file name; their outputs in "
                                   f"--output-dir would clash (rename one, or run them into separate folders)")
        names[name] = path
        for kind in KINDS:
            output = os.path.join(options.output_dir, kind, name)
            if same_file(output, path) or os.path.realpath(output) == os.path.realpath(path):
                raise FilterUsageError(f"{path} is both an input and the output {output}")
    if options.dedup_index and os.path.realpath(options.dedup_index).startswith(
            os.path.realpath(options.output_dir) + os.sep):
        raise FilterUsageError("--dedup-index must not be inside --output-dir")


def run_fingerprint(options: FilterOptions, settings: AnalysisSettings) -> dict[str, Any]:
    """Everything that changes what a shard's outputs contain: options, models, version."""
    from quality import __version__
    from quality.filter_worker import shared_detector

    folders = shared_detector(settings.models_dir).models.folders
    return {
        "format": FOLDER_FORMAT,
        "quality_version": __version__,
        "options": {
            "--text-field": settings.text_field, "--id-field": settings.id_field, "--lang-field": settings.lang_field,
            "--compact": settings.compact, "--reject-verdict": options.reject_verdict,
            "--min-score": options.min_score, "--max-record-bytes": options.max_record_bytes,
            "--dedup-index": os.path.realpath(options.dedup_index) if options.dedup_index else None,
            "--not-prose": settings.not_prose,
        },
        "models": {lang: model_fingerprint(folder) for lang, folder in sorted(folders.items())},
    }


def model_fingerprint(folder: Path) -> str:
    """A digest of a model folder: its small files whole, the KenLM file's size and both ends."""
    from quality.train import CALIBRATION_FILE, CARD_JSON, MODEL_FILE, VOCAB_FILE

    digest = hashlib.sha256()
    for name in (CARD_JSON, CALIBRATION_FILE, VOCAB_FILE):
        digest.update(name.encode() + b"\0" + (folder / name).read_bytes())
    with open(folder / MODEL_FILE, "rb") as model:
        size = os.fstat(model.fileno()).st_size
        digest.update(str(size).encode() + model.read(1 << 20))
        model.seek(max(0, size - (1 << 20)))
        digest.update(model.read())
    return digest.hexdigest()[:32]


def _differences(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    out = []
    if old.get("format") != new["format"] or old.get("quality_version") != new["quality_version"]:
        out.append(f"written by quality {old.get('quality_version')}, this is {new['quality_version']}")
    for option, value in new["options"].items():
        if old.get("options", {}).get(option, None) != value:
            out.append(f"{option} was {json.dumps(old.get('options', {}).get(option))}, now {json.dumps(value)}")
    old_models = old.get("models", {})
    for lang in sorted(set(old_models) | set(new["models"])):
        if old_models.get(lang) != new["models"].get(lang):
            state = "added" if lang not in old_models else "removed" if lang not in new["models"] else "changed"
            out.append(f"model {lang} {state}")
    return out


def _write_json_atomically(path: Path, value: dict[str, Any]) -> None:
    output = AtomicOutput(path)
    try:
        output.file.write((json.dumps(value, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8"))
    except BaseException:
        output.discard()
        raise
    output.commit()
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    """Make the renames in a folder durable (a rename lives in the folder, not in the file)."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


class _HashingFile:
    """Counts and hashes the bytes on their way to the file, for the marker."""

    def __init__(self, file: BinaryIO):
        self.file, self.sha256, self.size = file, hashlib.sha256(), 0

    def write(self, data: bytes) -> int:
        self.sha256.update(data)
        self.size += len(data)
        return self.file.write(data)

    def flush(self) -> None:
        self.file.flush()


class ShardFile:
    """One output of a shard, compressed like its input, written beside its final name until complete."""

    def __init__(self, path: Path, on_write):
        self.path = path
        self._atomic = AtomicOutput(path)
        self._hashed = _HashingFile(self._atomic.file)
        self._on_write = on_write
        if path.name.endswith(".gz"):
            # no file name and mtime 0 in the header: a redone shard is byte-identical
            self._stream = gzip.GzipFile(filename="", mode="wb", fileobj=self._hashed, compresslevel=GZIP_LEVEL,
                                         mtime=0)
        elif path.name.endswith(".zst"):
            self._stream = zstandard.ZstdCompressor(level=ZSTD_LEVEL).stream_writer(self._hashed, closefd=False)
        else:
            self._stream = self._hashed

    def write(self, data: bytes) -> None:
        """Write one record; a failure (a full disk) raises OutputWriteError naming the file."""
        try:
            self._stream.write(data)
        except OSError as err:
            raise self._write_error(err) from err
        self._on_write()

    def finish(self) -> dict[str, Any]:
        """End the compressed stream, flush and sync (a full disk shows here); return size and SHA-256."""
        try:
            if self._stream is not self._hashed:
                self._stream.close()  # writes the gzip trailer / ends the zstd frame; the file itself stays open
            self._atomic.finish()
        except OSError as err:
            raise self._write_error(err) from err
        return {"bytes": self._hashed.size, "sha256": self._hashed.sha256.hexdigest()}

    def publish(self) -> None:
        """Rename the finished file into place."""
        try:
            self._atomic.commit()
        except OSError as err:
            raise self._write_error(err) from err

    def _write_error(self, err: OSError) -> OSError:
        from quality.filtering import OutputWriteError

        return OutputWriteError(err.errno, f"{self.path}: cannot write: {err.strerror or err} (this shard is not "
                                           "finished; the finished ones are kept: run again to resume)")

    def discard(self) -> None:
        """Remove the temporary file."""
        with contextlib.suppress(Exception):
            if self._stream is not self._hashed:
                self._stream.close()
        self._atomic.discard()


@dataclass
class _KillPoint:
    point: str
    count: int
    signal: int


def _kill_point_from_env() -> _KillPoint | None:
    value = os.environ.get(KILL_ENV)
    if not value:
        return None
    point, count, *rest = value.split(":")
    number = getattr(signal, "SIG" + rest[0].upper().removeprefix("SIG")) if rest else signal.SIGKILL
    return _KillPoint(point, int(count), number)


@dataclass
class _Counts:
    read: int = 0
    kept: int = 0
    rejected: int = 0
    errors: int = 0
    bytes_read: int = 0

    @classmethod
    def of(cls, summary: FilterSummary) -> _Counts:
        return cls(summary.read, summary.kept, summary.rejected, summary.errors, summary.bytes_read)


@dataclass
class _Tally:
    filtered: int = 0
    skipped: int = 0
    interrupted: str | None = None
    skipped_counts: _Counts = field(default_factory=_Counts)


class ShardedOutputs:
    """The outputs of a --output-dir run: the kept/rejected/errors files of the shard being filtered.

    `run_filter` reads from `items()` (the todo shards' lines between
    ShardBoundary marks), writes each record to `kept`, `rejected` or
    `errors` as for single files, and hands each ShardBoundary to `boundary()`.
    The dedup index (`index`) is opened here, once the folder is locked.
    """

    def __init__(self, options: FilterOptions, settings: AnalysisSettings, summary: FilterSummary,
                 progress: Progress):
        from quality.dedup_index import DedupIndex, DedupIndexError
        from quality.filtering import FilterUsageError

        self.options, self.summary, self.progress = options, summary, progress
        self.index: DedupIndex | None = None
        self.folder = Path(options.output_dir)
        self.kept: ShardFile | None = None
        self.rejected: ShardFile | None = None
        self.errors: ShardFile | None = None
        self._files: list[ShardFile] = []
        self._kill = _kill_point_from_env()
        self._seen: dict[str, int] = {}
        self._tally = _Tally()
        self._lock = self._take_lock()
        try:
            if options.dedup_index:
                self.index = DedupIndex(options.dedup_index)
            for kind in (*KINDS, DONE):
                (self.folder / kind).mkdir(parents=True, exist_ok=True)
            self._check_run_file(run_fingerprint(options, settings))
            shards = [Shard(path, os.path.basename(path)) for path in options.inputs]
            self.todo: list[Shard] = []
            for shard in shards:
                if self._finished(shard):
                    self._tally.skipped += 1
                    for name in ("read", "kept", "rejected", "errors"):
                        setattr(self._tally.skipped_counts, name,
                                getattr(self._tally.skipped_counts, name) + shard.marker[name])
                else:
                    self.todo.append(shard)
            self._clean_up(shards)
            self.todo = [shard for shard in self.todo if self._readable(shard)]
        except (FilterUsageError, OutputDirError, DedupIndexError, OSError):
            if self.index is not None:
                self.index.close(commit=False)  # refused: the index is left as it was
            self._release()
            raise
        summary.errors_before = self._tally.skipped_counts.errors
        self._report()

    # --- starting: lock, options, markers, leftovers ---

    def _take_lock(self):
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle = open(self.folder / LOCK_FILE, "a+")  # noqa: SIM115 - held for the whole run
        except OSError as err:
            raise OutputDirError(f"{self.folder}: cannot use as --output-dir ({err.strerror or err})") from err
        try:
            # a POSIX lock: released by the kernel when this process dies, however; forked workers do not hold it
            fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as err:
            handle.seek(0)
            holder = handle.read().strip() or "?"
            handle.close()
            raise OutputDirError(f"{self.folder} is in use by another quality filter run (process {holder}); "
                                 "wait for it to end, or use another --output-dir") from err
        handle.truncate(0)
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        return handle

    def _release(self) -> None:
        if self._lock is not None:
            self._lock.close()  # closing the file drops the lock
            self._lock = None

    def _check_run_file(self, fingerprint: dict[str, Any]) -> None:
        from quality.filtering import FilterUsageError

        path = self.folder / RUN_FILE
        if not path.exists():
            if any((self.folder / DONE).iterdir()):
                raise FilterUsageError(f"{self.folder}: has finished shards but no {RUN_FILE}; not a folder this "
                                       "version wrote, or damaged: use another --output-dir")
            _write_json_atomically(path, fingerprint)
            return
        try:
            written = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise FilterUsageError(f"{path}: unreadable ({err}); use another --output-dir") from err
        differences = _differences(written, fingerprint)
        if differences:
            raise FilterUsageError(f"{self.folder} was written with other options or models ({'; '.join(differences)}"
                                   f"): run with the same ones to resume it, or use another --output-dir")

    def _marker_path(self, shard: Shard) -> Path:
        return self.folder / DONE / f"{shard.name}.json"

    def _finished(self, shard: Shard) -> bool:
        """True for a shard with a marker whose input and outputs are as the marker says; refuse a changed one."""
        from quality.filtering import FilterUsageError

        path = self._marker_path(shard)
        try:
            shard.marker = json.loads(path.read_text(encoding="utf-8"))
            sizes = [shard.marker["outputs"][kind]["bytes"] for kind in KINDS]
            expected = (shard.marker["input_size"], shard.marker["input_mtime_ns"])
            _ = [int(shard.marker[name]) for name in ("read", "kept", "rejected", "errors")]
        except FileNotFoundError:
            return False
        except (OSError, ValueError, KeyError, TypeError) as err:
            raise FilterUsageError(f"{path}: unreadable marker ({type(err).__name__}: {err}); delete it to redo "
                                   "the shard") from err
        try:
            stat = os.stat(shard.path)
        except OSError as err:
            raise FilterUsageError(f"{shard.path}: cannot read ({err.strerror}), but {path} says it was filtered; "
                                   "give the same inputs to resume") from err
        if (stat.st_size, stat.st_mtime_ns) != expected:
            raise FilterUsageError(f"{shard.path} changed since it was filtered into {self.folder} (size or "
                                   f"modification time differ from {path}); delete that marker to redo the shard, "
                                   "or use another --output-dir")
        for kind, size in zip(KINDS, sizes, strict=True):
            output = self.folder / kind / shard.name
            if not output.is_file() or output.stat().st_size != size:
                raise FilterUsageError(f"{output} is missing or changed, but {path} says the shard is finished; "
                                       "delete that marker to redo the shard")
        if self.index is not None and self._tag(shard) not in self._index_tags():
            raise FilterUsageError(f"{self.options.dedup_index} has no rows of {shard.name}, but {path} says the "
                                   "shard was indexed there: use the index this folder was written with, or "
                                   "another --output-dir")
        return True

    def _tag(self, shard: Shard) -> str:
        return os.path.join(os.path.realpath(self.folder), shard.name)

    def _index_tags(self) -> set[str]:
        if not hasattr(self, "_tags"):
            self._tags = self.index.shard_tags()
        return self._tags

    def _clean_up(self, shards: list[Shard]) -> None:
        """Remove what killed runs left: temporary files, outputs and index rows of shards without a marker."""
        for kind in (*KINDS, DONE):
            for leftover in (self.folder / kind).glob(TEMP_PREFIX + "*"):
                leftover.unlink()
        for shard in self.todo:
            for kind in KINDS:
                with contextlib.suppress(FileNotFoundError):
                    (self.folder / kind / shard.name).unlink()
        if self.index is not None:
            finished = {self._tag(shard) for shard in shards if shard.marker is not None}
            prefix = os.path.realpath(self.folder) + os.sep
            # every shard of this folder without a marker, named in this run or not: none of its rows may stay
            unfinished = sorted(tag for tag in self._index_tags() if tag.startswith(prefix) and tag not in finished
                                and not (self.folder / DONE / f"{tag[len(prefix):]}.json").exists())
            self.index.discard_shards(unfinished)

    def _readable(self, shard: Shard) -> bool:
        try:
            with open(shard.path, "rb"):
                pass
        except OSError as err:
            self._unopened(shard, err)
            return False
        return True

    def _unopened(self, shard: Shard, err: OSError) -> None:
        from quality.terminal import printable

        self.summary.unopened += 1  # as for single-file outputs: named, no record read, exit status 2
        self.progress.message(printable(f"error: {shard.path}: cannot open: {err.strerror or err} (no outputs "
                                        "and no marker: a re-run tries it again)", keep_newlines=False))

    # --- filtering ---

    def items(self) -> Iterator[InputLine | InputProblem | ShardBoundary]:
        """The lines of every shard still to do, each shard between two ShardBoundary marks."""
        from quality.jsonl_reader import iter_input_lines

        for number, shard in enumerate(self.todo):
            try:
                shard.stat = os.stat(shard.path)
            except OSError as err:  # gone since the start: no outputs, no marker, as for one missing at the start
                self._unopened(shard, err)
                continue
            yield ShardBoundary(number, end=False)
            yield from iter_input_lines([shard.path], self.options.max_record_bytes)
            yield ShardBoundary(number, end=True)

    def boundary(self, mark: ShardBoundary) -> None:
        """Open a shard's outputs at its start; finish it at its end."""
        shard = self.todo[mark.shard]
        if not mark.end:
            self._start, self._open_shard = _Counts.of(self.summary), shard
            self._files = [ShardFile(self.folder / kind / shard.name, self._record_written) for kind in KINDS]
            self.kept, self.rejected, self.errors = self._files
            if self.index is not None:
                self.index.begin_shard(self._tag(shard))
            self._checkpoint("opened")
            return
        # all three synced before any is renamed: a full disk leaves none of them in place
        outputs = {kind: output.finish() for kind, output in zip(KINDS, self._files, strict=True)}
        for kind, output in zip(KINDS, self._files, strict=True):
            output.publish()
            if kind == "kept":
                self._checkpoint("renamed-one")
        for kind in KINDS:
            _sync_folder(self.folder / kind)
        self._files = []
        self.kept = self.rejected = self.errors = None
        self._checkpoint("after-rename")
        if self.index is not None:
            self.index.finish_shard()
            self._checkpoint("after-commit")
        now = _Counts.of(self.summary)
        marker = {
            "shard": shard.name, "input": shard.path,
            "input_size": shard.stat.st_size, "input_mtime_ns": shard.stat.st_mtime_ns,
            "read": now.read - self._start.read, "kept": now.kept - self._start.kept,
            "rejected": now.rejected - self._start.rejected, "errors": now.errors - self._start.errors,
            "bytes_read": now.bytes_read - self._start.bytes_read,
            "outputs": outputs, "indexed": self.index is not None,
        }
        _write_json_atomically(self._marker_path(shard), marker)
        self._tally.filtered += 1
        self._report()
        self._checkpoint("after-marker")

    def _record_written(self) -> None:
        self._checkpoint("record")

    def _checkpoint(self, point: str) -> None:
        if self._kill is None or self._kill.point != point:
            return
        self._seen[point] = self._seen.get(point, 0) + 1
        if self._seen[point] == self._kill.count:
            os.kill(os.getpid(), self._kill.signal)

    def _report(self) -> None:
        tally = self._tally
        parts = [f"shards: {tally.filtered:,} of {len(self.todo):,} filtered now"]
        if tally.skipped:
            done = tally.skipped_counts
            parts.append(f"{tally.skipped:,} finished earlier, skipped (read {done.read:,}, kept {done.kept:,}, "
                         f"rejected {done.rejected:,}, errors {done.errors:,})")
        if tally.interrupted:
            parts.append(f"{tally.interrupted} not finished (its outputs removed; a re-run redoes it)")
        self.summary.shards = ", ".join(parts)

    def commit(self) -> None:
        """The end of the run, or a stop on a signal: a shard not finished is dropped, not counted; unlock.

        Finished shards are already in place. The index rolls the unfinished
        shard's rows back when it is closed.
        """
        if self._files:
            now = _Counts.of(self.summary)
            for name in ("read", "kept", "rejected", "errors", "bytes_read"):  # "the outputs hold what is counted"
                setattr(self.summary, name, getattr(self._start, name))
            self._tally.interrupted = f"{self._open_shard.name} ({now.read - self._start.read:,} records read)"
            self._report()
        self.discard()

    def discard(self) -> None:
        """Remove the temporary outputs of a shard not finished; unlock."""
        for output in self._files:
            output.discard()
        self._files = []
        self.kept = self.rejected = self.errors = None
        self._release()
