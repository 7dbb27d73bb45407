"""datatrove: `QualityFilter` (drops documents, with the main finding code as reason) and `QualityAnnotator`.

>>> from datatrove.executor import LocalPipelineExecutor  # doctest: +SKIP
>>> from datatrove.pipeline.readers import JsonlReader  # doctest: +SKIP
>>> from datatrove.pipeline.writers import JsonlWriter  # doctest: +SKIP
>>> from quality.integrations.datatrove import QualityFilter  # doctest: +SKIP
>>> LocalPipelineExecutor(pipeline=[JsonlReader("in/"), QualityFilter(exclusion_writer=JsonlWriter("removed/")),
...                                 JsonlWriter("kept/")], tasks=4, workers=2).run()  # doctest: +SKIP

Both steps put the report (`Detector.analyze(...).to_dict()`, compact by
default) in `doc.metadata["quality"]`, take the language from
`doc.metadata["language"]` when a step before them set it (datatrove's
LanguageFilter does), and use `doc.id` as the report's `source`. Executors
pickle the pipeline and run it elsewhere: the models load in the worker, on
the first document, once per process. Install with `pip install 'quality[datatrove]'`.
"""

from __future__ import annotations

from collections.abc import Iterable

from datatrove.data import Document, DocumentsPipeline
from datatrove.pipeline.base import PipelineStep
from datatrove.pipeline.filters.base_filter import BaseFilter
from datatrove.pipeline.writers.disk_base import DiskWriter

from quality.report import VERDICTS

ANALYSIS_ERROR = "analysis-error"  # the drop reason of a document whose analysis failed


class _Analysis:
    """What both steps share: the settings, and analysing one document into its metadata."""

    def _setup(self, compact: bool, models_dir: str | None, language_key: str | None, metadata_key: str,
               unmodelled: str, not_prose: str) -> None:
        from quality.analyzer import check_analysis_options

        check_analysis_options(unmodelled, not_prose)  # in the driver: a typo fails before the pipeline runs
        self.compact, self.models_dir = compact, models_dir
        self.unmodelled, self.not_prose = unmodelled, not_prose
        self.language_key, self.metadata_key = language_key, metadata_key

    def _analyse(self, doc: Document):
        """The report of `doc` (also stored in its metadata), or None when the analysis failed (error stored)."""
        from quality.filter_worker import shared_detector  # the models load here, in the worker, once per process

        lang = doc.metadata.get(self.language_key) if self.language_key else None
        try:
            report = shared_detector(self.models_dir).analyze(
                doc.text, lang=lang if isinstance(lang, str) else None, source=str(doc.id),
                unmodelled=self.unmodelled, not_prose=self.not_prose)
        except Exception as err:  # one bad document must not stop the pipeline
            doc.metadata[self.metadata_key] = {"error": f"analysis failed: {type(err).__name__}: {err}",
                                               "verdict": None}
            self.stat_update(ANALYSIS_ERROR)
            return None
        doc.metadata[self.metadata_key] = report.to_dict(compact=self.compact)
        self.stat_update(f"verdict_{report.verdict}")
        return report


class QualityFilter(_Analysis, BaseFilter):
    """Drops documents whose verdict is in `drop_verdicts` (default: reject) or whose score is under `min_score`.

    The drop reason is the document's main finding code (`quality.stats.main_reason`:
    `duplicate`, `disfluent`, ...), so datatrove counts `dropped_<code>` and an
    `exclusion_writer` gets each removed document with `metadata["filter_reason"]`.
    A document whose analysis fails is dropped with the reason `analysis-error`
    (never silently: it is counted, and written by the exclusion writer).
    `unmodelled` and `not_prose` ("keep", "review" or "reject") are as in `Detector`.
    """

    name = "🔍 quality"

    def __init__(self, drop_verdicts: Iterable[str] = ("reject",), min_score: float | None = None,
                 compact: bool = True, models_dir: str | None = None, language_key: str | None = "language",
                 metadata_key: str = "quality", exclusion_writer: DiskWriter | None = None,
                 unmodelled: str = "review", not_prose: str = "keep"):
        super().__init__(exclusion_writer=exclusion_writer)
        self.drop_verdicts = frozenset(drop_verdicts)
        unknown = self.drop_verdicts - set(VERDICTS)
        if unknown:
            raise ValueError(f"unknown verdict(s) {sorted(unknown)}: use {', '.join(VERDICTS)}")
        if min_score is not None and not 0.0 <= min_score <= 1.0:
            raise ValueError("min_score must be between 0 and 1")
        self.min_score = min_score
        self._setup(compact, models_dir, language_key, metadata_key, unmodelled, not_prose)

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        """True to keep `doc`; (False, main finding code) to drop it."""
        from quality.stats import main_reason

        report = self._analyse(doc)
        if report is None:
            return False, ANALYSIS_ERROR
        if report.verdict in self.drop_verdicts or (self.min_score is not None and report.score < self.min_score):
            return False, main_reason(report)
        return True


class QualityAnnotator(_Analysis, PipelineStep):
    """Adds the report to every document's metadata and drops nothing (filter later, on `metadata["quality"]`).

    `unmodelled` and `not_prose` ("keep", "review" or "reject") are as in `Detector`.
    """

    name = "🔍 quality annotator"
    type = "📝 - ANNOTATOR"

    def __init__(self, compact: bool = True, models_dir: str | None = None, language_key: str | None = "language",
                 metadata_key: str = "quality", unmodelled: str = "review", not_prose: str = "keep"):
        super().__init__()
        self._setup(compact, models_dir, language_key, metadata_key, unmodelled, not_prose)

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        """Yield every document of `data`, annotated."""
        if data is None:
            return
        for doc in data:
            self.stat_update("total")
            with self.track_time():
                self._analyse(doc)
            yield doc

