"""The adversarial run of issue 9, repeatable: bad inputs, fuzzing, signals and a full disk.

    nice .venv/bin/python bench/reliability.py [--fuzz-minutes 10] [--signal-trials 5] [--skip ...]

(a) bad inputs: 40 kinds of bad files through `quality filter` (and the text
    ones through `quality check`), one process each;
(b) fuzzing with hypothesis: `Detector.analyze` on hostile text, `Detector.filter`
    on arbitrary JSON values, and the filter (`run_filter`, the code behind
    `quality filter`) on files of fuzzed lines, for --fuzz-minutes in all;
(c) signals: SIGTERM, SIGINT and SIGKILL of `quality filter --jobs 2` at a
    random moment, --signal-trials of each;
(d) a full disk: `quality filter` and `quality check -o` into a 64 KB tmpfs
    (skipped, with the reason, where mounting is not allowed).

Every case checks the promises: no traceback, a documented exit code, no hang
(a timeout), read = kept + rejected + errors, outputs byte-identical to the
input plus the `quality` field, the errors file as long as the error count,
no records lost (every record read is in exactly one output, in order), no
worker left behind, index and outputs agreeing, no temporary or half-written
file under an output's name. Prints a markdown table of counts.
"""

from __future__ import annotations

import argparse
import bz2
import gzip
import io
import json
import lzma
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

import zstandard

ROOT = Path(__file__).resolve().parent.parent
QUALITY = [sys.executable, "-m", "quality.cli"]
SAMPLES = ROOT / "samples"
SUMMARY_RE = re.compile(r"read ([\d,]+), kept ([\d,]+), rejected ([\d,]+), errors ([\d,]+)")
TIMEOUT = 180


class Tally:
    """Counts of one section: cases, crashes, hangs, invariant violations, records lost."""

    def __init__(self, name: str):
        self.name = name
        self.cases = self.crashes = self.hangs = self.violations = self.lost = 0
        self.seconds = 0.0  # wall time of the section
        self.before_start = 0  # signal trials that stopped the command before the filter began
        self.notes: list[str] = []

    def fail(self, kind: str, note: str, lost: int = 0) -> None:
        setattr(self, kind, getattr(self, kind) + 1)
        self.lost += lost
        self.notes.append(f"{self.name}: {kind}: {note}"[:600])

    def row(self) -> str:
        return (f"| {self.name} | {self.cases:,} | {self.crashes} | {self.hangs} | {self.violations} | {self.lost} "
                f"| {self.seconds:.0f} |")


def records(copies: int = 1) -> list[dict]:
    texts = [p.read_text(encoding="utf-8") for p in sorted(SAMPLES.glob("*.txt"))]
    return [{"id": f"d{copy}-{i}", "text": text} for copy in range(copies) for i, text in enumerate(texts)]


def line(record: object) -> bytes:
    return (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8", "surrogatepass")


def good_lines(copies: int = 1) -> bytes:
    return b"".join(line(r) for r in records(copies))


def quality(*args: str, timeout: float = TIMEOUT, **kwargs) -> subprocess.CompletedProcess | None:
    """Run the command line; None when it hangs past the timeout (then it is killed)."""
    try:
        return subprocess.run([*QUALITY, *args], capture_output=True, timeout=timeout, cwd=ROOT, **kwargs)
    except subprocess.TimeoutExpired:
        return None


def parse_int(literal: str) -> int | str:
    return int(literal) if len(literal) < 4000 else literal


def lines_of(data: bytes) -> list[bytes]:
    """Output lines: they end at \\n only (a \\r is JSON white space inside a record)."""
    return [x for x in data.split(b"\n") if x]


def input_plus_quality(output: bytes, heads: set[bytes]) -> bool:
    """Is `output` one of the input lines (given by `heads`: each without its closing brace) plus a quality field?"""
    head = output[: output.rfind(b'"quality":')]
    return head in heads or (head.endswith(b", ") and head[:-2] in heads)


def line_heads(lines: list[bytes]) -> set[bytes]:
    """What precedes the closing brace of each input line (a byte-order mark dropped, as the reader does)."""
    return {x.removeprefix(b"\xef\xbb\xbf").rstrip()[:-1] for x in lines}


def check_outputs(tally: Tally, label: str, stderr: str, kept: Path, rejected: Path, errors: Path | None,
                  inputs: list[bytes] | None) -> None:
    """The invariants of a finished or stopped filter run; `inputs` are the record lines when known."""
    match = SUMMARY_RE.search(stderr)
    if not match:
        tally.fail("violations", f"{label}: no summary line: {stderr[-300:]!r}")
        return
    read, n_kept, n_rejected, n_errors = (int(g.replace(",", "")) for g in match.groups())
    if read != n_kept + n_rejected + n_errors:
        tally.fail("violations", f"{label}: read {read} != kept + rejected + errors")
    out = {name: (lines_of(path.read_bytes()) if path and path.exists() else [])
           for name, path in (("kept", kept), ("rejected", rejected), ("errors", errors))}
    if len(out["kept"]) != n_kept or len(out["rejected"]) != n_rejected:
        tally.fail("violations", f"{label}: outputs hold {len(out['kept'])}/{len(out['rejected'])} lines, "
                                 f"summary says {n_kept}/{n_rejected}", lost=abs(n_kept + n_rejected
                                                                                 - len(out["kept"])
                                                                                 - len(out["rejected"])))
    heads = line_heads(inputs) if inputs is not None else set()
    if errors is not None and len(out["errors"]) != n_errors:
        tally.fail("violations", f"{label}: errors file has {len(out['errors'])} lines, summary says {n_errors}")
    for output_line in out["kept"] + out["rejected"]:
        try:
            record = json.loads(output_line, parse_int=parse_int, parse_float=str)
            record.pop("quality")
        except (ValueError, KeyError, AttributeError, RecursionError) as err:
            tally.fail("violations", f"{label}: output line is not a record with quality: {err}")
            continue
        if inputs is not None and not input_plus_quality(output_line, heads):
            tally.fail("violations", f"{label}: an output line is not an input line plus quality")
    if inputs is not None:  # every record read is somewhere: outputs plus errors, in input order
        written = len(out["kept"]) + len(out["rejected"]) + n_errors
        if written < read:
            tally.fail("violations", f"{label}: {read - written} records read but written nowhere",
                       lost=read - written)


# --- (a) bad input files ---------------------------------------------------------------------------------------


def bad_kinds() -> dict[str, tuple[str, bytes]]:
    """kind -> (file name, bytes): each a way an input file can be wrong."""
    good = good_lines()
    one = line(records()[0])
    text = records()[0]["text"]
    deep = b'{"text": "x", "a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}\n"
    whole_gz = gzip.compress(good)
    whole_zst = zstandard.ZstdCompressor().compress(good)
    corrupt_gz = bytearray(whole_gz)
    for i in range(40, len(corrupt_gz) - 40, 97):
        corrupt_gz[i] ^= 0x5A
    return {
        "empty file": ("empty.jsonl", b""),
        "only blank lines": ("blank.jsonl", b"\n\n\n\r\n"),
        "only white space": ("spaces.jsonl", b"   \t  \n \n"),
        "UTF-8 BOM": ("bom.jsonl", b"\xef\xbb\xbf" + good),
        "CRLF line ends": ("crlf.jsonl", good.replace(b"\n", b"\r\n")),
        "no final newline": ("nofinal.jsonl", good.rstrip(b"\n")),
        "malformed JSON": ("malformed.jsonl", one + b'{"id": "x", "text": "never closed\n' + b"{,}\n" + one),
        "JSON arrays": ("arrays.jsonl", b'["a", "b"]\n[]\n' + one),
        "JSON scalars": ("scalars.jsonl", b'"text"\n42\nnull\ntrue\n' + one),
        "no text field": ("notext.jsonl", b'{"id": 1}\n{}\n' + one),
        "text not a string": ("nonstring.jsonl", b'{"text": 42}\n{"text": ["a"]}\n{"text": null}\n{"text": {}}\n'),
        "invalid UTF-8": ("badutf8.jsonl", b'{"text": "caf\xe9 \xff\xfe"}\n' + one),
        "Latin-1 file": ("latin1.jsonl", json.dumps({"text": "canción pequeña"}, ensure_ascii=False)
                         .encode("latin-1") + b"\n"),
        "UTF-16 file": ("utf16.jsonl", good.decode("utf-8").encode("utf-16")),
        "NUL bytes": ("nul.jsonl", b'{"text": "a\x00b"}\n\x00\x00\x00\n' + one),
        "lone surrogates": ("surrogate.jsonl", b'{"id": "\\udc80", "text": "Hola \\ud800 mundo. ' + b"Texto " * 20
                            + b'"}\n'),
        "4,400-digit integer": ("bigint.jsonl", b'{"n": ' + b"9" * 4400 + b', "text": ' +
                                json.dumps(text).encode() + b"}\n"),
        "1e999 and NaN": ("floats.jsonl", b'{"x": 1e999, "y": -1e999, "text": "Un texto corto para ver."}\n'
                          b'{"x": NaN, "text": "Otro texto corto."}\n'),
        "JSON nested 100,000 deep": ("deep.jsonl", deep),
        "line over --max-record-bytes": ("huge.jsonl", line({"text": "palabra " * 1_400_000}) + one),
        "gzip named .jsonl": ("gz.jsonl", whole_gz),
        "zstd named .txt": ("zst.txt", whole_zst),
        "truncated gzip": ("cut.jsonl.gz", whole_gz[: len(whole_gz) // 2]),
        "truncated zstd": ("cut.jsonl.zst", whole_zst[: len(whole_zst) // 2]),
        "corrupt gzip": ("corrupt.jsonl.gz", bytes(corrupt_gz)),
        "empty .gz": ("empty.jsonl.gz", b""),
        "plain text named .gz": ("plain.jsonl.gz", good),
        "xz": ("x.jsonl.xz", lzma.compress(good)),
        "bzip2": ("b.jsonl.bz2", bz2.compress(good)),
        "random bytes": ("random.jsonl", random.Random(9).randbytes(200_000)),
        "PNG header": ("image.jsonl", b"\x89PNG\r\n\x1a\n" + random.Random(3).randbytes(5000)),
        "terminal escapes": ("escapes.jsonl", line({"id": "\x1b]0;pwned\x07", "text": "Hola\x1b[2J\x07 " + text})),
        "duplicate keys": ("dupkeys.jsonl", b'{"text": "uno", "text": ' + json.dumps(text).encode() + b"}\n"),
        "one 200 KB word": ("longword.jsonl", line({"text": "a" * 200_000})),
        "5,000 tiny records": ("tiny.jsonl", b"".join(b'{"text": "a"}\n' for _ in range(5000))),
        "empty text": ("emptytext.jsonl", b'{"text": ""}\n{"text": "   "}\n'),
        "only emoji and controls": ("emoji.jsonl", line({"text": "🙂🙃\u200b\u202e\x0b" * 300})),
        "binary in a text field": ("binfield.jsonl", line({"text": random.Random(5).randbytes(3000)
                                                           .decode("latin-1")})),
        "a folder as input": ("folder.jsonl", None),
        "a missing input": ("missing.jsonl", None),
    }


def run_bad_inputs(work: Path) -> Tally:
    tally = Tally("bad input files (filter)")
    for kind, (name, data) in bad_kinds().items():
        tally.cases += 1
        folder = work / f"bad-{tally.cases}"
        folder.mkdir()
        path = folder / name
        if kind == "a folder as input":
            path.mkdir()
        elif data is not None:
            path.write_bytes(data)
        kept, rejected, errors = folder / "kept.out", folder / "rejected.out", folder / "errors.out"
        result = quality("filter", str(path), "-o", str(kept), "--rejected", str(rejected), "--errors", str(errors),
                         "--max-record-bytes", "1000000")
        if result is None:
            tally.fail("hangs", kind)
            continue
        stderr = result.stderr.decode("utf-8", "replace")
        if "Traceback" in stderr or result.returncode not in (0, 2):
            tally.fail("crashes", f"{kind}: exit {result.returncode}: {stderr[-400:]}")
            continue
        if "\x1b" in stderr or "\x07" in stderr:
            tally.fail("violations", f"{kind}: a control character reached the terminal")
        if len([x for x in stderr.splitlines() if x.startswith("error:")]) > 22:
            tally.fail("violations", f"{kind}: more than 20 error lines and a summary for one file")
        inputs = data.split(b"\n") if data and not name.endswith((".gz", ".zst", ".xz", ".bz2")) \
            and kind not in ("gzip named .jsonl", "zstd named .txt") else None
        check_outputs(tally, kind, stderr, kept, rejected, errors, inputs)
        if list(folder.glob(".quality-tmp-*")):
            tally.fail("violations", f"{kind}: a temporary output was left behind")
    return tally


def run_bad_check_inputs(work: Path) -> Tally:
    tally = Tally("bad input files (check)")
    text = records()[0]["text"]
    kinds = {
        "empty": b"", "white space": b" \n\t\n", "NUL bytes": b"a\x00b" * 100, "invalid UTF-8": b"caf\xe9 \xff",
        "UTF-16": text.encode("utf-16"), "gzip": gzip.compress(text.encode()),
        "random": random.Random(1).randbytes(9000),
        "escapes": ("T\x1b]0;pwned\x07 \x1b[31m" + text).encode(), "lone CR": text.replace("\n", "\r").encode(),
        "one huge line": ("palabra " * 300_000).encode(), "emoji": ("🙂" * 5000).encode(),
    }
    folder = work / "check-bad"
    folder.mkdir()
    for index, data in enumerate(kinds.values()):
        (folder / f"{index}.txt").write_bytes(data)
    (folder / "page.html").write_text("<p>x</p>", encoding="utf-8")
    for fmt in ("text", "json", "html"):
        tally.cases += 1
        output = folder.parent / f"report-{fmt}.out"
        result = quality("check", "--format", fmt, "-o", str(output), str(folder))
        if result is None:
            tally.fail("hangs", fmt)
            continue
        stderr = result.stderr.decode("utf-8", "replace")
        if "Traceback" in stderr or result.returncode != 2:
            tally.fail("crashes", f"check {fmt}: exit {result.returncode}: {stderr[-400:]}")
            continue
        if "skipped 1 file" not in stderr:
            tally.fail("violations", f"check {fmt}: the skipped file was not named")
        body = output.read_bytes()
        if fmt == "text" and (b"\x1b" in body or b"\x07" in body):
            tally.fail("violations", "check text: a control character in the text report")
        if fmt == "json":
            count = len(json.loads(body))
            errors = len([x for x in stderr.splitlines() if x.startswith("error:")])
            if count + errors < len(kinds):
                tally.fail("violations", f"check json: {count} reports + {errors} errors < {len(kinds)} inputs",
                           lost=len(kinds) - count - errors)
    return tally


# --- (b) fuzzing -------------------------------------------------------------------------------------------------


def run_fuzz(work: Path, minutes: float) -> list[Tally]:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from quality import Detector
    from quality.filter_worker import AnalysisSettings
    from quality.filtering import FilterOptions, run_filter

    detector = Detector()
    words = [w for r in records() for w in r["text"].split()][:3000]
    hostile_chars = st.characters(codec=None, exclude_categories=())  # surrogates, controls, everything
    piece = st.one_of(st.sampled_from(words), st.text(hostile_chars, max_size=8),
                      st.sampled_from(["\n\n", "\n", ". ", "«", "»", '"', "¿", "¡", "...", " ", "\x1b[31m", "\r",
                                       "\u202e", "\ufeff", "&amp;", "Ã³", "http://a.b/c", "@x", "#y", "1" * 30]))
    texts = st.lists(piece, max_size=200).map(" ".join)
    langs = st.one_of(st.none(), st.sampled_from(["es", "en", "EN", "pt_BR", "eng", "xx", "", "\ud800", "zz-ZZ"]))
    json_values = st.recursive(
        st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), texts),
        lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4),
        max_leaves=12)
    record_values = st.one_of(
        st.fixed_dictionaries({"text": texts}, optional={"id": json_values, "lang": langs}),
        st.dictionaries(st.sampled_from(["text", "id", "lang", "x"]), json_values, max_size=4),
        json_values)

    analyze_tally, api_tally, cli_tally = Tally("fuzz: Detector.analyze"), Tally("fuzz: Detector.filter"), \
        Tally("fuzz: quality filter (run_filter)")

    def check_report(report, text: str) -> None:
        assert 0.0 <= report.score <= 1.0 and report.verdict in ("keep", "review", "reject")
        encoded = json.dumps(report.to_dict(), ensure_ascii=False).encode("utf-8")  # always valid UTF-8
        assert encoded
        previous_end = 0
        for paragraph in report.paragraphs:
            assert 0 <= previous_end <= paragraph.start <= paragraph.end <= len(text)
            previous_end = paragraph.end
            for finding in paragraph.findings:
                assert 0 <= finding.start <= finding.end <= len(text)

    @given(texts, langs)
    def analyze_case(text, lang):
        analyze_tally.cases += 1
        report = detector.analyze(text, lang=lang)
        check_report(report, text)

    @given(st.lists(record_values, max_size=6))
    def api_case(values):
        api_tally.cases += 1
        out = list(detector.filter(iter(values), text_field="text", lang_field="lang"))
        assert len(out) == len(values)
        for value, result in zip(values, out):
            assert isinstance(result.get("quality"), dict)
            json.dumps(result["quality"], ensure_ascii=False).encode("utf-8")
            if isinstance(value, dict) and isinstance(value.get("text"), str) and result["quality"]["verdict"]:
                assert result["quality"]["verdict"] in ("keep", "review", "reject")

    raw_lines = st.one_of(
        record_values.map(lambda v: json.dumps(v, ensure_ascii=False).encode("utf-8", "surrogatepass")),
        st.binary(max_size=200),
        st.sampled_from([b"{", b"[]", b'{"text": 1}', b"\xff\xfe", b'{"text": "a"} trailing', b"   "]))
    case_counter = iter(range(10**9))

    @given(st.lists(raw_lines, max_size=12), st.booleans())
    def filter_case(lines, dedup):
        cli_tally.cases += 1
        folder = work / f"fuzz-{next(case_counter)}"
        folder.mkdir()
        data = b"".join(x.replace(b"\n", b" ") + b"\n" for x in lines)
        source = folder / "in.jsonl"
        source.write_bytes(data)
        kept, rejected, errors = folder / "kept", folder / "rejected", folder / "errors"
        stderr = io.StringIO()
        summary = run_filter(FilterOptions(
            inputs=[str(source)], output=str(kept), rejected=str(rejected), errors=str(errors),
            dedup_index=str(folder / "index.sqlite") if dedup else None, settings=AnalysisSettings()), stderr=stderr)
        assert summary.read == summary.kept + summary.rejected + summary.errors
        assert summary.read == len([x for x in data.split(b"\n") if x.strip()])  # lines end at \n only
        outputs = lines_of(kept.read_bytes()) + lines_of(rejected.read_bytes())
        assert len(outputs) == summary.kept + summary.rejected
        assert len(lines_of(errors.read_bytes())) == summary.errors
        heads = line_heads(data.split(b"\n"))
        for output in outputs:
            assert input_plus_quality(output, heads), output[:200]
        assert "\x1b" not in stderr.getvalue()
        for path in folder.iterdir():
            path.unlink()
        folder.rmdir()

    deadline = time.monotonic() + minutes * 60
    share = [(analyze_case, analyze_tally, 0.4), (api_case, api_tally, 0.25), (filter_case, cli_tally, 0.35)]
    start = time.monotonic()
    for case, tally, fraction in share:
        until = min(deadline, time.monotonic() + fraction * (deadline - start))
        runner = settings(max_examples=100, deadline=None, database=None, derandomize=False,
                          suppress_health_check=list(HealthCheck))(case)
        while time.monotonic() < until:
            try:
                runner()
            except Exception as err:  # hypothesis re-raises the shrunk failing example
                tally.fail("crashes" if not isinstance(err, AssertionError) else "violations",
                           "".join(traceback.format_exception_only(err)).strip())
        start = time.monotonic()
    return [analyze_tally, api_tally, cli_tally]


# --- (c) signals -------------------------------------------------------------------------------------------------


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


def processes_mentioning(text: str) -> list[int]:
    """Live processes whose command line contains `text` (a trial's own folder)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != os.getpid():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                    if text.encode() in cmdline.read() and alive(int(entry)):
                        found.append(int(entry))
            except OSError:
                pass
    return found


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def size_of(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:  # renamed into place meanwhile
        return 0


def run_signals(work: Path, trials: int) -> Tally:
    tally = Tally("signals to filter --jobs 2")
    source = work / "signals.jsonl"
    corpus = records(copies=60)
    source.write_bytes(b"".join(line(r) for r in corpus))
    order = [r["id"] for r in corpus]
    rng = random.Random(7)
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGKILL):
        for trial in range(trials):
            tally.cases += 1
            folder = work / f"sig-{signum}-{trial}"
            folder.mkdir()
            kept, rejected, index = folder / "kept.jsonl", folder / "rejected.jsonl", folder / "index.sqlite"
            kept.write_bytes(b"old kept\n")
            rejected.write_bytes(b"old rejected\n")
            run = subprocess.Popen([*QUALITY, "filter", str(source), "-o", str(kept), "--rejected", str(rejected),
                                    "--dedup-index", str(index), "--jobs", "2", "--chunk-size", "4"],
                                   stderr=subprocess.PIPE, cwd=ROOT)
            if trial % 2 == 0:  # any moment, loading included
                time.sleep(rng.uniform(0.3, 4.0))
            else:  # records are flowing into the outputs, then a random moment later
                deadline = time.monotonic() + 60
                while run.poll() is None and time.monotonic() < deadline and not any(
                        size_of(p) > 0 for p in folder.glob(".quality-tmp-kept.jsonl.*")):
                    time.sleep(0.05)
                time.sleep(rng.uniform(0.0, 4.0))
            workers = children_of(run.pid)
            finished_first = run.poll() is not None
            if not finished_first:
                run.send_signal(signum)
            try:
                _, err = run.communicate(timeout=60)
            except subprocess.TimeoutExpired:
                run.kill()
                _, err = run.communicate()
                tally.fail("hangs", f"{signum.name} trial {trial}: no exit within 60 s")
            stderr = err.decode("utf-8", "replace")
            time.sleep(1.0)
            # the workers seen at the signal, and any started just after it: every process of this trial's run
            survivors = sorted({pid for pid in workers if alive(pid)} | set(processes_mentioning(str(folder))))
            for pid in survivors:
                os.kill(pid, signal.SIGKILL)
            if survivors:
                tally.fail("violations", f"{signum.name} trial {trial}: {len(survivors)} workers outlived the run")
            if "Traceback" in stderr or "Aborted!" in stderr:
                tally.fail("crashes", f"{signum.name} trial {trial}: {stderr[-300:]}")
            expected = 0 if finished_first else (-signal.SIGKILL if signum == signal.SIGKILL else 128 + signum)
            untouched = kept.read_bytes() == b"old kept\n" and rejected.read_bytes() == b"old rejected\n"
            if untouched and not SUMMARY_RE.search(stderr) and run.returncode in (expected, -signum):
                tally.before_start += 1  # stopped while loading, before the filter began: nothing to keep
                continue
            if run.returncode != expected:
                tally.fail("violations", f"{signum.name} trial {trial}: exit {run.returncode}, expected {expected}")
            with sqlite3.connect(index) as db:
                documents = {row[0] for row in db.execute("SELECT doc_id FROM documents")} \
                    if db.execute("SELECT name FROM sqlite_master WHERE name='documents'").fetchone() else set()
            if signum == signal.SIGKILL and not finished_first:
                if kept.read_bytes() != b"old kept\n" or rejected.read_bytes() != b"old rejected\n" or documents:
                    tally.fail("violations", f"SIGKILL trial {trial}: outputs or index changed by a killed run")
                continue
            written = [json.loads(x)["id"] for x in lines_of(kept.read_bytes()) + lines_of(rejected.read_bytes())]
            check_outputs(tally, f"{signum.name} trial {trial}", stderr, kept, rejected, None, None)
            if sorted(written, key=order.index) != order[: len(written)]:
                tally.fail("violations", f"{signum.name} trial {trial}: outputs are not the first records read",
                           lost=len(set(order[: len(written)]) - set(written)))
            if documents != set(written):
                tally.fail("violations", f"{signum.name} trial {trial}: index has {len(documents)} documents, "
                                         f"outputs {len(written)}")
            if list(folder.glob(".quality-tmp-*")):
                tally.fail("violations", f"{signum.name} trial {trial}: temporary output left behind")
    return tally


# --- (d) a full disk ---------------------------------------------------------------------------------------------


def run_disk_full(work: Path) -> tuple[Tally, str | None]:
    tally = Tally("disk full (64 KB tmpfs)")
    mount = work / "small"
    mount.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)], capture_output=True)
    if result.returncode != 0:
        return tally, f"cannot mount a tmpfs: {result.stderr.decode().strip()}"
    try:
        for copies in (1, 2, 4, 8, 16):
            for with_index in (False, True):
                tally.cases += 1
                for path in mount.iterdir():
                    path.unlink()
                source = work / f"full-{copies}.jsonl"
                source.write_bytes(good_lines(copies))
                kept, rejected = mount / "kept.jsonl", mount / "rejected.jsonl"
                kept.write_bytes(b"old kept\n")
                rejected.write_bytes(b"old rejected\n")
                extra = ["--dedup-index", str(mount / "index.sqlite")] if with_index else []
                result = quality("filter", str(source), "-o", str(kept), "--rejected", str(rejected), *extra)
                label = f"{copies} copies{' with index' if with_index else ''}"
                if result is None:
                    tally.fail("hangs", label)
                    continue
                stderr = result.stderr.decode("utf-8", "replace")
                if "Traceback" in stderr or result.returncode not in (0, 3):
                    tally.fail("crashes", f"{label}: exit {result.returncode}: {stderr[-300:]}")
                    continue
                leftovers = [p.name for p in mount.glob(".quality-tmp-*")]
                if leftovers:
                    tally.fail("violations", f"{label}: temporary files left: {leftovers}")
                if result.returncode == 0:
                    check_outputs(tally, label, stderr, kept, rejected, None, good_lines(copies).split(b"\n"))
                    continue
                named = str(kept) in stderr or str(rejected) in stderr or "index.sqlite" in stderr
                if not named or not SUMMARY_RE.search(stderr):
                    tally.fail("violations", f"{label}: the message names no file or gives no counts: {stderr}")
                if kept.read_bytes() != b"old kept\n" or rejected.read_bytes() != b"old rejected\n":
                    tally.fail("violations", f"{label}: an old output was changed by a failed run")
        tally.cases += 1
        report = mount / "report.txt"
        for path in mount.iterdir():
            path.unlink()
        report.write_bytes(b"old report\n")
        docs = work / "full-docs"
        docs.mkdir()
        for i, record in enumerate(records(copies=8)):
            (docs / f"{i}.txt").write_text(record["text"], encoding="utf-8")
        result = quality("check", "-v", "-o", str(report), str(docs))
        if result is None or result.returncode != 3 or b"Traceback" in result.stderr \
                or report.read_bytes() != b"old report\n" or list(mount.glob(".quality-tmp-*")):
            tally.fail("violations", f"check -o on a full disk: {result and result.stderr[-300:]}")
    finally:
        subprocess.run(["umount", str(mount)], check=False)
    return tally, None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fuzz-minutes", type=float, default=10.0)
    parser.add_argument("--signal-trials", type=int, default=5, help="trials of each signal")
    parser.add_argument("--skip", nargs="*", default=[], choices=["bad", "fuzz", "signals", "disk"])
    args = parser.parse_args()
    started = time.monotonic()
    cpu_start = os.times()
    tallies: list[Tally] = []
    skipped: list[str] = []
    with tempfile.TemporaryDirectory(prefix="quality-reliability-") as tmp:
        work = Path(tmp)
        def timed(section, *section_args) -> list[Tally]:
            began = time.monotonic()
            result = section(work, *section_args)
            result = result if isinstance(result, list) else [result]
            for tally in result:
                tally.seconds = (time.monotonic() - began) / len(result)
            return result

        if "bad" not in args.skip:
            tallies += timed(run_bad_inputs) + timed(run_bad_check_inputs)
        if "signals" not in args.skip:
            tallies += timed(run_signals, args.signal_trials)
        if "disk" not in args.skip:
            began = time.monotonic()
            tally, reason = run_disk_full(work)
            tally.seconds = time.monotonic() - began
            if reason:
                skipped.append(f"disk full: skipped: {reason}")
            else:
                tallies.append(tally)
        if "fuzz" not in args.skip:
            tallies += timed(run_fuzz, args.fuzz_minutes)
    times = os.times()
    cpu = (times.user - cpu_start.user) + (times.system - cpu_start.system) + \
        (times.children_user - cpu_start.children_user) + (times.children_system - cpu_start.children_system)
    print("| section | cases | crashes | hangs | invariant violations | records lost | wall (s) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for tally in tallies:
        print(tally.row())
    total = Counter()
    for tally in tallies:
        total.update(cases=tally.cases, crashes=tally.crashes, hangs=tally.hangs, violations=tally.violations,
                     lost=tally.lost)
    print(f"| **all** | {total['cases']:,} | {total['crashes']} | {total['hangs']} | {total['violations']} | "
          f"{total['lost']} | |")
    print(f"\nwall {time.monotonic() - started:.0f} s, CPU {cpu:.0f} s (this process and its children)")
    for tally in tallies:
        if tally.before_start:
            print(f"- {tally.name}: {tally.before_start} trials were signalled before the filter began (while "
                  "loading): outputs untouched, as required")
    for note in skipped + [n for t in tallies for n in t.notes]:
        print(f"- {note}")


if __name__ == "__main__":
    main()
