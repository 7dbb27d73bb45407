"""What resumable runs cost: `quality filter --output-dir` against single-file outputs, and a run killed with
SIGKILL in the middle and resumed against one never interrupted.

    nice .venv/bin/python bench/resume_speed.py --shards 4 --docs-per-shard 150 --jobs 2 --repeat 3 \
        [--shared /work/shared] [--gzip]

The corpus is bench/filter_speed.py's (samples, plus WMT24 documents with --shared), split into shards
(plain .jsonl, or .jsonl.gz with --gzip). Per repeat, interleaved so the shared machine's load hits every
variant alike:

(a) single: `quality filter SHARDS -o kept.jsonl --rejected rejected.jsonl --errors errors.jsonl`
(b) output-dir: `quality filter SHARDS --output-dir DIR` (per-shard outputs, markers, fsyncs)
(c) killed+resumed: (b) with QUALITY_TEST_KILL_AT=record:K (SIGKILL after the K-th record, the middle of the
    shard after the corpus' half), then (b) again; times are the sum of both runs. The folder is checked
    to be byte-identical to (b)'s.

Wall time and CPU time (user+system of the filter and its workers: this script is their child subreaper,
so workers orphaned by the kill are reaped and counted) are reported as min/median/max, with ratios of
medians against (a) and (b).
"""

from __future__ import annotations

import argparse
import ctypes
import gzip
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import filter_speed  # noqa: E402 - the same corpus as the filter benchmark

ROOT = Path(__file__).resolve().parent.parent
QUALITY = ROOT / ".venv" / "bin" / "quality"
PR_SET_CHILD_SUBREAPER = 36


def timed(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds of the command and every descendant, exit code)."""
    before = os.times()
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    code = process.wait()
    while True:  # reap workers the killed parent left to us (we are their subreaper)
        try:
            os.wait()
        except ChildProcessError:
            break
    wall = time.perf_counter() - start
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return wall, cpu, code


def folder_bytes(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != ".lock"}


def spread(values: list[float]) -> str:
    return f"{min(values):.2f} / {statistics.median(values):.2f} / {max(values):.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shards", type=int, default=4)
    parser.add_argument("--docs-per-shard", type=int, default=150)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--gzip", action="store_true", help="shards (and so the --output-dir outputs) gzipped")
    parser.add_argument("--shared", type=Path, help="add WMT24 documents from this folder (/work/shared) to the corpus")
    args = parser.parse_args()
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        sys.exit("cannot become a child subreaper: CPU time of orphaned workers would be lost")

    work = Path(tempfile.mkdtemp(prefix="resume-bench-"))
    try:
        corpus = work / "corpus.jsonl"
        if args.shared:
            filter_speed.SHARED = args.shared / "dev" / "wmt24_en_es_dev.jsonl"
        filter_speed.build_corpus(corpus, args.shards * args.docs_per_shard, bool(args.shared))
        lines = corpus.read_bytes().splitlines(keepends=True)
        shards = []
        for number in range(args.shards):
            part = b"".join(lines[number * args.docs_per_shard:(number + 1) * args.docs_per_shard])
            path = work / f"shard-{number:02d}.jsonl{'.gz' if args.gzip else ''}"
            path.write_bytes(gzip.compress(part, mtime=0) if args.gzip else part)
            shards.append(str(path))
        total = len(lines)
        kill_at = total // 2 + args.docs_per_shard // 2 if args.shards > 1 else total // 2
        base = [str(QUALITY), "filter", *shards, "--jobs", str(args.jobs)]
        clean_env = {k: v for k, v in os.environ.items() if k != "QUALITY_TEST_KILL_AT"}
        kill_env = dict(clean_env, QUALITY_TEST_KILL_AT=f"record:{kill_at}")
        times: dict[str, list[tuple[float, float]]] = {"single": [], "output-dir": [], "killed+resumed": []}
        for repeat in range(args.repeat):
            single = work / f"single-{repeat}"
            single.mkdir()
            wall, cpu, code = timed([*base, "-o", str(single / "kept.jsonl"), "--rejected",
                                     str(single / "rejected.jsonl"), "--errors", str(single / "errors.jsonl")],
                                    clean_env)
            assert code in (0, 2), code
            times["single"].append((wall, cpu))
            whole = work / f"whole-{repeat}"
            wall, cpu, code = timed([*base, "--output-dir", str(whole)], clean_env)
            assert code in (0, 2), code
            times["output-dir"].append((wall, cpu))
            resumed = work / f"resumed-{repeat}"
            wall1, cpu1, code = timed([*base, "--output-dir", str(resumed)], kill_env)
            assert code == -9, code
            wall2, cpu2, code = timed([*base, "--output-dir", str(resumed)], clean_env)
            assert code in (0, 2), code
            times["killed+resumed"].append((wall1 + wall2, cpu1 + cpu2))
            assert folder_bytes(resumed) == folder_bytes(whole), "resumed folder differs from the uninterrupted one"
            print(f"repeat {repeat + 1}: " + ", ".join(f"{name} {t[-1][0]:.1f}s wall {t[-1][1]:.1f}s CPU"
                                                     for name, t in times.items()), file=sys.stderr)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    medians = {name: (statistics.median(w for w, _ in t), statistics.median(c for _, c in t))
               for name, t in times.items()}
    print(f"{args.shards} shards x {args.docs_per_shard} records ({'gzip' if args.gzip else 'plain'}), "
          f"--jobs {args.jobs}, {args.repeat} repeats; killed with SIGKILL after record {kill_at} of {total}\n")
    print("| run | wall s (min / median / max) | CPU s (min / median / max) | wall vs single | CPU vs single "
          "| wall vs output-dir | CPU vs output-dir |")
    print("|---|---|---|---|---|---|---|")
    for name, t in times.items():
        wall, cpu = medians[name]
        print(f"| {name} | {spread([w for w, _ in t])} | {spread([c for _, c in t])} "
              f"| {wall / medians['single'][0]:.3f} | {cpu / medians['single'][1]:.3f} "
              f"| {wall / medians['output-dir'][0]:.3f} | {cpu / medians['output-dir'][1]:.3f} |")
    print("\nkilled+resumed folders byte-identical to the uninterrupted --output-dir run: yes (checked every repeat)")


if __name__ == "__main__":
    main()
