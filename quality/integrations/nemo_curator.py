"""NeMo Curator: `QualityDocumentFilter` (keep by score) and `QualityVerdictFilter` (keep by verdict).

>>> from nemo_curator.stages.text.filters import ScoreFilter  # doctest: +SKIP
>>> from quality.integrations.nemo_curator import QualityDocumentFilter  # doctest: +SKIP
>>> stage = ScoreFilter(QualityDocumentFilter(min_score=0.8), score_field="quality_score")  # doctest: +SKIP

A NeMo Curator `DocumentFilter` gets only the text to score, and only the
score to decide, so each filter carries one number: `QualityDocumentFilter`
the document score (0-1, 1 = clean), `QualityVerdictFilter` the verdict's rank
(0 keep, 1 review, 2 reject), for the cut `quality filter` makes by default.
Each worker process builds one Detector on its first document and keeps it.
There is deliberately no `load_model`: with one, NeMo Curator makes the stage
a pool of actors that each hold a CPU for the whole run, and on 2 CPUs a
reader, two scoring stages and a writer sat waiting for a free CPU (over 10
minutes, until killed); as plain tasks the stages share the CPUs. Install with `pip install 'quality[nemo-curator]'`.
"""

from __future__ import annotations

from collections.abc import Iterable

from nemo_curator.stages.text.filters.doc_filter import DocumentFilter

from quality.report import VERDICT_RANK, VERDICTS


class _QualityScorer(DocumentFilter):
    def __init__(self, lang: str | None, models_dir: str | None, unmodelled: str, not_prose: str):
        from quality.analyzer import check_analysis_options

        super().__init__()
        check_analysis_options(unmodelled, not_prose)
        self.lang, self.models_dir = lang, models_dir
        self.unmodelled, self.not_prose = unmodelled, not_prose

    def _report(self, text: str):
        from quality.filter_worker import shared_detector

        return shared_detector(self.models_dir).analyze(text, lang=self.lang, unmodelled=self.unmodelled,
                                                        not_prose=self.not_prose)


class QualityDocumentFilter(_QualityScorer):
    """Score = the document's quality score (0-1); keep documents scoring at least `min_score`.

    `unmodelled` and `not_prose` ("keep", "review" or "reject") are as in `Detector`.
    """

    def __init__(self, min_score: float = 0.5, lang: str | None = None, models_dir: str | None = None,
                 unmodelled: str = "review", not_prose: str = "keep"):
        super().__init__(lang, models_dir, unmodelled, not_prose)
        if not 0.0 <= min_score <= 1.0:
            raise ValueError("min_score must be between 0 and 1")
        self.min_score = min_score
        self._name = "quality"

    def score_document(self, text: str) -> float:
        """The document score; 0 for text that is not a string (as for empty text)."""
        return float(self._report(text).score) if isinstance(text, str) else 0.0

    def keep_document(self, score: float) -> bool:
        """Keep at or above `min_score`."""
        return score >= self.min_score


class QualityVerdictFilter(_QualityScorer):
    """Score = the verdict's rank (0 keep, 1 review, 2 reject); drop the verdicts in `drop_verdicts`.

    `unmodelled` and `not_prose` ("keep", "review" or "reject") are as in `Detector`.
    """

    def __init__(self, drop_verdicts: Iterable[str] = ("reject",), lang: str | None = None,
                 models_dir: str | None = None, unmodelled: str = "review", not_prose: str = "keep"):
        super().__init__(lang, models_dir, unmodelled, not_prose)
        drop = set(drop_verdicts)
        if drop - set(VERDICTS):
            raise ValueError(f"unknown verdict(s) {sorted(drop - set(VERDICTS))}: use {', '.join(VERDICTS)}")
        self.drop_ranks = {VERDICT_RANK[verdict] for verdict in drop}
        self._name = "quality_verdict"

    def score_document(self, text: str) -> int:
        """The verdict's rank; reject (2) for text that is not a string."""
        return VERDICT_RANK[self._report(text).verdict] if isinstance(text, str) else VERDICT_RANK["reject"]

    def keep_document(self, score: int) -> bool:
        """Keep unless the verdict is one to drop."""
        return int(score) not in self.drop_ranks
