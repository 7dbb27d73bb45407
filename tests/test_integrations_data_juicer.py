"""Data-Juicer: the `quality_filter` operator, loaded through a recipe's custom_operator_paths and run by
Data-Juicer's own executor. Heavy: runs in `make test-integrations` (its own .venv-data-juicer)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("data_juicer", reason="Data-Juicer is heavy: tested by `make test-integrations` in its own venv")

from data_juicer.config import init_configs  # noqa: E402
from data_juicer.core import DefaultExecutor  # noqa: E402
from data_juicer.ops import load_ops  # noqa: E402
from data_juicer.utils.constant import Fields  # noqa: E402

import quality.integrations.data_juicer_op  # noqa: E402, F401 - registers quality_filter for load_ops
from quality.integrations import DATA_JUICER_OPERATOR  # noqa: E402

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def records() -> list[dict]:
    texts = [p.read_text(encoding="utf-8") for p in sorted(SAMPLES.glob("*.txt"))]
    return [{"id": f"r{i}", "text": texts[i % len(texts)], "lang": "es" if i == 1 else ""} for i in range(8)]


def test_recipe_with_quality_filter_keeps_what_detector_keeps(tmp_path, detector):
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in records()), encoding="utf-8")
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text(f"""
project_name: quality-test
dataset_path: {source}
export_path: {tmp_path / "out" / "kept.jsonl"}
np: 1
custom_operator_paths: ['{DATA_JUICER_OPERATOR}']
process:
  - quality_filter:
      keep_verdicts: [keep, review]
      lang_key: lang
""", encoding="utf-8")
    DefaultExecutor(init_configs(args=["--config", str(recipe)])).run()
    reports = {r["id"]: r["quality"] for r in detector.filter(records(), lang_field="lang")}
    kept = [json.loads(line) for line in (tmp_path / "out" / "kept.jsonl").read_text().splitlines()]
    assert [r["id"] for r in kept] == [i for i, q in reports.items() if q["verdict"] != "reject"]
    assert len(kept) < len(reports)  # something was rejected
    stats_lines = (tmp_path / "out" / "kept_stats.jsonl").read_text().splitlines()
    stats = [json.loads(line)[Fields.stats] for line in stats_lines]
    assert [s["quality_verdict"] for s in stats] == [reports[r["id"]]["verdict"] for r in kept]
    assert [round(s["quality_score"], 4) for s in stats] == [reports[r["id"]]["score"] for r in kept]


def test_score_range_and_verdicts(detector):
    (op,) = load_ops([{"quality_filter": {"keep_verdicts": ["keep"], "min_score": 0.95}}])
    for record in records()[:5]:
        sample = op.compute_stats_single({"text": record["text"], Fields.stats: {}})
        report = detector.analyze(record["text"])
        assert sample[Fields.stats]["quality_verdict"] == report.verdict
        assert op.process_single(sample) == (report.verdict == "keep" and report.score >= 0.95)
    with pytest.raises(ValueError, match="unknown verdict"):
        load_ops([{"quality_filter": {"keep_verdicts": ["fine"]}}])
