"""The motivating example: 002 is rejected with its repeats found; the others pass."""


def test_002_rejected_with_garbled_paragraphs_and_repeated_tail(detector, sample_texts):
    report = detector.analyze(sample_texts["002"], source="002")
    assert report.verdict == "reject"
    assert report.lang == "es"
    assert len(report.paragraphs) == 19
    repeats = {p.index + 1: p.duplicate_of + 1 for p in report.paragraphs if p.duplicate_of is not None}
    assert repeats == {17: 14, 18: 15, 19: 16}
    garbled = [p.index + 1 for p in report.paragraphs if p.verdict == "reject" and p.duplicate_of is None]
    assert len(garbled) >= 5
    # the paragraph with "un acuerdo con un acuerdo de agosto de agosto" and an English word
    codes10 = {f.code for f in report.paragraphs[9].findings}
    assert {"repetition", "foreign-fragment", "punctuation"} <= codes10
    assert any("repeat earlier ones" in r for r in report.reasons)


def test_clean_articles_pass_with_no_garbled_paragraph(detector, sample_texts):
    expected = {"000": "es", "001": "pt", "003": "pt", "004": "el"}
    for name, lang in expected.items():
        report = detector.analyze(sample_texts[name], source=name)
        assert report.lang == lang, name
        assert report.verdict == "keep", (name, report.reasons)
        assert not [p for p in report.paragraphs if p.verdict == "reject"], name
