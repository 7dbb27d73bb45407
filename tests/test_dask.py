"""Dask backends give the same results as the single-process run, record for record (skipped without dask)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

dask = pytest.importorskip("dask")
distributed = pytest.importorskip("distributed")
pytest.importorskip("dask.dataframe")

import dask.bag as db  # noqa: E402
import dask.dataframe as dd  # noqa: E402
import pandas as pd  # noqa: E402
from click.testing import CliRunner  # noqa: E402

from quality import Detector  # noqa: E402
from quality.cli import main  # noqa: E402
from quality.dask import annotate_bag, annotate_dataframe  # noqa: E402

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def records() -> list[dict]:
    texts = [p.read_text(encoding="utf-8") for p in sorted(SAMPLES.glob("*.txt"))]
    out = [{"id": f"r{i}", "text": texts[i % len(texts)], "n": i} for i in range(12)]
    out.append({"id": "bad", "text": None})
    return out


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                      dashboard_address="127.0.0.1:0")
    with distributed.Client(cluster) as dask_client:
        yield dask_client
    cluster.close()


def test_annotate_bag_equals_single_process(client):
    expected = list(Detector().filter(records()))
    bag = db.from_sequence(records(), npartitions=4)
    assert annotate_bag(bag).compute() == expected


def test_annotate_bag_numbers_records_across_partitions(client):
    # records without an id are named by their position in the whole bag, as by Detector.filter on one list
    mixed = [{"text": r["text"]} if i % 3 else r for i, r in enumerate(records())] + [[1, 2], "str"]
    expected = list(Detector().filter(mixed))
    assert annotate_bag(db.from_sequence(mixed, npartitions=4)).compute() == expected
    assert [r["quality"].get("source") for r in expected][:4] == ["r0", "2", "3", "r3"]
    assert expected[-2] == {"record": [1, 2], "quality": {"error": "not a JSON object (a list)", "verdict": None}}


def test_annotate_dataframe_adds_columns(client):
    frame = pd.DataFrame([r for r in records() if r["text"]])
    result = annotate_dataframe(dd.from_pandas(frame, npartitions=3)).compute()
    detector = Detector()
    expected = [detector.analyze(text, source=doc_id).to_dict(compact=True)
                for text, doc_id in zip(frame["text"], frame["id"])]
    assert list(result["quality_verdict"]) == [e["verdict"] for e in expected]
    assert list(result["quality_score"]) == [e["score"] for e in expected]
    assert [json.loads(j) for j in result["quality_json"]] == expected
    assert list(result.columns) == [*frame.columns, "quality_score", "quality_verdict", "quality_json"]


def test_annotate_dataframe_id_and_lang_fields(client):
    english = "The government approved the budget for next year after a long negotiation with the opposition."
    frame = pd.DataFrame({"key": pd.array([10, None, 12, 13], dtype="Int64"), "language": ["EN", "en-US", None, "eng"],
                          "body": [english, english, english, None]})
    result = annotate_dataframe(dd.from_pandas(frame, npartitions=2), text_field="body", id_field="key",
                                lang_field="language").compute()
    reports = [json.loads(j) for j in result["quality_json"]]
    # ids as JSON, a missing one as the row's 1-based position
    assert [r.get("source") for r in reports[:3]] == ["10", "2", "12"]
    assert [r.get("lang") for r in reports[:3]] == ["en", "en", "en"]
    assert reports[3] == {"error": "text field 'body' is not a string", "verdict": None}
    assert result["quality_verdict"].tolist()[:3] == ["keep"] * 3 and result["quality_score"].isna().tolist()[3]
    without_ids = annotate_dataframe(dd.from_pandas(frame, npartitions=2), text_field="body").compute()
    assert [json.loads(j).get("source") for j in without_ids["quality_json"]][:3] == ["1", "2", "3"]


def test_filter_on_scheduler_equals_local_run(client, tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"".join((json.dumps(r) + "\n").encode() for r in records()) + b"not json\n")
    outputs = {}
    for name, backend in (("local", []), ("dask", ["--scheduler", client.scheduler.address])):
        kept, rejected = tmp_path / f"kept-{name}.jsonl", tmp_path / f"rejected-{name}.jsonl"
        result = CliRunner().invoke(main, ["filter", str(source), "-o", str(kept), "--rejected", str(rejected),
                                           "--chunk-size", "2", "--dedup-index", str(tmp_path / f"{name}.sqlite"),
                                           *backend])
        assert result.exit_code == 2, result.stderr  # the two bad lines
        outputs[name] = (kept.read_bytes(), rejected.read_bytes(), result.stderr.splitlines()[-1].split(" in ")[0])
    assert outputs["dask"] == outputs["local"]
    assert outputs["local"][2] == "read 14, kept 4, rejected 8, errors 2"


# written for these tests: Dutch has no model here, so only `unmodelled` decides how far its verdict goes
DUTCH = ("De gemeente heeft gisteren besloten om de oude bibliotheek aan het plein te renoveren. "
         "De werkzaamheden beginnen in het voorjaar en duren naar verwachting ongeveer twee jaar. "
         "Tijdens de verbouwing kunnen bewoners hun boeken lenen in een tijdelijk gebouw naast het station.")
BULLETS = "- two large eggs\n- a cup of flour\n- a pinch of salt\n- fresh milk from the farm\n- a lemon\n"


def option_records() -> list[dict]:
    return [{"id": "nl", "text": DUTCH}, {"id": "list", "text": BULLETS, "lang": "en"}, *records()[:4]]


@pytest.mark.parametrize("options", [{}, {"unmodelled": "reject"}, {"not_prose": "reject"},
                                     {"unmodelled": "keep", "not_prose": "review"}])
def test_annotate_bag_takes_the_analysis_options(client, options):
    expected = list(Detector().filter(option_records(), lang_field="lang", **options))
    got = annotate_bag(db.from_sequence(option_records(), npartitions=3), lang_field="lang", **options).compute()
    assert got == expected
    verdicts = {r["id"]: r["quality"]["verdict"] for r in got}
    assert (verdicts["nl"] == "reject") == (options.get("unmodelled") == "reject")
    assert (verdicts["list"] == "reject") == (options.get("not_prose") == "reject")
    if not options:
        assert verdicts["list"] == "keep"  # lists are kept by default


@pytest.mark.parametrize("options", [{}, {"unmodelled": "reject", "not_prose": "reject"}])
def test_annotate_dataframe_takes_the_analysis_options(client, options):
    frame = pd.DataFrame(option_records()[:2])
    result = annotate_dataframe(dd.from_pandas(frame, npartitions=2), lang_field="lang", **options).compute()
    expected = list(Detector().filter(option_records()[:2], lang_field="lang", compact=True, **options))
    assert [json.loads(j) for j in result["quality_json"]] == [r["quality"] for r in expected]
    rejected = options.get("unmodelled") == "reject"
    assert (result["quality_verdict"] == "reject").tolist() == [rejected, rejected]


@pytest.mark.parametrize("helper", ["bag", "dataframe"])
@pytest.mark.parametrize("option", ["unmodelled", "not_prose"])
def test_an_invalid_option_fails_before_any_task(helper, option):
    # no client: the check runs when the graph is built, in the caller
    with pytest.raises(ValueError, match=f"{option} must be one of keep, review, reject, not 'drop'"):
        if helper == "bag":
            annotate_bag(db.from_sequence(option_records(), npartitions=2), **{option: "drop"})
        else:
            annotate_dataframe(dd.from_pandas(pd.DataFrame(option_records()[:2]), npartitions=1), **{option: "drop"})
