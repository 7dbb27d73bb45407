"""The detector interface and registry.

A detector is a small class with one job, registered by name, whose `detect`
returns findings (code, evidence span, message, severity). Detectors never see
each other's findings: combining them is `quality.scoring`'s job. Adding one is
adding a module to this package; nothing else changes.
"""

from __future__ import annotations

import importlib
import pkgutil
from abc import ABC, abstractmethod
from collections.abc import Iterable
from typing import ClassVar

from quality.context import DocumentContext, ParagraphContext
from quality.models import ModelSet
from quality.report import Finding

REGISTRY: dict[str, type[BaseDetector]] = {}


def register(cls: type[BaseDetector]) -> type[BaseDetector]:
    """Class decorator: make a detector available under `cls.name`."""
    if cls.name in REGISTRY:
        raise ValueError(f"detector name {cls.name!r} is registered twice")
    REGISTRY[cls.name] = cls
    return cls


class BaseDetector(ABC):
    """One kind of evidence. Subclasses set `name` and `codes` and implement `detect`."""

    name: ClassVar[str]
    codes: ClassVar[tuple[str, ...]]

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
