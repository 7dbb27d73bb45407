"""Ray: `annotate_dataset` and `quality filter --scheduler ray` on a real local Ray (2 CPUs), equal to one process.

One Ray session serves the whole module: starting Ray costs seconds.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ray = pytest.importorskip("ray", reason="needs Ray: pip install '.[ray]'")
pytest.importorskip("ray.data", reason="needs Ray Data: pip install '.[ray]'")

from click.testing import CliRunner  # noqa: E402

from quality.cli import main  # noqa: E402
from quality.integrations.ray import annotate_dataset  # noqa: E402

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


@pytest.fixture(scope="module")
def local_ray():
    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield
    ray.shutdown()


def records() -> list[dict]:
    texts = [p.read_text(encoding="utf-8") for p in sorted(SAMPLES.glob("*.txt"))]
    out = [{"id": f"r{i}", "text": texts[i % len(texts)], "lang": "es" if i == 1 else None, "n": i} for i in range(10)]
    out.append({"id": "no-text", "text": None, "lang": None, "n": 10})
    return out


def test_annotate_dataset_equals_detector_filter(local_ray, detector):
    rows = records()
    ds = annotate_dataset(ray.data.from_items(rows, override_num_blocks=4), lang_field="lang", batch_size=3)
    annotated = {row["id"]: row for row in ds.take_all()}
    expected = {r["id"]: r["quality"] for r in detector.filter(rows, lang_field="lang", compact=True)}
    assert sorted(annotated) == sorted(expected)
    for doc_id, quality in expected.items():
        row = annotated[doc_id]
        assert json.loads(row["quality"]) == quality, doc_id
        assert row["quality_verdict"] == quality["verdict"]
        assert row["quality_score"] == quality.get("score")
        assert row["quality_lang"] == quality.get("lang")
        assert row["n"] == int(doc_id[1:]) if doc_id != "no-text" else row["n"] == 10  # other columns untouched
    assert annotated["r1"]["quality_lang"] == "es"  # the lang column was honoured
    assert annotated["no-text"]["quality_verdict"] is None and "error" in json.loads(annotated["no-text"]["quality"])
    assert {row["quality_verdict"] for row in annotated.values()} >= {"keep", "reject"}


def test_filter_on_ray_equals_single_process(local_ray, tmp_path):
    # `--scheduler ray` joins the Ray this process already runs (the module's), so no second Ray starts
    source = tmp_path / "in.jsonl"
    lines = [json.dumps({k: v for k, v in r.items() if k != "lang"}) for r in records()]
    source.write_text("\n".join(lines) + "\nnot json\n", encoding="utf-8")
    results = {}
    for name, backend in (("one-process", []), ("ray", ["--scheduler", "ray", "--jobs", "2"])):
        out = tmp_path / name
        out.mkdir()
        result = CliRunner().invoke(main, [
            "filter", str(source), "-o", str(out / "kept"), "--rejected", str(out / "rejected"), "--errors",
            str(out / "errors"), "--stats", str(out / "stats.json"), "--chunk-size", "2", "--compact",
            "--dedup-index", str(out / "seen.sqlite"), *backend])
        assert result.exit_code == 2, result.stderr  # the two bad records
        summary = result.stderr.splitlines()[-1].split(" in ")[0]
        results[name] = ([(out / f).read_bytes() for f in ("kept", "rejected", "errors", "stats.json")], summary)
    assert results["ray"] == results["one-process"]
    assert results["ray"][1] == "read 12, kept 4, rejected 6, errors 2"
    assert ray.is_initialized()  # the backend left the Ray it did not start running


def test_annotate_dataset_takes_the_analysis_options(local_ray, detector):
    rows = [{"id": "nl", "lang": None, "text": "De gemeente heeft gisteren besloten om de oude bibliotheek te "
                                               "renoveren. De werkzaamheden duren naar verwachting twee jaar."},
            {"id": "list", "lang": "en",
             "text": "- two large eggs\n- a cup of flour\n- a pinch of salt\n- fresh milk\n"}]
    ds = annotate_dataset(ray.data.from_items(rows), lang_field="lang", unmodelled="reject", not_prose="reject")
    annotated = {row["id"]: json.loads(row["quality"]) for row in ds.take_all()}
    expected = {r["id"]: r["quality"] for r in detector.filter(rows, lang_field="lang", compact=True,
                                                               unmodelled="reject", not_prose="reject")}
    assert annotated == expected and [expected[i]["verdict"] for i in ("nl", "list")] == ["reject", "reject"]
    with pytest.raises(ValueError, match="not_prose must be one of keep, review, reject"):
        annotate_dataset(ray.data.from_items(rows), not_prose="drop")
