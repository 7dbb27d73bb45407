"""Running the analysis on Dask: bags and data frames of records, and the `quality filter --scheduler` backend.

Each worker process builds one Detector (per models folder) on first use and
keeps it in a module-level cache; the models are memory-mapped, so worker
processes on one machine share their pages. Every machine running a worker
needs the project installed and the same models.

>>> import dask.bag as db  # doctest: +SKIP
>>> from quality.dask import annotate_bag  # doctest: +SKIP
>>> annotate_bag(db.read_text("docs-*.jsonl").map(json.loads)).filter(
...     lambda r: r["quality"]["verdict"] == "keep").map(json.dumps).to_textfiles("kept-*.jsonl")  # doctest: +SKIP
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from quality.filter_worker import AnalysisSettings, analyse_chunk, ordered_window, shared_detector


def _annotate_records(records: Iterable[dict[str, Any]], text_field: str, compact: bool, models_dir: str | None,
                      lang_field: str | None, id_field: str) -> list[dict[str, Any]]:
    detector = shared_detector(models_dir)
    return list(detector.filter(records, text_field=text_field, lang_field=lang_field, compact=compact,
                                id_field=id_field))


def annotate_bag(bag, text_field: str = "text", compact: bool = False, models_dir: str | None = None,
                 lang_field: str | None = None, id_field: str = "id"):
    """A dask.bag.Bag of the records (dicts) of `bag`, each with a `quality` report added.

    Same output as `Detector.filter`, partition by partition, order kept. A
    record without a string text field gets a `quality` with an `error` and
    verdict null, never an exception.
    """
    return bag.map_partitions(_annotate_records, text_field, compact, models_dir, lang_field, id_field)


def _annotate_frame(frame, text_field: str, models_dir: str | None):
    import pandas as pd

    detector = shared_detector(models_dir)
    scores, verdicts, reports = [], [], []
    for text in frame[text_field]:
        if isinstance(text, str):
            report = detector.analyze(text).to_dict(compact=True)
            scores.append(report["score"])
            verdicts.append(report["verdict"])
            reports.append(json.dumps(report, ensure_ascii=False))
        else:
            scores.append(float("nan"))
            verdicts.append(None)
            reports.append(json.dumps({"error": f"text field {text_field!r} is not a string", "verdict": None}))
    return frame.assign(
        quality_score=pd.Series(scores, index=frame.index, dtype="float64"),
        quality_verdict=pd.Series(verdicts, index=frame.index, dtype=object),
        quality_json=pd.Series(reports, index=frame.index, dtype=object),
    )


def annotate_dataframe(ddf, text_field: str = "text", models_dir: str | None = None):
    """`ddf` (a dask DataFrame) with quality_score, quality_verdict and quality_json (compact report) columns."""
    import pandas as pd

    meta = ddf._meta.assign(
        quality_score=pd.Series([], dtype="float64"),
        quality_verdict=pd.Series([], dtype=object),
        quality_json=pd.Series([], dtype=object),
    )
    return ddf.map_partitions(_annotate_frame, text_field, models_dir, meta=meta)


def connect(scheduler: str):
    """A distributed Client for tcp://HOST:PORT, or for a new LocalCluster of N worker processes ('local:N')."""
    from distributed import Client, LocalCluster

    if scheduler.startswith("local:"):
        workers = int(scheduler.split(":", 1)[1])
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
        return Client(cluster)
    return Client(scheduler)


def analyse_on_dask(chunks: Iterable[list], settings: AnalysisSettings, scheduler: str) -> Iterator[tuple[list, list]]:
    """The `quality filter --scheduler` backend: chunks analysed on the cluster, results yielded in input order.

    Futures are submitted in a bounded window and collected oldest first, so
    the client streams a corpus of any size; the dedup index and the outputs
    stay in the client.
    """
    client = connect(scheduler)
    try:
        workers = max(1, sum(client.nthreads().values()))
        submit = lambda chunk: client.submit(analyse_chunk, chunk, settings, pure=False)  # noqa: E731
        yield from ordered_window(chunks, submit, lambda future: future.result(), workers)
    finally:
        cluster = client.cluster if scheduler.startswith("local:") else None
        client.close()
        if cluster is not None:
            cluster.close()
