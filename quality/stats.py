"""Per-code statistics of a filter run: what came in, what went out, and why things were thrown away.

Each analysed document is reduced to a small `DocumentDigest` (where the
report is: in the worker, so only a few numbers travel back), and a
`FilterStats` adds digests up in the process that writes the outputs, like
datatrove's per-reason counters: documents in and out, per verdict, per
language, and per finding code (documents, paragraphs, and how many rejected
documents the code was the main reason for).

The main reason of a document (`main_reason`) is also the drop reason the
pipeline adapters give (datatrove's `dropped_<reason>` counters), so every
tool says the same thing about the same document.
"""

from __future__ import annotations

import json
import os
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from quality.report import REJECT, VERDICTS, DocumentReport

# reasons that are not finding codes
NO_TEXT = "no-text"
UNSUPPORTED_LANGUAGE = "unsupported-language"
NO_FINDING = "no-finding"  # rejected by a --min-score above a clean document's score
STATS_SCHEMA = "1.0"


def main_reason(report: DocumentReport) -> str:
    """The finding code that weighs most in the document's bad paragraphs.

    Each flagged paragraph is put down to the code of its most severe finding
    (`duplicate` for a repeat); the code whose paragraphs cover the most
    characters wins, first among rejected or repeated paragraphs, then among
    those worth a look, ties going to the code first in the alphabet.
    Documents with no paragraph, or in a language without a model and no
    finding, get `no-text` and `unsupported-language`; one with no finding
    at all `no-finding`.
    """
    if not report.paragraphs:
        return NO_TEXT
    for wanted in ((REJECT,), ("review",)):
        weight: dict[str, int] = defaultdict(int)
        for paragraph in report.paragraphs:
            code = _paragraph_reason(paragraph)
            if code is not None and paragraph.verdict in wanted:
                weight[code] += max(1, paragraph.end - paragraph.start)
        if weight:
            return min(weight, key=lambda code: (-weight[code], code))
    if report.error and report.error.startswith("unsupported language"):
        return UNSUPPORTED_LANGUAGE
    codes = Counter(finding.code for paragraph in report.paragraphs for finding in paragraph.findings)
    if codes:
        return min(codes, key=lambda code: (-codes[code], code))
    return NO_FINDING


def _paragraph_reason(paragraph) -> str | None:
    if paragraph.duplicate_of is not None:
        return "duplicate"
    if not paragraph.findings:
        return None
    return max(paragraph.findings, key=lambda f: (f.severity, f.code == "duplicate", f.code)).code


@dataclass(frozen=True, slots=True)
class DocumentDigest:
    """What the statistics need of one report: language, and paragraphs per finding code."""

    lang: str | None
    verdict: str
    paragraphs_by_code: tuple[tuple[str, int], ...]
    main_reason: str


def digest(report: DocumentReport) -> DocumentDigest:
    """The digest of a report (cheap: no JSON, a few strings and counts)."""
    by_code: Counter[str] = Counter()
    for paragraph in report.paragraphs:
        for code in {finding.code for finding in paragraph.findings}:
            by_code[code] += 1
    return DocumentDigest(report.lang, report.verdict, tuple(sorted(by_code.items())), main_reason(report))


@dataclass
class CodeCounts:
    """Counts for one finding code."""

    documents: int = 0  # documents with at least one finding of the code
    paragraphs: int = 0  # paragraphs with at least one finding of the code
    rejected_documents: int = 0  # rejected documents with the code
    main_reason: int = 0  # rejected documents for which the code was the main reason


@dataclass
class FilterStats:
    """Counts of documents in and out, per verdict, per language and per finding code."""

    documents_in: int = 0
    kept: int = 0
    rejected: int = 0
    errors: int = 0
    verdicts: Counter = field(default_factory=Counter)
    languages: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    codes: dict[str, CodeCounts] = field(default_factory=lambda: defaultdict(CodeCounts))
    rejected_for: Counter = field(default_factory=Counter)

    def add(self, document: DocumentDigest, rejected: bool) -> None:
        """Count one analysed document and whether the cut rejected it."""
        self.documents_in += 1
        outcome = "rejected" if rejected else "kept"
        if rejected:
            self.rejected += 1
            self.rejected_for[document.main_reason] += 1
        else:
            self.kept += 1
        self.verdicts[document.verdict] += 1
        lang = self.languages[document.lang or "und"]
        lang["documents"] += 1
        lang[outcome] += 1
        for code, paragraphs in document.paragraphs_by_code:
            counts = self.codes[code]
            counts.documents += 1
            counts.paragraphs += paragraphs
            counts.rejected_documents += rejected
        if rejected and document.main_reason in self.codes:
            self.codes[document.main_reason].main_reason += 1

    def add_error(self) -> None:
        """Count a record that could not be analysed (it is neither kept nor rejected)."""
        self.documents_in += 1
        self.errors += 1

    def rejected_line(self, top: int = 8) -> str:
        """`rejected for: duplicate 40, disfluent 12, …` (the most frequent main reasons first)."""
        if not self.rejected_for:
            return "rejected for: nothing rejected"
        ranked = sorted(self.rejected_for.items(), key=lambda item: (-item[1], item[0]))
        shown = ", ".join(f"{code} {count:,}" for code, count in ranked[:top])
        rest = sum(count for _, count in ranked[top:])
        return f"rejected for: {shown}" + (f", {len(ranked) - top} other reasons {rest:,}" if rest else "")

    def to_dict(self) -> dict[str, Any]:
        """The `--stats` JSON: every count, keys sorted so two runs compare with diff."""
        return {
            "schema": STATS_SCHEMA,
            "documents": {"in": self.documents_in, "out": self.kept, "kept": self.kept, "rejected": self.rejected,
                          "errors": self.errors},
            "verdicts": {verdict: self.verdicts.get(verdict, 0) for verdict in VERDICTS},
            "languages": {lang: {key: counts.get(key, 0) for key in ("documents", "kept", "rejected")}
                          for lang, counts in sorted(self.languages.items())},
            "findings": {code: {"documents": c.documents, "paragraphs": c.paragraphs,
                                "rejected_documents": c.rejected_documents, "main_reason_of_rejected": c.main_reason}
                         for code, c in sorted(self.codes.items())},
            "rejected_for": dict(sorted(self.rejected_for.items(), key=lambda item: (-item[1], item[0]))),
        }

    def write(self, path: str) -> None:
        """Write the JSON to `path` (through a temporary file, so a reader never sees half of it)."""
        temporary = f"{path}.tmp{os.getpid()}"
        with open(temporary, "w", encoding="utf-8") as out:
            json.dump(self.to_dict(), out, indent=2, ensure_ascii=False)
            out.write("\n")
        os.replace(temporary, path)
