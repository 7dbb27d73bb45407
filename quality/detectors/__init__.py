"""Detectors: each module holds one detector registered with `base.register`."""

from quality.detectors.base import (
    REGISTRY,
    BaseDetector,
    FindingCode,
    ParagraphDetector,
    finding_code,
    load_detectors,
    register,
)

__all__ = ["REGISTRY", "BaseDetector", "FindingCode", "ParagraphDetector", "finding_code", "load_detectors", "register"]
