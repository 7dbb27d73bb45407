"""NeMo Curator: QualityDocumentFilter and QualityVerdictFilter in a real Pipeline (JSONL reader, ScoreFilter,
Score, JSONL writer) on NeMo Curator's Ray Data executor with 2 CPUs. Heavy: runs in `make test-integrations`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("nemo_curator", reason="NeMo Curator is heavy: tested by `make test-integrations` in its own venv")

import ray  # noqa: E402
from nemo_curator.backends.ray_data import RayDataExecutor  # noqa: E402
from nemo_curator.pipeline import Pipeline  # noqa: E402
from nemo_curator.stages.text.filters import Score, ScoreFilter  # noqa: E402
from nemo_curator.stages.text.io.reader import JsonlReader  # noqa: E402
from nemo_curator.stages.text.io.writer import JsonlWriter  # noqa: E402

from quality.integrations.nemo_curator import QualityDocumentFilter, QualityVerdictFilter  # noqa: E402

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def records() -> list[dict]:
    texts = [p.read_text(encoding="utf-8") for p in sorted(SAMPLES.glob("*.txt"))]
    return [{"id": f"r{i}", "text": texts[i % len(texts)]} for i in range(8)]


def test_pipeline_drops_rejected_and_scores_as_detector(tmp_path, detector):
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in records()), encoding="utf-8")
    pipeline = Pipeline(name="quality", stages=[
        JsonlReader(file_paths=str(source)),
        ScoreFilter(QualityVerdictFilter(), text_field="text", score_field="quality_verdict_rank"),
        Score(QualityDocumentFilter(), text_field="text", score_field="quality_score"),
        JsonlWriter(path=str(tmp_path / "out")),
    ])
    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False)
    pipeline.run(RayDataExecutor())  # it shuts Ray down at the end
    written = [json.loads(line) for path in sorted((tmp_path / "out").glob("*.jsonl"))
               for line in path.read_text(encoding="utf-8").splitlines()]
    reports = {r["id"]: r["quality"] for r in detector.filter(records())}
    assert sorted(r["id"] for r in written) == sorted(i for i, q in reports.items() if q["verdict"] != "reject")
    assert len(written) < len(reports)
    for row in written:
        assert round(row["quality_score"], 4) == reports[row["id"]]["score"]
        assert row["quality_verdict_rank"] == {"keep": 0, "review": 1}[reports[row["id"]]["verdict"]]


def test_keep_document_thresholds(detector):
    text = (SAMPLES / "002_aa5f7ea85fa56edd.txt").read_text(encoding="utf-8")
    report = detector.analyze(text)
    by_score = QualityDocumentFilter(min_score=0.9)
    assert by_score.score_document(text) == pytest.approx(report.score)
    assert by_score.keep_document(by_score.score_document(text)) == (report.score >= 0.9)
    by_verdict = QualityVerdictFilter(drop_verdicts=["reject", "review"])
    assert by_verdict.keep_document(by_verdict.score_document(text)) == (report.verdict == "keep")
    with pytest.raises(ValueError, match="unknown verdict"):
        QualityVerdictFilter(drop_verdicts=["awful"])
