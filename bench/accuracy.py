"""Accuracy benchmark: seeds, WMT24 en-es machine translation, held-out corruptions.

    .venv/bin/python bench/accuracy.py --shared ../shared [--per-lang 600] [--out bench/out/accuracy.json]

Prints markdown tables (pasted into bench/RESULTS.md). Reads ../shared; the
tests never need it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

from scipy.stats import mannwhitneyu

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from corruptions import KINDS  # noqa: E402

from quality.analyzer import Detector  # noqa: E402
from quality.corpus import CorpusSpec, heldout_paragraphs  # noqa: E402
from quality.normalize import normalize_line  # noqa: E402
from quality.report import REJECT, VERDICTS  # noqa: E402
from quality.scoring import REJECT_BELOW, REVIEW_BELOW, verdict_for  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def roc_auc(bad: list[float], clean: list[float]) -> float:
    """P(a bad item scores lower than a clean one), ties counted half."""
    if not bad or not clean:
        return float("nan")
    u = mannwhitneyu(clean, bad, alternative="two-sided").statistic
    return float(u / (len(bad) * len(clean)))


class AgreementTally:
    """Every score and verdict the benchmark sees (documents and paragraphs), by score band and verdict."""

    BANDS = (f"< {REJECT_BELOW:g}", f"{REJECT_BELOW:g} - {REVIEW_BELOW:g}", f">= {REVIEW_BELOW:g}")

    def __init__(self) -> None:
        self.counts: dict[tuple[str, str, str], int] = Counter()
        self.disagreements: Counter = Counter()

    def add(self, report) -> None:
        for level, items in (("document", [report]), ("paragraph", report.paragraphs)):
            for item in items:
                band = self.BANDS[0 if item.score < REJECT_BELOW else 1 if item.score < REVIEW_BELOW else 2]
                self.counts[level, band, item.verdict] += 1
                if item.verdict != verdict_for(item.score):
                    self.disagreements[level] += 1

    def table(self) -> list[str]:
        lines = ["## Score against verdict", "",
                 "Every document and paragraph analysed above (seeds, all WMT24 dev records, held-out clean and "
                 "corrupted paragraphs, noisy sources, documents of several paragraphs): how many fall in each "
                 "score band with each verdict.", "",
                 "| level | score | " + " | ".join(VERDICTS) + " | disagreements |", "|---" * 6 + "|"]
        for level in ("document", "paragraph"):
            for band in self.BANDS:
                cells = [str(self.counts[level, band, v]) for v in VERDICTS]
                lines.append(f"| {level} | {band} | " + " | ".join(cells) + f" | {self.disagreements[level]} |")
        return lines


TALLY = AgreementTally()


def analyze(detector: Detector, text: str, **kwargs):
    """detector.analyze, with the report counted in TALLY."""
    report = detector.analyze(text, **kwargs)
    TALLY.add(report)
    return report


def _half(doc_id: str) -> int:
    return int(hashlib.md5(doc_id.encode()).hexdigest(), 16) % 2


def seeds(detector: Detector, shared: Path) -> list[str]:
    lines = ["## Seeds", "",
             "| file | lang | score | verdict | rejected paragraphs (1-based) | duplicates (1-based: of) |",
             "|---|---|---|---|---|---|"]
    for path in sorted((shared / "seeds").glob("*.txt")):
        report = analyze(detector, path.read_text(encoding="utf-8"), source=path.name)
        garbled = [p.index + 1 for p in report.paragraphs if p.verdict == REJECT and p.duplicate_of is None]
        dups = [f"{p.index + 1}:{p.duplicate_of + 1}" for p in report.paragraphs if p.duplicate_of is not None]
        lines.append(f"| {path.name} | {report.lang} | {report.score:.3f} | {report.verdict} | "
                     f"{', '.join(map(str, garbled)) or '-'} | {', '.join(dups) or '-'} |")
    return lines


def wmt(detector: Detector, shared: Path) -> list[str]:
    with open(shared / "dev" / "wmt24_en_es_dev.jsonl", encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle]
    model = detector.models.get("es").kenlm
    scores: dict[str, list[float]] = defaultdict(list)
    halves: dict[tuple[str, int], list[float]] = defaultdict(list)
    perplexity: dict[str, list[float]] = defaultdict(list)
    verdicts: dict[str, Counter] = defaultdict(Counter)
    codes: dict[str, Counter] = defaultdict(Counter)
    for record in records:
        report = analyze(detector, record["text"], lang="es", source=record["id"])
        system = record["system"]
        scores[system].append(report.score)
        halves[system, _half(record["doc_id"])].append(report.score)
        verdicts[system][report.verdict] += 1
        for paragraph in report.paragraphs:
            for code in {f.code for f in paragraph.findings}:
                codes[system][code] += 1
        norm = normalize_line(record["text"])
        perplexity[system].append(-model.perplexity(norm) if norm else 0.0)
    lines = ["## WMT24 en-es dev (each record one document, `--lang es`)", "",
             "ROC-AUC of the document score, human `refA` (clean) against each system (bad); "
             "raw perplexity is the baseline (KenLM es model, per-token perplexity of the normalised text).", "",
             "| system | n | ROC-AUC score | ROC-AUC raw perplexity | keep / review / reject |",
             "|---|---|---|---|---|"]
    for system in ("TSU-HITs", "MSLC", "Occiglot", "refA"):
        v = verdicts[system]
        auc = "-" if system == "refA" else f"{roc_auc(scores[system], scores['refA']):.3f}"
        auc_ppl = "-" if system == "refA" else f"{roc_auc(perplexity[system], perplexity['refA']):.3f}"
        lines.append(f"| {system} | {len(scores[system])} | {auc} | {auc_ppl} | "
                     f"{v['keep']} / {v['review']} / {v['reject']} |")
    lines += ["", "By half of the documents (split by a hash of `doc_id`): the detectors were developed looking at "
              "half 0; half 1 was only measured.", "", "| system | half 0 (development) | half 1 |", "|---|---|---|"]
    for system in ("TSU-HITs", "MSLC", "Occiglot"):
        cells = [f"{roc_auc(halves[system, h], halves['refA', h]):.3f}" for h in (0, 1)]
        lines.append(f"| {system} | " + " | ".join(cells) + " |")
    lines += ["", "Share of records with at least one finding of each code:", "",
              "| code | " + " | ".join(("refA", "TSU-HITs", "MSLC", "Occiglot")) + " |", "|---" * 5 + "|"]
    for code in sorted({c for counter in codes.values() for c in counter}):
        cells = [f"{codes[s][code] / len(scores[s]):.1%}" for s in ("refA", "TSU-HITs", "MSLC", "Occiglot")]
        lines.append(f"| {code} | " + " | ".join(cells) + " |")
    return lines


def heldout(detector: Detector, shared: Path, langs: list[str], per_lang: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    phrases = {source: _phrases(_heldout_for(detector, shared, source), rng) for source in ("en", "es")}
    kinds = list(KINDS)
    header = "| lang | clean n | clean reject | clean review | " + " | ".join(kinds) + " |"
    lines = ["## Held-out clean paragraphs against corrupted copies", "",
             f"Clean: paragraphs held out from training ({per_lang} per language at most, every held-out block of "
             "each corpus the model card lists, but for the noisy sources listed below). "
             "Corrupted: copies of the same paragraphs with one kind of corruption (`bench/corruptions.py`); "
             "`mt-mix` applies three at once; `word-salad` shuffles all the words and `local-shuffle` the words within "
             "each run of four, both leaving one capital and one full stop, no structural fault. "
             "Cells are ROC-AUC of the paragraph-as-document score, clean against corrupted, the number of "
             "corrupted copies and the share of them rejected.", "", header,
             "|---" * (len(kinds) + 4) + "|"]
    for lang in langs:
        paragraphs = _heldout_for(detector, shared, lang)
        # the clean sample depends on the seed and the language only, not on the corruptions drawn before it
        random.Random(f"{seed}-{lang}").shuffle(paragraphs)
        paragraphs = paragraphs[:per_lang]
        clean_scores, clean_verdicts = [], Counter()
        for text in paragraphs:
            report = analyze(detector, text, lang=lang)
            clean_scores.append(report.score)
            clean_verdicts[report.verdict] += 1
        cells = []
        for kind in kinds:
            bad, rejected = [], 0
            for text in paragraphs:
                corrupted = KINDS[kind](text, rng, lang, phrases["es" if lang == "en" else "en"])
                if corrupted:
                    report = analyze(detector, corrupted, lang=lang)
                    bad.append(report.score)
                    rejected += report.verdict == REJECT
            cells.append(f"{roc_auc(bad, clean_scores):.3f} (n={len(bad)}, {rejected / max(1, len(bad)):.0%} rej.)")
        n = len(paragraphs)
        lines.append(f"| {lang} | {n} | {clean_verdicts['reject'] / n:.1%} | {clean_verdicts['review'] / n:.1%} | "
                     + " | ".join(cells) + " |")
    return lines


# Held-out text that is not clean prose, reported apart: GlossAPI is PDF-extracted, with hyphenation
# fragments and lost full stops that the detectors rightly flag; Common Voice lines are sentence
# fragments cut from books (many start with a lower-case "και"), which joined do not make paragraphs.
NOT_CLEAN = {"el": {"glossapi_academic.txt.xz", "commonvoice.txt.xz"}}


def _heldout_for(detector: Detector, shared: Path, lang: str, include_noisy: bool = False) -> list[str]:
    model = detector.models.get(lang)
    specs = [CorpusSpec(shared / "corpora" / lang / c["file"], c["weight"]) for c in model.card["corpora"]
             if include_noisy or c["file"] not in NOT_CLEAN.get(lang, ())]
    return heldout_paragraphs(specs)


def _phrases(paragraphs: list[str], rng: random.Random) -> list[str]:
    """Short lower-case phrases of a language, to leave untranslated in another."""
    phrases = []
    for text in paragraphs[:2000]:
        words = text.split()
        for i in range(0, len(words) - 3, 7):
            phrase = " ".join(w.strip(".,;:\"'()") for w in words[i : i + rng.randrange(2, 4)])
            if phrase.replace(" ", "").isalpha() and phrase.islower():
                phrases.append(phrase)
    return phrases


def mixed_documents(detector: Detector, shared: Path, langs: list[str], per_lang: int, seed: int) -> list[str]:
    """Documents of six held-out paragraphs, some corrupted or repeated: where the document rules apply."""
    rng = random.Random(seed)
    lines = ["## Documents of several paragraphs", "",
             f"{per_lang} documents per language, each six held-out paragraphs in a row; each paragraph is replaced "
             "by a corrupted copy (a random kind) with probability 0.2, or by a copy of an earlier paragraph with "
             "probability 0.1.", "", "| lang | documents | keep | review | reject |", "|---|---|---|---|---|"]
    for lang in langs:
        paragraphs = _heldout_for(detector, shared, lang)
        random.Random(f"{seed}-{lang}-mixed").shuffle(paragraphs)
        verdicts: Counter = Counter()
        for start in range(0, min(len(paragraphs) - 5, per_lang * 6), 6):
            parts: list[str] = []
            for text in paragraphs[start : start + 6]:
                draw = rng.random()
                if draw < 0.1 and parts:
                    text = rng.choice(parts)
                elif draw < 0.3:
                    text = KINDS[rng.choice(list(KINDS))](text, rng, lang, []) or text
                parts.append(text)
            verdicts[analyze(detector, "\n".join(parts), lang=lang).verdict] += 1
        lines.append(f"| {lang} | {sum(verdicts.values())} | {verdicts['keep']} | {verdicts['review']} | "
                     f"{verdicts['reject']} |")
    return lines


def noisy_sources(detector: Detector, shared: Path, per_lang: int, seed: int) -> list[str]:
    lines = ["Held-out text of sources left out of the clean set above (not clean prose):", "",
             "| lang | source | n | reject | review |", "|---|---|---|---|---|"]
    for lang, files in NOT_CLEAN.items():
        for name in sorted(files):
            paragraphs = heldout_paragraphs([CorpusSpec(shared / "corpora" / lang / name)])
            random.Random(seed).shuffle(paragraphs)
            verdicts = Counter(analyze(detector, t, lang=lang).verdict for t in paragraphs[:per_lang])
            n = sum(verdicts.values())
            lines.append(f"| {lang} | {name} | {n} | {verdicts['reject'] / n:.1%} | {verdicts['review'] / n:.1%} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--langs", default="es,pt,el,en,fr,de,it")
    parser.add_argument("--per-lang", type=int, default=600)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--skip", default="", help="comma-separated: seeds,wmt,heldout,mixed")
    args = parser.parse_args()
    detector = Detector()
    started = time.time()
    out = []
    skip = set(args.skip.split(","))
    if "seeds" not in skip:
        out += seeds(detector, args.shared) + [""]
    if "wmt" not in skip:
        out += wmt(detector, args.shared) + [""]
    if "heldout" not in skip:
        out += heldout(detector, args.shared, args.langs.split(","), args.per_lang, args.seed) + [""]
        out += noisy_sources(detector, args.shared, args.per_lang, args.seed) + [""]
    if "mixed" not in skip:
        out += mixed_documents(detector, args.shared, args.langs.split(","), 100, args.seed) + [""]
    out += TALLY.table() + [""]
    out.append(f"({time.time() - started:.0f} s)")
    print("\n".join(out))


if __name__ == "__main__":
    main()
