"""Data-Juicer: the `quality_filter` operator (stats `quality_score`, `quality_verdict`).

Load it through Data-Juicer's custom operator path, in the recipe:

    custom_operator_paths: ['<this file>']   # its path: quality.integrations.DATA_JUICER_OPERATOR
    process:
      - quality_filter:
          keep_verdicts: [keep, review]      # the default: drop what quality rejects
          min_score: 0.0                     # and keep scores in [min_score, max_score]
          max_score: 1.0
          lang_key: null                     # a field holding the language code (default: detect)
          unmodelled: review                 # verdict floor of a language without a model: keep, review, reject
          not_prose: keep                    # lists, code, tables, boilerplate: keep, review, reject

The file is named so that Data-Juicer's loader, which imports a custom
operator file under its file name, does not shadow the `data_juicer` package.
Each process builds one Detector on its first sample. Install with
`pip install 'quality[data-juicer]'`.
"""

from __future__ import annotations

from collections.abc import Sequence

from data_juicer.ops.base_op import OPERATORS, Filter
from data_juicer.utils.constant import Fields

from quality.report import VERDICTS

SCORE, VERDICT = "quality_score", "quality_verdict"
ERROR_VERDICT = "error"  # a sample whose analysis failed: never kept, and visible in the exported stats


# force: the module may be imported both as part of the package and by Data-Juicer's file loader
@OPERATORS.register_module("quality_filter", force=True)
class QualityFilterOp(Filter):
    """Keep samples whose `quality` verdict is in `keep_verdicts` and whose score is in [min_score, max_score]."""

    def __init__(self, keep_verdicts: Sequence[str] = ("keep", "review"), min_score: float = 0.0,
                 max_score: float = 1.0, lang_key: str | None = None, models_dir: str | None = None,
                 unmodelled: str = "review", not_prose: str = "keep", *args, **kwargs):
        from quality.analyzer import check_analysis_options

        super().__init__(*args, **kwargs)
        check_analysis_options(unmodelled, not_prose)
        self.unmodelled, self.not_prose = unmodelled, not_prose
        unknown = set(keep_verdicts) - set(VERDICTS)
        if unknown:
            raise ValueError(f"unknown verdict(s) {sorted(unknown)}: use {', '.join(VERDICTS)}")
        self.keep_verdicts = list(keep_verdicts)
        self.min_score, self.max_score = min_score, max_score
        self.lang_key, self.models_dir = lang_key, models_dir

    def compute_stats_single(self, sample, *args, **kwargs):
        """Analyse the sample's text; store its score and verdict in the sample's stats."""
        from quality.filter_worker import shared_detector

        stats = sample[Fields.stats]
        if SCORE in stats and VERDICT in stats:  # computed already (a recipe that runs the op twice)
            return sample
        text = sample[self.text_key]
        lang = sample.get(self.lang_key) if self.lang_key else None
        try:
            report = shared_detector(self.models_dir).analyze(text, lang=lang if isinstance(lang, str) else None,
                                                              unmodelled=self.unmodelled, not_prose=self.not_prose)
            stats[SCORE], stats[VERDICT] = float(report.score), report.verdict
        except Exception:  # one bad sample must not stop the recipe; its verdict says so
            stats[SCORE], stats[VERDICT] = float("nan"), ERROR_VERDICT
        return sample

    def process_single(self, sample) -> bool:
        """Keep by verdict and score range."""
        stats = sample[Fields.stats]
        return stats[VERDICT] in self.keep_verdicts and self.get_keep_boolean(stats[SCORE], self.min_score,
                                                                              self.max_score)
