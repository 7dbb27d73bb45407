"""The detector interface and registry.

A detector is a small class with one job, registered by name, whose `detect`
returns findings (code, evidence span, message, severity). Detectors never see
each other's findings: combining them is `quality.scoring`'s job. Each detector
describes the codes it emits (`FindingCode`: how a report names them, whether
they count as garbling, a typical severity), and the scorer reads them from the
registry: adding a detector is adding a module to this package, nothing else.
"""

from __future__ import annotations

import importlib
import pkgutil
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from quality.context import DocumentContext, ParagraphContext
from quality.models import ModelSet
from quality.report import Finding

REGISTRY: dict[str, type[BaseDetector]] = {}

# what a finding code says about its paragraph, for the scorer and the reasons
GARBLING = "garbling"  # broken text: counts towards "machine-translated or garbled"
REPEAT = "repeat"  # a copy of other text
NOT_PROSE = "not-prose"  # a list, code, a table, boilerplate: not judged as prose
STYLE = "style"  # worth a look, but neither garbling nor a repeat

# A finding whose data holds INFORMAL: True is a fault of informal writing as much as of broken text (a lower-case
# start, no final stop, a space before punctuation). Alone, with fluent text, they cap a paragraph at review
# (`quality.scoring.INFORMAL_FLOOR`); the detector that finds them says so, per finding.
INFORMAL = "informal"


def is_informal(finding: Finding) -> bool:
    """True when the detector marked `finding` as an informal-style fault (see INFORMAL)."""
    return bool(finding.data.get(INFORMAL))


@dataclass(frozen=True, slots=True)
class FindingCode:
    """One finding code as a detector declares it.

    `one` and `many` say what a paragraph with this finding does, of one
    paragraph and of several ("has broken punctuation", "have broken
    punctuation"); `kind` is GARBLING, REPEAT, NOT_PROSE or STYLE; `severity`
    is the typical severity of its findings (documentation, and what a finding
    of an unknown detector is taken to weigh).
    """

    code: str
    one: str
    many: str
    kind: str = GARBLING
    severity: float = 0.5

    @property
    def garbling(self) -> bool:
        """True when findings of this code count as garbled text."""
        return self.kind == GARBLING


# code -> its declaration, built on first use from every detector module (and again after a new registration)
_DECLARED: dict[str, FindingCode] | None = None


def finding_code(code: str) -> FindingCode:
    """The declaration of `code` by a registered detector, or a generic one (never an error)."""
    global _DECLARED
    if _DECLARED is None:
        load_detectors()
        _DECLARED = {declared.code: declared for cls in REGISTRY.values() for declared in cls.codes
                     if isinstance(declared, FindingCode)}
    declared = _DECLARED.get(code)
    return declared if declared is not None else FindingCode(code, f"has {code} findings", f"have {code} findings")


def register(cls: type[BaseDetector]) -> type[BaseDetector]:
    """Class decorator: make a detector available under `cls.name`."""
    global _DECLARED
    if cls.name in REGISTRY:
        raise ValueError(f"detector name {cls.name!r} is registered twice")
    REGISTRY[cls.name] = cls
    _DECLARED = None
    return cls


class BaseDetector(ABC):
    """One kind of evidence. Subclasses set `name` and `codes` (their `FindingCode`s) and implement `detect`."""

    name: ClassVar[str]
    codes: ClassVar[tuple[FindingCode, ...]]

    def __init__(self, models: ModelSet):
        self.models = models

    @abstractmethod
    def detect(self, doc: DocumentContext) -> list[Finding]:
        """All findings of this detector in `doc`."""


class ParagraphDetector(BaseDetector):
    """A detector that looks at one paragraph at a time."""

    def detect(self, doc: DocumentContext) -> list[Finding]:
        """Run `detect_paragraph` on every paragraph and tag findings with this detector."""
        findings = []
        for paragraph in doc.paragraphs:
            for finding in self.detect_paragraph(paragraph, doc):
                finding.detector = self.name
                findings.append(finding)
        return findings

    @abstractmethod
    def detect_paragraph(self, paragraph: ParagraphContext, doc: DocumentContext) -> Iterable[Finding]:
        """Findings in one paragraph."""


def load_detectors() -> dict[str, type[BaseDetector]]:
    """Import every module of this package so their detectors register; return the registry."""
    package = importlib.import_module("quality.detectors")
    for module in pkgutil.iter_modules(package.__path__):
        if module.name != "base":
            importlib.import_module(f"quality.detectors.{module.name}")
    return dict(sorted(REGISTRY.items()))
