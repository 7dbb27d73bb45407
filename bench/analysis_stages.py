"""Where the analysis spends its time, per stage, in CPU µs per token: with the compiled core and without it.

    nice .venv/bin/python bench/analysis_stages.py --shared ../shared [--repeat 3]

Documents: the five seeds and the WMT24 dev documents (their paragraphs joined per document and system, as
bench/filter_speed.py builds them). In one process, interleaved, `--repeat` times each:
  - the ceiling: raw `kenlm.Model.score` (the Python module) over the same normalised paragraphs, same models;
  - `Detector.analyze` of every document with the core (tokens and the LM pass in Rust) and with the Python
    reference (QUALITY_CORE=0's code path), each stage timed exclusively (a stage called inside another, like
    the LM pass inside a detector, counts for itself only).
Prints min/median/max of the totals, the ratio to the ceiling, and the median per-stage table.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import quality.analyzer as analyzer  # noqa: E402
import quality.context as context  # noqa: E402
import quality.normalize as normalize  # noqa: E402
from quality.analyzer import Detector  # noqa: E402
from quality.segment import split_paragraphs  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


class StageClock:
    """Exclusive CPU time per stage: a stage's time excludes the stages it calls."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self._children: list[float] = []

    def wrap(self, name: str, function):
        def timed(*args, **kwargs):
            self._children.append(0.0)
            start = time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                elapsed = time.process_time() - start
                inner = self._children.pop()
                self.seconds[name] += elapsed - inner
                if self._children:
                    self._children[-1] += elapsed

        return timed


def documents_of(shared: Path) -> list[str]:
    documents = [p.read_text(encoding="utf-8") for p in sorted((shared / "seeds").glob("*.txt"))]
    grouped: dict[tuple[str, str], list[str]] = defaultdict(list)
    with open(shared / "dev" / "wmt24_en_es_dev.jsonl", encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            grouped[(row["doc_id"], row["system"])].append(row["text"])
    return documents + ["\n\n".join(paragraphs) for paragraphs in grouped.values()]


def instrument_modules(clock: StageClock) -> None:
    """Wrap the module functions the analyzer calls in the clock (once per process)."""
    analyzer.split_paragraphs = clock.wrap("segment", split_paragraphs)
    analyzer.tokenize = clock.wrap("tokenise", normalize.tokenize)
    context.score_tokens = clock.wrap("LM pass", context.score_tokens)
    analyzer.fluency_percentile = clock.wrap("fluency percentile", analyzer.fluency_percentile)
    analyzer.readability = clock.wrap("readability", analyzer.readability)
    analyzer.build_document_report = clock.wrap("report", analyzer.build_document_report)


def instrument(detector: Detector, clock: StageClock) -> None:
    """Wrap one Detector's language identifier and detectors in the clock."""
    detector.langid.identify = clock.wrap("language id", detector.langid.identify)
    for each in detector.detectors:
        each.detect = clock.wrap(f"detector {each.name}", each.detect)


def analyse_all(detector: Detector, documents: list[str], clock: StageClock, use_core: bool) -> tuple[float, float]:
    """(CPU, wall) seconds to analyse every document; stage times go to `clock`."""
    saved = normalize._core
    normalize._core = saved if use_core else None
    try:
        analyse = clock.wrap("rest of analyze", detector.analyze)
        wall, cpu = time.perf_counter(), time.process_time()
        for document in documents:
            analyse(document)
        return time.process_time() - cpu, time.perf_counter() - wall
    finally:
        normalize._core = saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--docs", type=int, default=0, help="use only the first N documents (0: all)")
    args = parser.parse_args()
    documents = documents_of(args.shared)
    if args.docs:
        documents = documents[: args.docs]
    detector = Detector()
    reports = [detector.analyze(document) for document in documents]  # warm-up: models mapped, caches filled
    jobs = []
    for document, report in zip(documents, reports):
        for paragraph in report.paragraphs:
            model = detector.models.get(paragraph.lang)
            if model is not None:
                jobs.append((model.kenlm, normalize.normalize_line(document[paragraph.start:paragraph.end])))
    tokens = sum(len(normalize.tokenize(p.text)) for d in documents for p in split_paragraphs(d))
    scored_tokens = sum(len(line.split()) for _, line in jobs)
    megabytes = sum(len(d.encode("utf-8")) for d in documents) / 1e6

    clock = StageClock()
    instrument_modules(clock)
    stage_runs: dict[str, list[dict[str, float]]] = {"core": [], "python": []}
    totals: dict[str, list[tuple[float, float]]] = {"core": [], "python": [], "ceiling": []}
    instrumented = {name: Detector() for name in stage_runs}
    for name, each in instrumented.items():
        instrument(each, clock)
        analyse_all(each, documents[:20], clock, name == "core")  # warm-up
    for _ in range(args.repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        for kenlm_model, line in jobs:
            kenlm_model.score(line, bos=True, eos=True)
        totals["ceiling"].append((time.process_time() - cpu, time.perf_counter() - wall))
        for name, each in instrumented.items():
            clock.seconds.clear()
            totals[name].append(analyse_all(each, documents, clock, name == "core"))
            stage_runs[name].append(dict(clock.seconds))

    def spread(values: list[float]) -> str:
        return f"{min(values):.3f} / {statistics.median(values):.3f} / {max(values):.3f}"

    print(f"{len(documents)} documents, {megabytes:.2f} MB, {tokens:,} tokens ({scored_tokens:,} scored by a "
          f"model); {args.repeat} interleaved runs; CPU and wall seconds as min / median / max\n")
    ceiling_cpu = statistics.median(cpu for cpu, _ in totals["ceiling"])
    print("| run | CPU s | wall s | CPU µs/token | ratio to raw kenlm score (CPU, median) |")
    print("|---|---|---|---:|---:|")
    for name, label in (("ceiling", "raw `kenlm.Model.score`, normalised paragraphs"),
                        ("core", "`Detector.analyze`, core"), ("python", "`Detector.analyze`, Python reference")):
        cpus, walls = [c for c, _ in totals[name]], [w for _, w in totals[name]]
        median = statistics.median(cpus)
        count = scored_tokens if name == "ceiling" else tokens
        print(f"| {label} | {spread(cpus)} | {spread(walls)} | {median / count * 1e6:.2f} | "
              f"{ceiling_cpu / median:.3f} |")
    print("\nmedian CPU µs per token, by stage (exclusive)\n")
    print("| stage | core | Python reference |")
    print("|---|---:|---:|")
    stages = sorted(set(stage_runs["core"][0]) | set(stage_runs["python"][0]),
                    key=lambda s: -statistics.median(run.get(s, 0.0) for run in stage_runs["python"]))
    for stage in stages:
        cells = [statistics.median(run.get(stage, 0.0) for run in stage_runs[n]) / tokens * 1e6
                 for n in ("core", "python")]
        print(f"| {stage} | {cells[0]:.2f} | {cells[1]:.2f} |")


if __name__ == "__main__":
    main()
