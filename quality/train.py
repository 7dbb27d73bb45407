"""Training a language's model folder: `quality train` and `make models` both run this.

Steps: normalise the corpora exactly as scoring does, hold out a fixed part,
build a word n-gram model with KenLM's lmplz/build_binary, measure held-out
perplexity, calibrate the detectors' scores on held-out clean paragraphs, and
write the model card.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from quality.corpus import CorpusSpec, heldout_paragraphs, read_split
from quality.normalize import tokenize

MODEL_FILE = "model.bin"
VOCAB_FILE = "vocab.tsv"
CARD_JSON = "card.json"
CARD_MD = "README.md"
CALIBRATION_FILE = "calibration.json"
VOCAB_SIZE = 20000
# tokens after which a capital letter is expected, so not counted as "mid-sentence"
_SENTENCE_OPENERS = {".", "!", "?", ":", '"', "-", "(", "'", "¿", "¡", ";"}


class TrainError(Exception):
    """Training cannot go on; the message says why and what to do."""


@dataclass
class TrainOptions:
    """Options of one training run (see `quality train --help`)."""

    lang: str
    corpora: list[CorpusSpec]
    out_dir: Path
    order: int = 5
    prune: list[int] = field(default_factory=lambda: [0, 0, 1])
    memory: str = "20%"
    size_budget_mb: float = 30.0
    licence: str = "see the corpora's own licences"
    notes: str = ""
    kenlm_bin: Path | None = None


def find_kenlm_tool(name: str, kenlm_bin: Path | None = None) -> Path:
    """Locate lmplz or build_binary: --kenlm-bin, $KENLM_BIN, .kenlm/bin, then PATH."""
    candidates = []
    if kenlm_bin:
        candidates.append(Path(kenlm_bin) / name)
    if os.environ.get("KENLM_BIN"):
        candidates.append(Path(os.environ["KENLM_BIN"]) / name)
    candidates.append(Path(__file__).resolve().parent.parent / ".kenlm" / "bin" / name)
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which(name)
    if found:
        return Path(found)
    raise TrainError(
        f"KenLM's {name} was not found. It is not part of the kenlm Python package: "
        "build it with `make kenlm-tools` (needs cmake and Boost from Debian's packages), "
        "or point --kenlm-bin / KENLM_BIN at a folder that has it."
    )


def _log(progress: Callable[[str], None] | None, message: str) -> None:
    if progress:
        progress(message)


def prepare_text(options: TrainOptions, work: Path) -> tuple[Path, Counter, Counter, int, list[str]]:
    """Normalise the corpora into one training file.

    Returns the file, word counts, counts of each word written with a capital
    in mid-sentence (the casing detector needs them: the model itself is lower
    case), the training word total and the held-out lines.
    """
    train_path = work / "train.txt"
    counts: Counter = Counter()
    capitalised: Counter = Counter()
    heldout: list[str] = []
    words = 0
    with open(train_path, "w", encoding="utf-8") as out:
        for spec in options.corpora:
            if not spec.path.is_file():
                raise TrainError(f"{spec.path}: corpus file not found")
            for held_out, line in read_split(spec):
                tokens = tokenize(line)
                if not tokens:
                    continue
                norm = " ".join(t.norm for t in tokens)
                if held_out:
                    heldout.append(norm)
                    continue
                words += len(tokens)
                counts.update(t.norm for t in tokens)
                for previous, token in zip(tokens, tokens[1:]):
                    if token.is_word and previous.norm not in _SENTENCE_OPENERS and line[token.start].isupper():
                        capitalised[token.norm] += 1
                out.write(norm + "\n")
    if words == 0:
        raise TrainError("the corpora hold no training text")
    return train_path, counts, capitalised, words, heldout


def build_model(options: TrainOptions, train_path: Path, work: Path, prune: list[int]) -> Path:
    """Run lmplz and build_binary; return the binary model path."""
    lmplz = find_kenlm_tool("lmplz", options.kenlm_bin)
    build_binary = find_kenlm_tool("build_binary", options.kenlm_bin)
    arpa = work / "model.arpa"
    binary = work / MODEL_FILE
    cmd = [str(lmplz), "-o", str(options.order), "-S", options.memory, "-T", str(work), "--discount_fallback"]
    if any(prune):
        cmd += ["--prune", *[str(p) for p in prune]]
    with open(train_path, "rb") as src, open(arpa, "wb") as dst:
        result = subprocess.run(cmd, stdin=src, stdout=dst, stderr=subprocess.PIPE)
    if result.returncode != 0:
        raise TrainError(f"lmplz failed: {result.stderr.decode(errors='replace')[-2000:]}")
    # trie + 8-bit quantisation: the smallest KenLM layout; memory-mapped at load time
    cmd = [str(build_binary), "-q", "8", "-b", "8", "-a", "22", "trie", str(arpa), str(binary)]
    result = subprocess.run(cmd, capture_output=True)
    if result.returncode != 0:
        raise TrainError(f"build_binary failed: {result.stderr.decode(errors='replace')[-2000:]}")
    arpa.unlink()
    return binary


def heldout_perplexity(model_path: Path, lines: list[str]) -> tuple[float, int]:
    """Per-token perplexity (</s> counted) of held-out normalised lines, and their token count."""
    import kenlm

    model = kenlm.Model(str(model_path))
    total, tokens = 0.0, 0
    for line in lines:
        total += model.score(line, bos=True, eos=True)
        tokens += len(line.split()) + 1
    if tokens == 0:
        return float("nan"), 0
    return 10 ** (-total / tokens), tokens


def train(options: TrainOptions, progress: Callable[[str], None] | None = None) -> dict:
    """Train a model folder for `options.lang` into `options.out_dir`; return its card."""

    # the outermost folder this run creates: a failed run leaves no empty or half-made model folder behind
    created = None
    for folder in (options.out_dir, *options.out_dir.parents):
        if folder.exists():
            break
        created = folder
    try:
        return _train_into(options, progress)
    except BaseException:
        if created is not None:
            shutil.rmtree(created, ignore_errors=True)
        raise


def _train_into(options: TrainOptions, progress: Callable[[str], None] | None) -> dict:
    from quality.calibration import calibrate_model_dir

    started = time.time()
    out = options.out_dir
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="quality-train-") as tmp:
        work = Path(tmp)
        _log(progress, f"[{options.lang}] normalising {len(options.corpora)} corpora")
        train_path, counts, capitalised, words, heldout = prepare_text(options, work)
        _log(progress, f"[{options.lang}] {words:,} training words, {len(heldout):,} held-out lines")
        prune = list(options.prune)
        while True:
            _log(progress, f"[{options.lang}] lmplz order {options.order}, prune {prune}")
            binary = build_model(options, train_path, work, prune)
            size_mb = binary.stat().st_size / 1e6
            if size_mb <= options.size_budget_mb:
                break
            # over budget: prune one more count at every order above 1 and rebuild
            _log(progress, f"[{options.lang}] {size_mb:.1f} MB is over the {options.size_budget_mb} MB budget")
            prune = [0] + [p + 1 for p in prune[1:]] if len(prune) > 1 else [0, 1]
            if prune[-1] > 20:
                raise TrainError("cannot meet the size budget even with heavy pruning")
        shutil.move(str(binary), out / MODEL_FILE)
    vocab_total = sum(counts.values())
    with open(out / VOCAB_FILE, "w", encoding="utf-8") as handle:
        # word, count, count written with a capital in mid-sentence
        handle.write(f"#total\t{vocab_total}\t0\n")
        for word, count in counts.most_common(VOCAB_SIZE):
            handle.write(f"{word}\t{count}\t{capitalised[word]}\n")
    ppl, ppl_tokens = heldout_perplexity(out / MODEL_FILE, heldout)
    _log(progress, f"[{options.lang}] held-out perplexity {ppl:.1f} over {ppl_tokens:,} tokens")
    card = {
        "lang": options.lang,
        "unit": "word",
        "order": options.order,
        "prune": prune,
        "quantisation": "trie, 8-bit probabilities and backoffs",
        "normalisation": "NFC, lower case, quotes and dashes unified, digits to 0, punctuation split off",
        "training_words": words,
        "vocabulary": len(counts),
        "size_bytes": (out / MODEL_FILE).stat().st_size,
        "heldout_tokens": ppl_tokens,
        "heldout_perplexity": round(ppl, 2) if not math.isnan(ppl) else None,
        "corpora": [{"file": spec.path.name, "weight": spec.weight} for spec in options.corpora],
        "licence": options.licence,
        "trained": time.strftime("%Y-%m-%d"),
        "train_seconds": None,
    }
    # the calibration loads the folder as a model, so the card must exist first
    (out / CARD_JSON).write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    _log(progress, f"[{options.lang}] calibrating on held-out paragraphs")
    paragraphs = heldout_paragraphs(options.corpora)
    calibration = calibrate_model_dir(out, options.lang, paragraphs)
    card["calibration_paragraphs"] = calibration["paragraphs"]
    card["train_seconds"] = round(time.time() - started, 1)
    (out / CARD_JSON).write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    write_card_markdown(out, card, options.notes)
    return card


def write_card_markdown(out: Path, card: dict, notes: str) -> None:
    """The human-readable model card, from the measured facts plus the maintainers' notes."""
    rows = "\n".join(f"| `{c['file']}` | {c['weight']} |" for c in card["corpora"])
    text = f"""# Model card: `{card['lang']}`

Generated by `quality train` on {card['trained']}; the numbers below are measured, not estimated.

| what | value |
|---|---|
| unit, order | {card['unit']} {card['order']}-gram (KenLM, modified Kneser-Ney) |
| pruning (counts per order) | {card['prune']} |
| layout | {card['quantisation']} |
| normalisation | {card['normalisation']} |
| training words | {card['training_words']:,} |
| vocabulary | {card['vocabulary']:,} |
| size on disk | {card['size_bytes'] / 1e6:.1f} MB |
| held-out perplexity | {card['heldout_perplexity']} over {card['heldout_tokens']:,} tokens |
| calibration paragraphs | {card['calibration_paragraphs']:,} |
| licence | {card['licence']} |

## Corpora (weight: <1 keeps that fraction of lines, >1 repeats them)

| file | weight |
|---|---|
{rows}

Held out: every {20}th block of 50 lines of each corpus (about 5%), never trained on; it gives
the perplexity above and the calibration of scores (`{CALIBRATION_FILE}`): each language-model
feature is stored as quantiles of its distribution over clean held-out paragraphs, so a score
means "how unusual is this paragraph compared with clean text of this language", the same in
every language.

{notes.strip()}
"""
    (out / CARD_MD).write_text(text, encoding="utf-8")


def main_progress(message: str) -> None:
    """Progress lines on standard error."""
    print(message, file=sys.stderr, flush=True)
