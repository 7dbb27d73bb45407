"""Instructions per token of the analysis, with the compiled core and without, and of raw KenLM scoring.

    nice .venv/bin/python bench/analysis_instructions.py --shared ../shared --docs 60

CPU seconds on this shared 2-core machine swing by 2x with the other developers' load; instruction counts do
not. Each measurement runs a child under `valgrind --tool=callgrind` with instrumentation off while it warms
up (imports, models loaded, every document analysed once so pages and caches are in); the child then turns it
on (`callgrind_control -i on`) for one pass and off after it, so the count is the pass alone.
Modes: `core` (Detector.analyze with tokens and the LM pass in Rust),
`python` (QUALITY_CORE=0: the Python reference), `ceiling` (raw kenlm.Model.score over the same normalised
paragraphs, the Python module).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def child(mode: str, docs: int, passes: int, shared: Path) -> None:
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    from analysis_stages import documents_of

    from quality.analyzer import Detector
    from quality.normalize import normalize_line

    documents = documents_of(shared)[:docs]
    detector = Detector()
    reports = [detector.analyze(document) for document in documents]
    lines = [(detector.models.get(p.lang).kenlm, normalize_line(d[p.start:p.end]))
             for d, r in zip(documents, reports) for p in r.paragraphs if detector.models.get(p.lang)]
    for kenlm_model, line in lines:
        kenlm_model.score(line)
    for _ in range(passes):
        subprocess.run(["callgrind_control", "-i", "on", str(os.getpid())], check=True, capture_output=True)
        if mode == "ceiling":
            for kenlm_model, line in lines:
                kenlm_model.score(line)
        else:
            for document in documents:
                detector.analyze(document)
        subprocess.run(["callgrind_control", "-i", "off", str(os.getpid())], check=True, capture_output=True)
    tokens = sum(len(line.split()) for _, line in lines)
    print(f"tokens {tokens}")


def measure(mode: str, docs: int, passes: int, shared: Path) -> tuple[int, int]:
    env = {**os.environ, "QUALITY_CORE": "0" if mode == "python" else "1"}
    command = ["valgrind", "--tool=callgrind", "--instr-atstart=no", "--callgrind-out-file=/dev/null",
               sys.executable, __file__,
               "--child", mode, "--docs", str(docs), "--passes", str(passes), "--shared", str(shared)]
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
    collected = int(re.search(r"Collected : (\d+)", result.stderr).group(1))
    tokens = int(re.search(r"tokens (\d+)", result.stdout).group(1))
    return collected, tokens


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--docs", type=int, default=60)
    parser.add_argument("--child", choices=("core", "python", "ceiling"))
    parser.add_argument("--passes", type=int, default=1)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.docs, args.passes, args.shared)
        return
    per_token = {}
    for mode in ("ceiling", "core", "python"):
        collected, tokens = measure(mode, args.docs, 1, args.shared)
        per_token[mode] = collected / tokens
        print(f"{mode}: {collected:,} instructions for one pass over {tokens:,} scored tokens: "
              f"{per_token[mode]:,.0f} per token", flush=True)
    print(f"\nratio to raw kenlm score (instructions): core {per_token['ceiling'] / per_token['core']:.3f}, "
          f"Python reference {per_token['ceiling'] / per_token['python']:.3f}; core / reference "
          f"{per_token['core'] / per_token['python']:.2f}")


if __name__ == "__main__":
    main()
