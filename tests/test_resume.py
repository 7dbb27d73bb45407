"""`quality filter --output-dir`: killed at exact points with real signals, re-run, byte-identical to a run
never interrupted (outputs, markers and dedup index rows). Real processes, real files, real SIGKILL.

The exact points come from the test-only hook QUALITY_TEST_KILL_AT=POINT:N[:SIGNAL] (quality/shards.py):
the parent sends itself the signal at the N-th occurrence of the point.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import zstandard
from click.testing import CliRunner

from quality.cli import main
from quality.shards import KILL_ENV

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
QUALITY = str(Path(sys.executable).parent / "quality")
SHARDS = ("a.jsonl.gz", "b.jsonl", "c.jsonl.zst", "d.jsonl")
INDEX = "index.sqlite"


def _paragraphs() -> list[str]:
    out = []
    for path in sorted(SAMPLES.glob("*.txt")):
        out += [p for p in path.read_text(encoding="utf-8").split("\n\n") if len(p.split()) >= 8][:8]
    return out


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> list[str]:
    """Four shards: gzip (with a broken line), plain, zstd, and an empty one. Later shards repeat paragraphs of
    earlier ones under other ids, so the dedup index decides verdicts across shards."""
    folder = tmp_path_factory.mktemp("inputs")
    paragraphs = _paragraphs()

    def records(prefix: str, start: int, count: int) -> bytes:
        lines = []
        for i in range(count):
            chosen = [paragraphs[(start + i * 3 + k) % len(paragraphs)] for k in range(3)]
            lines.append(json.dumps({"id": f"{prefix}{i}", "text": "\n\n".join(chosen)}, ensure_ascii=False) + "\n")
        return "".join(lines).encode("utf-8")

    (folder / SHARDS[0]).write_bytes(gzip.compress(records("a", 0, 6) + b'{"id": "broken", "text": "never\n'))
    (folder / SHARDS[1]).write_bytes(records("b", 4, 6))
    (folder / SHARDS[2]).write_bytes(zstandard.ZstdCompressor().compress(records("c", 9, 5)))
    (folder / SHARDS[3]).write_bytes(b"")
    return [str(folder / name) for name in SHARDS]


def quality_filter(cwd: Path, inputs: list[str], *, jobs: int = 1, index: bool = True, kill_at: str | None = None,
                   extra: tuple[str, ...] = (), wait: bool = True):
    """Run `quality filter ... --output-dir out` in `cwd`; return (exit code, stderr) or the running process."""
    env = {key: value for key, value in os.environ.items() if key != KILL_ENV}
    if kill_at:
        env[KILL_ENV] = kill_at
    command = [QUALITY, "filter", *inputs, "--output-dir", "out", "--jobs", str(jobs), "--chunk-size", "2",
               *(["--dedup-index", INDEX] if index else []), *extra]
    stderr = open(cwd / f"stderr-{time.monotonic_ns()}.txt", "w+")  # noqa: SIM115 - read and closed below
    # a session of its own: the workers of a killed parent are found by its process group and stopped
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=stderr,
                               start_new_session=True)
    process.stderr_file = stderr
    return finish(process) if wait else process


def finish(process) -> tuple[int, str]:
    try:
        code = process.wait(timeout=180)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # workers orphaned by a killed parent
    process.stderr_file.seek(0)
    text = process.stderr_file.read()
    process.stderr_file.close()
    return code, text


def snapshot(cwd: Path) -> dict[str, bytes]:
    """Every file of the output folder (the lock file aside), with the run's own folder name blanked."""
    root = str(cwd.resolve()).encode()
    out = cwd / "out"
    return {str(path.relative_to(out)): path.read_bytes().replace(root, b"ROOT")
            for path in sorted(out.rglob("*")) if path.is_file() and path.name != ".lock"}


def index_rows(cwd: Path) -> dict[str, list[tuple]]:
    root = str(cwd.resolve())
    with contextlib.closing(sqlite3.connect(cwd / INDEX)) as db:
        return {table: [tuple(v.replace(root, "ROOT") if isinstance(v, str) else v for v in row)
                        for row in db.execute(f"SELECT * FROM {table} ORDER BY 1")]
                for table in ("paragraphs", "documents", "shards")}


@pytest.fixture(scope="module")
def reference(inputs, tmp_path_factory) -> dict[bool, tuple[dict, dict | None]]:
    """Uninterrupted runs, with and without the dedup index: the folder and the index rows."""
    out = {}
    for index in (False, True):
        cwd = tmp_path_factory.mktemp(f"reference-{index}")
        code, stderr = quality_filter(cwd, inputs, index=index)
        assert code == 2, stderr  # the broken line of a.jsonl.gz
        out[index] = (snapshot(cwd), index_rows(cwd) if index else None)
    return out


def assert_same_as_reference(cwd: Path, reference, index: bool) -> None:
    folder, rows = reference[index]
    assert snapshot(cwd) == folder
    if index:
        assert index_rows(cwd) == rows


def markers(cwd: Path) -> int:
    return len(list((cwd / "out" / "done").glob("*.json")))


def test_reference_outputs_are_complete_and_compressed_like_their_inputs(inputs, reference, tmp_path):
    folder, rows = reference[True]
    assert sorted(folder) == sorted([f"{kind}/{name}" for kind in ("kept", "rejected", "errors") for name in SHARDS]
                                    + [f"done/{name}.json" for name in SHARDS] + ["run.json"])
    decompress = {".gz": gzip.decompress, ".zst": lambda data: zstandard.ZstdDecompressor().decompressobj()
                  .decompress(data), ".jsonl": lambda data: data}
    total_in = total_out = 0
    for name, path in zip(SHARDS, inputs, strict=True):
        marker = json.loads(folder[f"done/{name}.json"])
        unpack = decompress[Path(name).suffix]
        records = {kind: unpack(folder[f"{kind}/{name}"]).splitlines() for kind in ("kept", "rejected", "errors")}
        for kind in records:  # the marker describes the files on disk
            assert marker["outputs"][kind]["sha256"] == hashlib.sha256(folder[f"{kind}/{name}"]).hexdigest()
            assert marker[kind] == len(records[kind])
        assert marker["read"] == marker["kept"] + marker["rejected"] + marker["errors"]
        input_lines = [line for line in unpack(Path(path).read_bytes()).splitlines() if line.strip()]
        assert marker["read"] == len(input_lines)
        total_in += len(input_lines)
        total_out += sum(len(lines) for lines in records.values())
        for line in records["kept"] + records["rejected"]:
            assert json.loads(line)["quality"]["verdict"] in ("keep", "review", "reject")
    assert total_in == total_out == 18
    kept = folder["kept/a.jsonl.gz"]
    assert kept[:2] == b"\x1f\x8b" and kept[4:8] == b"\0\0\0\0"  # gzip mtime 0: a redone shard is identical
    assert json.loads(gzip.decompress(folder["errors/a.jsonl.gz"]))["line"] == 7
    # the index decided verdicts across shards: later shards repeat paragraphs kept from earlier ones
    assert b"repeats paragraph" in folder["rejected/b.jsonl"]
    assert [tag.rsplit("/", 1)[1] for _, tag in rows["shards"]] == list(SHARDS)


def test_jobs_2_gives_the_same_folder_and_index(inputs, reference, tmp_path):
    code, stderr = quality_filter(tmp_path, inputs, jobs=2)
    assert code == 2, stderr
    assert "shards: 4 of 4 filtered now" in stderr
    assert_same_as_reference(tmp_path, reference, True)


@pytest.mark.parametrize(("kill_at", "jobs", "index", "finished"), [
    ("record:3", 1, False, 0),  # mid-shard, in the first shard
    ("record:9", 2, True, 1),  # mid-shard, in the second
    ("opened:2", 1, True, 1),  # the second shard's temporary outputs just created
    ("renamed-one:2", 1, True, 1),  # kept renamed into place, rejected and errors not yet
    ("after-rename:2", 2, True, 1),  # outputs in place, index rows and marker not yet
    ("after-commit:2", 1, True, 1),  # index rows committed, marker not yet
    ("after-commit:2", 2, True, 1),
    ("after-marker:1", 2, False, 1),
    ("after-marker:3", 1, True, 3),
    ("record:9:TERM", 2, True, 1),  # what kill, Docker and Kubernetes send
])
def test_killed_at_an_exact_point_then_resumed_is_byte_identical(inputs, reference, tmp_path, kill_at, jobs, index,
                                                                 finished):
    code, stderr = quality_filter(tmp_path, inputs, jobs=jobs, index=index, kill_at=kill_at)
    if kill_at.endswith("TERM"):  # a clean stop: the summary, the unfinished shard named, 128 + 15
        assert code == 143 and "stopped by SIGTERM" in stderr and "b.jsonl (" in stderr, stderr
    else:
        assert code == -signal.SIGKILL and "shards: " not in stderr, stderr
    assert markers(tmp_path) == finished
    assert not list((tmp_path / "out").rglob(".quality-tmp-*")) or not kill_at.endswith("TERM")
    code, stderr = quality_filter(tmp_path, inputs, jobs=3 - jobs, index=index)
    assert code == 2, stderr
    assert f"{finished} finished earlier, skipped" in stderr or finished == 0
    assert f"shards: {4 - finished} of {4 - finished} filtered now" in stderr
    assert_same_as_reference(tmp_path, reference, index)


def test_killed_twice_in_a_row_then_resumed(inputs, reference, tmp_path):
    for kill_at, jobs in (("opened:1", 2), ("after-commit:2", 1), ("record:2", 2)):
        code, _ = quality_filter(tmp_path, inputs, jobs=jobs, kill_at=kill_at)
        assert code == -signal.SIGKILL
    assert markers(tmp_path) == 1  # the second kill finished a (and b's index rows), the third none
    code, stderr = quality_filter(tmp_path, inputs, jobs=2)
    assert code == 2 and "1 finished earlier" in stderr, stderr
    assert_same_as_reference(tmp_path, reference, True)


def test_a_finished_folder_is_not_filtered_again(inputs, reference, tmp_path):
    code, _ = quality_filter(tmp_path, inputs, kill_at="after-marker:4")  # killed right after the last marker
    assert code == -signal.SIGKILL
    code, stderr = quality_filter(tmp_path, inputs)
    assert code == 2  # the error record of the earlier run still counts
    assert "read 0, kept 0, rejected 0, errors 0" in stderr and "4 finished earlier, skipped (read 18" in stderr
    assert_same_as_reference(tmp_path, reference, True)


def test_a_killed_worker_changes_nothing(inputs, reference, tmp_path):
    process = quality_filter(tmp_path, inputs, jobs=2, kill_at="record:5:STOP", wait=False)
    try:
        _wait_stopped(process.pid)
        children = [pid for pid in _pids() if _stat(pid)[1] == process.pid]
        assert children
        os.kill(children[0], signal.SIGKILL)
        os.kill(process.pid, signal.SIGCONT)
    finally:
        code, stderr = finish(process)
    assert code == 2, stderr
    assert_same_as_reference(tmp_path, reference, True)


def test_a_second_run_on_the_same_folder_is_refused(inputs, reference, tmp_path):
    first = quality_filter(tmp_path, inputs, kill_at="record:4:STOP", wait=False)
    try:
        _wait_stopped(first.pid)
        code, stderr = quality_filter(tmp_path, inputs)
        assert code == 3 and f"is in use by another quality filter run (process {first.pid})" in stderr, stderr
    finally:
        os.kill(first.pid, signal.SIGKILL)
        finish(first)
    code, stderr = quality_filter(tmp_path, inputs)
    assert code == 2, stderr
    assert_same_as_reference(tmp_path, reference, True)


def test_other_options_a_changed_input_or_a_damaged_folder_are_refused(inputs, tmp_path):
    own = []
    for path in inputs[:2]:
        own.append(str(tmp_path / Path(path).name))
        shutil.copy2(path, own[-1])
    code, _ = quality_filter(tmp_path, own, index=False)
    assert code == 2
    before = snapshot(tmp_path)
    code, stderr = quality_filter(tmp_path, own, index=False, extra=("--min-score", "0.5"))
    assert code == 2 and "was written with other options or models (--min-score was null, now 0.5)" in stderr
    code, stderr = quality_filter(tmp_path, own, index=False, extra=("--not-prose", "reject"))
    assert code == 2 and '--not-prose was "keep", now "reject"' in stderr
    code, stderr = quality_filter(tmp_path, own)
    assert code == 2 and "--dedup-index was null" in stderr
    assert snapshot(tmp_path) == before
    # a shard edited, or only touched, after it was filtered: refused, nothing touched
    with open(own[1], "ab") as shard:
        shard.write(b'{"id": "new", "text": "Una frase nueva."}\n')
    code, stderr = quality_filter(tmp_path, own, index=False)
    assert code == 2 and f"{own[1]} changed since it was filtered into out" in stderr, stderr
    shutil.copy2(inputs[1], own[1])
    os.utime(own[1], ns=(0, 0))
    code, stderr = quality_filter(tmp_path, own, index=False)
    assert code == 2 and f"{own[1]} changed since it was filtered into out" in stderr, stderr
    assert snapshot(tmp_path) == before
    # a finished shard's output deleted: refused, with the way out
    (tmp_path / "out" / "kept" / "a.jsonl.gz").unlink()
    code, stderr = quality_filter(tmp_path, own[:1], index=False)
    assert code == 2 and "kept/a.jsonl.gz is missing or changed" in stderr and "delete that marker" in stderr


def test_an_index_that_lost_a_finished_shard_is_refused(inputs, tmp_path):
    code, _ = quality_filter(tmp_path, inputs[:2])
    assert code == 2
    (tmp_path / INDEX).unlink()
    code, stderr = quality_filter(tmp_path, inputs[:2])
    assert code == 2 and "has no rows of a.jsonl.gz" in stderr, stderr


def test_a_missing_shard_is_named_and_the_others_are_filtered(inputs, reference, tmp_path):
    missing = tmp_path / "late" / "c.jsonl.zst"
    code, stderr = quality_filter(tmp_path, [*inputs[:2], str(missing), inputs[3]], index=False)
    assert code == 2 and f"error: {missing}: cannot open" in stderr
    assert "shards: 3 of 3 filtered now" in stderr and "1 input file could not be opened" in stderr
    missing.parent.mkdir()
    shutil.copy2(inputs[2], missing)  # same bytes and modification time as the reference's shard
    code, stderr = quality_filter(tmp_path, [*inputs[:2], str(missing), inputs[3]], index=False)
    assert "shards: 1 of 1 filtered now, 3 finished earlier" in stderr, stderr
    assert snapshot(tmp_path) == {name: data.replace(inputs[2].encode(), b"ROOT/late/c.jsonl.zst")
                                  for name, data in reference[False][0].items()}


@pytest.mark.parametrize(("extra", "message"), [
    (("-o", "kept.jsonl"), "drop -o/--output"),
    (("--rejected", "r.jsonl", "--annotate"), "drop --rejected, --annotate"),
    (("-",), "standard input cannot be resumed"),
    (("SAME-NAME",), "have the same file name"),
])
def test_options_that_clash_with_output_dir(inputs, tmp_path, extra, message):
    other = tmp_path / "a.jsonl.gz"
    other.write_bytes(b"")
    extra = tuple(str(other) if arg == "SAME-NAME" else arg for arg in extra)
    result = CliRunner().invoke(main, ["filter", inputs[0], "--output-dir", str(tmp_path / "out"), *extra])
    assert result.exit_code == 2 and message in result.stderr
    assert not (tmp_path / "out").exists()


def _pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def _stat(pid: int) -> tuple[str, int]:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        return fields[0], int(fields[1])
    except (OSError, IndexError, ValueError):
        return "", 0


def _wait_stopped(pid: int) -> None:
    deadline = time.monotonic() + 120
    while _stat(pid)[0] != "T":
        assert time.monotonic() < deadline and _stat(pid)[0] not in ("", "Z"), "never reached the stop point"
        time.sleep(0.05)


def test_dask_gives_the_same_folder_and_index(inputs, reference, tmp_path):
    pytest.importorskip("distributed", reason="the dask extra is not installed")
    code, stderr = quality_filter(tmp_path, inputs, extra=("--scheduler", "local:2"))
    assert code == 2, stderr
    assert_same_as_reference(tmp_path, reference, True)


def test_kill_9_from_outside_at_whatever_moment_then_resumed(inputs, reference, tmp_path):
    process = quality_filter(tmp_path, inputs, jobs=2, wait=False)
    try:
        deadline = time.monotonic() + 120
        while not (tmp_path / "out" / "done" / "a.jsonl.gz.json").exists() and process.poll() is None:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        os.kill(process.pid, signal.SIGKILL)  # no hook: wherever the parent happens to be
    finally:
        code, _ = finish(process)
    assert code == -signal.SIGKILL, "the run ended before it could be killed"
    code, stderr = quality_filter(tmp_path, inputs, jobs=2)
    assert code == 2, stderr
    assert_same_as_reference(tmp_path, reference, True)


def test_an_index_from_before_shards_gains_the_columns_and_keeps_its_rows(inputs, tmp_path):
    index = tmp_path / INDEX
    with contextlib.closing(sqlite3.connect(index)) as db:
        db.execute("CREATE TABLE paragraphs (hash BLOB PRIMARY KEY, doc_id TEXT, paragraph INTEGER, seq INTEGER)")
        db.execute("CREATE TABLE documents (seq INTEGER PRIMARY KEY, doc_id TEXT UNIQUE)")
        db.execute("INSERT INTO paragraphs VALUES (?, 'old', 0, NULL)", (b"\0" * 16,))
        db.commit()
    result = CliRunner().invoke(main, ["filter", inputs[1], "--output-dir", str(tmp_path / "out"),
                                       "--dedup-index", str(index)])
    assert result.exit_code == 0, result.stderr
    with contextlib.closing(sqlite3.connect(index)) as db:
        assert db.execute("SELECT doc_id, shard FROM paragraphs WHERE hash = ?", (b"\0" * 16,)).fetchall() == [
            ("old", None)]
        assert db.execute("SELECT COUNT(*) FROM paragraphs WHERE shard = 1").fetchone()[0] > 0
        assert [tag.rsplit("/", 1)[1] for (tag,) in db.execute("SELECT tag FROM shards")] == ["b.jsonl"]


def test_the_shards_hold_what_single_file_outputs_hold(inputs, reference, tmp_path):
    """Per-shard outputs, decompressed and put end to end, are the -o/--rejected/--errors files of a plain run."""
    files = {kind: tmp_path / f"{kind}.jsonl" for kind in ("kept", "rejected", "errors")}
    result = CliRunner().invoke(main, ["filter", *inputs, "-o", str(files["kept"]), "--rejected",
                                       str(files["rejected"]), "--errors", str(files["errors"]),
                                       "--dedup-index", str(tmp_path / INDEX)])
    assert result.exit_code == 2, result.stderr
    folder = reference[True][0]
    unpack = {".gz": gzip.decompress, ".zst": lambda data: zstandard.ZstdDecompressor().decompressobj()
              .decompress(data), ".jsonl": lambda data: data}
    for kind, path in files.items():
        joined = b"".join(unpack[Path(name).suffix](folder[f"{kind}/{name}"]) for name in SHARDS)
        assert joined and joined == path.read_bytes()
