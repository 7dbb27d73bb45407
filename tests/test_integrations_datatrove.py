"""datatrove: QualityFilter and QualityAnnotator in a real LocalPipelineExecutor, JSONL in and out.

Results equal `Detector.filter` record for record; two tasks on two worker
processes, so the pipeline is pickled and the models load in the workers.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("datatrove", reason="needs datatrove: pip install '.[datatrove]'")

from datatrove.executor import LocalPipelineExecutor  # noqa: E402
from datatrove.pipeline.readers import JsonlReader  # noqa: E402
from datatrove.pipeline.writers import JsonlWriter  # noqa: E402

from quality.integrations.datatrove import QualityAnnotator, QualityFilter  # noqa: E402
from quality.stats import main_reason  # noqa: E402

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def records() -> list[dict]:
    texts = [p.read_text(encoding="utf-8") for p in sorted(SAMPLES.glob("*.txt"))]
    out = [{"id": f"r{i}", "text": texts[i % len(texts)]} for i in range(10)]
    out[1]["language"] = "es"  # datatrove's LanguageFilter writes metadata["language"]: it is honoured
    out[3]["language"] = "en"
    return out


@pytest.fixture()
def corpus(tmp_path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    rows = records()
    for name, part in (("a.jsonl", rows[:5]), ("b.jsonl", rows[5:])):
        (folder / name).write_text("".join(json.dumps(r) + "\n" for r in part), encoding="utf-8")
    return folder


def read_jsonl(folder: Path) -> dict[str, dict]:
    out = {}
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            out[record["id"]] = record
    return out


def run(pipeline: list, logs: Path) -> list[dict]:
    LocalPipelineExecutor(pipeline=pipeline, tasks=2, workers=2, logging_dir=str(logs)).run()
    return json.loads((logs / "stats.json").read_text(encoding="utf-8"))


def step_counts(stats: list[dict], kind: str) -> dict[str, int]:
    """The counters datatrove kept for our step (a plain count, or a dict with a total)."""
    step = next(s for s in stats if kind in s["name"] and "quality" in s["name"])
    return {key: value["total"] if isinstance(value, dict) else value for key, value in step["stats"].items()}


def expected(detector) -> dict[str, dict]:
    return {r["id"]: r["quality"] for r in detector.filter(records(), lang_field="language", compact=True)}


def test_quality_filter_keeps_and_drops_as_detector_filter(corpus, tmp_path, detector):
    kept, removed = tmp_path / "kept", tmp_path / "removed"
    stats = run([JsonlReader(str(corpus)),
                 QualityFilter(exclusion_writer=JsonlWriter(str(removed), compression=None)),
                 JsonlWriter(str(kept), compression=None)], tmp_path / "logs")
    reports = expected(detector)
    kept_records, removed_records = read_jsonl(kept), read_jsonl(removed)
    assert sorted(kept_records) == sorted(i for i, q in reports.items() if q["verdict"] != "reject")
    assert sorted(removed_records) == sorted(i for i, q in reports.items() if q["verdict"] == "reject")
    assert kept_records and removed_records
    reasons = {}
    for doc_id, record in {**kept_records, **removed_records}.items():
        assert record["metadata"]["quality"] == reports[doc_id], doc_id  # compact report, as Detector.filter
    for doc_id, record in removed_records.items():
        source = next(r for r in records() if r["id"] == doc_id)
        reason = main_reason(detector.analyze(source["text"], lang=source.get("language"), source=doc_id))
        assert record["metadata"]["filter_reason"] == reason
        reasons[reason] = reasons.get(reason, 0) + 1
    counts = step_counts(stats, "FILTER")
    assert counts["dropped"] == len(removed_records) and counts["forwarded"] == len(kept_records)
    assert all(counts[f"dropped_{reason}"] == n for reason, n in reasons.items())  # datatrove's per-reason stats
    assert counts["verdict_reject"] == len(removed_records)


def test_quality_filter_by_min_score_and_verdicts(corpus, tmp_path, detector):
    kept = tmp_path / "kept"
    run([JsonlReader(str(corpus)), QualityFilter(drop_verdicts=["reject", "review"], min_score=0.9, compact=False),
         JsonlWriter(str(kept), compression=None)], tmp_path / "logs")
    reports = {r["id"]: r["quality"] for r in detector.filter(records(), lang_field="language")}
    survivors = sorted(i for i, q in reports.items() if q["verdict"] == "keep" and q["score"] >= 0.9)
    kept_records = read_jsonl(kept)
    assert sorted(kept_records) == survivors
    assert all(kept_records[i]["metadata"]["quality"] == reports[i] for i in survivors)  # full report on request
    with pytest.raises(ValueError, match="unknown verdict"):
        QualityFilter(drop_verdicts=["bad"])


def test_quality_annotator_annotates_every_document(corpus, tmp_path, detector):
    out = tmp_path / "annotated"
    stats = run([JsonlReader(str(corpus)), QualityAnnotator(), JsonlWriter(str(out), compression=None)],
                tmp_path / "logs")
    annotated, reports = read_jsonl(out), expected(detector)
    assert sorted(annotated) == sorted(reports)  # nothing dropped
    assert all(annotated[i]["metadata"]["quality"] == reports[i] for i in reports)
    assert annotated["r1"]["metadata"]["quality"]["lang"] == "es"
    verdicts = {k: v for k, v in step_counts(stats, "ANNOTATOR").items() if k.startswith("verdict_")}
    assert sum(verdicts.values()) == len(reports)


def test_the_analysis_options_reach_the_workers(tmp_path, detector):
    # a Dutch text (no model) and a bullet list, written for this test: only the options make them rejects
    rows = [{"id": "nl", "text": "De gemeente heeft gisteren besloten om de oude bibliotheek te renoveren. "
                                 "De werkzaamheden beginnen in het voorjaar en duren ongeveer twee jaar."},
            {"id": "list", "text": "- two large eggs\n- a cup of flour\n- a pinch of salt\n- fresh milk\n",
             "language": "en"}]
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "annotated"
    LocalPipelineExecutor(pipeline=[JsonlReader(str(folder)), QualityAnnotator(unmodelled="reject", not_prose="reject"),
                                    JsonlWriter(str(out), compression=None)], tasks=1, workers=1,
                          logging_dir=str(tmp_path / "logs")).run()
    annotated = read_jsonl(out)
    strict = {r["id"]: r["quality"] for r in detector.filter(rows, lang_field="language", compact=True,
                                                             unmodelled="reject", not_prose="reject")}
    assert {i: r["metadata"]["quality"] for i, r in annotated.items()} == strict
    assert [strict[i]["verdict"] for i in ("nl", "list")] == ["reject", "reject"]
    lenient = {r["id"]: r["quality"]["verdict"] for r in detector.filter(rows, lang_field="language")}
    assert "reject" not in lenient.values()
    for option in ("unmodelled", "not_prose"):
        with pytest.raises(ValueError, match=f"{option} must be one of keep, review, reject"):
            QualityFilter(**{option: "drop"})
