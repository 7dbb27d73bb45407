"""The analysis step of `quality filter`: raw JSON lines in, verdicts and report JSON out.

This is the only part that runs in worker processes (multiprocessing or
Dask). It is a pure function of its input and settings, so the parent can
farm chunks out anywhere and still put results back in input order.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import math
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from quality.detectors.duplicate import MIN_WORDS, paragraph_key
from quality.jsonl_reader import InputLine, InputProblem
from quality.report import DocumentReport, record_source
from quality.stats import DocumentDigest, digest

_detectors: dict[str | None, Any] = {}
_detectors_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class AnalysisSettings:
    """What a worker needs to know to analyse a line."""

    text_field: str = "text"
    id_field: str = "id"
    lang_field: str | None = None
    compact: bool = False
    models_dir: str | None = None
    # hash paragraphs and return the report object, for the parent's cross-document repeat check
    dedup: bool = False
    # verdict floor for a record in a language without a model (keep, review, reject)
    unmodelled: str = "review"
    not_prose: str = "keep"  # what lists, code, tables and boilerplate become: keep, review or reject


@dataclass(slots=True)
class Failure:
    """A line that could not be analysed."""

    message: str


@dataclass(slots=True)
class Analysed:
    """A line that was analysed: its id, verdict, score and the `quality` JSON to splice in."""

    doc_id: str
    verdict: str
    score: float
    quality_json: str
    # (paragraph index, blake2b of its normalised words) for paragraphs long enough to count as repeats
    paragraph_hashes: list[tuple[int, bytes]] | None = None
    report: DocumentReport | None = None
    digest: DocumentDigest | None = None  # for the run's per-code statistics (quality.stats)
    lang: str = ""  # the document's language, for the summary's count per language


PR_SET_PDEATHSIG = 1  # linux/prctl.h
PARENT_POLL_SECONDS = 0.5


def init_worker(parent: int) -> None:
    """Make a worker process die with its parent, whatever kills the parent (even SIGKILL).

    Linux delivers SIGKILL to the worker when its parent goes (prctl
    PR_SET_PDEATHSIG); a thread watching the parent's pid covers other systems.
    Ctrl-C reaches the whole process group: the parent alone handles it and
    stops the workers, so they ignore SIGINT (no traceback from each of them).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the parent's handler, inherited through fork
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})  # forked while the parent held them
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass  # the watcher below still ends the worker
    if os.getppid() != parent:  # the parent died before the death signal was armed
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), name="parent-watcher", daemon=True).start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_SECONDS)
    os._exit(1)


def shared_detector(models_dir: str | None = None):
    """This process's Detector for `models_dir`, built once (models are memory-mapped, so pages are shared)."""
    detector = _detectors.get(models_dir)
    if detector is None:
        with _detectors_lock:
            detector = _detectors.get(models_dir)
            if detector is None:
                from quality.analyzer import Detector

                detector = _detectors[models_dir] = Detector(models_dir=models_dir)
    return detector


def paragraph_hash(words: tuple[str, ...]) -> bytes:
    """The 16-byte key of a paragraph's normalised words in the dedup index."""
    return hashlib.blake2b(" ".join(words).encode("utf-8"), digest_size=16).digest()


def paragraph_hashes(text: str, report: DocumentReport) -> list[tuple[int, bytes]]:
    """Hashes of the paragraphs that may repeat another document (first copies with >= MIN_WORDS words)."""
    out, seen = [], set()
    for paragraph in report.paragraphs:
        if paragraph.duplicate_of is not None:
            continue
        words = paragraph_key(text[paragraph.start : paragraph.end])
        if len(words) < MIN_WORDS:
            continue
        digest = paragraph_hash(words)
        if digest not in seen:
            seen.add(digest)
            out.append((paragraph.index, digest))
    return out


def dump_quality(quality: dict[str, Any]) -> str:
    """The `quality` object as compact JSON (UTF-8 kept as is)."""
    return json.dumps(quality, ensure_ascii=False, separators=(",", ":"))


def decode_record(raw: bytes, settings: AnalysisSettings) -> tuple[dict[str, Any], str] | Failure:
    """The parsed record and its text, or why the line cannot be analysed."""
    try:
        line = raw.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError as err:
        return Failure(f"invalid UTF-8 at byte {err.start}")
    try:
        record = json.loads(line, parse_int=_parse_int, parse_float=_parse_float)
    except ValueError as err:
        return Failure(f"malformed JSON: {err}")
    except RecursionError:
        return Failure("JSON nested too deeply to parse")
    if not isinstance(record, dict):
        return Failure(f"not a JSON object (a {type(record).__name__})")
    text = record.get(settings.text_field)
    if text is None and settings.text_field not in record:
        return Failure(f"text field {settings.text_field!r} is missing")
    if not isinstance(text, str):
        return Failure(f"text field {settings.text_field!r} is not a string (a {type(text).__name__})")
    return record, text


def _parse_int(literal: str) -> int | str:
    # Python refuses to convert integers of more than 4,300 digits (a guard against slow conversions);
    # such a number is valid JSON, and we only pass it through, so it stays text
    return int(literal) if len(literal) <= 4000 else literal


def _parse_float(literal: str) -> float | str:
    number = float(literal)
    return number if math.isfinite(number) else literal  # 1e999: keep what was written, not "inf"


def analyse_line(item: InputLine, settings: AnalysisSettings) -> Analysed | Failure:
    """Parse and analyse one line; every problem becomes a Failure, never an exception."""
    try:
        decoded = decode_record(item.raw, settings)
        if isinstance(decoded, Failure):
            return decoded
        record, text = decoded
        doc_id = record_source(record.get(settings.id_field), item.line)
        lang = record.get(settings.lang_field) if settings.lang_field else None
        report = shared_detector(settings.models_dir).analyze(
            text, lang=lang if isinstance(lang, str) else None, source=doc_id,  # analyze normalises the code
            unmodelled=settings.unmodelled, not_prose=settings.not_prose)
        quality_json = dump_quality(report.to_dict(compact=settings.compact))
        if not settings.dedup:
            return Analysed(doc_id, report.verdict, report.score, quality_json, digest=digest(report),
                            lang=report.lang or "")
        return Analysed(doc_id, report.verdict, report.score, quality_json, paragraph_hashes(text, report), report,
                        digest(report), lang=report.lang or "")
    except Exception as err:  # one bad document must not stop a corpus run
        return Failure(f"analysis failed: {type(err).__name__}: {err}")


def analyse_chunk(items: list[InputLine | InputProblem], settings: AnalysisSettings) -> list[Analysed | Failure | None]:
    """Analyse a chunk of lines in order; reader problems pass through as None."""
    return [analyse_line(item, settings) if isinstance(item, InputLine) else None for item in items]


def splice_quality(raw: bytes, quality_json: str) -> bytes:
    """The input line with `"quality": {...}` added before its closing brace; every other byte unchanged."""
    body = raw.rstrip()
    if not body.endswith(b"}"):
        raise ValueError("record does not end with '}'")
    head = body[:-1]  # any space before the closing brace stays: every input byte is kept
    separator = b'"quality":' if head.rstrip().endswith(b"{") else b', "quality":'
    return head + separator + quality_json.encode("utf-8") + b"}\n"


IN_FLIGHT_PER_WORKER = 4  # chunks queued per worker: enough to keep them busy, bounded memory
_Chunk = TypeVar("_Chunk")


def ordered_window(chunks: Iterable[_Chunk], submit: Callable[[_Chunk], Any], result: Callable[[Any], Any],
                   workers: int) -> Iterator[tuple[_Chunk, Any]]:
    """Submit chunks with at most `workers * IN_FLIGHT_PER_WORKER` in flight; yield (chunk, result) in input order.

    Shared by the process-pool and Dask backends: collecting the oldest
    submission first keeps the order, and the bounded window keeps a corpus of
    any size from being read into memory ahead of the workers.
    """
    window: deque = deque()
    for chunk in chunks:
        window.append((chunk, submit(chunk)))
        if len(window) >= max(1, workers) * IN_FLIGHT_PER_WORKER:
            done, pending = window.popleft()
            yield done, result(pending)
    while window:
        done, pending = window.popleft()
        yield done, result(pending)
