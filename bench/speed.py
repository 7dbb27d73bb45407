"""Speed of `quality check`'s analysis on one core, next to the ceiling: raw KenLM scoring.

    .venv/bin/python bench/speed.py --shared ../shared

Documents: the five seeds and every WMT24 dev record (one paragraph each). The
ceiling is `kenlm.Model.score` over the same paragraphs, normalised as scoring
does, with the same model. Both run in this one process, on one core.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from quality.analyzer import Detector  # noqa: E402
from quality.normalize import normalize_line  # noqa: E402
from quality.segment import split_paragraphs  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    documents = [p.read_text(encoding="utf-8") for p in sorted((args.shared / "seeds").glob("*.txt"))]
    with open(args.shared / "dev" / "wmt24_en_es_dev.jsonl", encoding="utf-8") as handle:
        documents += [json.loads(line)["text"] for line in handle]
    detector = Detector()
    # warm-up (models mapped, caches filled); documents in no modelled language ("@user44") count as es
    langs = [lang if lang in detector.langs else "es" for lang in (detector.analyze(d).lang for d in documents)]
    megabytes = sum(len(doc.encode("utf-8")) for doc in documents) / 1e6
    paragraphs = sum(len(split_paragraphs(doc)) for doc in documents)

    best = float("inf")
    for _ in range(args.repeat):
        started = time.perf_counter()
        for doc in documents:
            detector.analyze(doc)
        best = min(best, time.perf_counter() - started)

    normalised = [(lang, normalize_line(p.text)) for doc, lang in zip(documents, langs) for p in split_paragraphs(doc)]
    kenlm_models = {lang: detector.models.get(lang).kenlm for lang in set(langs)}
    ceiling = float("inf")
    for _ in range(args.repeat):
        started = time.perf_counter()
        for lang, text in normalised:
            kenlm_models[lang].score(text, bos=True, eos=True)
        ceiling = min(ceiling, time.perf_counter() - started)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{len(documents)} documents, {paragraphs} paragraphs, {megabytes:.2f} MB; best of {args.repeat} runs\n")
    print("| what | seconds | paragraphs/s | MB/s |")
    print("|---|---|---|---|")
    print(f"| `Detector.analyze` (all detectors, language id, readability) | {best:.2f} | {paragraphs / best:,.0f} | "
          f"{megabytes / best:.3f} |")
    print(f"| ceiling: raw `kenlm.Model.score` on the normalised paragraphs | {ceiling:.3f} | "
          f"{paragraphs / ceiling:,.0f} | {megabytes / ceiling:.2f} |")
    print(f"\nanalysis runs at {ceiling / best:.1%} of the ceiling; peak RSS {rss:.0f} MB")


if __name__ == "__main__":
    main()
