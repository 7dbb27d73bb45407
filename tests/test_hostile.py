"""Hostile conditions (issue 9): no input destroyed, no orphan process, no traceback, a clear word for every
mistake. Real processes, real files and real signals."""

from __future__ import annotations

import json
import os
import subprocess
import sys
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
