"""Not prose is not machine translation: lists, code, tables and boilerplate, on texts written for the test."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from quality.cli import main
from quality.segment import split_paragraphs

SHOPPING = (
    "For the cake you will need the following things from the shop,\n"
    "most of which you probably have at home already:\n"
    "\n"
    "- two large eggs\n"
    "- a cup of flour and\n"
    "  a pinch of salt\n"
    "- fresh milk\n"
    "\n"
    "Mix everything together in a large bowl and then\n"
    "bake the cake in a hot oven for about an hour.\n"
)

PYTHON = (
    "Here is how to read the lines of a file in Python.\n"
    "def read_lines(path):\n"
    "    with open(path) as handle:\n"
    "        return [line.strip() for line in handle]\n"
    "for name in sys.argv[1:]:\n"
    "    print(read_lines(name))\n"
    "The function returns a list with one string for each line of the file.\n"
)

WEB_PAGE = (
    "Home | News | Sport | Weather | Contact\n"
    "Share on Facebook\n"
    "Tweet\n"
    "The city council approved the new budget on Monday after a long debate in which the opposition "
    "tabled more than forty amendments, most of which were rejected.\n"
    "We use cookies to improve your experience. By continuing to browse you accept our use of cookies.\n"
    "Read more\n"
    "© 2024 Example Media. All rights reserved.\n"
)


def labels(report):
    return {p.index: [f.code for f in p.findings] for p in report.paragraphs}


def test_list_items_are_paragraphs_of_their_own_with_exact_offsets():
    paragraphs = split_paragraphs(SHOPPING)
    assert [p.text for p in paragraphs] == [
        "For the cake you will need the following things from the shop,\nmost of which you probably have at home "
        "already:",
        "- two large eggs",
        "- a cup of flour and\n  a pinch of salt",  # an indented line continues its item
        "- fresh milk",
        "Mix everything together in a large bowl and then\nbake the cake in a hot oven for about an hour.",
    ]
    assert all(SHOPPING[p.start : p.end] == p.text for p in paragraphs)
    numbered = split_paragraphs("Steps:\n1. Open the box\n2) Take out the parts\n")
    assert [p.text for p in numbered] == ["Steps:", "1. Open the box", "2) Take out the parts"]


def test_short_lines_of_a_web_page_are_not_joined_as_wrapped_prose():
    paragraphs = split_paragraphs(WEB_PAGE)
    assert len(paragraphs) == 7
    assert paragraphs[0].text == "Home | News | Sport | Weather | Contact"


def test_a_bullet_list_is_a_list_not_truncated_text(detector):
    report = detector.analyze(SHOPPING, lang="en")
    found = labels(report)
    assert [found[i] for i in (1, 2, 3)] == [["list"], ["list"], ["list"]]
    assert not any("truncated" in codes for codes in found.values())
    assert report.verdict == "keep"
    assert any("not prose (list)" in reason for reason in report.reasons)
    assert not any("machine-translated" in reason for reason in report.reasons)


def test_a_code_snippet_is_code_not_garbled_text(detector):
    report = detector.analyze(PYTHON, lang="en")
    found = labels(report)
    assert [found[i] for i in range(1, 6)] == [["code"]] * 5
    assert found[0] == [] and found[6] == []  # the prose around it is prose
    assert report.verdict == "keep" and all(p.verdict == "keep" for p in report.paragraphs)
    assert not any("machine-translated" in reason for reason in report.reasons)


def test_menus_share_buttons_and_cookie_notices_are_boilerplate(detector):
    report = detector.analyze(WEB_PAGE, lang="en")
    found = labels(report)
    assert [found[i] for i in (0, 1, 2, 4, 5, 6)] == [["boilerplate"]] * 6
    assert found[3] == []
    cookie = report.paragraphs[4].findings[0]
    assert cookie.text == "cookies" and WEB_PAGE[cookie.start : cookie.end] == "cookies"


def test_prose_that_looks_a_little_like_a_list_or_code_stays_prose(detector):
    text = ("El ministro dijo ayer que la reforma entrará en vigor el 1 de enero; la oposición ya ha anunciado "
            "que presentará un recurso ante el Tribunal Constitucional.\n"
            "—¿Y qué pasará con los contratos firmados antes? —preguntó una periodista.\n")
    report = detector.analyze(text, lang="es")
    assert all(not p.findings for p in report.paragraphs), labels(report)


@pytest.mark.parametrize("policy, verdict", [("keep", "keep"), ("review", "review"), ("reject", "reject")])
def test_the_not_prose_policy_sets_the_verdict_of_not_prose_paragraphs(detector, policy, verdict):
    report = detector.analyze(SHOPPING, lang="en", not_prose=policy)
    assert [report.paragraphs[i].verdict for i in (1, 2, 3)] == [verdict] * 3
    assert report.paragraphs[0].verdict == "keep"
    for paragraph in report.paragraphs:  # the policy goes through the score, so they still agree
        severities = [f.severity for f in paragraph.findings]
        assert paragraph.verdict == ("reject" if paragraph.score < 0.5 else "review" if paragraph.score < 0.8
                                     else "keep"), (paragraph.score, severities)


def test_check_and_filter_take_the_not_prose_option(tmp_path):
    path = tmp_path / "list.txt"
    path.write_text(SHOPPING, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--format", "json", "--not-prose", "reject", "--lang", "en",
                                       str(path)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)[0]
    assert [p["verdict"] for p in report["paragraphs"]][1:4] == ["reject"] * 3
    assert report["stats"]["not_prose_paragraphs"] == 3
    records = tmp_path / "in.jsonl"
    records.write_text(json.dumps({"id": "a", "text": SHOPPING}) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(main, ["filter", str(records), "--annotate", "--not-prose", "review",
                                       "-o", str(out), "--no-progress"])
    assert result.exit_code == 0, result.output
    quality = json.loads(out.read_text(encoding="utf-8"))["quality"]
    assert [p["verdict"] for p in quality["paragraphs"]][1:4] == ["review"] * 3
    bad = CliRunner().invoke(main, ["check", "--not-prose", "drop", str(path)])
    assert bad.exit_code == 2 and "drop" in bad.output


def test_an_unknown_policy_is_refused_by_the_api(detector):
    from quality.analyzer import Detector

    with pytest.raises(ValueError, match="keep, review, reject"):
        Detector(langs=["en"], not_prose="drop")
    with pytest.raises(ValueError, match="keep, review, reject"):
        detector.analyze("A line.", not_prose="drop")
    with pytest.raises(ValueError, match="not_prose must be one of keep, review, reject"):
        detector.filter([{"text": "A line."}], not_prose="drop")  # at the call, before the first record is asked for


def test_filter_takes_the_not_prose_policy(detector):
    record = {"id": "list", "text": SHOPPING, "lang": "en"}
    strict = next(detector.filter([record], lang_field="lang", not_prose="reject"))["quality"]
    assert strict == detector.analyze(SHOPPING, lang="en", source="list", not_prose="reject").to_dict()
    assert [p["verdict"] for p in strict["paragraphs"]][1:4] == ["reject"] * 3
    default = next(detector.filter([record], lang_field="lang"))["quality"]
    assert [p["verdict"] for p in default["paragraphs"]][1:4] == ["keep"] * 3


def test_one_line_opening_with_a_dash_is_not_a_list(detector):
    report = detector.analyze("- Te perdiste toda la", lang="es")
    assert "list" not in labels(report)[0]
