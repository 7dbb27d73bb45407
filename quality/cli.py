"""The `quality` command line."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from quality import __version__
from quality.report import VERDICT_RANK

EXIT_OK, EXIT_FAIL_ON, EXIT_ERROR = 0, 1, 2


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="quality")
def main() -> None:
    """Detect garbled, machine-translated and repeated paragraphs in documents.

    \b
    Examples:
      quality check samples/002_*.txt
      quality check --format json samples/
      quality models
    """


@main.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("--lang", help="Force the document language (ISO 639-1, e.g. es). Default: detect.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "jsonl", "html"]), default="text",
              show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="Write the report here.")
@click.option("--fail-on", type=click.Choice(["reject", "review"]),
              help="Exit with status 1 when any document reaches this verdict.")
@click.option("--models-dir", type=click.Path(file_okay=False), envvar="QUALITY_MODELS_DIR",
              help="Extra folder of model folders (overrides shipped models per language).")
@click.option("--compact", is_flag=True, help="JSON without per-paragraph details.")
@click.option("-v", "--verbose", is_flag=True, help="Text format: show every paragraph, not only flagged ones.")
@click.option("-q", "--quiet", is_flag=True, help="No report; only errors and the exit status.")
@click.option("--not-prose", type=click.Choice(["keep", "review", "reject"]), default="keep", show_default=True,
              help="Verdict for paragraphs that are lists, code, tables or web-page boilerplate.")
def check(inputs, lang, fmt, output, fail_on, models_dir, compact, verbose, quiet, not_prose) -> None:
    """Report on each document: language, score (0-1), verdict and the evidence.

    INPUTS are files, folders (searched recursively for text files) or - for
    standard input.

    \b
    Examples:
      quality check samples/002_aa5f7ea85fa56edd.txt
      quality check --format json -o report.json samples/
      cat article.txt | quality check --lang es --fail-on reject -
    """
    from quality.analyzer import Detector
    from quality.models import ModelError
    from quality.reader import InputError, iter_inputs
    from quality.render import render_json, render_jsonl, render_text

    try:
        detector = Detector(models_dir=models_dir, not_prose=not_prose)
    except (ModelError, ValueError) as err:
        raise click.ClickException(str(err)) from err
    from quality.langid import normalize_lang_code

    lang = normalize_lang_code(lang)  # "EN", "en-US", "eng" name the en model
    if lang and lang not in detector.langs:
        click.echo(f"warning: no model for --lang {lang}; only language-independent checks will run", err=True)
    out = open(output, "w", encoding="utf-8") if output else sys.stdout  # noqa: SIM115 - closed below
    colour = fmt == "text" and output is None and sys.stdout.isatty()
    reports, errors, failed = [], 0, False
    html_items = []
    for item in iter_inputs(list(inputs)):
        if isinstance(item, InputError):
            errors += 1
            click.echo(f"error: {item.source}: {item.message}", err=True)
            continue
        try:
            report = detector.analyze(item.text, lang=lang, source=item.source)
        except ModelError as err:
            errors += 1
            click.echo(f"error: {item.source}: {err}", err=True)
            continue
        if report.error:
            errors += 1
            click.echo(f"error: {item.source}: {report.error}", err=True)
        if fail_on and VERDICT_RANK[report.verdict] >= VERDICT_RANK[fail_on]:
            failed = True
        if quiet:
            continue
        if fmt == "text":
            out.write(render_text(report, item.text, colour=colour, verbose=verbose) + "\n\n")
        elif fmt == "jsonl":
            out.write(render_jsonl(report, compact) + "\n")
        elif fmt == "html":
            html_items.append((report, item.text))
        else:
            reports.append(report)
    if fmt == "json" and not quiet:
        out.write(render_json(reports, compact) + "\n")
    if fmt == "html" and not quiet:
        from quality.html_report import render_html

        out.write(render_html(html_items))
    if output:
        out.close()
    if errors:
        click.echo(f"{errors} input(s) had errors", err=True)
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_FAIL_ON if failed else EXIT_OK)


@main.command()
@click.option("--lang", required=True, help="Language code of the corpora (e.g. fr).")
@click.argument("corpora", nargs=-1, required=True)
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Model folder to write.")
@click.option("--order", default=5, show_default=True, help="n-gram order.")
@click.option("--prune", default="0 0 1", show_default=True, help="lmplz --prune counts per order.")
@click.option("--memory", default="20%", show_default=True, help="lmplz memory (-S), e.g. 2G or 20%.")
@click.option("--size-budget", default=30.0, show_default=True, help="Max model size in MB; prunes harder to fit.")
@click.option("--licence", default="see the corpora's own licences", help="Licence summary for the model card.")
@click.option("--notes", type=click.Path(exists=True, dir_okay=False), help="Markdown appended to the model card.")
@click.option("--kenlm-bin", type=click.Path(file_okay=False), help="Folder holding lmplz and build_binary.")
def train(lang, corpora, out_dir, order, prune, memory, size_budget, licence, notes, kenlm_bin) -> None:
    """Train a model folder from clean text (plain, .gz, .xz; one sentence or paragraph per line).

    Append @WEIGHT to a corpus to weigh it: @0.25 keeps a quarter of its lines, @2 repeats it.

    \b
    Example:
      quality train --lang fr legal-fr.txt.xz news-fr.txt.gz@0.5 --out my-models/fr
      quality check --models-dir my-models contract.txt
    """
    from quality.corpus import CorpusSpec
    from quality.train import TrainError, TrainOptions, main_progress
    from quality.train import train as run_train

    try:
        specs = [CorpusSpec.parse(c) for c in corpora]
        prune_counts = [int(p) for p in prune.split()]
    except ValueError as err:
        raise click.BadParameter(str(err)) from err
    options = TrainOptions(
        lang=lang, corpora=specs, out_dir=Path(out_dir), order=order, prune=prune_counts, memory=memory,
        size_budget_mb=size_budget, licence=licence,
        notes=Path(notes).read_text(encoding="utf-8") if notes else "",
        kenlm_bin=Path(kenlm_bin) if kenlm_bin else None,
    )
    try:
        card = run_train(options, progress=main_progress)
    except TrainError as err:
        raise click.ClickException(str(err)) from err
    click.echo(f"{lang}: {card['training_words']:,} words, {card['size_bytes'] / 1e6:.1f} MB, "
               f"held-out perplexity {card['heldout_perplexity']} -> {out_dir}")


@main.command()
@click.option("--models-dir", type=click.Path(file_okay=False), envvar="QUALITY_MODELS_DIR",
              help="Extra folder of model folders.")
def models(models_dir) -> None:
    """List the models found: shipped ones, $QUALITY_MODELS and --models-dir.

    A model for a language in a later folder overrides the earlier one.

    \b
    Example:
      quality models --models-dir my-models
    """
    import json

    from quality.models import ModelError, discover_models, model_search_path
    from quality.train import CARD_JSON

    try:
        found = discover_models(models_dir)
    except ModelError as err:
        raise click.ClickException(str(err)) from err
    click.echo("searched: " + ", ".join(str(p) for p in model_search_path(models_dir)))
    click.echo(f"{'lang':5s} {'size':>8s} {'words':>11s} {'ppl':>7s} {'calibrated on':>14s}  licence / folder")
    for lang, folder in sorted(found.items()):
        card = json.loads((folder / CARD_JSON).read_text(encoding="utf-8"))
        click.echo(f"{lang:5s} {card['size_bytes'] / 1e6:7.1f}M {card['training_words']:11,d} "
                   f"{card.get('heldout_perplexity') or 0:7.1f} {card.get('calibration_paragraphs', 0):>8,d} par.  "
                   f"{card.get('licence', '?')}\n{'':47s}{folder}")


@main.command("filter")
@click.argument("inputs", nargs=-1)
@click.option("-o", "--output", default="-", show_default=True, help="Kept records (JSON Lines); - is stdout.")
@click.option("--rejected", type=click.Path(dir_okay=False), help="Write rejected records here (- is stdout).")
@click.option("--drop-rejected", is_flag=True, help="Count rejected records but write them nowhere.")
@click.option("--annotate", is_flag=True, help="Write every record to the output with its verdict; no split.")
@click.option("--errors", type=click.Path(dir_okay=False),
              help="Lines that could not be analysed (JSON Lines; - is stdout).")
@click.option("--text-field", default="text", show_default=True)
@click.option("--id-field", default="id", show_default=True, help="Record id; the line number when absent.")
@click.option("--lang-field", help="Field holding the language code (default: detect).")
@click.option("--compact", is_flag=True, help="Reports without per-paragraph details.")
@click.option("--reject-verdict", type=click.Choice(["review", "reject"]), default="reject", show_default=True,
              help="Reject records whose verdict is this or worse.")
@click.option("--min-score", type=float, help="Also reject records scoring below this (0-1).")
@click.option("--max-record-bytes", type=int, default=10_000_000, show_default=True)
@click.option("-j", "--jobs", type=int, default=1, show_default=True, help="Worker processes (0: one per core).")
@click.option("--chunk-size", type=int, default=64, show_default=True, help="Records per task sent to a worker.")
@click.option("--scheduler", help="Analyse on Dask: tcp://HOST:PORT, or local:N for a local cluster of N workers.")
@click.option("--dedup-index", type=click.Path(dir_okay=False),
              help="SQLite file of paragraph hashes: reject paragraphs repeating earlier documents (kept across runs).")
@click.option("--models-dir", type=click.Path(file_okay=False), envvar="QUALITY_MODELS_DIR")
@click.option("--progress/--no-progress", default=None, help="Progress line on stderr [default: when a terminal].")
@click.option("--not-prose", type=click.Choice(["keep", "review", "reject"]), default="keep", show_default=True,
              help="Verdict for paragraphs that are lists, code, tables or web-page boilerplate.")
def filter_command(inputs, output, rejected, drop_rejected, annotate, errors, text_field, id_field, lang_field,
                   compact, reject_verdict, min_score, max_record_bytes, jobs, chunk_size, scheduler, dedup_index,
                   models_dir, progress, not_prose) -> None:
    """Split JSON Lines records into kept and rejected ones, each with a `quality` report added.

    INPUTS are .jsonl, .jsonl.gz or .jsonl.zst files, or - (the default) for
    standard input. Output records are the input lines, byte for byte, with a
    "quality" field added. Exit status: 0, or 2 when some lines could not be
    analysed (see --errors). See docs/filter.md.

    \b
    Examples:
      quality filter shard-*.jsonl.gz -o kept.jsonl --rejected rejected.jsonl --jobs 8
      cat docs.jsonl | quality filter --annotate > annotated.jsonl
    """
    from quality.dedup_index import DedupIndexError
    from quality.filter_worker import AnalysisSettings
    from quality.filtering import FilterOptions, FilterUsageError, run_filter
    from quality.models import ModelError

    options = FilterOptions(
        inputs=list(inputs), output=output, rejected=rejected, errors=errors, drop_rejected=drop_rejected,
        annotate=annotate, reject_verdict=reject_verdict, min_score=min_score, max_record_bytes=max_record_bytes,
        jobs=jobs, chunk_size=chunk_size, scheduler=scheduler, dedup_index=dedup_index, progress=progress,
        settings=AnalysisSettings(text_field, id_field, lang_field, compact, models_dir, not_prose=not_prose),
    )
    try:
        summary = run_filter(options)
    except FilterUsageError as err:
        raise click.UsageError(str(err)) from err
    except BrokenPipeError:
        # the reader went away (`quality filter ... | head`): stop quietly, as other Unix filters do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(EXIT_OK)
    except (ModelError, DedupIndexError, OSError) as err:
        raise click.ClickException(str(err)) from err
    click.echo(summary.line(), err=True)
    sys.exit(EXIT_ERROR if summary.errors else EXIT_OK)


if __name__ == "__main__":
    main()
