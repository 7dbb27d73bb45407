"""Dolma: the `quality_v1` tagger. Its spans are the findings; its document attribute is the score.

    dolma tag --documents 'data/documents/*.jsonl.gz' --experiment q --taggers quality_v1 \\
        --tagger_modules quality.integrations.dolma --processes 8

Attributes written per document (`<experiment>__quality_v1__<type>`):
`score` (one span over the whole document, score 0-1, 1 = clean), `reject` or
`review` (a span over the document, score 1) when that is the verdict, and one
span per finding, typed by its code (`duplicate`, `disfluent`, ...; Dolma writes
`foreign-fragment` as `foreign_fragment`), over the evidence, scored with the
finding's severity. A mixer keeps clean
documents with e.g. `"exclude": ["$.attributes[?(@.q__quality_v1__reject)]"]`.
The language comes from `metadata.language` when the document has it.
Each tagger process builds one Detector. Install with `pip install 'quality[dolma]'`.
"""

from __future__ import annotations

from dolma import add_tagger
from dolma.core.data_types import DocResult, DocumentWithMetadata, Span
from dolma.core.taggers import BaseTaggerWithMetadata

TAGGER_NAME = "quality_v1"


@add_tagger(TAGGER_NAME)
class QualityTagger(BaseTaggerWithMetadata):
    """Tags each document with its quality score, its verdict when not `keep`, and its findings as spans."""

    # Dolma builds a tagger by its registered name, with no arguments: a subclass (registered under its own
    # name) sets these, as for models_dir; unmodelled and not_prose are "keep", "review" or "reject", as in Detector
    models_dir: str | None = None  # a subclass may point at other models
    unmodelled: str = "review"
    not_prose: str = "keep"

    def __init__(self) -> None:
        from quality.analyzer import check_analysis_options

        check_analysis_options(self.unmodelled, self.not_prose)  # a subclass's typo fails before any document
        super().__init__()

    def predict(self, doc: DocumentWithMetadata) -> DocResult:  # type: ignore[override]
        """The spans of `doc`."""
        from quality.filter_worker import shared_detector

        lang = doc.metadata.get("language") if isinstance(doc.metadata, dict) else None
        report = shared_detector(self.models_dir).analyze(doc.text, lang=lang if isinstance(lang, str) else None,
                                                          source=str(doc.id), unmodelled=self.unmodelled,
                                                          not_prose=self.not_prose)
        whole = len(doc.text)
        spans = [Span(0, whole, type="score", score=report.score)]
        if report.verdict != "keep":
            spans.append(Span(0, whole, type=report.verdict, score=1.0))
        spans.extend(Span(finding.start, finding.end, type=finding.code, score=finding.severity)
                     for paragraph in report.paragraphs for finding in paragraph.findings)
        return DocResult(doc=doc, spans=spans)
