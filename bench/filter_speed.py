"""Throughput of `quality filter` against the ceiling of raw KenLM scoring, and memory per process.

    .venv/bin/python bench/filter_speed.py --docs 2000 [--shared] [--jobs 1,2] [--repeat 3]

(a) ceiling: kenlm.Model.score over the same normalised paragraphs
    (quality.normalize.normalize_line), with the same models, one core;
(b) `quality filter` records/s and MB/s for each --jobs, the ratio to the
    ceiling and the scaling against --jobs 1;
(c) peak RSS of one process with every language's model loaded and touched,
    split into private (anon) and file-backed (mmapped model, shared) pages,
    and the largest process of each filter run.
Prints a markdown table.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUALITY = ROOT / ".venv" / "bin" / "quality"
SHARED = ROOT.parent / "shared" / "dev" / "wmt24_en_es_dev.jsonl"
SUMMARY_KEYS = ("read", "kept", "rejected", "errors")

MEMORY_PROBE = """
import json, sys
from quality import Detector
detector = Detector()
for lang in detector.langs:  # load and touch every model
    detector.analyze("Una frase corta para cargar el modelo. " * 20, lang=lang)
status = dict(line.split(":", 1) for line in open("/proc/self/status"))
print(json.dumps({k: int(status[k].split()[0]) for k in ("VmHWM", "VmRSS", "RssAnon", "RssFile")}))
"""

MAX_RSS_WRAPPER = """
import resource, subprocess, sys
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
sys.stderr.write(code.stderr)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def build_corpus(path: Path, docs: int, shared: bool, seed: int = 1) -> None:
    """N records cycling through samples/*.txt (and WMT24 documents with --shared), one JSON object per line."""
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "samples").glob("*.txt"))]
    if shared:
        grouped: dict[tuple[str, str], list[str]] = defaultdict(list)
        with open(SHARED, encoding="utf-8") as handle:
            for line in handle:
                row = json.loads(line)
                grouped[(row["doc_id"], row["system"])].append(row["text"])
        texts += ["\n\n".join(paragraphs) for paragraphs in grouped.values()]
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8") as out:
        for i in range(docs):
            text = texts[i % len(texts)] if i < len(texts) else rng.choice(texts)
            out.write(json.dumps({"id": f"doc{i}", "text": text}, ensure_ascii=False) + "\n")


def run_filter(corpus: Path, out_dir: Path, jobs: int) -> dict:
    """Time one `quality filter` run; return its counts, wall time and largest process RSS."""
    kept = out_dir / f"kept-{jobs}.jsonl"
    command = [str(QUALITY), "filter", str(corpus), "-o", str(kept), "--drop-rejected", "--jobs", str(jobs)]
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", MAX_RSS_WRAPPER, *command], capture_output=True, text=True)
    wall = time.perf_counter() - start
    summary = result.stderr.strip().splitlines()[-1]
    counts = dict(zip(SUMMARY_KEYS, (int(part.split()[1].replace(",", "")) for part in
                                     summary.split(" in ")[0].split(", ")), strict=True))
    return {"jobs": jobs, "wall": wall, "max_rss_kb": int(result.stdout.strip()), "kept_path": kept, **counts}


def ceiling(corpus: Path, annotated: Path) -> dict:
    """Seconds to normalise and KenLM-score every paragraph, in the language the filter gave it, on one core."""
    from quality.models import ModelSet
    from quality.normalize import normalize_line

    models = ModelSet()
    jobs = []
    with open(corpus, encoding="utf-8") as source, open(annotated, encoding="utf-8") as reports:
        texts = {json.loads(line)["id"]: json.loads(line)["text"] for line in source}
        for line in reports:
            record = json.loads(line)
            for paragraph in record["quality"]["paragraphs"]:
                model = models.get(paragraph["lang"])
                if model is not None:
                    jobs.append((model.kenlm, texts[record["id"]][paragraph["start"] : paragraph["end"]]))
    for kenlm_model, _ in jobs:  # warm up: map the pages in, as a long-running filter would have them
        kenlm_model.score("a b c")
    start = time.perf_counter()
    normalised = [(kenlm_model, normalize_line(text)) for kenlm_model, text in jobs]
    normalise_seconds = time.perf_counter() - start
    start = time.perf_counter()
    for kenlm_model, line in normalised:
        kenlm_model.score(line)
    score_seconds = time.perf_counter() - start
    return {"paragraphs": len(jobs), "normalise": normalise_seconds, "score": score_seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--shared", action="store_true", help=f"also use WMT24 documents from {SHARED}")
    parser.add_argument("--jobs", default="1,2", help="comma-separated --jobs values to time")
    parser.add_argument("--repeat", type=int, default=3,
                        help="time each run this many times, interleaved, and keep the best (the machine is noisy)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        corpus = work / "corpus.jsonl"
        build_corpus(corpus, args.docs, args.shared)
        megabytes = corpus.stat().st_size / 1e6
        # annotate once (untimed) to learn each paragraph's language for the ceiling
        subprocess.run([str(QUALITY), "filter", str(corpus), "--annotate", "-o", str(work / "annotated.jsonl"),
                        "--jobs", "2"], check=True, capture_output=True)
        limits = [ceiling(corpus, work / "annotated.jsonl") for _ in range(args.repeat)]
        limit = {"paragraphs": limits[0]["paragraphs"], "normalise": min(x["normalise"] for x in limits),
                 "score": min(x["score"] for x in limits)}
        timed: dict[int, list[dict]] = defaultdict(list)
        for _ in range(args.repeat):
            for jobs in args.jobs.split(","):
                timed[int(jobs)].append(run_filter(corpus, work, int(jobs)))
        runs = [min(tries, key=lambda run: run["wall"]) for tries in timed.values()]
        memory = json.loads(subprocess.run([sys.executable, "-c", MEMORY_PROBE], capture_output=True, text=True,
                                           check=True, cwd=ROOT).stdout)

    ceiling_rate = args.docs / (limit["normalise"] + limit["score"])
    print(f"corpus: {args.docs:,} records, {megabytes:.1f} MB, {limit['paragraphs']:,} scored paragraphs "
          f"({'samples + WMT24' if args.shared else 'samples'})\n")
    score_rate = args.docs / limit["score"]
    print(f"best of {args.repeat} runs each\n")
    print("| run | records/s | MB/s | vs score-only ceiling | vs normalise+score | scaling vs 1 job "
          "| largest process RSS |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    ceiling_mb = megabytes / (args.docs / ceiling_rate)
    print(f"| ceiling: kenlm score only, 1 core | {score_rate:,.0f} | {megabytes / limit['score']:.2f} | 1.00 | | | |")
    print(f"| ceiling: normalise + kenlm score, 1 core | {ceiling_rate:,.0f} | {ceiling_mb:.2f} | "
          f"{ceiling_rate / score_rate:.3f} | 1.00 | | |")
    base = None
    for run in runs:
        rate = run["read"] / run["wall"]
        base = base or rate
        print(f"| quality filter --jobs {run['jobs']} (wall, incl. start-up) | {rate:,.0f} | "
              f"{megabytes / run['wall']:.2f} | {rate / score_rate:.3f} | {rate / ceiling_rate:.3f} | "
              f"{rate / base:.2f}x | {run['max_rss_kb'] / 1024:.0f} MB |")
    print(f"\none process, all models loaded and touched: peak RSS (VmHWM) {memory['VmHWM'] / 1024:.0f} MB, "
          f"of which private {memory['RssAnon'] / 1024:.0f} MB and file-backed (mmapped models, shared between "
          f"processes) {memory['RssFile'] / 1024:.0f} MB")


if __name__ == "__main__":
    main()
