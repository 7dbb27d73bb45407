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
from quality.langcodes import describe, normalize_lang_code
from quality.langid import (
    UNDETERMINED,
    VOCAB_MARGIN,
    LanguageGuess,
    LanguageIdentifier,
    dominant_script,
    lowercase_words,
    written_with_spaces,
)
from quality.models import ModelSet
from quality.normalize import tokenize
from quality.readability import readability
from quality.report import DocumentReport, count_noun, record_source
from quality.scoring import (
    DEFAULT_NOT_PROSE,
    NOT_PROSE_SEVERITY,
    REJECT_BELOW,
    REVIEW_BELOW,
    build_document_report,
    cap_document,
    score_paragraph,
)
from quality.segment import split_paragraphs

# UTF-16 surrogates: valid in a JSON string ("\ud800") and common in scraped text, but no UTF-8 can hold them
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
# what happens to a document in a language without a model (`--unmodelled`)
UNMODELLED_POLICIES = ("keep", "review", "reject")
# finding codes that hold in any language, so they stand on paragraphs no model reads (casing does not:
# Georgian letters are all "lower case", and many scripts have no case)
LANGUAGE_INDEPENDENT = frozenset({"duplicate", "markup", "mojibake", "punctuation"})


def check_analysis_options(unmodelled: str, not_prose: str) -> None:
    """Raise a ValueError naming the option and its allowed values when `unmodelled` or `not_prose` is not one of them.

    For the entry points that take these options and run the analysis elsewhere
    (Dask, the integrations): a bad value fails at once, before any work starts.
    """
    if unmodelled not in UNMODELLED_POLICIES:
        raise ValueError(f"unmodelled must be one of {', '.join(UNMODELLED_POLICIES)}, not {unmodelled!r}")
    if not_prose not in NOT_PROSE_SEVERITY:
        raise ValueError(f"not_prose must be one of {', '.join(NOT_PROSE_SEVERITY)}, not {not_prose!r}")


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
                 detectors: list[str] | None = None, unmodelled: str = "review",
                 not_prose: str = DEFAULT_NOT_PROSE):
        check_analysis_options(unmodelled, not_prose)
        self.unmodelled = unmodelled
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

    def identify(self, text: str) -> LanguageGuess:
        """The language of `text` as `analyze` would find it for the whole document."""
        return self.langid.identify(replace_surrogates(text))

    def analyze(self, text: str, lang: str | None = None, source: str = "-",
                unmodelled: str | None = None, not_prose: str | None = None) -> DocumentReport:
        """Analyse one document. `lang` forces its language (default: detect); `not_prose`
        overrides the Detector's policy for lists, code, tables and boilerplate for this call.

        `lang` may be any common spelling of a code or name ("en", "EN", "en-US",
        "eng", "English"); an empty one means detect; one in no table raises
        `quality.langcodes.UnknownLanguageError` (a ValueError) listing the
        accepted ones. A document in a language without a model gets the
        language-independent checks only, and its verdict follows `unmodelled`
        (default: the Detector's): "keep" as those checks say, at least
        "review", or "reject". Surrogate code points (a lone "\\ud800" from
        JSON) are analysed as U+FFFD, so the report always encodes as UTF-8.
        """
        policy = unmodelled or self.unmodelled
        if policy not in UNMODELLED_POLICIES:
            raise ValueError(f"unmodelled must be one of {', '.join(UNMODELLED_POLICIES)}, not {policy!r}")
        not_prose = not_prose or self.not_prose
        if not_prose not in NOT_PROSE_SEVERITY:
            raise ValueError(f"not_prose must be one of {', '.join(NOT_PROSE_SEVERITY)}, not {not_prose!r}")
        text, source = replace_surrogates(text), replace_surrogates(source)
        lang = normalize_lang_code(replace_surrogates(lang) if lang is not None else None, self.langs)
        doc = self._context(text, lang, source)
        findings_by_paragraph: dict[int, list] = defaultdict(list)
        all_findings = []
        for detector in self.detectors:
            for finding in detector.detect(doc):
                if doc.paragraphs[finding.paragraph].model is None and not _holds_in_any_language(
                        finding.code, doc.paragraphs[finding.paragraph].text):
                    continue  # no model reads this paragraph: only what holds in any language may speak
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
        report.modelled = doc.lang in self.models.folders
        if doc.paragraphs and not report.modelled:
            # honest about what was checked; no model of a neighbouring language stands in
            report.reasons = [f"unmodelled language: {describe(doc.lang)} ({_checks_that_ran(doc)})"] + [
                "no problems found by these checks" if r == "no problems found" else r for r in report.reasons]
            # the policy's floor on the verdict, as a ceiling on the score so the two still agree
            ceiling = {"keep": None, "review": REVIEW_BELOW - 0.01, "reject": REJECT_BELOW - 0.01}[policy]
            if ceiling is not None:
                cap_document(report, ceiling)
        return report

    def filter(self, records: Iterable[Any], text_field: str = "text", lang_field: str | None = None,
               compact: bool = False, id_field: str = "id", start: int = 1,
               unmodelled: str | None = None, not_prose: str | None = None) -> Iterator[dict[str, Any]]:
        """Yield each record with a `quality` field holding its report (`to_dict`).

        The report's `source` is the record's `id_field`: a string as it is,
        another value as JSON ("true", "{\\"a\\": 1}"); without one (absent or
        null), the record's 1-based position in `records` (counted from `start`:
        a caller feeding chunks of one input passes each chunk's first position),
        as `quality filter` uses the line number. `lang_field` values are normalised like `lang`
        in `analyze`; a missing, empty or non-string one means detect. `unmodelled` and `not_prose`
        are as in `analyze` (default: the Detector's); an invalid one raises ValueError before any record.

        Never raises for one bad record: a record that is not a dict comes back
        as {"record": the value, "quality": {...}}, and a missing or non-string
        text field, or any failure of the analysis, gives a `quality` object
        with an `error` and verdict null; the other records go on.
        """
        check_analysis_options(unmodelled or self.unmodelled, not_prose or self.not_prose)
        return self._filter(records, text_field, lang_field, compact, id_field, start, unmodelled, not_prose)

    def _filter(self, records: Iterable[Any], text_field: str, lang_field: str | None, compact: bool, id_field: str,
                start: int, unmodelled: str | None, not_prose: str | None) -> Iterator[dict[str, Any]]:
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
            lang = record.get(lang_field) if lang_field else None  # an unknown code: an error for this record
            try:
                report = self.analyze(text, lang=lang if isinstance(lang, str) else None,
                                      source=record_source(record.get(id_field), position), unmodelled=unmodelled,
                                      not_prose=not_prose)
                quality = report.to_dict(compact=compact)
            except Exception as err:  # one bad record must not end the stream
                quality = {"error": f"analysis failed: {type(err).__name__}: {err}", "verdict": None}
            yield {**record, "quality": quality}

    def _context(self, text: str, lang: str | None, source: str) -> DocumentContext:
        paragraphs = split_paragraphs(text)
        tokenised = [tokenize(p.text) for p in paragraphs]
        lowered = [lowercase_words(p.text, tokens) for p, tokens in zip(paragraphs, tokenised)]
        if lang is not None:
            doc_lang, confidence = lang, 1.0
        elif not paragraphs:
            doc_lang, confidence = UNDETERMINED, 0.0
        else:
            guess = self.langid.identify(text, [w for words in lowered for w in words])
            doc_lang, confidence = guess.lang, guess.confidence
        doc_script = dominant_script(text)[0] if len(paragraphs) > 1 else ""
        contexts = []
        for paragraph, tokens, words in zip(paragraphs, tokenised, lowered):
            own, own_confidence = doc_lang, confidence
            if len(paragraphs) > 1:
                found = self._paragraph_language(paragraph.text, tokens, words, doc_lang, doc_script)
                if found is not None:
                    own, own_confidence = found.lang, found.confidence
            contexts.append(ParagraphContext(paragraph, tokens, own, own_confidence, self.models.get(own)))
        return DocumentContext(source, text, contexts, doc_lang, confidence, self.models)

    def _paragraph_language(self, text: str, tokens, words: list[str], doc_lang: str,
                            doc_script: str) -> LanguageGuess | None:
        """A paragraph's own language where it differs confidently from the document's, or None.

        In a modelled document: another language whatlang is sure of (a quoted
        English paragraph in a Spanish article: foreign-paragraph evidence). In
        an unmodelled one: only a modelled language (its model then checks that
        paragraph); two identifiers disagreeing on close unmodelled languages
        (Bosnian or Serbo-Croatian, Indonesian or Malay) is no evidence. A
        paragraph in another script than most of the document gets "und" when
        nothing better is known: no model of the document's language reads it.
        """
        langid = self.langid
        if doc_lang in self.models.folders and langid.vocabulary_agrees(doc_lang, words, VOCAB_MARGIN) \
                and langid.script_fits(doc_lang, text):
            return None  # plainly in the document's language: its model's words, its script; no identifier runs
        found = langid.identify_paragraph(text, tokens, doc_lang)
        if found is not None and (doc_lang in self.models.folders or found.lang in self.models.folders):
            return found
        script, share = dominant_script(text)
        if script and doc_script and script != doc_script and share >= 0.5 and doc_lang in self.models.folders:
            return LanguageGuess(UNDETERMINED, 0.0, "script")
        return None


def _holds_in_any_language(code: str, text: str) -> bool:
    """Whether a finding of `code` stands without a model of the paragraph's language. Punctuation rules
    assume words separated by spaces: not Chinese or Thai, nor Arabic or Hebrew, whose clitics take a
    quotation mark glued to them (و"الكرة")."""
    if code not in LANGUAGE_INDEPENDENT:
        return False
    return code != "punctuation" or written_with_spaces(text)


def _checks_that_ran(doc: DocumentContext) -> str:
    """What the reason for an unmodelled language says was checked: paragraphs identified
    as a language with a model (a quotation in English) were checked with that model too."""
    modelled = [p for p in doc.paragraphs if p.model is not None]
    if not modelled:
        return "only language-independent checks ran"
    langs = ", ".join(sorted({p.lang for p in modelled}))
    return (f"only language-independent checks ran, and language-model checks on {len(modelled)} of "
            f"{count_noun(len(doc.paragraphs), 'paragraph')} identified as {langs}")
