"""`quality filter` end to end on real models and files, and the thread-safe Python API."""

from __future__ import annotations

import gzip
import json
import re
import sqlite3
import threading
from pathlib import Path

import pytest
import zstandard
from click.testing import CliRunner

from quality.cli import main

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
CLEAN = (SAMPLES / "000_ab59b22a7cee6b34.txt").read_text(encoding="utf-8")
GARBLED = (SAMPLES / "002_aa5f7ea85fa56edd.txt").read_text(encoding="utf-8")
SUMMARY_RE = re.compile(r"read ([\d,]+), kept ([\d,]+), rejected ([\d,]+), errors ([\d,]+)")


def jsonl_line(record: dict, **dump_options) -> bytes:
    return (json.dumps(record, ensure_ascii=False, **dump_options) + "\n").encode("utf-8")


def sample_records() -> list[dict]:
    return [{"id": f"s{i}", "text": path.read_text(encoding="utf-8"), "meta": {"file": path.name, "n": i}}
            for i, path in enumerate(sorted(SAMPLES.glob("*.txt")))]


def run_filter(*args: str, stdin: bytes | None = None):
    result = CliRunner().invoke(main, ["filter", *args], input=stdin, catch_exceptions=False)
    match = SUMMARY_RE.search(result.stderr)
    assert match, result.stderr
    counts = dict(zip(("read", "kept", "rejected", "errors"), (int(g.replace(",", "")) for g in match.groups()),
                      strict=True))
    return result, counts


def lines(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True) if path.exists() else []


def assert_only_quality_added(output_line: bytes, input_line: bytes) -> dict:
    """The output line is the input line, byte for byte, with a "quality" field spliced before its last brace."""
    body = input_line.rstrip()
    assert output_line.startswith(body[:-1]), "bytes before the added field changed"
    out, original = json.loads(output_line), json.loads(input_line)
    quality = out.pop("quality")
    assert out == original
    return quality


@pytest.fixture()
def mixed_inputs(tmp_path: Path) -> tuple[Path, Path, dict[str, bytes]]:
    """A file with good records and every kind of bad line, and a truncated gzip file."""
    good = {
        "clean": jsonl_line({"id": "clean", "text": CLEAN, "n": 1.50, "tags": ["a", "b"]}),
        # odd but valid formatting must survive untouched
        "garbled": b'  {"text": ' + json.dumps(GARBLED).encode() + b' ,"id":"garbled",  "x" : {"y": [1, 2]}  }  \r\n',
        "no-id": jsonl_line({"text": CLEAN + "\n\nOtra frase final para que el texto no sea igual."},
                            separators=(",", ":")),
    }
    bad = [
        b'{"id": "broken", "text": "never closed\n',
        b'["a", "list"]\n',
        b'{"id": "no-text"}\n',
        b'{"id": "number", "text": 42}\n',
        b'{"id": "latin1", "text": "caf\xe9 con leche"}\n',
        jsonl_line({"id": "huge", "text": "palabra " * 3000}),
    ]
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_bytes(good["clean"] + bad[0] + bad[1] + good["garbled"] + b"\n" + bad[2] + bad[3] + bad[4]
                      + bad[5] + good["no-id"])
    whole = gzip.compress(b"".join(jsonl_line(r) for r in sample_records()))
    truncated = tmp_path / "cut.jsonl.gz"
    truncated.write_bytes(whole[: len(whole) // 2])
    return mixed, truncated, good


def test_bad_lines_become_error_records_and_counts_add_up(tmp_path, mixed_inputs):
    mixed, truncated, good = mixed_inputs
    kept, rejected, errors = tmp_path / "kept.jsonl", tmp_path / "rejected.jsonl", tmp_path / "errors.jsonl"
    result, counts = run_filter(str(mixed), str(truncated), str(tmp_path / "missing.jsonl"), "-o", str(kept),
                                "--rejected", str(rejected), "--errors", str(errors), "--max-record-bytes", "20000")
    assert result.exit_code == 2
    assert counts["read"] == counts["kept"] + counts["rejected"] + counts["errors"]
    assert counts["kept"] == len(lines(kept)) and counts["rejected"] == len(lines(rejected))
    error_records = [json.loads(line) for line in lines(errors)]
    assert counts["errors"] == len(error_records)
    messages = "\n".join(f"{e['file']}:{e['line']}: {e['error']}" for e in error_records)
    for expected in ("mixed.jsonl:2: malformed JSON", "mixed.jsonl:3: not a JSON object",
                     "mixed.jsonl:6: text field 'text' is missing", "mixed.jsonl:7: text field 'text' is not a string",
                     "mixed.jsonl:8: invalid UTF-8", "mixed.jsonl:9: record is 24026 bytes, over the limit of 20000",
                     "cut.jsonl.gz:None: file truncated after line"):
        assert expected in messages
    # a missing file is named as missing, not counted as a record read (issue 9: it was "read 1 ... errors 1")
    assert "missing.jsonl: no such file" in result.stderr and "1 input file could not be opened" in result.stderr
    assert all(set(e) == {"file", "line", "error", "raw"} and len(e["raw"]) <= 1000 for e in error_records)
    for record in error_records:  # and every one of them was also named on stderr
        assert f"{record['file']}" in result.stderr and record["error"] in result.stderr

    kept_lines, rejected_lines = lines(kept), lines(rejected)
    quality = assert_only_quality_added(kept_lines[0], good["clean"])
    assert quality["verdict"] == "keep" and quality["source"] == "clean"
    quality = assert_only_quality_added(rejected_lines[0], good["garbled"])
    assert quality["verdict"] == "reject" and quality["paragraphs"]
    quality = assert_only_quality_added(kept_lines[1], good["no-id"])
    assert quality["source"] == "10"  # no id field: the line number
    # the records of the truncated file that were read before the cut
    for line in kept_lines[2:] + rejected_lines[1:]:
        assert json.loads(line)["id"].startswith("s")


def test_zstd_input_and_truncated_zstd(tmp_path):
    records = sample_records()
    data = b"".join(jsonl_line(r) for r in records)
    whole = zstandard.ZstdCompressor().compress(data)
    (tmp_path / "ok.jsonl.zst").write_bytes(whole)
    (tmp_path / "cut.jsonl.zst").write_bytes(whole[: len(whole) // 2])
    result, counts = run_filter(str(tmp_path / "ok.jsonl.zst"), str(tmp_path / "cut.jsonl.zst"), "--drop-rejected",
                                "-o", str(tmp_path / "kept.jsonl"))
    assert "cut.jsonl.zst: file truncated after line" in result.stderr
    assert counts["kept"] + counts["rejected"] >= len(records) and counts["errors"] == 1
    assert result.exit_code == 2


def test_jobs_2_keeps_input_order(tmp_path):
    records = [dict(r, id=f"{r['id']}-{copy}") for copy in range(4) for r in sample_records()]
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"".join(jsonl_line(r) for r in records))
    outputs = {}
    for jobs in ("1", "2"):
        kept, rejected = tmp_path / f"kept{jobs}.jsonl", tmp_path / f"rejected{jobs}.jsonl"
        result, counts = run_filter(str(source), "-o", str(kept), "--rejected", str(rejected), "--jobs", jobs,
                                    "--chunk-size", "3")
        assert result.exit_code == 0 and counts["read"] == len(records)
        outputs[jobs] = (kept.read_bytes(), rejected.read_bytes())
    assert outputs["1"] == outputs["2"]
    kept_ids = [json.loads(line)["id"] for line in outputs["2"][0].splitlines()]
    expected = [r["id"] for r in records if not r["id"].startswith("s2-")]
    assert kept_ids == expected


def test_annotate_writes_every_record_in_order(tmp_path):
    records = sample_records()
    stdin = b"".join(jsonl_line(r) for r in records)
    result, counts = run_filter("--annotate", "--compact", stdin=stdin)
    assert result.exit_code == 0 and counts == {"read": 5, "kept": 4, "rejected": 1, "errors": 0}
    out = result.stdout_bytes.splitlines(keepends=True)
    assert [json.loads(line)["id"] for line in out] == [r["id"] for r in records]
    verdicts = [assert_only_quality_added(line, original)["verdict"] for line, original in zip(out, stdin.splitlines(
        keepends=True), strict=True)]
    assert verdicts[2] == "reject" and verdicts[0] == "keep"


def test_cut_options(tmp_path):
    stdin = b"".join(jsonl_line(r) for r in sample_records())
    _, counts = run_filter("--annotate", "--min-score", "1", stdin=stdin)
    assert counts["rejected"] == 5  # every sample scores under 1
    for bad in ("1.01", "-0.5", "nan"):
        result = CliRunner().invoke(main, ["filter", "--annotate", "--min-score", bad], input=stdin)
        assert result.exit_code == 2 and "--min-score must be between 0 and 1" in result.output
    _, counts = run_filter("--annotate", "--reject-verdict", "review", stdin=stdin)
    assert counts["rejected"] >= 1


def test_rejected_records_need_a_destination():
    result = CliRunner().invoke(main, ["filter"], input=b"")
    assert result.exit_code == 2
    assert "--rejected FILE, --drop-rejected, or --annotate" in result.output


def test_dedup_index_across_runs(tmp_path):
    index = tmp_path / "seen.sqlite"
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    first.write_bytes(jsonl_line({"id": "a", "text": CLEAN}))
    second.write_bytes(jsonl_line({"id": "b", "text": CLEAN}) + jsonl_line(sample_records()[1]))
    _, counts = run_filter(str(first), "--dedup-index", str(index), "--drop-rejected", "-o", str(tmp_path / "k1"))
    assert counts["kept"] == 1
    # running the same document again (same id) is not a repeat of itself
    _, counts = run_filter(str(first), "--dedup-index", str(index), "--drop-rejected", "-o", str(tmp_path / "k1"))
    assert counts["kept"] == 1
    result, counts = run_filter(str(second), "--dedup-index", str(index), "--annotate", "-o", str(tmp_path / "k2"))
    assert counts == {"read": 2, "kept": 1, "rejected": 1, "errors": 0}
    repeat, other = (json.loads(line) for line in lines(tmp_path / "k2"))
    assert repeat["quality"]["verdict"] == "reject" and other["quality"]["verdict"] == "keep"
    findings = [f for p in repeat["quality"]["paragraphs"] for f in p["findings"] if f["code"] == "duplicate"]
    assert findings and all(f["data"]["duplicate_of_doc"] == "a" for f in findings)
    assert findings[0]["message"].startswith("repeats paragraph 1 of document a")
    assert any("repeat other documents (a)" in reason for reason in repeat["quality"]["reasons"])
    with sqlite3.connect(index) as db:
        docs = {row[0] for row in db.execute("SELECT doc_id FROM paragraphs")}
    assert docs == {"a", "s1"}


def test_dedup_index_with_jobs_2_passes_only_the_first_copy(tmp_path):
    records = []
    for copy in range(6):
        records.append({"id": f"copy{copy}", "text": CLEAN})
        records.append(dict(sample_records()[copy % 2 + 3], id=f"other{copy}"))
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"".join(jsonl_line(r) for r in records))
    kept, rejected = tmp_path / "kept.jsonl", tmp_path / "rejected.jsonl"
    _, counts = run_filter(str(source), "--dedup-index", str(tmp_path / "seen.sqlite"), "--jobs", "2",
                           "--chunk-size", "1", "-o", str(kept), "--rejected", str(rejected))
    assert [json.loads(line)["id"] for line in lines(kept)] == ["copy0", "other0", "other1"]
    assert counts["rejected"] == 9


def test_python_api_filter_and_threads():
    from quality import Detector

    detector = Detector()
    records = [{"doc": "x", "text": CLEAN}, {"doc": "y", "body": "no text"}]
    annotated = list(detector.filter(records, id_field="doc", compact=True))
    assert annotated[0]["quality"]["source"] == "x" and annotated[0]["doc"] == "x"
    assert annotated[1]["quality"]["verdict"] is None

    texts = [r["text"] for r in sample_records()] * 4
    sequential = [detector.analyze(t).to_dict() for t in texts]
    results: dict[int, dict] = {}

    def work(offset: int) -> None:
        for i in range(offset, len(texts), 4):
            results[i] = detector.analyze(texts[i]).to_dict()

    threads = [threading.Thread(target=work, args=(offset,)) for offset in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [results[i] for i in range(len(texts))] == sequential


def test_odd_but_valid_json_is_analysed(tmp_path):
    deep = b'{"id": "deep", "text": "hola", "a": ' + b"[" * 5000 + b"]" * 5000 + b"}\n"
    odd = [
        b"\xef\xbb\xbf" + jsonl_line({"id": "bom", "text": CLEAN}),  # a byte-order mark opens the file
        deep,
        b'{"id": "bigint", "n": ' + b"7" * 5000 + b', "text": ' + json.dumps(CLEAN).encode() + b"}\n",
        b'{"id": 1e999, "text": ' + json.dumps(CLEAN).encode() + b"}\n",
        b'{"id": true, "text": ' + json.dumps(CLEAN).encode() + b"}\n",
        b'{"id": "surrogate", "text": "Un texto con un car\\ud800cter roto en medio de una frase normal."}\n',
    ]
    source = tmp_path / "odd.jsonl"
    source.write_bytes(b"".join(odd))
    out, errors = tmp_path / "out.jsonl", tmp_path / "errors.jsonl"
    result, counts = run_filter(str(source), "--annotate", "-o", str(out), "--errors", str(errors))
    assert counts == {"read": 6, "kept": counts["kept"], "rejected": counts["rejected"], "errors": 1}
    [error] = [json.loads(line) for line in lines(errors)]
    assert error["line"] == 2 and error["error"] == "JSON nested too deeply to parse"
    written = lines(out)
    assert [json.loads(line, parse_int=str)["quality"]["source"] for line in written] == ["bom", "bigint", "1e999",
                                                                                        "true", "surrogate"]
    for output_line, input_line in zip(written, [odd[0][3:], *odd[2:]], strict=True):
        assert output_line.startswith(input_line.rstrip()[:-1])  # every input byte kept, the BOM aside
    assert result.exit_code == 2


def test_a_killed_worker_does_not_hang_or_lose_records(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    records = [dict(r, id=f"{r['id']}-{copy}") for copy in range(60) for r in sample_records()]
    source, kept = tmp_path / "in.jsonl", tmp_path / "kept.jsonl"
    source.write_bytes(b"".join(jsonl_line(r) for r in records))
    quality = Path(sys.executable).parent / "quality"
    run = subprocess.Popen([str(quality), "filter", str(source), "-o", str(kept), "--drop-rejected", "--jobs", "2",
                            "--chunk-size", "2"], stderr=subprocess.PIPE, text=True)
    killed = None
    deadline = time.monotonic() + 60
    while killed is None and run.poll() is None and time.monotonic() < deadline:
        children = [int(pid) for pid in os.listdir("/proc") if pid.isdigit() and _parent_of(int(pid)) == run.pid]
        # outputs are written beside their final name and renamed at the end (issue 9): wait for records there
        if children and any(part.stat().st_size > 0 for part in tmp_path.glob(".quality-tmp-kept.jsonl.*")):
            killed = children[0]
            os.kill(killed, signal.SIGKILL)
        time.sleep(0.05)
    _, stderr = run.communicate(timeout=120)
    assert killed is not None, "the run ended before a worker could be killed"
    counts = [int(n.replace(",", "")) for n in SUMMARY_RE.search(stderr).groups()]
    assert counts[0] == len(records) == counts[1] + counts[2] + counts[3]
    assert counts[3] == 0 and run.returncode == 0  # the records in flight were analysed again
    assert [json.loads(line)["id"] for line in lines(kept)] == [
        r["id"] for r in records if not r["id"].startswith("s2-")]  # 002 is the garbled sample


def _parent_of(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return int(stat.read().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def test_outputs_never_empty_an_input_or_each_other(tmp_path):
    import os

    source = tmp_path / "in.jsonl"
    data = b"".join(jsonl_line(r) for r in sample_records())
    source.write_bytes(data)
    precious = tmp_path / "precious.jsonl"
    precious.write_bytes(b"keep me\n")
    for args, message in [
        (["-o", str(source)], "is both an input and the -o output"),
        (["-o", str(precious), "--rejected", str(precious)], "-o and --rejected are the same file"),
        (["-o", str(precious), "--rejected", "-", "--errors", str(tmp_path / "e")], ""),
        (["-o", "-", "--rejected", "-"], "-o and --rejected both write to standard output"),
        (["-o", str(precious), "--drop-rejected", "--scheduler", "bogus"], "--scheduler 'bogus'"),
        (["-o", str(precious), "--drop-rejected", "--scheduler", "local:0"], "--scheduler 'local:0'"),
    ]:
        args = [*args, "--drop-rejected"] if "--rejected" not in args and "--drop-rejected" not in args else args
        result = CliRunner().invoke(main, ["filter", str(source), *args])
        if not message:  # --rejected - : rejected records go to standard output
            assert result.exit_code == 0 and b'"id": "s2"' in result.stdout_bytes
            precious.write_bytes(b"keep me\n")
            continue
        assert result.exit_code == 2 and message in result.output, (args, result.output)
        assert source.read_bytes() == data and precious.read_bytes() == b"keep me\n"
    result = CliRunner().invoke(main, ["filter", str(source), "-o", os.devnull, "--drop-rejected"])
    assert result.exit_code == 0  # a device is written to, never truncated
    # an output that cannot be opened stops the run before any other output is emptied
    result = CliRunner().invoke(main, ["filter", str(source), "-o", str(precious), "--rejected",
                                       str(tmp_path / "no" / "such" / "dir.jsonl")])
    # a missing output folder is a usage error (2) since issue 9, found before anything is read
    assert result.exit_code == 2 and precious.read_bytes() == b"keep me\n" and "does not exist" in result.output


def test_broken_model_or_index_stops_before_any_output(tmp_path):
    import shutil

    models = tmp_path / "models"
    shutil.copytree(Path(__file__).resolve().parent.parent / "models" / "es", models / "es")
    model = models / "es" / "model.bin"
    model.write_bytes(model.read_bytes()[:100_000])
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_bytes(b"".join(jsonl_line(r) for r in sample_records()))
    result = CliRunner().invoke(main, ["filter", str(source), "-o", str(out), "--drop-rejected",
                                       "--models-dir", str(models)])
    # exit codes since issue 9: 3 for a fatal problem (was 1, now kept for --fail-on), 2 for a usage error
    assert result.exit_code == 3 and "model.bin" in result.output and not out.exists()
    result = CliRunner().invoke(main, ["filter", str(source), "-o", str(out), "--drop-rejected",
                                       "--models-dir", str(tmp_path / "nowhere")])
    assert result.exit_code == 2 and "no such folder" in result.output
    not_sqlite = tmp_path / "index.sqlite"
    not_sqlite.write_bytes(b"this is not a database" * 100)
    result = CliRunner().invoke(main, ["filter", str(source), "-o", str(out), "--drop-rejected",
                                       "--dedup-index", str(not_sqlite)])
    assert result.exit_code == 3 and "not a usable dedup index" in result.output and not out.exists()


def test_dedup_index_rerun_gives_the_same_verdicts(tmp_path):
    shared = CLEAN.split("\n\n")[1]
    garbled = {"id": "D", "text": GARBLED + "\n\n" + shared}  # rejected, and shares a paragraph with E
    clean = {"id": "E", "text": CLEAN}
    source, index = tmp_path / "in.jsonl", tmp_path / "seen.sqlite"
    source.write_bytes(jsonl_line(garbled) + jsonl_line(clean))
    outputs = []
    for run in range(2):
        out = tmp_path / f"annotated{run}.jsonl"
        _, counts = run_filter(str(source), "--annotate", "-o", str(out), "--dedup-index", str(index))
        assert counts == {"read": 2, "kept": 1, "rejected": 1, "errors": 0}
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    assert b"dedup-index" not in outputs[1]  # D came first: E's later copy is no reason to mark D


def test_an_oversized_line_counts_all_its_bytes(tmp_path):
    import io

    from quality.filtering import FilterOptions
    from quality.filtering import run_filter as run_in_process

    source = tmp_path / "big.jsonl"
    source.write_bytes(jsonl_line({"id": "big", "text": "palabra " * 400_000}) + jsonl_line(sample_records()[0]))
    options = FilterOptions(inputs=[str(source)], output=str(tmp_path / "out.jsonl"), drop_rejected=True,
                            max_record_bytes=100_000)
    summary = run_in_process(options, stderr=io.StringIO())
    assert (summary.read, summary.errors) == (2, 1)
    assert summary.bytes_read == source.stat().st_size - 1  # every byte but the oversized line's newline
