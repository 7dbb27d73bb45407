"""Per-code statistics of `quality filter`: the summary's `rejected for:` line and the `--stats` JSON."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from quality.cli import main
from quality.report import DocumentReport, Finding, ParagraphReport
from quality.stats import FilterStats, digest, main_reason

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def paragraph(index: int, start: int, end: int, verdict: str, codes: list[tuple[str, float]],
              duplicate_of: int | None = None) -> ParagraphReport:
    findings = [Finding(code, start, end, "x", "m", severity) for code, severity in codes]
    return ParagraphReport(index, start, end, "es", 0.3, verdict, findings, duplicate_of)


def report(paragraphs: list[ParagraphReport], verdict: str = "reject", error: str | None = None) -> DocumentReport:
    return DocumentReport("d", "es", 1.0, 0.3, verdict, [], paragraphs, error=error)


def test_main_reason_weighs_rejected_paragraphs_by_length():
    doc = report([
        paragraph(0, 0, 100, "reject", [("punctuation", 0.6), ("disfluent", 0.7)]),  # disfluent: most severe
        paragraph(1, 100, 150, "reject", [("truncated", 0.8)]),
        paragraph(2, 150, 400, "review", [("casing", 0.3)]),  # longer, but only worth a look
        paragraph(3, 400, 460, "reject", [], duplicate_of=1),
    ])
    assert main_reason(doc) == "disfluent"  # 100 characters against duplicate 60 and truncated 50
    assert main_reason(report([paragraph(0, 0, 10, "review", [("casing", 0.3)])], "review")) == "casing"
    assert main_reason(report([])) == "no-text"
    assert main_reason(report([paragraph(0, 0, 10, "keep", [])], "review",
                              error="unsupported language: xx")) == "unsupported-language"
    assert main_reason(report([paragraph(0, 0, 10, "keep", [])], "keep")) == "no-finding"


def test_filter_stats_counts_codes_languages_and_reasons():
    stats = FilterStats()
    rejected = report([paragraph(0, 0, 100, "reject", [("disfluent", 0.7), ("punctuation", 0.2)]),
                       paragraph(1, 100, 200, "reject", [("disfluent", 0.7)])])
    kept = report([paragraph(0, 0, 100, "keep", [("punctuation", 0.1)])], "keep")
    stats.add(digest(rejected), rejected=True)
    stats.add(digest(kept), rejected=False)
    stats.add_error()
    out = stats.to_dict()
    assert out["documents"] == {"in": 3, "out": 1, "kept": 1, "rejected": 1, "errors": 1}
    assert out["verdicts"] == {"keep": 1, "review": 0, "reject": 1}
    assert out["languages"] == {"es": {"documents": 2, "kept": 1, "rejected": 1}}
    assert out["findings"]["disfluent"] == {"documents": 1, "paragraphs": 2, "rejected_documents": 1,
                                            "main_reason_of_rejected": 1}
    assert out["findings"]["punctuation"] == {"documents": 2, "paragraphs": 2, "rejected_documents": 1,
                                              "main_reason_of_rejected": 0}
    assert stats.rejected_line() == "rejected for: disfluent 1"
    assert FilterStats().rejected_line() == "rejected for: nothing rejected"


def test_cli_writes_stats_and_names_the_reasons(tmp_path, detector):
    texts = [p.read_text(encoding="utf-8") for p in sorted(SAMPLES.glob("*.txt"))]
    records = [{"id": f"r{i}", "text": texts[i]} for i in range(len(texts))]
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in records) + "not json\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["filter", str(source), "-o", str(tmp_path / "kept.jsonl"), "--drop-rejected",
                                       "--stats", str(tmp_path / "stats.json")])
    assert result.exit_code == 2, result.stderr  # the line that is not JSON
    stats = json.loads((tmp_path / "stats.json").read_text(encoding="utf-8"))
    reports = [detector.analyze(r["text"], source=r["id"]) for r in records]
    rejected = [r for r in reports if r.verdict == "reject"]
    assert rejected, "the samples include a rejected document"
    assert stats["documents"] == {"in": 6, "out": 5 - len(rejected), "kept": 5 - len(rejected),
                                  "rejected": len(rejected), "errors": 1}
    assert stats["verdicts"]["reject"] == len(rejected)
    assert sum(lang["documents"] for lang in stats["languages"].values()) == 5
    assert stats["languages"]["el"]["documents"] == sum(r.lang == "el" for r in reports)
    reasons = {main_reason(r) for r in rejected}
    assert set(stats["rejected_for"]) == reasons
    assert sum(stats["findings"][code]["main_reason_of_rejected"] for code in reasons) == len(rejected)
    lines = result.stderr.splitlines()
    assert lines[-2].startswith("rejected for: ") and all(reason in lines[-2] for reason in reasons)
    assert lines[-1].startswith("read 6, kept")  # the summary stays the last line
