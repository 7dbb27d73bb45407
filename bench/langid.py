"""Language identification on FLORES-101 dev (../shared/dev/lid): documents and single sentences.

    nice .venv/bin/python bench/langid.py --shared ../shared
    nice .venv/bin/python bench/langid.py --shared ../shared --candidates heliport,whatlang,lingua-low,py3langid

Documents are 2 paragraphs of 3 consecutive sentences (about 166 per language);
short texts are single sentences. For the languages with a model: accuracy.
For every other language: the share labelled as one of the modelled languages
and, for `quality` (the whole analysis), the share of documents rejected.
Candidates: `quality` (what `quality check` does: quality.langid), or a raw
identifier (heliport, whatlang, lingua-low, lingua-high, py3langid), each
with its load time and memory measured in a fresh process. Nothing is fitted
on this data: it is the same content in every language, for reporting only.
"""

from __future__ import annotations

import argparse
import lzma
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from quality.langcodes import UNDETERMINED, from_identifier, normalize_lang_code  # noqa: E402
from quality.normalize import tokenize  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
MODELLED = ("es", "pt", "el", "en", "fr", "de", "it")


def load_flores(folder: Path) -> dict[str, list[str]]:
    """Sentences per language, by our code (zh-Hans and zh-Hant both count as zh)."""
    out: dict[str, list[str]] = {}
    for path in sorted(folder.glob("*.txt.xz")):
        name = path.name.removesuffix(".txt.xz")
        with lzma.open(path, "rt", encoding="utf-8") as handle:
            lines = [line.strip() for line in handle if line.strip()]
        out[name] = lines
    return out


def documents(sentences: list[str]) -> list[str]:
    """Two paragraphs of three consecutive sentences each."""
    return [" ".join(sentences[i:i + 3]) + "\n\n" + " ".join(sentences[i + 3:i + 6])
            for i in range(0, len(sentences) - 5, 6)]


def truth(name: str) -> str:
    return normalize_lang_code(name.split("-")[0]) or UNDETERMINED


def make_candidate(name: str) -> Callable[[str], str]:
    """A function text -> our language code, for one identifier."""
    if name in ("quality", "quality-fast"):
        from quality.analyzer import Detector

        detector = Detector()
        detector.langid.full = name == "quality"  # quality-fast: QUALITY_LANGID=fast, heliport never loads
        return lambda text: detector.identify(text).lang
    if name == "heliport":
        import heliport

        identifier = heliport.Identifier()
        return lambda text: from_identifier(identifier.identify(text))
    if name == "whatlang":
        import whatlang

        def detect(text: str) -> str:
            try:
                info = whatlang.detect(text)
            except ValueError:  # "Language could not be detected"
                return UNDETERMINED
            return from_identifier(info.lang) if info is not None and info.is_reliable else UNDETERMINED
        return detect
    if name.startswith("lingua"):
        from lingua import LanguageDetectorBuilder

        builder = LanguageDetectorBuilder.from_all_languages()
        if name == "lingua-low":
            builder = builder.with_low_accuracy_mode()
        detector = builder.build()

        def detect(text: str) -> str:
            language = detector.detect_language_of(text)
            return language.iso_code_639_1.name.lower() if language is not None else UNDETERMINED
        return detect
    if name == "py3langid":
        import py3langid

        return lambda text: from_identifier(py3langid.classify(text)[0])
    raise SystemExit(f"unknown candidate {name}")


def load_cost(name: str, sentence: str = "Esto es una frase en español, para probar.") -> tuple[float, float, float]:
    """(wall s, CPU s, peak RSS MB) of loading `name` and identifying one sentence, in a fresh process.

    The peak is the child's VmHWM: its ru_maxrss would start from the parent's at fork."""
    code = ("import sys, time; sys.path.insert(0, sys.argv[2])\n"
            "from bench.langid import make_candidate\n"
            "w, c = time.perf_counter(), time.process_time()\n"
            "f = make_candidate(sys.argv[1]); f(sys.argv[3])\n"
            "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM:')][0].split()[1]\n"
            "print(time.perf_counter() - w, time.process_time() - c, int(hwm) / 1024)")
    out = subprocess.run([sys.executable, "-c", code, name, str(ROOT), sentence], capture_output=True, text=True,
                         check=True)
    wall, cpu, rss = (float(x) for x in out.stdout.split()[-3:])
    return wall, cpu, rss


def run(identify: Callable[[str], str], texts: dict[str, list[str]]) -> tuple[dict[str, list[str]], float, int]:
    """Predictions per language, CPU seconds and tokens."""
    predictions: dict[str, list[str]] = {}
    tokens = sum(sum(1 for t in tokenize(text) if t.is_word) for items in texts.values() for text in items)
    started = time.process_time()
    for name, items in texts.items():
        predictions[name] = [identify(text) for text in items]
    return predictions, time.process_time() - started, tokens


def per_language(predictions: dict[str, list[str]]) -> list[tuple[str, int, float, float, str]]:
    """(name, n, accuracy, share labelled as a modelled language other than its own, most common wrong label)."""
    rows = []
    for name, labels in predictions.items():
        lang = truth(name)
        wrong = [label for label in labels if label != lang and not (label == "sh" and lang in ("bs", "hr", "sr"))]
        as_modelled = sum(1 for label in wrong if label in MODELLED) / len(labels)
        common = max(set(wrong), key=wrong.count) if wrong else "-"
        rows.append((name, len(labels), 1 - len(wrong) / len(labels), as_modelled, common))
    return rows


def named(rows) -> float:
    """Share of the other languages' texts named right (Serbo-Croatian counts for bs, hr and sr)."""
    others = [r for r in rows if truth(r[0]) not in MODELLED]
    return sum(r[1] * r[2] for r in others) / sum(r[1] for r in others)


def summary(rows) -> tuple[float, float, float, float, str]:
    """(modelled accuracy, worst modelled, others labelled as modelled, the worst of those, its name)."""
    modelled = [r for r in rows if truth(r[0]) in MODELLED]
    others = [r for r in rows if truth(r[0]) not in MODELLED]
    accuracy = sum(r[1] * r[2] for r in modelled) / sum(r[1] for r in modelled)
    worst = min(modelled, key=lambda r: r[2])
    leaked = sum(r[1] * r[3] for r in others) / sum(r[1] for r in others)
    worst_other = max(others, key=lambda r: r[3])
    return accuracy, worst[2], leaked, worst_other[3], f"{worst[0]} / {worst_other[0]}"


def timed(function: Callable, spent: list[float]) -> Callable:
    """`function`, adding the CPU seconds each call takes to spent[0]."""
    def wrapper(*args, **kwargs):
        started = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            spent[0] += time.process_time() - started
    return wrapper


def analysis_rejects(flores: dict[str, list[str]], per_lang: int) -> tuple[list, dict[bool, list[float]]]:
    """Full analysis of documents: verdicts; CPU of the analysis, of identification inside it, and tokens,
    for modelled (True) and other (False) languages' documents."""
    from quality.analyzer import Detector

    detector = Detector()
    spent = [0.0]  # identification inside the analysis: the document's, and paragraphs' where they are checked
    detector.langid.identify = timed(detector.langid.identify, spent)
    detector.langid.identify_paragraph = timed(detector.langid.identify_paragraph, spent)
    for sentences in flores.values():  # warm-up: models mapped, heliport loaded, caches filled
        detector.analyze(documents(sentences)[-1])
    rows, cost = [], {True: [0.0, 0.0, 0], False: [0.0, 0.0, 0]}
    for name, sentences in flores.items():
        docs = documents(sentences)[:per_lang]
        entry = cost[truth(name) in MODELLED]
        entry[2] += sum(sum(1 for t in tokenize(d) if t.is_word) for d in docs)
        spent[0] = 0.0
        started = time.process_time()
        reports = [detector.analyze(d) for d in docs]
        entry[0] += time.process_time() - started
        entry[1] += spent[0]
        rejected = sum(r.verdict == "reject" for r in reports) / len(reports)
        # judged by a model that is not of its language: the document, or any paragraph of it
        judged = sum(any(lang in MODELLED and lang != truth(name) for lang in [r.lang] + [p.lang for p in r.paragraphs])
                     for r in reports) / len(reports)
        first = next((r for r in reports if r.verdict == "reject"), None)
        why = "; ".join(first.reasons[:2]) if first else "-"
        rows.append((name, len(reports), rejected, judged, why))
    return rows, cost


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--candidates", default="quality")
    parser.add_argument("--sentences", type=int, default=997, help="single sentences per language")
    parser.add_argument("--analyse", type=int, default=40,
                        help="documents per language for the full analysis (rejected share; 0: skip)")
    parser.add_argument("--repeat-load", type=int, default=3, help="fresh processes per load measurement")
    args = parser.parse_args()
    flores = load_flores(args.shared / "dev" / "lid")
    docs = {name: documents(lines) for name, lines in flores.items()}
    sentences = {name: lines[:args.sentences] for name, lines in flores.items()}
    print(f"FLORES-101 dev: {len(flores)} languages, {sum(map(len, docs.values()))} documents, "
          f"{sum(map(len, sentences.values()))} sentences\n")
    print("| candidate | docs: modelled acc (worst) | docs: others as modelled (worst) | sentences: modelled acc "
          "(worst) | sentences: others as modelled (worst) | worst langs | others named right: docs / sentences "
          "| µs/token docs | µs/token sentences | load wall s (CPU s) | max RSS MB |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    detail = {}
    for name in args.candidates.split(","):
        loads = [load_cost(name) for _ in range(args.repeat_load)]
        identify = make_candidate(name)
        doc_pred, doc_cpu, doc_tokens = run(identify, docs)
        sent_pred, sent_cpu, sent_tokens = run(identify, sentences)
        d, s = per_language(doc_pred), per_language(sent_pred)
        detail[name] = (d, s)
        da, dw, dl, dlw, dn = summary(d)
        sa, sw, sl, slw, sn = summary(s)
        load = (f"{statistics.median(x[0] for x in loads):.2f} ({statistics.median(x[1] for x in loads):.2f}) "
                f"| {statistics.median(x[2] for x in loads):.0f}")
        if name == "quality":  # heliport loads on the first text that is not clearly in a modelled language
            heavy = [load_cost(name, "Dit is een Nederlandse zin over het weer.") for _ in range(args.repeat_load)]
            load += (f" (after a Dutch sentence: {statistics.median(x[0] for x in heavy):.2f} s wall, "
                     f"{statistics.median(x[1] for x in heavy):.2f} s CPU, "
                     f"{statistics.median(x[2] for x in heavy):.0f} MB)")
        print(f"| {name} | {da:.2%} ({dw:.2%}) | {dl:.2%} ({dlw:.2%}) | {sa:.2%} ({sw:.2%}) | {sl:.2%} ({slw:.2%}) "
              f"| {dn}; {sn} | {named(d):.1%} / {named(s):.1%} "
              f"| {1e6 * doc_cpu / doc_tokens:.2f} | {1e6 * sent_cpu / sent_tokens:.2f} "
              f"| {load} |", flush=True)
    for name, (d, s) in detail.items():
        print(f"\n### {name}: per language, worst first (accuracy for modelled, else share labelled as modelled)\n")
        print("| lang | docs n | docs acc | docs as modelled | common wrong label (docs) | sentences n | sentences acc "
              "| sentences as modelled | common wrong label (sentences) |")
        print("|---|---|---|---|---|---|---|---|---|")
        by_name = {r[0]: r for r in s}

        def badness(row, by_name=by_name):
            sent = by_name[row[0]]
            if truth(row[0]) in MODELLED:
                return (0, row[2] + sent[2])
            return (1, -(row[3] + sent[3]), row[2] + sent[2])
        for row in sorted(d, key=badness):
            sent = by_name[row[0]]
            print(f"| {row[0]} | {row[1]} | {row[2]:.1%} | {row[3]:.1%} | {row[4]} | {sent[1]} | {sent[2]:.1%} "
                  f"| {sent[3]:.1%} | {sent[4]} |")
    if args.analyse and "quality" in detail:
        rows, cost = analysis_rejects(flores, args.analyse)
        others = [r for r in rows if truth(r[0]) not in MODELLED]
        n = sum(r[1] for r in others)
        rejected = sum(r[1] * r[2] for r in others) / n
        judged = sum(r[1] * r[3] for r in others) / n
        print(f"\n### Full analysis, {args.analyse} documents per language\n")
        print(f"Other languages: {n} documents, rejected {rejected:.2%}, judged by a modelled language's model "
              f"(the document or any paragraph) {judged:.2%}. Max RSS "
              f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB (heliport loaded).\n")
        print("| documents | tokens | whole analysis µs/token (CPU) | identification inside it µs/token | share |")
        print("|---|---|---|---|---|")
        for modelled, (total, ident, tokens) in sorted(cost.items(), reverse=True):
            print(f"| {'modelled languages' if modelled else 'other languages'} | {tokens} "
                  f"| {1e6 * total / tokens:.2f} | {1e6 * ident / tokens:.2f} | {ident / total:.1%} |")
        print()
        print("| lang | docs | rejected | judged by a modelled model | first rejected document's reasons |")
        print("|---|---|---|---|---|")
        for row in sorted(rows, key=lambda r: (-r[2], -r[3], r[0])):
            if row[2] or row[3] or truth(row[0]) in MODELLED:
                print(f"| {row[0]} | {row[1]} | {row[2]:.1%} | {row[3]:.1%} | {row[4]} |")


if __name__ == "__main__":
    main()
