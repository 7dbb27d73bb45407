"""The command line: reports, the JSON contract, exit statuses and bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from quality.cli import main

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_002 = str(ROOT / "samples" / "002_aa5f7ea85fa56edd.txt")
SAMPLE_000 = str(ROOT / "samples" / "000_ab59b22a7cee6b34.txt")


def run(*args: str, input: str | bytes | None = None):
    return CliRunner().invoke(main, list(args), input=input)


def test_version_and_help():
    assert run("--version").output.startswith("quality, version")
    for command in ("check", "train", "models"):
        result = run(command, "--help")
        assert result.exit_code == 0 and "Example" in result.output


def test_text_report_names_verdict_and_evidence():
    result = run("check", SAMPLE_002)
    assert result.exit_code == 0
    assert "REJECT" in result.output and "repeats paragraph 14" in result.output
    assert "de agosto de agosto" in result.output


def test_json_contract_fields():
    result = run("check", "--format", "json", SAMPLE_002, SAMPLE_000)
    reports = json.loads(result.output)
    assert [r["verdict"] for r in reports] == ["reject", "keep"]
    text = Path(SAMPLE_002).read_text(encoding="utf-8")
    for report in reports:
        assert {"schema", "source", "lang", "score", "verdict", "reasons", "paragraphs"} <= report.keys()
        assert 0.0 <= report["score"] <= 1.0
        for paragraph in report["paragraphs"]:
            assert {"index", "start", "end", "lang", "score", "verdict", "findings", "duplicate_of"} <= paragraph.keys()
            for finding in paragraph["findings"]:
                assert {"code", "start", "end", "text", "message"} <= finding.keys()
    for paragraph in reports[0]["paragraphs"]:
        for finding in paragraph["findings"]:
            assert text[finding["start"] : finding["end"]] == finding["text"]
            assert paragraph["start"] <= finding["start"] <= finding["end"] <= paragraph["end"]
    assert reports[0]["source"] == SAMPLE_002


def test_jsonl_stdin_and_fail_on():
    result = run("check", "--format", "jsonl", "--fail-on", "reject", "-", input=Path(SAMPLE_002).read_bytes())
    assert result.exit_code == 1
    report = json.loads(result.output.strip())
    assert report["source"] == "-" and report["verdict"] == "reject"
    assert run("check", "--quiet", "--fail-on", "reject", SAMPLE_000).exit_code == 0


def test_directory_input_and_output_file(tmp_path):
    out = tmp_path / "r.json"
    result = run("check", "--format", "json", "-o", str(out), str(ROOT / "samples"))
    assert result.exit_code == 0
    assert len(json.loads(out.read_text(encoding="utf-8"))) == 5


def test_bad_inputs_get_messages_and_the_rest_is_processed(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    blank = tmp_path / "blank.txt"
    blank.write_bytes(b"  \n\t\n")
    binary = tmp_path / "binary.bin"
    binary.write_bytes(b"\x00\x01\x02PNG\x00" * 100)
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("Canción de otoño".encode("latin-1"))
    missing = tmp_path / "missing.txt"
    russian = tmp_path / "ru.txt"
    russian.write_text("Правительство вчера утвердило бюджет на следующий год после долгих переговоров.\n" * 2,
                       encoding="utf-8")
    args = ["check", "--format", "jsonl", str(empty), str(blank), str(binary), str(latin1), str(missing),
            str(russian), SAMPLE_000]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert "empty.txt: empty file" in result.output
    assert "blank.txt: file holds only white space" in result.output
    assert "binary.bin: binary data" in result.output
    assert "latin1.txt: not valid UTF-8: byte 0xf3" in result.output
    assert "missing.txt: no such file" in result.output
    assert "ru.txt" not in result.output.split("{")[0]  # an unmodelled language is no error (exit 2 is for the others)
    assert "Traceback" not in result.output
    reports = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    by_source = {Path(r["source"]).name: r for r in reports}
    assert by_source["000_ab59b22a7cee6b34.txt"]["verdict"] == "keep"
    # the unmodelled document still gets the language-independent checks: its repeat is found
    assert by_source["ru.txt"]["paragraphs"][1]["duplicate_of"] == 0
    assert by_source["ru.txt"]["modelled"] is False and by_source["ru.txt"]["error"] is None
    assert by_source["ru.txt"]["reasons"][0].startswith("unmodelled language: ru (Russian)")


def test_five_megabyte_single_line(tmp_path):
    big = tmp_path / "big.txt"
    big.write_text("La economía creció un tres por ciento en el último trimestre del año. " * 72000,
                   encoding="utf-8")
    assert big.stat().st_size > 5_000_000
    result = run("check", "--format", "json", "--compact", str(big))
    assert result.exit_code == 0
    report = json.loads(result.output)[0]
    assert report["stats"]["paragraphs"] > 1000
    assert report["verdict"] == "reject"  # the same sentence pasted 72,000 times


def test_console_script_runs_without_shared_or_network(tmp_path):
    quality = Path(sys.executable).parent / "quality"
    env = {**os.environ, "QUALITY_MODELS": ""}
    result = subprocess.run([str(quality), "check", SAMPLE_002], capture_output=True, text=True, env=env,
                            cwd=tmp_path, timeout=120)
    assert result.returncode == 0 and "REJECT" in result.stdout


def test_check_lang_accepts_codes_as_people_write_them():
    english = ("The government approved the budget for next year after a long negotiation with the opposition, "
               "and the finance minister said the new taxes would be collected from January.")
    reports = {}
    for code in ("en", "EN", "en-US", "eng"):
        result = CliRunner().invoke(main, ["check", "--lang", code, "--format", "json", "-"], input=english)
        assert result.exit_code == 0 and "no model" not in result.stderr
        [reports[code]] = json.loads(result.stdout)
    assert reports["EN"] == reports["en-US"] == reports["eng"] == reports["en"]
    assert reports["en"]["lang"] == "en" and reports["en"]["verdict"] == "keep"
