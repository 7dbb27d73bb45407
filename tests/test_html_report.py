"""The HTML report: escaping, structure, overlapping highlights, and the page in a real headless Chromium."""

from __future__ import annotations

import base64
import json
import os
import re
import select
import shutil
import subprocess
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from quality.analyzer import Detector
from quality.cli import main
from quality.html_report import render_html
from quality.reader import InputDocument, iter_inputs
from quality.report import REJECT, DocumentReport, Finding, ParagraphReport

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
GARBLED = "002_aa5f7ea85fa56edd.txt"
CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--hide-scrollbars", "--mute-audio"]
BROWSER_TIMEOUT = 30
VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# SVG shapes written as <rect .../> are self-closing; html.parser reports them as start+end
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="headless browser test needs Debian's chromium "
                                    "(/usr/bin/chromium); install it with tools/ensure-chromium.sh")


@pytest.fixture(scope="module")
def detector() -> Detector:
    return Detector()


@pytest.fixture(scope="module")
def samples_items(detector: Detector) -> list[tuple[DocumentReport, str]]:
    documents = [item for item in iter_inputs([str(SAMPLES)]) if isinstance(item, InputDocument)]
    assert len(documents) == 5
    return [(detector.analyze(doc.text, source=doc.source), doc.text) for doc in documents]


@pytest.fixture(scope="module")
def samples_html(samples_items) -> str:
    return render_html(samples_items)


def garbled_index(items: list[tuple[DocumentReport, str]]) -> int:
    return next(i for i, (report, _) in enumerate(items) if report.source.endswith(GARBLED))


class TagBalance(HTMLParser):
    """Fails on any end tag that does not close the innermost open element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.script_blocks = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag == "script":
            self.script_blocks += 1
        if tag not in VOID_ELEMENTS:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs) -> None:
        pass

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1] if self.stack else 'nothing'}")
        else:
            self.stack.pop()


def check_well_formed(page: str) -> TagBalance:
    parser = TagBalance()
    parser.feed(page)
    parser.close()
    assert parser.errors == []
    assert parser.stack == []
    return parser


def paragraph_block(page: str, anchor: str) -> str:
    """The markup of the <li> whose id is `anchor`."""
    match = re.search(rf'<li class="para [a-z]+" id="{anchor}">.*?\n</li>', page, re.S)
    assert match, f"no paragraph {anchor}"
    return match.group(0)


def paragraph_text(page: str, anchor: str) -> str:
    """The (escaped) text of a paragraph as the page shows it, without highlight marks and finding numbers."""
    shown = re.search(r'<p class="ptext"[^>]*>(.*?)</p>', paragraph_block(page, anchor), re.S).group(1)
    shown = re.sub(r'<a class="ref"[^>]*>\d+</a>', "", shown)
    return re.sub(r"</?mark[^>]*>", "", shown)


def test_document_text_cannot_inject_markup(detector: Detector) -> None:
    text = ('Un titular con <script>alert(1)</script> dentro\n\n'
            'las empresas dijo:"Hola" y &amp; luego <img src=x onerror="alert(2)"> , fin.\n\n'
            'Un párrafo limpio, escrito por una persona, sin nada raro que señalar aquí.')
    source = '<b onmouseover="alert(3)">doc</b>.txt'
    report = detector.analyze(text, source=source)
    page = render_html([(report, text)])

    parser = check_well_formed(page)
    assert parser.script_blocks == 1, "only the report's own script"
    assert "<script>alert" not in page and "<img" not in page and "<b " not in page
    assert "&lt;b onmouseover=&quot;alert(3)&quot;&gt;doc&lt;/b&gt;.txt" in page
    # findings split the text into highlighted pieces; without them, it reads as the escaped document
    assert report.paragraphs[0].findings and report.paragraphs[1].findings
    assert '<mark class="depth' in paragraph_block(page, "doc0-p1")
    shown = "".join(paragraph_text(page, f"doc0-p{i}") for i in range(3))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown
    assert "&lt;img src=x onerror=&quot;alert(2)&quot;&gt;" in shown
    assert "&amp;amp;" in shown and "dijo:&quot;Hola&quot;" in shown


def test_overlapping_findings_make_well_formed_marks() -> None:
    text = "Primera línea.\n\nla la la casa Grande\"azul de de verdad ."
    start = text.index("la la")
    end = len(text)

    def finding(code: str, a: int, b: int) -> Finding:
        return Finding(code, start + a, start + b, text[start + a:start + b], f"{code} <{a}-{b}>", 0.5, paragraph=1)

    findings = [finding("repetition", 0, 8), finding("casing", 3, 5), finding("casing", 14, 20),
                finding("punctuation", 18, 28), finding("repetition", 26, 31), finding("punctuation", 35, 37),
                finding("punctuation", 35, 37), finding("truncated", 40, 40), finding("disfluent", 30, 99)]
    paragraphs = [ParagraphReport(0, 0, 14, "es", 1.0, "keep"),
                  ParagraphReport(1, start, end, "es", 0.1, REJECT, findings=findings)]
    report = DocumentReport("nested.txt", "es", 1.0, 0.3, REJECT, ["test"], paragraphs)
    page = render_html([(report, text)])

    check_well_formed(page)
    block = paragraph_block(page, "doc0-p1")
    ptext = re.search(r'<p class="ptext" lang="es">(.*?)</p>', block, re.S).group(1)
    assert "<mark" in ptext and "depth2" in ptext
    # without marks and reference numbers, the paragraph reads exactly as the document
    assert paragraph_text(page, "doc0-p1").replace("&quot;", '"') == text[start:end]
    for number in range(1, len(findings) + 1):
        assert f'href="#doc0-p1-f{number}"' in ptext
        assert f'id="doc0-p1-f{number}"' in block
    assert "casing &lt;3-5&gt;" in block


def test_samples_report_structure(samples_items, samples_html: str) -> None:
    page = samples_html
    check_well_formed(page)
    body = re.search(r"<tbody>(.*?)</tbody>", page, re.S).group(1)
    assert body.count("<tr>") == 5
    for doc_index in range(5):
        assert f'href="#doc{doc_index}"' in body and f'id="doc{doc_index}"' in page

    doc = garbled_index(samples_items)
    report = samples_items[doc][0]
    for repeat, original in ((16, 13), (17, 14), (18, 15)):
        block = paragraph_block(page, f"doc{doc}-p{repeat}")
        assert f'href="#doc{doc}-p{original}"' in block
        assert f'id="doc{doc}-p{original}"' in page
    rejected = [p.index for p in report.paragraphs if p.verdict == REJECT]
    assert len(rejected) >= 6
    for index in rejected:
        block = paragraph_block(page, f"doc{doc}-p{index}")
        assert block.startswith('<li class="para reject"') and "✖ reject" in block
    # the chart has a bar per paragraph, each linking to its paragraph
    chart = re.search(r'<figure class="chart">(.*?)</figure>', page.split(f'id="doc{doc}"')[1], re.S).group(1)
    assert chart.count("<a href=") == len(report.paragraphs)
    assert f'href="#doc{doc}-p18"' in chart and "repeats ¶16" in chart
    assert ' lang="es"' in page and ' lang="pt"' in page and ' lang="el"' in page
    assert "http://" not in page and "https://" not in page and "<link" not in page


def test_cli_writes_html(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "report.html"
    result = runner.invoke(main, ["check", "--format", "html", "-o", str(out), str(SAMPLES / GARBLED)])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and 'class="para reject"' in page
    assert "<table" not in page, "one document needs no index"
    result = runner.invoke(main, ["check", "--format", "html", str(SAMPLES)])
    assert result.exit_code == 0
    assert result.output.startswith("<!DOCTYPE html>") and result.output.count("<section") == 5


def run_chromium(user_data: Path, *arguments: str) -> subprocess.CompletedProcess:
    command = [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={user_data}", *arguments]
    return subprocess.run(command, capture_output=True, text=True, timeout=BROWSER_TIMEOUT)


def page_console_errors(stderr: str) -> list[str]:
    # with --enable-logging=stderr, the page's console output and uncaught errors come as CONSOLE lines
    return [line for line in stderr.splitlines()
            if ":CONSOLE" in line or "Uncaught" in line or "Refused to" in line]


@needs_chromium
def test_chromium_renders_samples_report(samples_items, samples_html: str, tmp_path: Path) -> None:
    report_file = tmp_path / "report.html"
    report_file.write_text(samples_html, encoding="utf-8")
    url = report_file.as_uri()
    doc = garbled_index(samples_items)

    dumped = run_chromium(tmp_path / "profile-dom", "--enable-logging=stderr", "--v=0", "--dump-dom", url)
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    dom = dumped.stdout
    assert 'data-sort-ready="true"' in dom, "the inline script ran (the CSP hash matches it)"
    assert f'<li class="para reject" id="doc{doc}-p16">' in dom
    assert f'href="#doc{doc}-p13"' in dom and f'href="#doc{doc}-p15"' in dom
    assert dom.count('class="para reject"') == samples_html.count('class="para reject"')
    assert page_console_errors(dumped.stderr) == []

    screenshot = tmp_path / "report.png"
    shot = run_chromium(tmp_path / "profile-shot", f"--screenshot={screenshot}", "--window-size=1280,2000", url)
    assert shot.returncode == 0, shot.stderr[-2000:]
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert screenshot.stat().st_size > 30_000, "a blank page compresses to a few KB"


class DevTools:
    """A minimal Chrome DevTools Protocol client over --remote-debugging-pipe (no extra dependency).

    Chromium reads NUL-terminated JSON commands on its fd 3 and writes replies and events on its fd 4.
    """

    def __init__(self, user_data: Path) -> None:
        to_browser_read, self._to_browser = os.pipe()
        self._from_browser, from_browser_write = os.pipe()

        # bash (unlike dash) redirects fds above 9: it puts the pipe ends on 3 and 4, where Chromium expects them
        wire_pipes = f'exec "$0" "$@" 3<&{to_browser_read} 4>&{from_browser_write}'
        self.process = subprocess.Popen(
            [shutil.which("bash") or "/bin/bash", "-c", wire_pipes, CHROMIUM, *CHROMIUM_FLAGS,
             f"--user-data-dir={user_data}", "--remote-debugging-pipe", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            pass_fds=(to_browser_read, from_browser_write),
        )
        os.close(to_browser_read)
        os.close(from_browser_write)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict] = []
        self.deadline = time.monotonic() + BROWSER_TIMEOUT
        self.session: str | None = None

    def send(self, method: str, **params) -> dict:
        """Send a command (to the attached page, once there is one) and wait for its reply."""
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params}
        if self.session:
            message["sessionId"] = self.session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._receive()
            if reply.get("id") == self._next_id:
                assert "error" not in reply, f"{method}: {reply['error']}"
                return reply["result"]
            self.events.append(reply)

    def wait_for(self, method: str, since: int = 0) -> dict:
        """The first event named `method` from `self.events[since:]` on (already received or arriving)."""
        for event in self.events[since:]:
            if event.get("method") == method:
                return event
        while True:
            event = self._receive()
            self.events.append(event)
            if event.get("method") == method:
                return event

    def evaluate(self, expression: str):
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        assert "exceptionDetails" not in result, result["exceptionDetails"]
        return result["result"].get("value")

    def _receive(self) -> dict:
        while b"\0" not in self._buffer:
            remaining = self.deadline - time.monotonic()
            if remaining <= 0 or not select.select([self._from_browser], [], [], remaining)[0]:
                raise TimeoutError("Chromium did not answer in time")
            chunk = os.read(self._from_browser, 1 << 20)
            if not chunk:
                raise ConnectionError("Chromium closed the DevTools pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def open(self, url: str, width: int, height: int, mobile: bool = False) -> None:
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            self.send(f"{domain}.enable")
        self.send("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1,
                  mobile=mobile)
        received = len(self.events)
        self.send("Page.navigate", url=url)
        self.wait_for("Page.loadEventFired", since=received)

    def page_errors(self) -> list[str]:
        """Uncaught exceptions, console errors and browser log errors (such as CSP refusals) so far."""
        errors = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.exceptionThrown":
                errors.append(params["exceptionDetails"].get("text", "exception"))
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "warning", "assert"):
                errors.append(json.dumps(params.get("args")))
            elif method == "Log.entryAdded" and params["entry"].get("level") in ("error", "warning"):
                errors.append(params["entry"].get("text", ""))
        return errors

    def close(self) -> None:
        try:
            self.session = None
            self.send("Browser.close")
        except (OSError, TimeoutError, ConnectionError, AssertionError):
            pass
        finally:
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            os.close(self._to_browser)
            os.close(self._from_browser)


@needs_chromium
def test_chromium_sorts_index_and_fits_a_phone(samples_items, samples_html: str, tmp_path: Path) -> None:
    report_file = tmp_path / "report.html"
    report_file.write_text(samples_html, encoding="utf-8")
    doc = garbled_index(samples_items)
    browser = DevTools(tmp_path / "profile")
    try:
        browser.open(report_file.as_uri(), 1280, 900)
        assert browser.page_errors() == []
        files = "Array.from(document.querySelectorAll('table.index tbody tr td:nth-child(2)'), c => c.textContent)"
        assert browser.evaluate(files) == [report.source for report, _ in samples_items]
        # click "Score" twice: ascending puts the rejected 002 first, descending last
        browser.evaluate("document.querySelectorAll('table.index th button')[3].click()")
        scores = "Array.from(document.querySelectorAll('table.index tbody tr td:nth-child(4)'), c => +c.dataset.value)"
        ascending = browser.evaluate(scores)
        assert ascending == sorted(ascending)
        assert browser.evaluate(files)[0].endswith(GARBLED)
        assert browser.evaluate("document.querySelectorAll('table.index th')[3].getAttribute('aria-sort')") \
            == "ascending"
        browser.evaluate("document.querySelectorAll('table.index th button')[3].click()")
        assert browser.evaluate(scores) == sorted(ascending, reverse=True)
        # styles applied (the CSP hash matches the stylesheet): a rejected paragraph has its tinted background
        background = browser.evaluate(f"getComputedStyle(document.getElementById('doc{doc}-p16')).backgroundColor")
        assert background == "rgb(253, 236, 236)"
        # the repeat's "repeats ¶14" link leads to paragraph 14
        browser.evaluate(f"document.querySelector('#doc{doc}-p16 .repeat a').click()")
        assert browser.evaluate("location.hash") == f"#doc{doc}-p13"
        # the "only flagged" switch hides kept paragraphs with CSS alone
        browser.evaluate(f"document.querySelector('#doc{doc} .only-flagged').click()")
        assert browser.evaluate(f"getComputedStyle(document.getElementById('doc{doc}-p0')).display") == "none"
        assert browser.evaluate(f"getComputedStyle(document.getElementById('doc{doc}-p16')).display") != "none"

        # a phone: nothing wider than the screen
        browser.send("Emulation.setDeviceMetricsOverride", width=375, height=800, deviceScaleFactor=2, mobile=True)
        received = len(browser.events)
        browser.send("Page.reload")
        browser.wait_for("Page.loadEventFired", since=received)
        assert browser.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        png = base64.b64decode(browser.send("Page.captureScreenshot", format="png")["data"])
        assert len(png) > 10_000
        assert browser.page_errors() == []
    finally:
        browser.close()
