"""Precision benchmark: how much clean human text of registers the models never saw gets flagged.

    .venv/bin/python bench/precision.py --shared ../shared [--per-lang 150] [--langs es,pt,el,en,fr,de,it]
        [--examples bench/out/precision_examples.jsonl]

Every item is clean text written (or transcribed) by people: informal web text (reviews, forum answers,
e-mail, tweets, social-media comments), speech transcripts, short everyday sentences, news headlines with
their articles, and lists. For each language and register it reports the share of items the detector
calls `reject` and `review`, and the false findings per 1,000 clean words for each code (every finding on
clean text is false). Items are of two units: `paragraph` (one paragraph analysed alone) and `document`
(consecutive lines of the source, one paragraph per line or a few sentences per paragraph).

Only text the language's model was not trained on is used: a source the model card does not list is read
whole; of a source it lists, only the held-out blocks (`quality.corpus.is_heldout`: 50 lines in every
1,000), which `quality train` never reads whatever the weight. Which lines were used is printed with the
results. Sampling is seeded: the same command gives the same items.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from quality.analyzer import Detector  # noqa: E402
from quality.corpus import is_heldout, open_text  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent

# (register, corpus file, how a line reads): "post" lines are whole posts, reviews or sentences that stand
# alone (a paragraph is one line); "sentences" lines are consecutive sentences of one text (a paragraph
# joins a few); "news" lines are news documents, headlines included (the headlines register reads them)
SOURCES: dict[str, list[tuple[str, str, str]]] = {
    "en": [("web", "ud_ewt_web", "sentences"), ("speech", "ud_gum_spoken", "sentences"),
           ("everyday", "tatoeba", "post"), ("headlines", "newstest", "news")],
    "es": [("web", "restmex_reviews", "post"), ("speech", "parlamint_congreso", "sentences"),
           ("everyday", "tatoeba", "post"), ("headlines", "newstest", "news")],
    "pt": [("web", "ud_dantestocks", "post"), ("everyday", "tatoeba", "post"),
           ("headlines", "fakebr_true", "news")],
    "el": [("everyday", "tatoeba", "post")],
    "fr": [("web", "frwikidisc", "sentences"), ("speech", "ud_parisstories", "sentences"),
           ("speech", "ud_rhapsodie", "sentences"), ("everyday", "tatoeba", "post"),
           ("headlines", "newstest", "news")],
    "it": [("web", "absita_reviews", "post"), ("web", "ud_twittiro", "post"), ("web", "ud_postwita", "post"),
           ("everyday", "tatoeba", "post"), ("headlines", "newstest", "news")],
    "de": [("web", "germeval_tweets", "post"), ("web", "germeval_social", "post"),
           ("everyday", "tatoeba", "post"), ("headlines", "newstest", "news")],
}
# Left out: it/ud_markit (the treebank's tokenisation, "minacce , quindi", is not how the essays were written)
# and el/ud_gud (split contractions, "σ τη"); Greek has no informal source the model was not trained on.
# Text tokenised by its corpus (" , " and a spaced final stop) is skipped where it turns up (some newstest).
_TOKENISED_RE = re.compile(r"\w \.$|\w , \w| \?$")
# lists are built from the short lines of these registers (the first one with enough of them)
LIST_FROM = ("web", "everyday")
LIST_MAX_WORDS = 12
HEADLINE_MAX_WORDS = 16
_FINAL = tuple('.!?:;"”»)…')
_BULLETS = ("- ", "• ", "* ", "{n}. ", "{n}) ")


@dataclass
class Item:
    """One text to analyse, and where it came from."""

    lang: str
    register: str
    unit: str
    source: str
    line: int  # 0-based first line in the source file
    text: str


def readable_lines(path: Path, trained: bool) -> list[tuple[int, str]]:
    """(line number, text) of the lines training did not read: all of them, or the held-out blocks."""
    out = []
    with open_text(path) as handle:
        for number, line in enumerate(handle):
            line = line.strip()
            if line and (not trained or is_heldout(number)):
                out.append((number, line))
    return out


def runs(lines: list[tuple[int, str]]) -> list[list[tuple[int, str]]]:
    """Maximal runs of consecutive line numbers: documents are never glued across a gap."""
    out: list[list[tuple[int, str]]] = []
    for number, line in lines:
        if out and out[-1][-1][0] == number - 1:
            out[-1].append((number, line))
        else:
            out.append([(number, line)])
    return out


def _words(text: str) -> int:
    return len(text.split())


def _sample(candidates: list, n: int, rng: random.Random) -> list:
    return candidates if len(candidates) <= n else rng.sample(candidates, n)


def paragraphs_of(blocks: list[list[tuple[int, str]]], kind: str, n: int, rng: random.Random) -> list[tuple[int, str]]:
    """Single paragraphs: one line (posts) or consecutive sentences joined to 25-120 words."""
    if kind == "post":
        candidates = [(number, line) for block in blocks for number, line in block if _words(line) >= 2]
        return _sample(candidates, n, rng)
    candidates = []
    for block in blocks:
        i = 0
        while i < len(block):
            j, words = i, 0
            while j < len(block) and words < 25:
                words += _words(block[j][1])
                j += 1
            if 25 <= words <= 120:
                candidates.append((block[i][0], " ".join(line for _, line in block[i:j])))
            i = j
    return _sample(candidates, n, rng)


def documents_of(blocks: list[list[tuple[int, str]]], kind: str, n: int, rng: random.Random) -> list[tuple[int, str]]:
    """Whole documents of consecutive lines: posts one per line (4-10), sentences 2-4 to a paragraph."""
    candidates = []
    for block in blocks:
        i = 0
        while i + 4 <= len(block):
            size = rng.randint(4, 10) if kind == "post" else rng.randint(6, 16)
            lines = [line for _, line in block[i : i + size]]
            if kind == "post":
                text = "\n".join(lines)
            else:
                paragraphs, k = [], 0
                while k < len(lines):
                    step = rng.randint(2, 4)
                    paragraphs.append(" ".join(lines[k : k + step]))
                    k += step
                text = "\n\n".join(paragraphs)
            candidates.append((block[i][0], text))
            i += size
    return _sample(candidates, n, rng)


def headline_items(blocks: list[list[tuple[int, str]]], n: int, rng: random.Random) -> tuple[list, list]:
    """News headlines (a short line with no final punctuation followed by prose) with their articles.

    Returns (headlines alone, headline + the next 3-8 lines of its article as one document).
    """
    alone, documents = [], []
    for block in blocks:
        for i in range(len(block) - 3):
            number, line = block[i]
            body = block[i + 1 : i + 1 + rng.randint(3, 8)]
            if (_words(line) <= HEADLINE_MAX_WORDS and not line.endswith(_FINAL + (",",))
                    and not any(_TOKENISED_RE.search(text) for _, text in [block[i]] + body)
                    and all(text.endswith(_FINAL) for _, text in body[:2])):
                alone.append((number, line))
                documents.append((number, "\n".join([line] + [text for _, text in body])))
    picked = _sample(list(range(len(alone))), n, rng)
    return [alone[k] for k in picked], [documents[k] for k in picked]


def list_items(blocks: list[list[tuple[int, str]]], n: int, rng: random.Random) -> tuple[list, list]:
    """Lists of short lines (bulleted or numbered; half without final stops, as lists are often written).

    Returns (one list item alone, a list of 3-8 items with a short lead-in line as one document).
    """
    short = [(number, line) for block in blocks for number, line in block if 2 <= _words(line) <= LIST_MAX_WORDS]
    items, documents = [], []
    for k in range(0, len(short) - 8, 8):
        group = short[k : k + rng.randint(3, 8)]
        bullet = rng.choice(_BULLETS)
        strip = rng.random() < 0.5
        lines = []
        for m, (_, line) in enumerate(group, 1):
            text = line.rstrip(".") if strip else line
            lines.append(bullet.format(n=m) + text)
        items.append((group[0][0], lines[0]))
        documents.append((group[0][0], "\n".join(lines)))
    picked = _sample(list(range(len(items))), n, rng)
    return [items[k] for k in picked], [documents[k] for k in picked]


def build_items(detector: Detector, shared: Path, lang: str, per_lang: int, seed: int,
                notes: list[str]) -> list[Item]:
    """Every item of one language, sampled deterministically."""
    trained = {c["file"] for c in detector.models.get(lang).card["corpora"]}
    items: list[Item] = []
    list_sources: dict[str, tuple[str, list[list[tuple[int, str]]]]] = {}
    by_register = [(register, name, kind) for register, name, kind in SOURCES[lang]]
    for register, name, kind in by_register:
        filename = f"{name}.txt.xz"
        path = shared / "corpora" / lang / filename
        if not path.exists():
            notes.append(f"{lang}/{filename}: missing, skipped")
            continue
        is_trained = filename in trained
        lines = readable_lines(path, is_trained)
        blocks = runs(lines)
        read = "held-out blocks only (the model trains on it)" if is_trained else "all lines (not in the model card)"
        notes.append(f"{lang}/{filename} ({register}): {read}, {len(lines)} lines")
        same = sum(1 for r, _, _ in by_register if r == register)
        share = max(1, per_lang // same)  # registers drawn from several sources split the sample
        rng = random.Random(f"{seed}:{lang}:{name}")
        if kind == "news":
            alone, documents = headline_items(blocks, share, rng)
            items += [Item(lang, register, "paragraph", name, number, text) for number, text in alone]
            items += [Item(lang, register, "document", name, number, text) for number, text in documents]
            continue
        items += [Item(lang, register, "paragraph", name, number, text)
                  for number, text in paragraphs_of(blocks, kind, share, rng)]
        items += [Item(lang, register, "document", name, number, text)
                  for number, text in documents_of(blocks, kind, share, rng)]
        if register in LIST_FROM and register not in list_sources:
            list_sources[register] = (name, blocks)
    # lists from the first register with enough short lines for the sample (fr web text is small)
    usable = [list_sources[r] for r in LIST_FROM if r in list_sources]
    enough = [(name, blocks) for name, blocks in usable
              if sum(1 for block in blocks for _, line in block if _words(line) <= LIST_MAX_WORDS) >= 8 * per_lang]
    if usable:
        list_name, list_source = (enough or usable)[0]
        alone, documents = list_items(list_source, per_lang, random.Random(f"{seed}:{lang}:lists"))
        items += [Item(lang, "lists", "paragraph", list_name, number, text) for number, text in alone]
        items += [Item(lang, "lists", "document", list_name, number, text) for number, text in documents]
    return items


def evaluate(detector: Detector, items: list[Item], examples: Callable[[dict], None] | None) -> dict:
    """Verdict counts, words and false findings per code for each (lang, register, unit)."""
    table: dict[tuple[str, str, str], dict] = defaultdict(lambda: {"n": 0, "words": 0, "verdicts": Counter(),
                                                                   "codes": Counter()})
    for item in items:
        report = detector.analyze(item.text, lang=item.lang, source=f"{item.source}:{item.line}")
        cell = table[item.lang, item.register, item.unit]
        cell["n"] += 1
        cell["words"] += _words(item.text)
        cell["verdicts"][report.verdict] += 1
        findings = [f for p in report.paragraphs for f in p.findings]
        for finding in findings:
            cell["codes"][finding.code] += 1
        if examples is not None and (report.verdict != "keep" or findings):
            examples({"lang": item.lang, "register": item.register, "unit": item.unit, "source": item.source,
                      "line": item.line, "verdict": report.verdict, "score": round(report.score, 3),
                      "text": item.text,
                      "findings": [[f.code, f.text, f.message, f.severity] for f in findings]})
    return table


def render(table: dict, langs: list[str]) -> list[str]:
    codes = sorted({code for cell in table.values() for code in cell["codes"]})
    header = ("| lang | register | unit | n | words | reject | review | "
              + " | ".join(codes) + " |")
    lines = ["False findings per 1,000 clean words, by code; `reject` and `review` are shares of items "
             "(targets: reject ≤ 1%, review ≤ 5%; cells over a target are in bold).", "",
             header, "|---" * (7 + len(codes)) + "|"]
    totals = defaultdict(lambda: {"n": 0, "words": 0, "verdicts": Counter(), "codes": Counter()})
    for lang in langs:
        for (cell_lang, register, unit), cell in sorted(table.items()):
            if cell_lang != lang:
                continue
            lines.append(_row(lang, register, unit, cell, codes))
            total = totals[lang]
            total["n"] += cell["n"]
            total["words"] += cell["words"]
            total["verdicts"].update(cell["verdicts"])
            total["codes"].update(cell["codes"])
    lines += ["", "All registers and units of a language together:", "", header, "|---" * (7 + len(codes)) + "|"]
    for lang in langs:
        if totals[lang]["n"]:
            lines.append(_row(lang, "all", "all", totals[lang], codes))
    return lines


def _row(lang: str, register: str, unit: str, cell: dict, codes: list[str]) -> str:
    n, words = cell["n"], max(1, cell["words"])
    reject = cell["verdicts"]["reject"] / n
    review = cell["verdicts"]["review"] / n
    bold = lambda value, limit: f"**{value:.1%}**" if value > limit else f"{value:.1%}"  # noqa: E731
    per_k = [f"{1000 * cell['codes'][code] / words:.1f}" if cell["codes"][code] else "-" for code in codes]
    return (f"| {lang} | {register} | {unit} | {n} | {cell['words']} | {bold(reject, 0.01)} | "
            f"{bold(review, 0.05)} | " + " | ".join(per_k) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--langs", default="es,pt,el,en,fr,de,it")
    parser.add_argument("--per-lang", type=int, default=150,
                        help="items per language, register and unit (default 150)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--examples", type=Path, help="write every flagged item (JSON lines) here")
    args = parser.parse_args()
    langs = args.langs.split(",")
    detector = Detector(langs=langs)
    started_wall, started_cpu = time.time(), time.process_time()
    notes: list[str] = []
    items = [item for lang in langs for item in build_items(detector, args.shared, lang, args.per_lang, args.seed,
                                                             notes)]
    built_wall = time.time() - started_wall
    if args.examples:
        args.examples.parent.mkdir(parents=True, exist_ok=True)
        with open(args.examples, "w", encoding="utf-8") as handle:
            table = evaluate(detector, items,
                             lambda record: handle.write(json.dumps(record, ensure_ascii=False) + "\n"))
    else:
        table = evaluate(detector, items, None)
    out = ["## Precision on clean text of unseen registers", ""]
    out += render(table, langs)
    out += ["", "Text read (only what training did not read):", ""] + [f"- {note}" for note in notes]
    words = sum(_words(item.text) for item in items)
    out += ["", f"({len(items)} items, {words} words; building {built_wall:.0f} s, total "
                f"{time.time() - started_wall:.0f} s wall, {time.process_time() - started_cpu:.0f} s CPU)"]
    print("\n".join(out))



if __name__ == "__main__":
    main()
