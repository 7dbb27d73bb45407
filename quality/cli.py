"""The `quality` command line."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from quality import __version__
from quality.report import VERDICT_RANK

# the table of exit codes is in README.md ("Exit codes"); a signal N ends a run with 128 + N (130, 143)
EXIT_OK, EXIT_FAIL_ON, EXIT_ERROR, EXIT_FATAL = 0, 1, 2, 3


class CliError(click.ClickException):
    """One line on standard error ("Error: ..."), control characters escaped, and the given exit code."""

    def __init__(self, message: str, exit_code: int):
        from quality.terminal import printable

        super().__init__(printable(message, keep_newlines=False))
        self.exit_code = exit_code


class _Group(click.Group):
    """Every command ends on SIGTERM or SIGINT with 128 + the signal, quietly (no "Aborted!", no traceback)."""

    def invoke(self, ctx: click.Context):
        from quality.signals import exit_on_signals

        with exit_on_signals():
            return super().invoke(ctx)


def _models_dir_exists(models_dir: str | None) -> None:
    """--models-dir naming no folder is a usage error (2), said in one line before anything loads."""
    if models_dir and not os.path.isdir(models_dir):
        raise CliError(f"--models-dir {models_dir}: no such folder", EXIT_ERROR)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
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
@click.option("--lang", help="Force the document language: a code or English name (es, pt-BR, eng, Spanish). "
              "Default: detect.")
@click.option("--unmodelled", type=click.Choice(["keep", "review", "reject"]), default="review", show_default=True,
              help="Verdict floor for a document in a language without a model (only language-independent "
              "checks run on it).")
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
def check(inputs, lang, unmodelled, fmt, output, fail_on, models_dir, compact, verbose, quiet, not_prose) -> None:
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
    from quality.outfile import AtomicOutput
    from quality.reader import InputError, SkippedFiles, iter_inputs
    from quality.render import render_json, render_jsonl, render_text
    from quality.terminal import printable

    _models_dir_exists(models_dir)
    try:
        detector = Detector(models_dir=models_dir, unmodelled=unmodelled, not_prose=not_prose)
    except (ModelError, ValueError) as err:
        raise CliError(str(err), EXIT_FATAL) from err
    from quality.langcodes import UnknownLanguageError, describe, normalize_lang_code

    try:
        lang = normalize_lang_code(lang, detector.langs)  # "EN", "en-US", "eng", "English" name the en model
    except UnknownLanguageError as err:
        raise click.UsageError(f"--lang: {err}") from err
    if lang and lang not in detector.langs:
        click.echo(f"warning: no model for --lang {printable(describe(lang))}; only language-independent checks "
                   "will run", err=True)
    # written beside its destination and renamed at the end: a missing folder is found before any analysis,
    # and an existing report is replaced only by a complete one
    try:
        target = AtomicOutput(output) if output else None
    except OSError as err:
        raise CliError(f"-o {output}: cannot write there: {err.strerror or err}", EXIT_ERROR) from err

    if target is not None:
        click.get_current_context().call_on_close(target.discard)  # removed unless committed, whatever happens

    def write_or_fail(action, *args) -> None:
        try:
            action(*args)
        except OSError as err:  # a full disk: one line naming the file, the old report left as it was
            raise CliError(f"{output or '<stdout>'}: cannot write: {err.strerror or err}", EXIT_FATAL) from err

    def write(text: str) -> None:
        if target is None:
            write_or_fail(sys.stdout.write, text)
        else:
            write_or_fail(target.file.write, text.encode("utf-8", "surrogatepass"))

    colour = fmt == "text" and output is None and sys.stdout.isatty()
    reports, errors, failed = [], 0, False
    html_items = []
    for item in iter_inputs(list(inputs)):
        if isinstance(item, SkippedFiles):
            click.echo(printable(f"note: {item.source}: {item.message}", keep_newlines=False), err=True)
            continue
        if isinstance(item, InputError):
            errors += 1
            click.echo(printable(f"error: {item.source}: {item.message}", keep_newlines=False), err=True)
            continue
        try:
            report = detector.analyze(item.text, lang=lang, source=item.source)
        except ModelError as err:  # a broken model folder is no fault of this document: stop
            raise CliError(str(err), EXIT_FATAL) from err
        if report.error:
            errors += 1
            click.echo(printable(f"error: {item.source}: {report.error}", keep_newlines=False), err=True)
        if fail_on and VERDICT_RANK[report.verdict] >= VERDICT_RANK[fail_on]:
            failed = True
        if quiet:
            continue
        if fmt == "text":
            write(render_text(report, item.text, colour=colour, verbose=verbose) + "\n\n")
        elif fmt == "jsonl":
            write(render_jsonl(report, compact) + "\n")
        elif fmt == "html":
            html_items.append((report, item.text))
        else:
            reports.append(report)
    if fmt == "json" and not quiet:
        write(render_json(reports, compact) + "\n")
    if fmt == "html" and not quiet and html_items:
        from quality.html_report import render_html

        write(render_html(html_items))
    elif fmt == "html" and not quiet:  # every input failed: no page listing nothing
        click.echo("error: no document could be analysed: no HTML report written", err=True)
        target = None
    if target is not None:
        write_or_fail(target.commit)
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
        raise CliError(str(err), EXIT_FATAL) from err
    click.echo(f"{lang}: {card['training_words']:,} words, {card['size_bytes'] / 1e6:.1f} MB, "
               f"held-out perplexity {card['heldout_perplexity']} -> {out_dir}")


@main.command()
@click.option("--models-dir", type=click.Path(file_okay=False), envvar="QUALITY_MODELS_DIR",
              help="Extra folder of model folders.")
def models(models_dir) -> None:
    """List the languages modelled (shipped models, $QUALITY_MODELS, --models-dir), then those only identified.

    A model for a language in a later folder overrides the earlier one.
    Identified languages get the language-independent checks only.

    \b
    Example:
      quality models --models-dir my-models
    """

    from quality.models import ModelError, discover_models, model_search_path, read_card
    from quality.terminal import printable
    from quality.train import CARD_JSON

    _models_dir_exists(models_dir)
    try:
        found = discover_models(models_dir)
        cards = {lang: read_card(folder / CARD_JSON) for lang, folder in found.items()}
    except ModelError as err:
        raise CliError(str(err), EXIT_FATAL) from err
    click.echo(printable("searched: " + ", ".join(str(p) for p in model_search_path(models_dir))))
    click.echo(f"{'lang':5s} {'size':>8s} {'words':>11s} {'ppl':>7s} {'calibrated on':>14s}  licence / folder")
    for lang, folder in sorted(found.items()):
        card = cards[lang]
        click.echo(printable(f"{lang:5s} {card['size_bytes'] / 1e6:7.1f}M {card['training_words']:11,d} "
                             f"{card['heldout_perplexity']:7.1f} {card['calibration_paragraphs']:>8,d} par.  "
                             f"{card['licence']}\n{'':47s}{folder}"))
    from quality.langcodes import language_name
    from quality.langid import identified_languages

    others = [code for code in identified_languages() if code not in found]
    click.echo(f"\nmodelled ({len(found)}): " + ", ".join(f"{c} ({language_name(c)})" for c in sorted(found)))
    click.echo(f"identified, not modelled ({len(others)}; language-independent checks only):")
    click.echo("\n".join(click.wrap_text(", ".join(f"{c} ({language_name(c)})" for c in others), 110,
                                          initial_indent="  ", subsequent_indent="  ").splitlines()))


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
@click.option("--lang-field", help="Field holding the language code or name (default: detect).")
@click.option("--unmodelled", type=click.Choice(["keep", "review", "reject"]), default="review", show_default=True,
              help="Verdict floor for a record in a language without a model.")
@click.option("--compact", is_flag=True, help="Reports without per-paragraph details.")
@click.option("--reject-verdict", type=click.Choice(["review", "reject"]), default="reject", show_default=True,
              help="Reject records whose verdict is this or worse.")
@click.option("--min-score", type=float, help="Also reject records scoring below this (0-1).")
@click.option("--max-record-bytes", type=int, default=10_000_000, show_default=True)
@click.option("-j", "--jobs", type=int, default=1, show_default=True, help="Worker processes (0: one per core).")
@click.option("--chunk-size", type=int, default=64, show_default=True, help="Records per task sent to a worker.")
@click.option("--scheduler", help="Analyse on Dask: tcp://HOST:PORT, or local:N for a local cluster of N workers; "
              "or on Ray: ray (a local Ray with --jobs CPUs) or ray://HOST:PORT.")
@click.option("--dedup-index", type=click.Path(dir_okay=False),
              help="SQLite file of paragraph hashes: reject paragraphs repeating earlier documents (kept across runs).")
@click.option("--models-dir", type=click.Path(file_okay=False), envvar="QUALITY_MODELS_DIR")
@click.option("--progress/--no-progress", default=None, help="Progress line on stderr [default: when a terminal].")
@click.option("--output-dir", type=click.Path(file_okay=False),
              help="Write DIR/kept/SHARD, DIR/rejected/SHARD and DIR/errors/SHARD per input file; "
                   "a re-run skips finished shards and redoes the others (resume after a crash).")
@click.option("--stats", "stats_path", type=click.Path(dir_okay=False),
              help="Write counts per verdict, language and finding code here (JSON).")
@click.option("--not-prose", type=click.Choice(["keep", "review", "reject"]), default="keep", show_default=True,
              help="Verdict for paragraphs that are lists, code, tables or web-page boilerplate.")
def filter_command(inputs, output, rejected, drop_rejected, annotate, errors, text_field, id_field, lang_field,
                   unmodelled,
                   compact, reject_verdict, min_score, max_record_bytes, jobs, chunk_size, scheduler, dedup_index,
                   models_dir, progress, output_dir, stats_path, not_prose) -> None:
    """Split JSON Lines records into kept and rejected ones, each with a `quality` report added.

    INPUTS are .jsonl, .jsonl.gz or .jsonl.zst files, or - (the default) for
    standard input. Output records are the input lines, byte for byte, with a
    "quality" field added. Exit status: 0; 2 when some lines or files could
    not be read or analysed (see --errors), or for a usage error; 3 when the
    run cannot go on (a model, the dedup index, a full disk); 130/143 after
    Ctrl-C/SIGTERM (what was finished is kept). See docs/filter.md.

    \b
    Examples:
      quality filter shard-*.jsonl.gz -o kept.jsonl --rejected rejected.jsonl --jobs 8
      cat docs.jsonl | quality filter --annotate > annotated.jsonl
      quality filter shard-*.jsonl.gz --output-dir out/ --jobs 8   # run again to resume
    """
    from quality.dedup_index import DedupIndexError
    from quality.filter_worker import AnalysisSettings
    from quality.filtering import FilterOptions, FilterUsageError, OutputWriteError, run_filter
    from quality.models import ModelError
    from quality.shards import OutputDirError

    _models_dir_exists(models_dir)

    options = FilterOptions(
        inputs=list(inputs), output=output, rejected=rejected, errors=errors, drop_rejected=drop_rejected,
        annotate=annotate, reject_verdict=reject_verdict, min_score=min_score, max_record_bytes=max_record_bytes,
        jobs=jobs, chunk_size=chunk_size, scheduler=scheduler, dedup_index=dedup_index, progress=progress,
        output_dir=output_dir, stats=stats_path,
        settings=AnalysisSettings(text_field, id_field, lang_field, compact, models_dir, unmodelled=unmodelled,
                                  not_prose=not_prose),
    )
    try:
        summary = run_filter(options)
    except FilterUsageError as err:
        from quality.terminal import printable

        raise click.UsageError(printable(str(err), keep_newlines=False)) from err
    except BrokenPipeError:
        # the reader went away (`quality filter ... | head`): stop quietly, as other Unix filters do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(EXIT_OK)
    except OutputWriteError as err:
        counts = f"; stopped after {err.summary.line()}" if err.summary else ""
        raise CliError(f"{err.strerror}{counts}; no output was replaced (files of those names are as they were) "
                       "and the dedup index was not updated", EXIT_FATAL) from err
    except (ModelError, DedupIndexError, OutputDirError, OSError) as err:
        raise CliError(str(err), EXIT_FATAL) from err
    if summary.stats.rejected:  # before the summary, which stays the last line
        click.echo(summary.stats.rejected_line(), err=True)
    click.echo(summary.line(), err=True)
    if summary.interrupted:
        sys.exit(128 + summary.interrupted)
    sys.exit(EXIT_ERROR if summary.errors or summary.unopened or summary.errors_before else EXIT_OK)


if __name__ == "__main__":
    main()
