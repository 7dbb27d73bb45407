"""`Detector`: the public entry point. Text in, `DocumentReport` out.

The flow is one-way: segment into paragraphs (with offsets), tokenise,
identify languages, run every registered detector on the shared context,
combine their findings into scores and verdicts. Rendering is elsewhere.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from quality.context import DocumentContext, ParagraphContext
from quality.detectors import load_detectors
from quality.detectors.duplicate import duplicate_targets
from quality.fluency import fluency_measures
from quality.langid import UNDETERMINED, LanguageIdentifier, normalize_lang_code
from quality.models import ModelSet
from quality.normalize import tokenize
from quality.readability import readability
from quality.report import DocumentReport, count_noun, record_source
from quality.scoring import (
    DEFAULT_NOT_PROSE,
    NOT_PROSE_SEVERITY,
    REVIEW_BELOW,
    build_document_report,
    cap_document,
    score_paragraph,
)
from quality.segment import split_paragraphs

# UTF-16 surrogates: valid in a JSON string ("\ud800") and common in scraped text, but no UTF-8 can hold them
_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def replace_surrogates(text: str) -> str:
    """`text` with each surrogate code point replaced by U+FFFD: one character for one, so offsets stay valid."""
    if text.isascii() or _SURROGATE_RE.search(text) is None:
        return text
    return _SURROGATE_RE.sub("\ufffd", text)


class Detector:
    """Scores documents for fluency, machine-translation artifacts and repeats.

    `Detector(langs=None, models_dir=None)` loads the models of `langs` (all
    found, by default) from the shipped models, `$QUALITY_MODELS` and
    `models_dir`. `not_prose` says what becomes of paragraphs that are lists, code,
    tables or boilerplate: "keep" (the default), "review" or "reject".
    Models are memory-mapped and loaded once; a Detector is safe
    to share between threads, and worker processes share the mapped pages.

    >>> report = Detector().analyze("Un párrafo limpio, escrito por una persona.")
    >>> report.verdict in ("keep", "review", "reject")
    True
    """

    def __init__(self, langs: list[str] | None = None, models_dir: str | Path | None = None,
                 detectors: list[str] | None = None, not_prose: str = DEFAULT_NOT_PROSE):
        if not_prose not in NOT_PROSE_SEVERITY:
            raise ValueError(f"not_prose must be one of {', '.join(NOT_PROSE_SEVERITY)}, not {not_prose!r}")
        self.not_prose = not_prose
        self.models = ModelSet(langs, models_dir)
        registry = load_detectors()
        names = detectors or list(registry)
        unknown = [n for n in names if n not in registry]
        if unknown:
            raise ValueError(f"unknown detector(s): {', '.join(unknown)} (known: {', '.join(registry)})")
        self.detectors = [registry[name](self.models) for name in names]
        self.langid = LanguageIdentifier(self.models)

    @property
    def langs(self) -> list[str]:
        """Languages this detector has models for."""
        return self.models.langs

    def analyze(self, text: str, lang: str | None = None, source: str = "-",
                not_prose: str | None = None) -> DocumentReport:
        """Analyse one document. `lang` forces its language (default: detect); `not_prose`
        overrides the Detector's policy for lists, code, tables and boilerplate for this call.

        `lang` may be any common spelling of a code ("en", "EN", "en-US", "eng");
        an empty one means detect. Surrogate code points (a lone "\\ud800" from
        JSON) are analysed as U+FFFD, so the report always encodes as UTF-8.
        """
        not_prose = not_prose or self.not_prose
        if not_prose not in NOT_PROSE_SEVERITY:
            raise ValueError(f"not_prose must be one of {', '.join(NOT_PROSE_SEVERITY)}, not {not_prose!r}")
        text, source = replace_surrogates(text), replace_surrogates(source)
        lang = normalize_lang_code(replace_surrogates(lang) if lang is not None else None)
        doc = self._context(text, lang, source)
        findings_by_paragraph: dict[int, list] = defaultdict(list)
        all_findings = []
        for detector in self.detectors:
            for finding in detector.detect(doc):
                finding.detector = finding.detector or detector.name
                findings_by_paragraph[finding.paragraph].append(finding)
                all_findings.append(finding)
        repeats = duplicate_targets(all_findings)
        reports = []
        for paragraph in doc.paragraphs:
            findings = sorted(findings_by_paragraph[paragraph.index], key=lambda f: (f.start, f.end, f.code))
            reports.append(score_paragraph(
                paragraph.index, paragraph.paragraph.start, paragraph.paragraph.end, paragraph.lang, findings,
                repeats.get(paragraph.index), fluency_measures(paragraph), paragraph.word_count, not_prose))
        report = build_document_report(source, doc.lang, doc.lang_confidence, reports)
        kept_text = "\n".join(p.text for p, r in zip(doc.paragraphs, reports) if r.duplicate_of is None)
        report.readability = readability(kept_text, doc.lang)
        if doc.paragraphs and doc.lang not in self.models.folders:
            name = doc.lang if doc.lang != UNDETERMINED else "undetermined"
            report.error = f"unsupported language: {name}"
            report.reasons.insert(0, f"unsupported language: {name} ({_checks_that_ran(doc)})")
            cap_document(report, REVIEW_BELOW - 0.01)  # at most review, its score saying so too
        return report

    def filter(self, records: Iterable[Any], text_field: str = "text", lang_field: str | None = None,
               compact: bool = False, id_field: str = "id", start: int = 1) -> Iterator[dict[str, Any]]:
        """Yield each record with a `quality` field holding its report (`to_dict`).

        The report's `source` is the record's `id_field`: a string as it is,
        another value as JSON ("true", "{\\"a\\": 1}"); without one (absent or
        null), the record's 1-based position in `records` (counted from `start`:
        a caller feeding chunks of one input passes each chunk's first position),
        as `quality filter` uses the line number. `lang_field` values are normalised like `lang`
        in `analyze`; a missing, empty or non-string one means detect.

        Never raises for one bad record: a record that is not a dict comes back
        as {"record": the value, "quality": {...}}, and a missing or non-string
        text field, or any failure of the analysis, gives a `quality` object
        with an `error` and verdict null; the other records go on.
        """
        for position, record in enumerate(records, start):
            if not isinstance(record, dict):
                problem = f"not a JSON object (a {type(record).__name__})"
                yield {"record": record, "quality": {"error": problem, "verdict": None}}
                continue
            text = record.get(text_field)
            if not isinstance(text, str):
                problem = "missing" if text_field not in record else "not a string"
                yield {**record, "quality": {"error": f"text field {text_field!r} is {problem}", "verdict": None}}
                continue
            lang = record.get(lang_field) if lang_field else None
            try:
                report = self.analyze(text, lang=lang if isinstance(lang, str) else None,
                                      source=record_source(record.get(id_field), position))
                quality = report.to_dict(compact=compact)
            except Exception as err:  # one bad record must not end the stream
                quality = {"error": f"analysis failed: {type(err).__name__}: {err}", "verdict": None}
            yield {**record, "quality": quality}

    def _context(self, text: str, lang: str | None, source: str) -> DocumentContext:
        paragraphs = split_paragraphs(text)
        tokenised = [tokenize(p.text) for p in paragraphs]
        guesses = [self.langid.identify(p.text, tokens) for p, tokens in zip(paragraphs, tokenised)]
        doc_lang, confidence = lang, 1.0
        if doc_lang is None:
            doc_lang, confidence = self._document_language(guesses, tokenised)
        contexts = []
        for paragraph, tokens, guess in zip(paragraphs, tokenised, guesses):
            # short or unclear paragraphs (titles, captions) take the document's language
            own = guess.lang if guess.lang != UNDETERMINED and guess.confidence >= 0.9 else doc_lang
            if lang is not None and own != lang and guess.confidence < 0.99:
                own = lang
            model = self.models.get(own)
            contexts.append(ParagraphContext(paragraph, tokens, own, guess.confidence, model))
        return DocumentContext(source, text, contexts, doc_lang, confidence, self.models)

    @staticmethod
    def _document_language(guesses, tokenised) -> tuple[str, float]:
        """The language most words are in, and the share of identified words in it."""
        weight: dict[str, float] = defaultdict(float)
        for guess, tokens in zip(guesses, tokenised):
            if guess.lang != UNDETERMINED:
                weight[guess.lang] += len(tokens) * guess.confidence
        if not weight:
            return UNDETERMINED, 0.0
        best = max(weight, key=weight.__getitem__)
        return best, weight[best] / sum(weight.values())


def _checks_that_ran(doc: DocumentContext) -> str:
    """What the reason for an unsupported language says was checked: paragraphs identified
    as a language with a model (a quotation in English) were checked with that model too."""
    modelled = [p for p in doc.paragraphs if p.model is not None]
    if not modelled:
        return "only language-independent checks ran"
    langs = ", ".join(sorted({p.lang for p in modelled}))
    return (f"only language-independent checks ran, and language-model checks on {len(modelled)} of "
            f"{count_noun(len(doc.paragraphs), 'paragraph')} identified as {langs}")
