"""Hostile conditions (issue 9): no input destroyed, no orphan process, no traceback, a clear word for every
mistake. Real processes, real files and real signals."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from quality.outfile import AtomicOutput, atomic_output, same_file

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
QUALITY = [sys.executable, "-m", "quality.cli"]


def jsonl_line(record: dict) -> bytes:
    return (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")


def sample_records() -> list[dict]:
    return [{"id": f"s{i}", "text": path.read_text(encoding="utf-8")}
            for i, path in enumerate(sorted(SAMPLES.glob("*.txt")))]


def run(*args: str, timeout: float = 300, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([*QUALITY, *args], capture_output=True, timeout=timeout, cwd=ROOT, **kwargs)


def no_traceback(result: subprocess.CompletedProcess) -> None:
    stderr = result.stderr.decode("utf-8", "replace")
    assert "Traceback" not in stderr and "Aborted!" not in stderr, stderr[-3000:]


# --- atomic outputs -------------------------------------------------------------------------------------------


def test_atomic_output_replaces_only_when_complete(tmp_path):
    target = tmp_path / "out.jsonl"
    target.write_bytes(b"old\n")
    with pytest.raises(RuntimeError), atomic_output(target) as handle:
        handle.write(b"half a li")
        raise RuntimeError("crash")
    assert target.read_bytes() == b"old\n" and os.listdir(tmp_path) == ["out.jsonl"]
    with atomic_output(target) as handle:
        handle.write(b"new\n")
        assert target.read_bytes() == b"old\n"  # nothing under the final name until the end
    assert target.read_bytes() == b"new\n" and os.listdir(tmp_path) == ["out.jsonl"]
    output = AtomicOutput(tmp_path / "second.jsonl")
    output.file.write(b"x")
    output.discard()
    assert sorted(os.listdir(tmp_path)) == ["out.jsonl"]


def test_same_file_sees_hard_links(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.write_bytes(b"x")
    os.link(a, b)
    assert same_file(a, b) and not same_file(a, tmp_path / "missing")


# --- data never destroyed -------------------------------------------------------------------------------------


def write_corpus(path: Path, copies: int = 1) -> list[dict]:
    records = [dict(r, id=f"{r['id']}-{copy}") for copy in range(copies) for r in sample_records()]
    path.write_bytes(b"".join(jsonl_line(r) for r in records))
    return records


def test_an_output_hard_linked_to_the_input_is_refused(tmp_path):
    source, linked = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_corpus(source)
    data = source.read_bytes()
    os.link(source, linked)
    result = run("filter", str(source), "-o", str(linked), "--drop-rejected")
    assert result.returncode == 2 and b"is both an input and the -o output" in result.stderr
    assert source.read_bytes() == data
    no_traceback(result)


def test_a_second_writer_of_the_index_is_refused_in_one_line(tmp_path):
    source, index = tmp_path / "in.jsonl", tmp_path / "seen.sqlite"
    write_corpus(source)
    first = subprocess.Popen([*QUALITY, "filter", "-", "-o", str(tmp_path / "a.jsonl"), "--drop-rejected",
                              "--dedup-index", str(index)], stdin=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    try:
        first.stdin.write(jsonl_line(sample_records()[0]))
        first.stdin.flush()
        deadline = time.monotonic() + 60
        while not _index_locked(index) and time.monotonic() < deadline:  # the first run holds its write lock
            time.sleep(0.1)
        assert _index_locked(index)
        second = run("filter", str(source), "-o", str(tmp_path / "b.jsonl"), "--drop-rejected",
                     "--dedup-index", str(index))
        assert second.returncode == 3, second.stderr
        lines = second.stderr.decode().strip().splitlines()
        assert len(lines) == 1 and "in use by another run" in lines[0] and str(index) in lines[0]
        assert not (tmp_path / "b.jsonl").exists()
    finally:
        first.stdin.close()
        first.wait(120)
    assert first.returncode == 0
    with sqlite3.connect(index) as db:
        assert db.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == 1


def _index_locked(path: Path) -> bool:
    if not path.exists():
        return False
    db = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        db.execute("BEGIN IMMEDIATE")
        db.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError as err:
        return "locked" in str(err)
    finally:
        db.close()


def children_of(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    if int(stat.read().rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    return found


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def start_slow_run(tmp_path: Path, index: Path, jobs: int = 2) -> tuple[subprocess.Popen, list[dict]]:
    """A --jobs run fed through a pipe, so it is surely mid-run when signalled; returns once records were done."""
    records = [dict(r, id=f"{r['id']}-{copy}") for copy in range(40) for r in sample_records()]
    run_ = subprocess.Popen([*QUALITY, "filter", "-", "-o", str(tmp_path / "kept.jsonl"), "--rejected",
                             str(tmp_path / "rejected.jsonl"), "--dedup-index", str(index), "--jobs", str(jobs),
                             "--chunk-size", "2"], stdin=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    run_.stdin.write(b"".join(jsonl_line(r) for r in records))
    run_.stdin.flush()  # the pipe stays open: the run cannot finish by itself
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        temps = list(tmp_path.glob(".quality-tmp-kept.jsonl.*"))
        if len(children_of(run_.pid)) >= jobs and any(_size(t) > 0 for t in temps):
            return run_, records
        time.sleep(0.05)
    run_.kill()
    raise AssertionError("the run did not start")


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def index_documents(index: Path) -> tuple[set[str], set[str]]:
    """(every numbered document, documents with indexed paragraphs) committed in the index."""
    if not index.exists():
        return set(), set()
    with sqlite3.connect(index) as db:
        documents = {row[0] for row in db.execute("SELECT doc_id FROM documents")}
        indexed = {row[0] for row in db.execute("SELECT DISTINCT doc_id FROM paragraphs")}
    return documents, indexed


def ids(path: Path) -> list[str]:
    return [json.loads(line)["id"] for line in path.read_bytes().splitlines()] if path.exists() else []


def kill_survivors(pids: list[int]) -> list[int]:
    """Kill (and return) those of `pids` still alive: a failing test leaves no orphan either."""
    survivors = [pid for pid in pids if alive(pid)]
    for pid in survivors:
        os.kill(pid, signal.SIGKILL)
    return survivors


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_sigterm_or_sigint_stops_workers_keeps_what_finished_and_exits_128_plus(tmp_path, signum):
    index = tmp_path / "seen.sqlite"
    run_, records = start_slow_run(tmp_path, index)
    workers = children_of(run_.pid)
    run_.send_signal(signum)
    try:
        _, stderr = run_.communicate(timeout=60)
    finally:
        time.sleep(0.5)
        survivors = kill_survivors(workers)
    assert not survivors, "workers outlived the run"
    stderr = stderr.decode()
    assert run_.returncode == 128 + signum, stderr
    assert "Traceback" not in stderr and "Aborted!" not in stderr
    counts = [int(n.replace(",", "")) for n in re.search(r"read ([\d,]+), kept ([\d,]+), rejected ([\d,]+), "
                                                         r"errors ([\d,]+)", stderr).groups()]
    kept, rejected = ids(tmp_path / "kept.jsonl"), ids(tmp_path / "rejected.jsonl")
    assert counts[0] == counts[1] + counts[2] + counts[3] and counts[0] > 0
    assert (len(kept), len(rejected)) == (counts[1], counts[2])
    assert kept + rejected and set(kept + rejected) <= {r["id"] for r in records}
    documents, indexed = index_documents(index)
    assert documents == set(kept) | set(rejected)  # the index and the outputs agree
    assert indexed <= set(kept)
    assert not list(tmp_path.glob(".quality-tmp-*"))


def test_sigkill_of_the_parent_leaves_no_worker_and_index_agrees_with_outputs(tmp_path):
    index = tmp_path / "seen.sqlite"
    # an earlier, finished run: its outputs and index must survive the killed run untouched
    earlier = tmp_path / "earlier.jsonl"
    write_corpus(earlier)
    done = run("filter", str(earlier), "-o", str(tmp_path / "kept.jsonl"), "--rejected",
               str(tmp_path / "rejected.jsonl"), "--dedup-index", str(index))
    assert done.returncode == 0, done.stderr
    before = (tmp_path / "kept.jsonl").read_bytes(), (tmp_path / "rejected.jsonl").read_bytes()
    documents_before = index_documents(index)
    run_, _ = start_slow_run(tmp_path, index)
    workers = children_of(run_.pid)
    assert workers
    run_.kill()
    run_.wait(30)
    deadline = time.monotonic() + 10
    while [pid for pid in workers if alive(pid)] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not kill_survivors(workers), "workers outlived their parent"
    assert ((tmp_path / "kept.jsonl").read_bytes(), (tmp_path / "rejected.jsonl").read_bytes()) == before
    assert index_documents(index) == documents_before


def test_huge_integer_and_lone_surrogate_records_that_repeat_an_indexed_paragraph(tmp_path):
    base = sample_records()[0]
    paragraph = max(base["text"].split("\n\n"), key=len)
    text = json.dumps(paragraph + "\n\nOtra cosa distinta aquí.")
    huge = '{"id": "huge", "n": ' + "7" * 4400 + ', "text": ' + text + "}\n"
    surrogate = '{"id": "sur\\ud800", "text": ' + json.dumps(paragraph + "\n\nFin \ud800 del texto.") + "}\n"
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_bytes(jsonl_line(base) + huge.encode() + surrogate.encode())
    result = run("filter", str(source), "-o", str(out), "--annotate", "--dedup-index", str(tmp_path / "i.sqlite"))
    no_traceback(result)
    assert result.returncode == 0, result.stderr
    lines = out.read_bytes().splitlines(keepends=True)
    assert len(lines) == 3
    assert lines[1].startswith(huge.encode()[:-2]) and lines[2].startswith(surrogate.encode()[:-2])
    for line in lines[1:]:
        quality = json.loads(line, parse_int=str)["quality"]
        assert quality["error"] is None and quality["stats"]["cross_document_duplicates"] == "1"


TMPFS_SIZE = "64k"


@pytest.fixture()
def small_disk(tmp_path):
    mount = tmp_path / "small"
    mount.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={TMPFS_SIZE}", "tmpfs", str(mount)],
                            capture_output=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {result.stderr.decode().strip() or result.returncode}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_disk_full_names_the_file_with_counts_and_leaves_old_files(tmp_path, small_disk):
    source = tmp_path / "in.jsonl"
    write_corpus(source, copies=12)  # about 200 KB of records: more than the disk holds
    kept, rejected = small_disk / "kept.jsonl", small_disk / "rejected.jsonl"
    kept.write_bytes(b'{"old": 1}\n')
    rejected.write_bytes(b'{"old": 2}\n')
    result = run("filter", str(source), "-o", str(kept), "--rejected", str(rejected))
    no_traceback(result)
    stderr = result.stderr.decode()
    assert result.returncode == 3, stderr
    assert "No space left on device" in stderr and re.search(r"kept\.jsonl|rejected\.jsonl", stderr)
    assert re.search(r"read [\d,]+, kept [\d,]+, rejected [\d,]+, errors [\d,]+", stderr)
    assert kept.read_bytes() == b'{"old": 1}\n' and rejected.read_bytes() == b'{"old": 2}\n'
    assert sorted(os.listdir(small_disk)) == ["kept.jsonl", "rejected.jsonl"]  # no temporary file left
    # the text report of check: the same promise
    report = small_disk / "report.txt"
    report.write_bytes(b"old report\n")
    many = tmp_path / "docs"
    many.mkdir()
    for i in range(40):
        (many / f"{i}.txt").write_text(sample_records()[2]["text"], encoding="utf-8")
    result = run("check", "-v", "-o", str(report), str(many))
    no_traceback(result)
    assert result.returncode == 3 and "report.txt: cannot write" in result.stderr.decode()
    assert report.read_bytes() == b"old report\n" and sorted(os.listdir(small_disk)) == [
        "kept.jsonl", "rejected.jsonl", "report.txt"]


# --- one clear line and a documented exit code for each mistake ----------------------------------------------


def test_check_output_into_a_missing_folder(tmp_path):
    result = run("check", "--format", "html", "-o", str(tmp_path / "nonexistent" / "r.html"), "samples/")
    no_traceback(result)
    assert result.returncode == 2
    assert result.stderr.decode().strip().splitlines() == [
        f"Error: -o {tmp_path / 'nonexistent' / 'r.html'}: cannot write there: No such file or directory"]


def test_an_old_report_is_not_emptied_when_every_input_fails(tmp_path):
    report = tmp_path / "r.html"
    report.write_text("old page", encoding="utf-8")
    result = run("check", "--format", "html", "-o", str(report), str(tmp_path / "missing.txt"))
    no_traceback(result)
    assert result.returncode == 2 and b"no HTML report written" in result.stderr
    assert report.read_text(encoding="utf-8") == "old page"
    result = run("check", "--format", "html", str(tmp_path / "missing.txt"))
    assert result.returncode == 2 and result.stdout == b""  # no page listing nothing


def broken_models(tmp_path: Path, kind: str) -> Path:
    import shutil

    models = tmp_path / "models"
    shutil.copytree(ROOT / "models" / "es", models / "es")
    if kind == "card":
        card = json.loads((models / "es" / "card.json").read_text(encoding="utf-8"))
        card["lang"] = ["es"]
        (models / "es" / "card.json").write_text(json.dumps(card), encoding="utf-8")
    else:
        (models / "es" / "model.bin").write_bytes(os.urandom(200_000))
    return models


@pytest.mark.parametrize("kind", ["card", "model"])
def test_a_broken_model_folder_is_one_line_in_every_command(tmp_path, kind):
    models = broken_models(tmp_path, kind)
    source = tmp_path / "in.jsonl"
    write_corpus(source)
    text = tmp_path / "doc.txt"
    text.write_text(sample_records()[0]["text"], encoding="utf-8")
    commands = [["check", "--models-dir", str(models), str(text)],
                ["filter", str(source), "-o", str(tmp_path / "o.jsonl"), "--drop-rejected",
                 "--models-dir", str(models)]]
    if kind == "card":
        commands.append(["models", "--models-dir", str(models)])
    for command in commands:
        result = run(*command)
        no_traceback(result)
        errors = [line for line in result.stderr.decode().splitlines() if line.startswith("Error:")]
        assert result.returncode == 3, (command, result.stderr)
        assert len(errors) == 1 and ("card.json" if kind == "card" else "model.bin") in errors[0], result.stderr
    assert not (tmp_path / "o.jsonl").exists()


def test_a_missing_models_dir_is_a_usage_error(tmp_path):
    for command in (["check", "--models-dir", "/nonexist", "samples/"], ["models", "--models-dir", "/nonexist"],
                    ["filter", "-", "--drop-rejected", "--models-dir", "/nonexist"]):
        result = run(*command, input=b"")
        no_traceback(result)
        assert result.returncode == 2 and result.stderr.decode().strip() == \
            "Error: --models-dir /nonexist: no such folder", result.stderr


def test_compression_is_told_by_magic_bytes_and_errors_are_capped(tmp_path):
    import gzip

    import zstandard

    records = sample_records()
    data = b"".join(jsonl_line(r) for r in records)
    (tmp_path / "gz.jsonl").write_bytes(gzip.compress(data))
    (tmp_path / "zst.txt").write_bytes(zstandard.ZstdCompressor().compress(data))
    (tmp_path / "plain.jsonl.gz").write_bytes(data)
    for name in ("gz.jsonl", "zst.txt", "plain.jsonl.gz"):
        result = run("filter", str(tmp_path / name), "-o", str(tmp_path / "o.jsonl"), "--drop-rejected")
        assert result.returncode == 0 and f"read {len(records)}," in result.stderr.decode(), (name, result.stderr)
    garbage = tmp_path / "garbage.jsonl"
    garbage.write_bytes(b"".join(b"not json %d\n" % i for i in range(500)))
    result = run("filter", str(garbage), "-o", str(tmp_path / "o.jsonl"), "--drop-rejected",
                 "--errors", str(tmp_path / "e.jsonl"))
    lines = result.stderr.decode().strip().splitlines()
    assert result.returncode == 2 and len(lines) == 22, lines  # 20 errors, one line for the rest, the summary
    assert "480 more errors not shown" in lines[20] and "read 500," in lines[21]
    assert len((tmp_path / "e.jsonl").read_bytes().splitlines()) == 500  # the errors file has every one


def test_a_missing_input_is_reported_as_missing(tmp_path):
    result = run("filter", str(tmp_path / "nope.jsonl"), "-o", str(tmp_path / "o.jsonl"), "--drop-rejected")
    no_traceback(result)
    stderr = result.stderr.decode()
    assert result.returncode == 2 and "nope.jsonl: no such file" in stderr
    assert "read 0, kept 0, rejected 0, errors 0" in stderr and "1 input file could not be opened" in stderr


def test_check_dir_names_the_files_it_skips(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text(sample_records()[0]["text"], encoding="utf-8")
    (folder / "page.html").write_text("<p>x</p>", encoding="utf-8")
    (folder / "blob.bin").write_bytes(b"\x00\x01")
    result = run("check", "--quiet", str(folder))
    assert result.returncode == 0
    assert "skipped 2 files that are not text files" in result.stderr.decode()
    assert "blob.bin" in result.stderr.decode() and "page.html" in result.stderr.decode()


def test_a_failed_train_leaves_no_folder(tmp_path):
    out = tmp_path / "new" / "fr"
    result = run("train", "--lang", "fr", str(tmp_path / "missing.txt"), "--out", str(out))
    no_traceback(result)
    assert result.returncode == 3 and b"missing.txt" in result.stderr
    assert not (tmp_path / "new").exists()


HOSTILE_TEXT = ("Titular\x1b]0;pwned\x07 con \x1b[31mcolor\x1b[0m y un pitido\x07.\n\n"
                "El gobierno aprobó ayer el presupuesto\x1b[2J para el próximo año tras una larga negociación.")


def test_terminal_output_escapes_control_characters(tmp_path):
    doc = tmp_path / "evil\x1b[2Jname.txt"
    doc.write_text(HOSTILE_TEXT, encoding="utf-8")
    result = run("check", "-v", str(doc))
    assert b"\x1b" not in result.stdout and b"\x07" not in result.stdout
    assert b"\\x1b]0;pwned\\x07" in result.stdout and b"evil\\x1b[2Jname.txt" in result.stdout
    result = run("check", "--format", "json", str(doc))
    report = json.loads(result.stdout)[0]
    assert report["source"] == str(doc)  # JSON keeps the text as it is
    source = tmp_path / "evil\x1b]0;x\x07.jsonl"
    source.write_bytes(b"not json\x1b[2J\n")
    result = run("filter", str(source), "-o", str(tmp_path / "o.jsonl"), "--drop-rejected")
    assert result.returncode == 2 and b"\x1b" not in result.stderr and b"\\x1b]0;x\\x07" in result.stderr
