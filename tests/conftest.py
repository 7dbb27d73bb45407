"""Shared fixtures: one Detector with the shipped models for the whole session."""

from __future__ import annotations

from pathlib import Path

import pytest

from quality.analyzer import Detector

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"


@pytest.fixture(scope="session")
def detector() -> Detector:
    return Detector()


@pytest.fixture(scope="session")
def sample_texts() -> dict[str, str]:
    return {p.name[:3]: p.read_text(encoding="utf-8") for p in sorted(SAMPLES.glob("*.txt"))}
