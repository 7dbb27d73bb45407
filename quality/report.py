"""The report data model: findings, paragraph reports, document reports.

`DocumentReport.to_dict()` is the versioned JSON schema other tools rely on
(described in the README). Field names here are a contract: add fields, never
rename or remove them without bumping `SCHEMA_VERSION`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

SCHEMA_VERSION = "1.1"

KEEP = "keep"
REVIEW = "review"
REJECT = "reject"
VERDICTS = (KEEP, REVIEW, REJECT)
# a verdict's rank: for --fail-on and for "the worst of"
VERDICT_RANK = {KEEP: 0, REVIEW: 1, REJECT: 2}


def count_noun(count: int, singular: str, plural: str | None = None) -> str:
    """A count with its noun in the number it takes: "1 paragraph", "3 paragraphs"."""
    return f"{count} {singular if count == 1 else plural or singular + 's'}"


def record_source(value: Any, position: int) -> str:
    """A record's id as a report's `source`: a string as it is, any other value as JSON ("true", "{\"a\": 1}"),
    and no id (absent or null) as the record's 1-based position in its input.
    """
    if value is None:
        return str(position)
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):  # not a JSON value (a Python API caller's object)
        return str(value)


@dataclass(slots=True)
class Finding:
    """One piece of evidence against a paragraph: what, where, and why.

    `start`/`end` are character offsets into the whole document (not the
    paragraph), so a finding can be highlighted without knowing paragraphs.
    `severity` (0-1) is how strongly the detector believes this is a defect.
    """

    code: str
    start: int
    end: int
    text: str
    message: str
    severity: float = 1.0
    detector: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    paragraph: int = -1

    def to_dict(self) -> dict[str, Any]:
        """The JSON form of this finding."""
        out = {
            "code": self.code,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "message": self.message,
            "severity": round(self.severity, 3),
        }
        if self.data:
            out["data"] = self.data
        return out


@dataclass(slots=True)
class Paragraph:
    """A paragraph of a document: its text and where it stands in the document."""

    index: int
    start: int
    end: int
    text: str


@dataclass(slots=True)
class ParagraphReport:
    """What we concluded about one paragraph."""

    index: int
    start: int
    end: int
    lang: str | None
    score: float
    verdict: str
    findings: list[Finding] = field(default_factory=list)
    duplicate_of: int | None = None
    features: dict[str, float] = field(default_factory=dict)

    def to_dict(self, compact: bool = False) -> dict[str, Any]:
        """The JSON form of this paragraph report."""
        out: dict[str, Any] = {
            "index": self.index,
            "start": self.start,
            "end": self.end,
            "lang": self.lang,
            "score": round(self.score, 4),
            "verdict": self.verdict,
            "duplicate_of": self.duplicate_of,
            "findings": [f.to_dict() for f in self.findings],
        }
        if not compact and self.features:
            out["features"] = {k: round(v, 4) for k, v in self.features.items()}
        return out


@dataclass(slots=True)
class DocumentReport:
    """The report for one document; `to_dict()` is the JSON schema."""

    source: str
    lang: str | None
    lang_confidence: float
    score: float
    verdict: str
    reasons: list[str]
    paragraphs: list[ParagraphReport]
    readability: dict[str, Any] = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    # whether the document's language has a model (schema 1.1); False: only language-independent checks ran
    modelled: bool = True

    def to_dict(self, compact: bool = False) -> dict[str, Any]:
        """The versioned JSON form; `compact` drops per-paragraph details."""
        out: dict[str, Any] = {
            "schema": SCHEMA_VERSION,
            "source": self.source,
            "lang": self.lang,
            "lang_confidence": round(self.lang_confidence, 3),
            "score": round(self.score, 4),
            "verdict": self.verdict,
            "reasons": list(self.reasons),
            "readability": self.readability,
            "stats": self.stats,
            "error": self.error,
            "modelled": self.modelled,
        }
        if compact:
            out["flagged_paragraphs"] = [p.index for p in self.paragraphs if p.verdict != KEEP]
        else:
            out["paragraphs"] = [p.to_dict() for p in self.paragraphs]
        return out
