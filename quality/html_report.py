"""One self-contained HTML page for one or many document reports.

The page needs no network: CSS and the small sorting script are inline, and a
Content-Security-Policy allows only those two (by hash), so even a mistake in
escaping could not run a document's script. Every piece of document text goes
through `html.escape`.
"""

from __future__ import annotations

import base64
import hashlib
import textwrap
from html import escape

from quality import __version__
from quality.report import KEEP, REJECT, REVIEW, VERDICT_RANK, DocumentReport, Finding, ParagraphReport
from quality.scoring import PARAGRAPH_REJECT_BELOW, PARAGRAPH_REVIEW_BELOW

# never colour alone: each verdict also has a symbol and a word
VERDICT_LABEL = {KEEP: "✔ keep", REVIEW: "? review", REJECT: "✖ reject"}
UNKNOWN_LANGS = {None, "", "und"}
# chart geometry in SVG user units; the SVG stretches to the page width
BAR_SLOT, BAR_GAP, CHART_HEIGHT, MIN_BAR = 10, 2, 100, 3
EVIDENCE_CHARS = 80

CSS = """
:root {
  --ink: #1f2328; --muted: #57606a; --line: #d0d7de; --paper: #fff; --link: #0550ae;
  --keep: #116329; --keep-bg: #e9f7ee; --keep-bar: #2f8f4e;
  --review: #7a4d00; --review-bg: #fff4d6; --review-bar: #b58100;
  --reject: #a40e26; --reject-bg: #fdecec; --reject-bar: #cf222e;
  --mark: #ffe58f; --mark-deep: #ffc53d;
}
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: var(--paper);
  font: 1rem/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; }
main { max-width: 60rem; margin: 0 auto; padding: 1rem 1.25rem 3rem; }
a { color: var(--link); }
a:focus-visible, button:focus-visible, input:focus-visible { outline: 3px solid var(--link); outline-offset: 2px; }
h1 { font-size: 1.6rem; margin: .5rem 0 .25rem; }
h2 { font-size: 1.3rem; margin: 0 0 .5rem; overflow-wrap: anywhere; }
.meta, .hint { text-align: left; color: var(--muted); font-size: .9rem; margin: 0 0 1rem; }
.badge { display: inline-block; padding: 0 .5em; border-radius: .75em; border: 1px solid currentColor;
  font-weight: 600; font-size: .85rem; white-space: nowrap; }
.badge.keep { color: var(--keep); background: var(--keep-bg); }
.badge.review { color: var(--review); background: var(--review-bg); }
.badge.reject { color: var(--reject); background: var(--reject-bg); }
.table-wrap { overflow-x: auto; margin: 0 0 2rem; }
table.index { border-collapse: collapse; width: 100%; font-size: .95rem; }
table.index th, table.index td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid var(--line); }
table.index td.num, table.index th.num { text-align: right; font-variant-numeric: tabular-nums; }
table.index td:nth-child(2) { overflow-wrap: anywhere; }
table.index th button { font: inherit; font-weight: 700; color: inherit; background: none; border: 0; padding: 0;
  cursor: pointer; }
table.index th button::after { content: " ↕"; color: var(--muted); }
table.index th[aria-sort=ascending] button::after { content: " ▲"; color: var(--ink); }
table.index th[aria-sort=descending] button::after { content: " ▼"; color: var(--ink); }
section.doc { border-top: 3px solid var(--ink); padding-top: 1rem; margin-top: 2rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: 0 0 .75rem; }
dl.facts dt { font-weight: 600; color: var(--muted); }
dl.facts dd { margin: 0; }
ul.reasons { margin: 0 0 1rem; padding-left: 1.25rem; }
.error { color: var(--reject); font-weight: 600; }
figure.chart { margin: 0 0 1rem; }
figure.chart svg { display: block; width: 100%; height: 7.5rem; background: #f6f8fa; border: 1px solid var(--line); }
figure.chart figcaption { font-size: .85rem; color: var(--muted); }
svg .bar.keep { fill: var(--keep-bar); }
svg .bar.review { fill: var(--review-bar); }
svg .bar.reject { fill: var(--reject-bar); }
svg .hit { fill: transparent; }
svg a:hover .hit, svg a:focus .hit { fill: rgba(5, 80, 174, .15); }
svg .threshold { stroke: var(--muted); stroke-dasharray: 4 3; }
.key { white-space: nowrap; }
.swatch { display: inline-block; width: .8em; height: .8em; vertical-align: -.05em; margin: 0 .25em 0 .6em; }
.swatch.keep { background: var(--keep-bar); }
.swatch.review { background: var(--review-bar); }
.swatch.reject { background: var(--reject-bar); }
.swatch.dup { background: repeating-linear-gradient(135deg, var(--reject-bar) 0 3px, #fff 3px 5px); }
.filter { font-size: .9rem; display: inline-block; margin-bottom: .75rem; }
.doc:has(.only-flagged:checked) li.para.keep { display: none; }
ol.paras { list-style: none; padding: 0; margin: 0; }
li.para { border-left: .4rem solid var(--line); padding: .4rem .75rem; margin: 0 0 .6rem; border-radius: .25rem; }
li.para.keep { border-left-color: var(--keep-bar); }
li.para.review { border-left-color: var(--review-bar); background: var(--review-bg); }
li.para.reject { border-left-color: var(--reject-bar); background: var(--reject-bg); }
li.para:target { outline: 3px solid var(--link); }
.para-head { font-size: .85rem; color: var(--muted); display: flex; flex-wrap: wrap; gap: .25rem .75rem;
  align-items: baseline; }
.para-head .pnum { font-weight: 700; color: var(--ink); }
.para-head .repeat { color: var(--reject); font-weight: 600; }
.ptext { margin: .25rem 0; white-space: pre-wrap; overflow-wrap: anywhere; }
mark { background: var(--mark); color: inherit; border-bottom: 2px solid var(--review-bar); padding: 0 1px; }
mark.depth2, mark.depth3 { background: var(--mark-deep); border-bottom-color: var(--reject-bar); }
mark.only-duplicate { background: transparent; border-bottom: 2px dotted var(--reject-bar); }
a.ref { font-size: .7em; vertical-align: super; line-height: 0; text-decoration: none; font-weight: 700; }
ol.findings { font-size: .9rem; margin: .25rem 0 0; padding-left: 1.75rem; }
ol.findings li { overflow-wrap: anywhere; }
ol.findings li:target { background: var(--mark); }
ol.findings .code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: .85em;
  background: #eaeef2; padding: 0 .3em; border-radius: .2em; }
@media (max-width: 40rem) {
  main { padding: .75rem .6rem 2rem; }
  dl.facts { grid-template-columns: 1fr; }
  dl.facts dd { margin-bottom: .3rem; }
  li.para { padding: .35rem .5rem; }
  figure.chart svg { height: 5.5rem; }
}
@media print {
  body { font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  a { color: inherit; text-decoration: none; }
  .filter, .hint, table.index th button::after { display: none; }
  .doc:has(.only-flagged:checked) li.para.keep { display: block; }
  section.doc { break-before: page; border-top: 0; }
  section.doc:first-of-type { break-before: auto; }
  li.para, figure.chart, tr { break-inside: avoid; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""

# sorts the index table when a header is clicked; rows keep document order until then
SCRIPT = """
document.querySelectorAll("table.sortable").forEach(function (table) {
  var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
  heads.forEach(function (th, column) {
    var button = th.querySelector("button");
    if (!button) { return; }
    button.addEventListener("click", function () {
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      heads.forEach(function (other) { other.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var numeric = th.dataset.type === "number";
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[column].dataset.value, y = b.cells[column].dataset.value;
        var order = numeric ? parseFloat(x) - parseFloat(y) : x.localeCompare(y);
        return ascending ? order : -order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
  table.dataset.sortReady = "true";
});
"""


def _csp_hash(source: str) -> str:
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


CSP = (f"default-src 'none'; style-src {_csp_hash(CSS)}; script-src {_csp_hash(SCRIPT)}; "
       "img-src data:; base-uri 'none'; form-action 'none'")


def render_html(items: list[tuple[DocumentReport, str]]) -> str:
    """One self-contained HTML page for `items`, each a (report, original document text) pair.

    With more than one document the page starts with a sortable index table.
    Paragraph anchors are `doc{i}-p{j}` (0-based document and paragraph index).
    """
    body = [
        "<header>",
        "<h1>Quality report</h1>",
        f'<p class="meta">{len(items)} document{"s" * (len(items) != 1)} · {_summary(items)} · '
        f"quality {escape(__version__)}</p>",
        "</header>",
    ]
    if len(items) > 1:
        body.append(_index_table(items))
    for doc_index, (report, text) in enumerate(items):
        body.append(_document(doc_index, report, text))
    title = "Quality report" if len(items) != 1 else f"Quality report: {items[0][0].source}"
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{escape(CSP)}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        "<main>",
        *body,
        "</main>",
        f"<script>{SCRIPT}</script>",
        "</body>",
        "</html>",
        "",
    ])


def _summary(items: list[tuple[DocumentReport, str]]) -> str:
    counts = {verdict: 0 for verdict in VERDICT_LABEL}
    for report, _ in items:
        counts[report.verdict] = counts.get(report.verdict, 0) + 1
    return ", ".join(f"{n} {escape(verdict)}" for verdict, n in counts.items())


def _badge(verdict: str) -> str:
    label = VERDICT_LABEL.get(verdict, verdict)
    return f'<span class="badge {escape(verdict)}">{escape(label)}</span>'


def _lang_attr(lang: str | None) -> str:
    # lang="" tells assistive technology the language is unknown, rather than inheriting the page's English
    return f' lang="{escape(lang)}"' if lang not in UNKNOWN_LANGS else ' lang=""'


def _index_table(items: list[tuple[DocumentReport, str]]) -> str:
    columns = [("#", "number", "num"), ("File", "text", ""), ("Language", "text", ""), ("Score", "number", "num"),
               ("Verdict", "number", ""), ("Flagged paragraphs", "number", "num")]
    head = "".join(
        f'<th scope="col" data-type="{kind}" class="{css}"><button type="button">{escape(name)}</button></th>'
        for name, kind, css in columns
    )
    rows = []
    for doc_index, (report, _) in enumerate(items):
        flagged = sum(1 for p in report.paragraphs if p.verdict != KEEP)
        cells = [
            f'<td class="num" data-value="{doc_index}">{doc_index + 1}</td>',
            f'<td data-value="{escape(report.source)}"><a href="#doc{doc_index}">{escape(report.source)}</a></td>',
            f'<td data-value="{escape(report.lang or "")}">{escape(report.lang or "—")}</td>',
            f'<td class="num" data-value="{report.score:.4f}">{report.score:.2f}</td>',
            f'<td data-value="{VERDICT_RANK.get(report.verdict, 0)}">{_badge(report.verdict)}</td>',
            f'<td class="num" data-value="{flagged}">{flagged} of {len(report.paragraphs)}</td>',
        ]
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return "\n".join([
        '<nav aria-label="Documents">',
        '<div class="table-wrap">',
        '<table class="index sortable">',
        "<caption class=\"hint\">Documents checked; click a column header to sort.</caption>",
        f"<thead><tr>{head}</tr></thead>",
        "<tbody>",
        *rows,
        "</tbody>",
        "</table>",
        "</div>",
        "</nav>",
    ])


def _document(doc_index: int, report: DocumentReport, text: str) -> str:
    doc_id = f"doc{doc_index}"
    facts = [
        ("Language", escape(f"{report.lang} (confidence {report.lang_confidence:.2f})")
         if report.lang not in UNKNOWN_LANGS else "undetermined"),
        ("Score", f"{report.score:.2f}"),
        ("Verdict", _badge(report.verdict)),
        ("Paragraphs", escape(_paragraph_counts(report.paragraphs))),
    ]
    readability = _readability(report)
    if readability:
        facts.append(("Readability", escape(readability)))
    parts = [
        f'<section class="doc" id="{doc_id}" aria-labelledby="{doc_id}-title">',
        "<header>",
        f'<h2 id="{doc_id}-title">{escape(report.source)}</h2>',
        '<dl class="facts">',
        *(f"<dt>{name}</dt><dd>{value}</dd>" for name, value in facts),
        "</dl>",
    ]
    if report.error:
        parts.append(f'<p class="error" role="alert">Error: {escape(report.error)}</p>')
    parts.append('<ul class="reasons">' + "".join(f"<li>{escape(r)}</li>" for r in report.reasons) + "</ul>")
    parts.append("</header>")
    if report.paragraphs:
        parts.append(_chart(doc_id, report.paragraphs))
        parts.append('<label class="filter"><input type="checkbox" class="only-flagged"> '
                     "Show only flagged paragraphs</label>")
        parts.append('<ol class="paras">')
        parts.extend(_paragraph(doc_id, report, paragraph, text) for paragraph in report.paragraphs)
        parts.append("</ol>")
    parts.append("</section>")
    return "\n".join(parts)


def _paragraph_counts(paragraphs: list[ParagraphReport]) -> str:
    counts = {verdict: sum(1 for p in paragraphs if p.verdict == verdict) for verdict in VERDICT_LABEL}
    repeats = sum(1 for p in paragraphs if p.duplicate_of is not None)
    detail = ", ".join(f"{n} {verdict}" for verdict, n in counts.items())
    return f"{len(paragraphs)}: {detail}" + (f" ({repeats} repeated)" if repeats else "")


def _readability(report: DocumentReport) -> str:
    parts = [f"{v['formula']} {v['value']}" for v in report.readability.values()
             if isinstance(v, dict) and "formula" in v and "value" in v]
    note = report.readability.get("note")
    return "; ".join(parts) if parts else (str(note) if note else "")


def _chart(doc_id: str, paragraphs: list[ParagraphReport]) -> str:
    """Paragraph scores as bars along the document; each bar links to its paragraph."""
    width = BAR_SLOT * len(paragraphs)
    pattern_id = f"{doc_id}-repeat"
    shapes = [
        f'<defs><pattern id="{pattern_id}" patternUnits="userSpaceOnUse" width="4" height="4" '
        'patternTransform="rotate(45)"><rect width="4" height="4" fill="#cf222e"/>'
        '<rect width="1.5" height="4" fill="#fff"/></pattern></defs>',
    ]
    for threshold in (PARAGRAPH_REJECT_BELOW, PARAGRAPH_REVIEW_BELOW):
        y = CHART_HEIGHT * (1 - threshold)
        shapes.append(f'<line class="threshold" x1="0" x2="{width}" y1="{y:g}" y2="{y:g}" '
                      'vector-effect="non-scaling-stroke"/>')
    for paragraph in paragraphs:
        x = paragraph.index * BAR_SLOT
        height = max(MIN_BAR, paragraph.score * CHART_HEIGHT)
        repeat = paragraph.duplicate_of is not None
        label = f"¶{paragraph.index + 1}: {VERDICT_LABEL.get(paragraph.verdict, paragraph.verdict)}, " \
                f"score {paragraph.score:.2f}" + (f", repeats ¶{paragraph.duplicate_of + 1}" if repeat else "")
        # a repeat's bar is hatched; its class sets no CSS fill, which would override the pattern
        bar = f'class="bar repeat" fill="url(#{pattern_id})"' if repeat else f'class="bar {escape(paragraph.verdict)}"'
        shapes.append(
            f'<a href="#{doc_id}-p{paragraph.index}" aria-label="{escape(label)}"><title>{escape(label)}</title>'
            f'<rect class="hit" x="{x}" y="0" width="{BAR_SLOT}" height="{CHART_HEIGHT}"/>'
            f'<rect {bar} x="{x + BAR_GAP / 2:g}" '
            f'y="{CHART_HEIGHT - height:.2f}" width="{BAR_SLOT - BAR_GAP}" height="{height:.2f}"/></a>'
        )
    legend = "".join(f'<span class="key"><span class="swatch {v}" aria-hidden="true"></span>'
                     f"{escape(VERDICT_LABEL[v])}</span>" for v in VERDICT_LABEL)
    return "\n".join([
        '<figure class="chart">',
        f'<svg viewBox="0 0 {width} {CHART_HEIGHT}" preserveAspectRatio="none" '
        f'aria-label="Paragraph scores along the document">',
        *shapes,
        "</svg>",
        f"<figcaption>Score of each paragraph, first to last (height 0-1; dashed lines at "
        f"{PARAGRAPH_REJECT_BELOW:g} and {PARAGRAPH_REVIEW_BELOW:g}). Click a bar to jump to its paragraph. "
        f'{legend}<span class="key"><span class="swatch dup" aria-hidden="true"></span>repeat</span></figcaption>',
        "</figure>",
    ])


def _paragraph(doc_id: str, report: DocumentReport, paragraph: ParagraphReport, text: str) -> str:
    anchor = f"{doc_id}-p{paragraph.index}"
    lang = paragraph.lang if paragraph.lang not in UNKNOWN_LANGS else report.lang
    head = [
        _badge(paragraph.verdict),
        f'<a class="pnum" href="#{anchor}">¶{paragraph.index + 1}</a>',
        f"<span>score {paragraph.score:.2f}</span>",
    ]
    if paragraph.duplicate_of is not None:
        head.append(f'<span class="repeat">repeats <a href="#{doc_id}-p{paragraph.duplicate_of}">'
                    f"¶{paragraph.duplicate_of + 1}</a></span>")
    if lang != report.lang and lang not in UNKNOWN_LANGS:
        head.append(f"<span>language {escape(lang)}</span>")
    paragraph_text = text[paragraph.start : paragraph.end]
    parts = [
        f'<li class="para {escape(paragraph.verdict)}" id="{anchor}">',
        f'<div class="para-head">{"".join(head)}</div>',
        f'<p class="ptext"{_lang_attr(lang)}>{_highlight(anchor, paragraph, paragraph_text)}</p>',
    ]
    if paragraph.findings:
        parts.append(f'<ol class="findings" aria-label="Findings in paragraph {paragraph.index + 1}">')
        parts.extend(_finding_item(anchor, number, finding, lang)
                     for number, finding in enumerate(paragraph.findings, 1))
        parts.append("</ol>")
    parts.append("</li>")
    return "\n".join(parts)


def _finding_item(anchor: str, number: int, finding: Finding, lang: str | None) -> str:
    evidence = textwrap.shorten(finding.text, EVIDENCE_CHARS, placeholder=" …") or finding.text.strip()
    quoted = f" <q{_lang_attr(lang)}>{escape(evidence)}</q>" if evidence else ""
    return (f'<li id="{anchor}-f{number}"><span class="code">{escape(finding.code)}</span>{quoted} '
            f"{escape(finding.message)}</li>")


def _highlight(anchor: str, paragraph: ParagraphReport, paragraph_text: str) -> str:
    """The paragraph's text with each finding's span in a <mark>.

    Findings may overlap or nest, so the text is cut at every span boundary and
    each piece is marked with all the findings covering it: marks never nest and
    the markup is always well formed. A numbered link to the finding's entry in
    the list follows the end of its span.
    """
    length = len(paragraph_text)
    spans = []  # (start, end, number, finding), relative to the paragraph, clipped to it
    for number, finding in enumerate(paragraph.findings, 1):
        start = min(max(finding.start - paragraph.start, 0), length)
        end = min(max(finding.end - paragraph.start, start), length)
        spans.append((start, end, number, finding))
    boundaries = sorted({0, length, *(s for s, _, _, _ in spans), *(e for _, e, _, _ in spans)})
    out = []
    for i, position in enumerate(boundaries):
        if i:
            piece_start = boundaries[i - 1]
            piece = escape(paragraph_text[piece_start:position])
            covering = [(n, f) for s, e, n, f in spans if s <= piece_start and position <= e]
            out.append(_mark(piece, covering) if covering else piece)
        out.extend(f'<a class="ref" href="#{anchor}-f{n}" aria-label="finding {n}">{n}</a>'
                   for _, e, n, _ in spans if e == position)
    return "".join(out)


def _mark(piece: str, covering: list[tuple[int, Finding]]) -> str:
    title = "\n".join(f"{n}. {finding.code}: {finding.message}" for n, finding in covering)
    classes = [f"depth{min(len(covering), 3)}"]
    if all(finding.code == "duplicate" for _, finding in covering):
        # a repeat covers the whole paragraph: underline it instead of painting everything yellow
        classes.append("only-duplicate")
    return f'<mark class="{" ".join(classes)}" title="{escape(title)}">{piece}</mark>'
