"""Throughput of `annotate_dataset` on a local Ray with 2 CPUs against `quality filter --jobs 2`, same records.

    nice .venv/bin/python bench/integrations_speed.py --shared /work/shared --repeat 3 [--copies 4]

Records: the WMT24 en-es dev set grouped into documents (one per source
document and system, paragraphs joined by blank lines), or the samples
without --shared. Each run is a fresh process:
(a) `quality filter FILE --annotate --jobs 2 -o OUT`: wall time, and CPU time of
    the process and its worker processes (rusage of waited-for children);
(b) a Python process that starts a local Ray (2 CPUs), runs
    `annotate_dataset(ray.data.read_json(FILE)).write_json(DIR)` and stops Ray:
    wall time of the whole run and of the annotate-and-write part alone, and
    CPU time of the process and every process Ray started (read from /proc just
    before shutdown: Ray's own daemons count too, they are part of its cost).
Both write every record with its report. Prints a markdown table (min/median/max over --repeat runs).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
QUALITY = ROOT / ".venv" / "bin" / "quality"

RAY_RUN = r"""
import json, os, sys, time
started = time.monotonic()
import ray
from quality.integrations.ray import annotate_dataset

def tree_cpu(root):
    # CPU seconds of every live descendant of `root` (and their reaped children), from /proc
    parents, cpu = {}, {}
    tick = os.sysconf("SC_CLK_TCK")
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(pid)] = int(fields[1])
        cpu[int(pid)] = sum(int(v) for v in fields[11:15]) / tick
    def descends(pid):
        while pid > 1:
            pid = parents.get(pid, 0)
            if pid == root:
                return True
        return False
    return sum(seconds for pid, seconds in cpu.items() if descends(pid))

ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
ray.data.DataContext.get_current().enable_progress_bars = False
ready = time.monotonic()
annotate_dataset(ray.data.read_json(sys.argv[1])).write_json(sys.argv[2])
done = time.monotonic()
children = tree_cpu(os.getpid())
ray.shutdown()
usage = os.times()
print(json.dumps({"annotate_wall": done - ready, "children_cpu": children, "own_cpu": usage.user + usage.system,
                  "wall": time.monotonic() - started}))
"""


def build_records(path: Path, shared: Path | None, copies: int) -> tuple[int, int]:
    """Write the records, `copies` times over (new ids each time); return (count, bytes of text)."""
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "samples").glob("*.txt"))]
    if shared is not None:
        grouped: dict[tuple[str, str], list[str]] = defaultdict(list)
        with open(shared / "dev" / "wmt24_en_es_dev.jsonl", encoding="utf-8") as handle:
            for line in handle:
                row = json.loads(line)
                grouped[(row["doc_id"], row["system"])].append(row["text"])
        texts = ["\n\n".join(paragraphs) for paragraphs in grouped.values()]
    texts = texts * copies
    with open(path, "w", encoding="utf-8") as out:
        for i, text in enumerate(texts):
            out.write(json.dumps({"id": f"d{i}", "text": text}, ensure_ascii=False) + "\n")
    return len(texts), sum(len(t.encode("utf-8")) for t in texts)


def run_filter(source: Path, work: Path) -> dict[str, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    subprocess.run([str(QUALITY), "filter", str(source), "--annotate", "--jobs", "2", "-o", str(work / "out.jsonl"),
                    "--no-progress"], check=True, stderr=subprocess.DEVNULL)
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu, "annotate_wall": wall}


def run_ray(source: Path, work: Path) -> dict[str, float]:
    out = work / "ray-out"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run([str(PYTHON), "-c", RAY_RUN, str(source), str(out)], check=True, capture_output=True,
                          text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    written = sum(1 for path in out.glob("*.json") for _ in path.open(encoding="utf-8"))
    result["written"] = written
    # the driver's own CPU (rusage) plus Ray's processes still alive before shutdown (/proc)
    result["cpu"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime) + result["children_cpu"]
    return result


def spread(values: list[float]) -> str:
    return f"{min(values):.1f} / {statistics.median(values):.1f} / {max(values):.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, help="the shared data folder (WMT24 dev); default: the samples")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--copies", type=int, default=1, help="repeat the records N times (amortises start-up)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        source = work / "records.jsonl"
        count, nbytes = build_records(source, args.shared, args.copies)
        runs: dict[str, list[dict[str, float]]] = {"filter": [], "ray": []}
        for attempt in range(args.repeat):  # interleaved, so drifting load hits both alike
            runs["filter"].append(run_filter(source, work))
            (work / "ray-out").mkdir(exist_ok=True)
            for old in (work / "ray-out").glob("*"):
                old.unlink()
            runs["ray"].append(run_ray(source, work))
            assert runs["ray"][-1]["written"] == count, runs["ray"][-1]
            print(f"run {attempt + 1}: " + ", ".join(f"{k} {v[-1]['wall']:.1f}s" for k, v in runs.items()),
                  file=sys.stderr)
    print(f"{count} records, {nbytes / 1e6:.2f} MB of text; min / median / max of {args.repeat} runs\n")
    print("| run | wall s | annotate-only wall s | CPU s | records/s (median wall) | CPU s per record |")
    print("|---|---|---|---|---|---|")
    names = {"filter": "`quality filter --jobs 2 --annotate`", "ray": "`annotate_dataset`, local Ray 2 CPUs"}
    for key, results in runs.items():
        walls, cpus = [r["wall"] for r in results], [r["cpu"] for r in results]
        annotate = [r["annotate_wall"] for r in results]
        print(f"| {names[key]} | {spread(walls)} | {spread(annotate)} | {spread(cpus)} | "
              f"{count / statistics.median(walls):.1f} | {statistics.median(cpus) / count:.3f} |")
    ratio = statistics.median(r["wall"] for r in runs["ray"]) / statistics.median(r["wall"] for r in runs["filter"])
    print(f"\nRay / filter, median wall: {ratio:.2f}")


if __name__ == "__main__":
    main()
