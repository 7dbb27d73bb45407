"""Ray Data: `annotate_dataset` adds the quality columns to a `ray.data.Dataset`.

>>> import ray  # doctest: +SKIP
>>> from quality.integrations.ray import annotate_dataset  # doctest: +SKIP
>>> ds = annotate_dataset(ray.data.read_json("docs/*.jsonl"))  # doctest: +SKIP
>>> ds.filter(expr="quality_verdict != 'reject'").write_json("kept/")  # doctest: +SKIP

`map_batches` runs a callable class: an actor pool in which each actor builds
one `Detector` when it starts (models are memory-mapped, so actors on one
machine share the pages) and keeps it for every batch. Install with
`pip install 'quality[ray]'`; every machine of the cluster needs the project
and the same models.
"""

from __future__ import annotations

import json
from typing import Any

from quality.report import record_source

_MISSING = object()  # no text column at all (a null in the column is "not a string", as in Detector.filter)
COLUMNS = ("quality_score", "quality_verdict", "quality_lang", "quality")


class _Annotator:
    """The callable class of `map_batches`: one Detector per actor, one pyarrow batch in, four columns added."""

    def __init__(self, text_field: str, id_field: str, lang_field: str | None, compact: bool, models_dir: str | None,
                 unmodelled: str = "review", not_prose: str = "keep"):
        from quality.filter_worker import shared_detector

        self.unmodelled, self.not_prose = unmodelled, not_prose
        self.text_field, self.id_field, self.lang_field, self.compact = text_field, id_field, lang_field, compact
        self.detector = shared_detector(models_dir)

    def __call__(self, batch):
        import pyarrow as pa

        texts = self._column(batch, self.text_field, batch.num_rows, absent=_MISSING)
        ids = self._column(batch, self.id_field, batch.num_rows)
        langs = self._column(batch, self.lang_field, batch.num_rows)
        scores, verdicts, report_langs, reports = [], [], [], []
        for text, doc_id, lang in zip(texts, ids, langs):
            quality = self._quality(text, doc_id, lang)
            scores.append(quality.get("score"))
            verdicts.append(quality["verdict"])
            report_langs.append(quality.get("lang"))
            reports.append(json.dumps(quality, ensure_ascii=False))
        # explicit types: a batch of nothing but errors (nulls) still has the schema of the others
        for name, values, kind in zip(COLUMNS, (scores, verdicts, report_langs, reports),
                                      (pa.float64(), pa.string(), pa.string(), pa.string())):
            if name in batch.column_names:
                batch = batch.drop_columns([name])
            batch = batch.append_column(name, pa.array(values, type=kind))
        return batch

    @staticmethod
    def _column(batch, name: str | None, length: int, absent: Any = None) -> list:
        if name and name in batch.column_names:
            return batch.column(name).to_pylist()
        return [absent] * length

    def _quality(self, text: Any, doc_id: Any, lang: Any) -> dict[str, Any]:
        """The report as `Detector.filter` gives it; an error object instead of an exception."""
        if not isinstance(text, str):
            problem = "missing" if text is _MISSING else "not a string"  # as Detector.filter says it
            return {"error": f"text field {self.text_field!r} is {problem}", "verdict": None}
        try:
            # no global row number exists in a distributed dataset: a row without an id has the source "-"
            source = "-" if doc_id is None else record_source(doc_id, 0)
            report = self.detector.analyze(text, lang=lang if isinstance(lang, str) else None, source=source,
                                           unmodelled=self.unmodelled, not_prose=self.not_prose)
            return report.to_dict(compact=self.compact)
        except Exception as err:  # one bad row must not fail the dataset
            return {"error": f"analysis failed: {type(err).__name__}: {err}", "verdict": None}


def annotate_dataset(ds, text_field: str = "text", id_field: str = "id", lang_field: str | None = None,
                     compact: bool = True, models_dir: str | None = None, batch_size: int = 64,
                     concurrency: int | tuple[int, int] | None = None, unmodelled: str = "review",
                     not_prose: str = "keep"):
    """`ds` with the columns quality_score, quality_verdict, quality_lang and quality (the report as JSON).

    The report is the one `Detector.filter` gives the row (compact by
    default): `source` is the `id_field` column (a string as it is, another
    value as JSON; a row without one gets "-", since rows have no global
    position), `lang_field` names a column of language codes (default:
    detect). A row whose text is not a string, or whose analysis fails, gets
    score and verdict null and an `error` in `quality`. Columns of these names
    already in `ds` are replaced. `concurrency` is the number of actors, or a
    (min, max) range (default: from 1 up to one per CPU of the cluster, as the
    other steps of the dataset leave room). `unmodelled` (the verdict floor of
    a language without a model) and `not_prose` (what lists, code, tables and
    boilerplate become), each "keep", "review" or "reject", are as in
    `Detector`; an invalid one raises ValueError here, before any actor starts.
    """
    import ray

    from quality.analyzer import check_analysis_options

    check_analysis_options(unmodelled, not_prose)
    if concurrency is None:
        # an autoscaling pool, not a fixed one: a fixed pool of one actor per CPU takes every CPU at the start,
        # and the read and write tasks around it then wait forever (seen with read_json/write_json on 2 CPUs)
        concurrency = (1, max(1, int(ray.cluster_resources().get("CPU", 1))))
    return ds.map_batches(
        _Annotator, batch_format="pyarrow", batch_size=batch_size, concurrency=concurrency, num_cpus=1,
        fn_constructor_kwargs={"text_field": text_field, "id_field": id_field, "lang_field": lang_field,
                               "compact": compact, "models_dir": models_dir, "unmodelled": unmodelled,
                               "not_prose": not_prose},
    )
