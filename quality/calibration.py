"""Calibrating a model folder on clean held-out paragraphs of its language.

Each fluency measure is stored as low-tail quantiles of its distribution over
clean text, so detectors can say "rarer than 1 in 1,000 clean windows of this
language". That is what makes scores comparable across languages: a Greek and
a Spanish paragraph are each compared with clean text of their own language.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from quality.context import ParagraphContext
from quality.fluency import TAIL_QUANTILES, WINDOW, mean_logprob, mean_slor, token_slor, window_means
from quality.normalize import tokenize
from quality.report import Paragraph
from quality.train import CALIBRATION_FILE


def _quantiles(values: list[float] | np.ndarray) -> dict[str, float]:
    array = np.asarray(values, dtype=np.float64)
    return {f"{q:g}": round(float(np.quantile(array, q)), 4) for q in TAIL_QUANTILES}


def calibrate_model_dir(folder: Path, lang: str, paragraphs: list[str]) -> dict:
    """Measure the fluency distributions of clean `paragraphs` and write calibration.json."""
    from quality.models import LanguageModel

    # the model folder is not complete yet: load its parts without the calibration
    (folder / CALIBRATION_FILE).write_text("{}", encoding="utf-8")
    model = LanguageModel.load(folder)
    windows: list[np.ndarray] = []
    means: list[float] = []
    logprobs: list[float] = []
    for number, text in enumerate(paragraphs):
        tokens = tokenize(text)
        if len(tokens) < WINDOW:
            continue
        context = ParagraphContext(Paragraph(number, 0, len(text), text), tokens, lang, 1.0, model)
        means_of_windows = window_means(token_slor(context))
        windows.append(means_of_windows[~np.isnan(means_of_windows)])
        mean = mean_slor(context)
        if mean is not None:
            means.append(mean)
        logprobs.append(mean_logprob(context))
    if not means:
        raise ValueError(f"{lang}: no held-out paragraphs to calibrate on")
    all_windows = np.concatenate(windows)
    calibration = {
        "lang": lang,
        "paragraphs": len(means),
        "window": WINDOW,
        "windows": int(all_windows.size),
        "window_slor": _quantiles(all_windows),
        "mean_slor": _quantiles(means),
        "mean_logprob": _quantiles(logprobs),
    }
    (folder / CALIBRATION_FILE).write_text(json.dumps(calibration, indent=2) + "\n", encoding="utf-8")
    return calibration


def main(argv: list[str] | None = None) -> None:
    """Re-calibrate model folders from the corpora named in their cards (`make calibrate`)."""
    import argparse

    from quality.corpus import CorpusSpec, heldout_paragraphs

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--shared", default="../shared", help="folder holding corpora/<lang>/")
    parser.add_argument("folders", nargs="+", type=Path)
    args = parser.parse_args(argv)
    for folder in args.folders:
        card = json.loads((folder / "card.json").read_text(encoding="utf-8"))
        lang = card["lang"]
        specs = [CorpusSpec(Path(args.shared) / "corpora" / lang / c["file"], c["weight"]) for c in card["corpora"]]
        result = calibrate_model_dir(folder, lang, heldout_paragraphs(specs))
        print(f"{lang}: calibrated on {result['paragraphs']} paragraphs, {result['windows']} windows")


if __name__ == "__main__":
    main()
