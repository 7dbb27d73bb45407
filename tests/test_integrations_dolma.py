"""Dolma: the quality_v1 tagger run by the real `dolma tag` command. Heavy: runs in `make test-integrations`."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

pytest.importorskip("dolma", reason="Dolma is heavy (numpy<2): tested by `make test-integrations` in its own venv")

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def records() -> list[dict]:
    texts = [p.read_text(encoding="utf-8") for p in sorted(SAMPLES.glob("*.txt"))]
    out = [{"id": f"r{i}", "text": texts[i % len(texts)], "source": "test", "metadata": {}} for i in range(6)]
    out[1]["metadata"]["language"] = "es"
    return out


def test_dolma_tag_writes_score_verdict_and_findings(tmp_path, detector):
    (tmp_path / "documents").mkdir()
    with gzip.open(tmp_path / "documents" / "part-0.jsonl.gz", "wt", encoding="utf-8") as out:
        out.writelines(json.dumps(r) + "\n" for r in records())
    dolma = Path(sys.executable).with_name("dolma")
    subprocess.run([str(dolma), "tag", "--documents", str(tmp_path / "documents" / "*.jsonl.gz"), "--experiment", "q",
                    "--taggers", "quality_v1", "--tagger_modules", "quality.integrations.dolma", "--processes", "1"],
                   check=True, cwd=tmp_path, capture_output=True)
    with gzip.open(tmp_path / "attributes" / "q" / "part-0.jsonl.gz", "rt", encoding="utf-8") as lines:
        tagged = {row["id"]: row["attributes"] for row in map(json.loads, lines)}
    assert sorted(tagged) == [r["id"] for r in records()]
    verdicts = set()
    for record in records():
        report = detector.analyze(record["text"], lang=record["metadata"].get("language"))
        attributes = tagged[record["id"]]
        assert attributes["q__quality_v1__score"] == [[0, len(record["text"]), round(report.score, 5)]]
        for verdict in ("review", "reject"):
            assert (f"q__quality_v1__{verdict}" in attributes) == (report.verdict == verdict)
        findings = Counter(f.code.replace("-", "_") for p in report.paragraphs for f in p.findings)
        spans = {name.split("__")[-1]: len(value) for name, value in attributes.items()
                 if name.split("__")[-1] not in ("score", "review", "reject")}
        assert spans == dict(findings)
        verdicts.add(report.verdict)
    assert "reject" in verdicts and "keep" in verdicts
