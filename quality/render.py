"""Rendering reports: readable text for a terminal, JSON and JSON Lines."""

from __future__ import annotations

import json
import textwrap

from quality.report import KEEP, REJECT, REVIEW, DocumentReport
from quality.terminal import printable

_MARK = {KEEP: "ok ", REVIEW: "?? ", REJECT: "XX "}
_COLOUR = {KEEP: "32", REVIEW: "33", REJECT: "31"}


def _paint(text: str, verdict: str, colour: bool) -> str:
    return f"\033[{_COLOUR[verdict]}m{text}\033[0m" if colour else text


def render_text(report: DocumentReport, text: str | None, colour: bool = False, verbose: bool = False) -> str:
    """A report a person reads: the verdict and reasons first, then each flagged paragraph with its evidence.

    Control characters of the document (ESC, BEL, ...) are shown escaped (`\\x1b`), never sent to the terminal.
    """
    lines = []
    head = f"{printable(report.source, keep_newlines=False)}: {report.verdict.upper()}  score {report.score:.2f}"
    lines.append(_paint(head, report.verdict, colour))
    if report.lang:
        lines.append(f"  language: {report.lang} (confidence {report.lang_confidence:.2f})")
    for reason in report.reasons:
        lines.append(f"  - {printable(reason, keep_newlines=False)}")
    if report.readability:
        parts = [f"{v['formula']} {v['value']}" for v in report.readability.values() if isinstance(v, dict)]
        note = report.readability.get("note")
        lines.append(f"  readability: {'; '.join(parts) if parts else note}")
    for paragraph in report.paragraphs:
        if paragraph.verdict == KEEP and not verbose:
            continue
        snippet = text[paragraph.start : paragraph.end] if text is not None else ""
        snippet = textwrap.shorten(snippet, 90, placeholder=" …")
        label = f"  {_MARK[paragraph.verdict]}¶{paragraph.index + 1} [{paragraph.start}-{paragraph.end}] " \
                f"{paragraph.verdict} {paragraph.score:.2f}"
        lines.append(_paint(label, paragraph.verdict, colour) + f"  {printable(snippet, keep_newlines=False)}")
        for finding in paragraph.findings:
            evidence = printable(textwrap.shorten(finding.text, 60, placeholder=" …"), keep_newlines=False)
            lines.append(f"       {finding.code:17s} «{evidence}»  {printable(finding.message, keep_newlines=False)}")
    return "\n".join(lines)


def render_json(reports: list[DocumentReport], compact: bool = False) -> str:
    """All reports as one JSON array."""
    return json.dumps([r.to_dict(compact=compact) for r in reports], ensure_ascii=False, indent=2)


def render_jsonl(report: DocumentReport, compact: bool = False) -> str:
    """One report as one JSON line."""
    return json.dumps(report.to_dict(compact=compact), ensure_ascii=False)
