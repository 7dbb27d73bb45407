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

from quality.analyzer import check_analysis_options
from quality.filter_worker import AnalysisSettings, analyse_chunk, ordered_window, shared_detector


def _annotate_records(records: Iterable[Any], text_field: str, compact: bool, models_dir: str | None,
                      lang_field: str | None, id_field: str, start: int = 1, unmodelled: str = "review",
                      not_prose: str = "keep") -> list[dict[str, Any]]:
    detector = shared_detector(models_dir)
    return list(detector.filter(records, text_field=text_field, lang_field=lang_field, compact=compact,
                                id_field=id_field, start=start, unmodelled=unmodelled, not_prose=not_prose))


def annotate_bag(bag, text_field: str = "text", compact: bool = False, models_dir: str | None = None,
                 lang_field: str | None = None, id_field: str = "id", unmodelled: str = "review",
                 not_prose: str = "keep"):
    """A dask.bag.Bag of the records of `bag`, each with a `quality` report added.

    Same output as `Detector.filter` on the whole bag, order kept: a record
    without an id gets its 1-based position in the bag as `source`; one that is
    not a dict comes back as {"record": ..., "quality": {...}}, and a record
    without a string text field, or whose analysis fails, gets a `quality` with
    an `error` and verdict null, never an exception. `unmodelled` (the verdict
    floor of a language without a model) and `not_prose` (what lists, code,
    tables and boilerplate become), each "keep", "review" or "reject", are as
    in `Detector.filter`; an invalid one raises ValueError here, before any task.
    """
    import dask
    import dask.bag as db

    check_analysis_options(unmodelled, not_prose)

    # each partition's first position: 1 + the lengths of the partitions before it (small lazy tasks)
    annotated, first = [], 1
    for partition in bag.map_partitions(list).to_delayed():
        annotated.append(dask.delayed(_annotate_records)(partition, text_field, compact, models_dir, lang_field,
                                                         id_field, first, unmodelled, not_prose))
        first = first + dask.delayed(len)(partition)
    return db.from_delayed(annotated)


_POSITION = "__quality_position__"


def _plain(value: Any) -> Any:
    """A data frame cell as a plain Python value: None when missing, numpy scalars unwrapped."""
    import numpy as np
    import pandas as pd

    if pd.api.types.is_scalar(value) and pd.isna(value):
        return None
    return value.item() if isinstance(value, np.generic) else value


def _annotate_frame(frame, text_field: str, models_dir: str | None, id_field: str, lang_field: str | None,
                    unmodelled: str = "review", not_prose: str = "keep"):
    import pandas as pd

    columns = list(dict.fromkeys(name for name in (text_field, id_field, lang_field) if name and name in frame.columns))
    rows = frame[columns].to_dict("records")
    records = [{name: _plain(row[name]) if name != text_field else row[name] for name in columns} for row in rows]
    first = int(frame[_POSITION].iloc[0]) if len(frame) else 1
    annotated = shared_detector(models_dir).filter(records, text_field=text_field, lang_field=lang_field,
                                                   compact=True, id_field=id_field, start=first,
                                                   unmodelled=unmodelled, not_prose=not_prose)
    scores, verdicts, reports = [], [], []
    for record in annotated:
        quality = record["quality"]
        scores.append(quality.get("score", float("nan")))
        verdicts.append(quality["verdict"])
        reports.append(json.dumps(quality, ensure_ascii=False))
    return frame.drop(columns=[_POSITION]).assign(
        quality_score=pd.Series(scores, index=frame.index, dtype="float64"),
        quality_verdict=pd.Series(verdicts, index=frame.index, dtype=object),
        quality_json=pd.Series(reports, index=frame.index, dtype=object),
    )


def annotate_dataframe(ddf, text_field: str = "text", models_dir: str | None = None, id_field: str = "id",
                       lang_field: str | None = None, unmodelled: str = "review", not_prose: str = "keep"):
    """`ddf` (a dask DataFrame) with quality_score, quality_verdict and quality_json (compact report) columns.

    As in `Detector.filter`: the report's `source` is the row's `id_field`
    column, or the row's 1-based position in the frame when there is no such
    column or its value is missing; `lang_field` names a column of language
    codes (default: detect). A row whose text is not a string, or whose
    analysis fails, gets score NaN, verdict None and an `error` in its JSON.
    `unmodelled` and `not_prose` ("keep", "review" or "reject") are as in
    `annotate_bag`; an invalid one raises ValueError here, before any task.
    """
    import pandas as pd

    check_analysis_options(unmodelled, not_prose)
    if text_field not in ddf.columns:
        raise ValueError(f"no column {text_field!r} (columns: {', '.join(map(str, ddf.columns))})")
    meta = ddf._meta.assign(
        quality_score=pd.Series([], dtype="float64"),
        quality_verdict=pd.Series([], dtype=object),
        quality_json=pd.Series([], dtype=object),
    )
    numbered = ddf.assign(**{_POSITION: 1})
    numbered = numbered.assign(**{_POSITION: numbered[_POSITION].cumsum()})  # row positions across partitions
    return numbered.map_partitions(_annotate_frame, text_field, models_dir, id_field, lang_field, unmodelled,
                                   not_prose, meta=meta)


def connect(scheduler: str):
    """A distributed Client for tcp://HOST:PORT, or for a new LocalCluster of N worker processes ('local:N')."""
    from distributed import Client, LocalCluster

    if scheduler.startswith("local:"):
        workers = int(scheduler.split(":", 1)[1])
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               # None does not turn the HTTP server off (dask/distributed#8136): a random loopback port
                               dashboard_address="127.0.0.1:0")
        return Client(cluster)
    return Client(scheduler)


def analyse_on_dask(chunks: Iterable[list], settings: AnalysisSettings, scheduler: str) -> Iterator[tuple[list, list]]:
    """The `quality filter --scheduler` backend: chunks analysed on the cluster, results yielded in input order.

    Futures are submitted in a bounded window and collected oldest first, so
    the client streams a corpus of any size; the dedup index and the outputs
    stay in the client. `settings` carries `unmodelled` and `not_prose` to the
    workers; they are checked here, before the cluster starts.
    """
    check_analysis_options(settings.unmodelled, settings.not_prose)
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
