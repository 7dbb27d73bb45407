"""The compiled core against the Python reference on every line of the shared corpora.

    nice .venv/bin/python bench/core_parity.py --shared ../shared

Tokens: `quality._core.tokenize` and quality/normalize.py's `tokenize_reference` must give the same tokens
(normal form, character offsets, word flag) on every line of corpora/<lang>/*.txt.xz and every WMT24 dev
document. Language model: the core's one pass and the Python kenlm module's `full_scores` must give the same
per-token log10 probabilities, n-gram lengths and unknown-word flags on the first `--lm-lines` lines of each
language's corpora, with that language's model. Prints the counts and the first differences; exits 1 on any.
"""

from __future__ import annotations

import argparse
import json
import lzma
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from quality.context import score_tokens, score_tokens_reference  # noqa: E402
from quality.models import ModelSet  # noqa: E402
from quality.normalize import tokenize, tokenize_reference  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def texts_of(shared: Path) -> dict[str, list[tuple[str, str]]]:
    """(where, text) per language: every corpus line, and the WMT24 dev documents under "dev"."""
    by_lang: dict[str, list[tuple[str, str]]] = {}
    for folder in sorted(p for p in (shared / "corpora").iterdir() if p.is_dir()):
        lines = by_lang.setdefault(folder.name, [])
        for path in sorted(folder.glob("*.txt.xz")):
            with lzma.open(path, "rt", encoding="utf-8") as handle:
                lines.extend((f"{path}:{number}", line.rstrip("\n")) for number, line in enumerate(handle, 1))
    dev = shared / "dev" / "wmt24_en_es_dev.jsonl"
    if dev.is_file():
        with open(dev, encoding="utf-8") as handle:
            by_lang["dev"] = [(f"{dev}:{n}", json.loads(line)["text"]) for n, line in enumerate(handle, 1)]
    return by_lang


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--lm-lines", type=int, default=2000, help="lines per language scored both ways")
    parser.add_argument("--show", type=int, default=10, help="differences printed")
    args = parser.parse_args()
    by_lang = texts_of(args.shared)
    models = ModelSet()
    token_diffs: list[str] = []
    lm_diffs: list[str] = []
    lines = tokens = characters = lm_lines = lm_tokens = 0
    core_seconds = reference_seconds = 0.0
    for lang, texts in by_lang.items():
        for where, text in texts:
            started = time.process_time()
            core = tokenize(text)
            middle = time.process_time()
            reference = tokenize_reference(text)
            core_seconds += middle - started
            reference_seconds += time.process_time() - middle
            lines += 1
            tokens += len(reference)
            characters += len(text)
            if core != reference:
                pairs = enumerate(zip(core, reference))
                at = next((i for i, (a, b) in pairs if a != b), min(len(core), len(reference)))
                token_diffs.append(f"{where}: token {at}: core {core[at:at + 1]} python {reference[at:at + 1]}")
        model = models.get(lang)
        if model is None:
            continue
        for where, text in texts[: args.lm_lines]:
            reference_tokens = tokenize_reference(text)
            if not reference_tokens:
                continue
            core, reference = score_tokens(model, reference_tokens), score_tokens_reference(model, reference_tokens)
            lm_lines += 1
            lm_tokens += len(reference_tokens)
            same = (np.array_equal(core.logprob, reference.logprob) and np.array_equal(core.ngram, reference.ngram)
                    and np.array_equal(core.oov, reference.oov) and core.eos == reference.eos)
            if not same:
                lm_diffs.append(f"{where}: {lang} scores differ")
        print(f"{lang}: {len(texts):,} lines", file=sys.stderr)
    print(f"tokens: {lines:,} lines, {characters:,} characters, {tokens:,} tokens: {len(token_diffs)} differences")
    print(f"  CPU: core {core_seconds:.1f} s ({core_seconds / tokens * 1e6:.2f} µs/token), Python reference "
          f"{reference_seconds:.1f} s ({reference_seconds / tokens * 1e6:.2f} µs/token)")
    print(f"language model: {lm_lines:,} lines, {lm_tokens:,} tokens: {len(lm_diffs)} differences")
    for line in (token_diffs + lm_diffs)[: args.show]:
        print("  " + line)
    return 1 if token_diffs or lm_diffs else 0


if __name__ == "__main__":
    sys.exit(main())
