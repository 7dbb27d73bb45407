"""Would a learned combiner beat the calibrated rule? A measurement, not a shipped model.

    .venv/bin/python bench/combiner.py --shared ../shared [--per-lang 150]

Fits one logistic regression (numpy, L2) over each paragraph's findings (summed
-log(1 - severity) per code) and fluency measures (-log10 of the SLOR and log
probability percentiles, 1 - fluency percentile) on held-out clean corpus
paragraphs of every language against their corrupted copies
(`bench/corruptions.py`, every kind), then compares it with the shipped score
as a document score on WMT24 dev (refA against each system), which it never
sees. Prints a markdown table for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from accuracy import _heldout_for, _phrases, roc_auc  # noqa: E402
from corruptions import KINDS  # noqa: E402

from quality.analyzer import Detector  # noqa: E402

CODES = ("casing", "punctuation", "truncated", "repetition", "foreign-fragment", "agreement", "disfluent", "markup",
         "mojibake")


def features(paragraph) -> list[float]:
    """The combiner's inputs for one paragraph report."""
    row = [0.0] * len(CODES)
    for finding in paragraph.findings:
        if finding.code in CODES:
            row[CODES.index(finding.code)] += -math.log(max(1e-6, 1.0 - finding.severity))
    f = paragraph.features
    row += [-math.log10(max(f.get("slor_percentile", 0.5), 1e-12)),
            -math.log10(max(f.get("logprob_percentile", 0.5), 1e-12)), 1.0 - f.get("fluency_percentile", 0.5)]
    return row + [1.0]


def fit(x: np.ndarray, y: np.ndarray, l2: float = 1e-2, steps: int = 100) -> np.ndarray:
    """Logistic regression by Newton's method."""
    w = np.zeros(x.shape[1])
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-x @ w))
        gradient = x.T @ (p - y) / len(y) + l2 * w
        hessian = (x.T * (p * (1.0 - p))) @ x / len(y) + l2 * np.eye(len(w))
        w -= np.linalg.solve(hessian, gradient)
    return w


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parent.parent.parent / "shared")
    parser.add_argument("--per-lang", type=int, default=150)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    detector = Detector()
    rng = random.Random(args.seed)
    phrases = {s: _phrases(_heldout_for(detector, args.shared, s), rng) for s in ("en", "es")}
    rows, labels = [], []
    for lang in ("es", "pt", "el", "en", "fr", "de", "it"):
        paragraphs = _heldout_for(detector, args.shared, lang)
        rng.shuffle(paragraphs)
        for text in paragraphs[: args.per_lang]:
            for kind in ("clean", *KINDS):
                corrupted = text if kind == "clean" else KINDS[kind](text, rng, lang, phrases["es" if lang == "en"
                                                                                           else "en"])
                if corrupted:
                    report = detector.analyze(corrupted, lang=lang)
                    rows += [features(p) for p in report.paragraphs]
                    labels += [0.0 if kind == "clean" else 1.0] * len(report.paragraphs)
    weights = fit(np.array(rows), np.array(labels))
    learned: dict[str, list[float]] = {}
    shipped: dict[str, list[float]] = {}
    with open(args.shared / "dev" / "wmt24_en_es_dev.jsonl", encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            report = detector.analyze(record["text"], lang="es", source=record["id"])
            lengths = np.array([max(1, p.end - p.start) for p in report.paragraphs])
            p_bad = 1.0 / (1.0 + np.exp(-np.array([features(p) for p in report.paragraphs]) @ weights))
            learned.setdefault(record["system"], []).append(float(((1 - p_bad) * lengths).sum() / lengths.sum()))
            shipped.setdefault(record["system"], []).append(report.score)
    names = [*CODES, "-log10 slor_pct", "-log10 logprob_pct", "1 - fluency_pct", "intercept"]
    print(f"Fitted on {len(labels)} held-out paragraphs ({int(sum(labels))} corrupted); weights: "
          + ", ".join(f"{n} {w:.2f}" for n, w in zip(names, weights)))
    print("\n| system | ROC-AUC shipped score | ROC-AUC learned combiner |\n|---|---|---|")
    for system in ("TSU-HITs", "MSLC", "Occiglot"):
        print(f"| {system} | {roc_auc(shipped[system], shipped['refA']):.3f} | "
              f"{roc_auc(learned[system], learned['refA']):.3f} |")


if __name__ == "__main__":
    main()
