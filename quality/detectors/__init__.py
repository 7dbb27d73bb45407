"""Detectors: each module holds one detector registered with `base.register`."""

from quality.detectors.base import REGISTRY, BaseDetector, ParagraphDetector, load_detectors, register

__all__ = ["REGISTRY", "BaseDetector", "ParagraphDetector", "load_detectors", "register"]
