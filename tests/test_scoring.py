"""Scores and verdicts: one function from score to verdict, fluency with a real role, codes from the registry."""

from __future__ import annotations

import random

import pytest

from quality.detectors.base import REGISTRY, BaseDetector, FindingCode, finding_code, load_detectors, register
from quality.report import Finding, ParagraphReport
from quality.scoring import (
    REJECT_BELOW,
    REVIEW_BELOW,
    document_verdict,
    fluency_penalty,
    paragraph_score,
    score_paragraph,
    verdict_for,
)

CLEAN_ES = ("El ayuntamiento aprobó ayer el presupuesto municipal para el próximo año después de una larga "
            "sesión en la que los grupos de la oposición presentaron más de cuarenta enmiendas. La mayoría de "
            "ellas fueron rechazadas, aunque el equipo de gobierno aceptó ampliar la partida destinada a las "
            "escuelas infantiles y al mantenimiento de los parques del barrio norte.")


def _salad(text: str, seed: int) -> str:
    words = [w.strip(".") for w in text.split()]
    words[0] = words[0].lower()
    random.Random(seed).shuffle(words)
    joined = " ".join(words).strip(",")
    return joined[0].upper() + joined[1:] + "."


def _all_scored(report):
    yield report.score, report.verdict
    for paragraph in report.paragraphs:
        yield paragraph.score, paragraph.verdict


def test_verdict_is_a_function_of_the_score_with_one_set_of_thresholds():
    assert verdict_for(REJECT_BELOW - 1e-9) == "reject"
    assert verdict_for(REJECT_BELOW) == "review"
    assert verdict_for(REVIEW_BELOW - 1e-9) == "review"
    assert verdict_for(REVIEW_BELOW) == "keep"


def test_scores_and_verdicts_agree_in_every_seed(detector, sample_texts):
    for name, text in sample_texts.items():
        report = detector.analyze(text, source=name)
        for score, verdict in _all_scored(report):
            assert verdict == verdict_for(score), (name, score, verdict)


def test_a_repeated_paragraph_scores_zero_as_its_finding_says(detector):
    para = "La compañía presentó ayer sus resultados trimestrales ante los inversores."
    text = f"{para}\nOtro párrafo distinto que no se repite en ningún lugar del texto.\n{para}\n"
    report = detector.analyze(text, lang="es")
    repeat = report.paragraphs[2]
    finding = next(f for f in repeat.findings if f.code == "duplicate")
    assert finding.severity == 1.0 and repeat.score == 0.0 and repeat.verdict == "reject"
    # people read 1-based numbers, the JSON field is the 0-based index of the paragraph it copies
    assert repeat.duplicate_of == 0 and "repeats paragraph 1 " in finding.message
    assert report.verdict == verdict_for(report.score) == "reject"


def test_a_quarter_of_rejected_text_rejects_the_document_and_any_makes_it_review():
    def paragraph(index, start, end, score):
        return ParagraphReport(index, start, end, "es", score, verdict_for(score))

    bad_quarter = [paragraph(0, 0, 250, 0.3), paragraph(1, 250, 1000, 1.0)]
    score, verdict, _, _ = document_verdict(bad_quarter)
    assert verdict == "reject" and verdict == verdict_for(score)
    bad_tenth = [paragraph(0, 0, 100, 0.3), paragraph(1, 100, 1000, 1.0)]
    score, verdict, _, _ = document_verdict(bad_tenth)
    assert verdict == "review" and REJECT_BELOW <= score < REVIEW_BELOW
    one_paragraph = [paragraph(0, 0, 100, 0.3)]
    assert document_verdict(one_paragraph)[0] == pytest.approx(0.3)  # the paragraph's own score


def test_word_salad_without_a_structural_fault_is_rejected(detector):
    clean = detector.analyze(CLEAN_ES, lang="es")
    assert clean.verdict == "keep"
    for seed in range(3):
        salad = detector.analyze(_salad(CLEAN_ES, seed), lang="es")
        assert salad.verdict == "reject", (seed, salad.score, salad.paragraphs[0].features)
        assert salad.paragraphs[0].features["fluency_penalty"] > 0.5
        assert any("unlikely text to the language model" in r for r in salad.reasons)


def test_fluency_penalty_is_calibrated_and_needs_words():
    common = {"fluency_percentile": 0.5, "slor_percentile": 0.5, "logprob_percentile": 0.5}
    rare = {"fluency_percentile": 1e-4, "slor_percentile": 1e-5, "logprob_percentile": 1e-3}
    assert fluency_penalty(common, 40) < 0.02
    assert fluency_penalty(rare, 40) > 0.5
    assert fluency_penalty(rare, 3) <= 0.02  # a three-word line says too little
    finding = Finding("casing", 0, 1, "x", "m", severity=0.5)
    assert paragraph_score([finding], 0.5) == pytest.approx(0.25)


def test_codes_are_described_by_their_detectors():
    load_detectors()
    assert finding_code("casing").one == "has wrong capitalisation"
    assert finding_code("list").garbling is False
    assert finding_code("duplicate").kind == "repeat"
    unknown = finding_code("no-such-code")  # a finding of a detector that declares nothing is no KeyError
    assert unknown.code == "no-such-code" and unknown.garbling


def test_a_new_detector_is_one_class(detector):
    @register
    class ShoutingDetector(BaseDetector):
        name = "shouting-test"
        codes = (FindingCode("shouting", "shouts", "shout", severity=0.3),)

        def detect(self, doc):
            return [p.finding("shouting", 0, len(p.text), "all capitals", 0.3)
                    for p in doc.paragraphs if p.text.isupper()]

    try:
        from quality.analyzer import Detector

        report = Detector(langs=["es"], detectors=["shouting-test"]).analyze(
            "ESTO ES UN TEXTO QUE GRITA MUCHO.\nY esto no.\nESTO TAMBIÉN GRITA.\nY esto tampoco grita.", lang="es")
        assert [p.verdict for p in report.paragraphs][:2] == ["review", "keep"]
        assert any("shout" in reason for reason in report.reasons)
    finally:
        del REGISTRY["shouting-test"]


def test_people_read_paragraph_numbers_from_one_everywhere(detector):
    from quality.html_report import render_html
    from quality.render import render_text

    para = "La compañía presentó ayer sus resultados trimestrales ante los inversores."
    text = f"{para}\nOtro párrafo distinto que no se repite en ningún lugar del texto.\n{para}\n"
    report = detector.analyze(text, lang="es", source="doc")
    assert report.paragraphs[2].duplicate_of == 0  # JSON: the 0-based index
    rendered = render_text(report, text)
    assert "¶3 " in rendered and "repeats paragraph 1 " in rendered
    assert "(of paragraph 1)" in " ".join(report.reasons)
    html = render_html([(report, text)])
    assert "repeats <a href=" in html and "¶1</a>" in html  # the HTML links the repeat to ¶1


def test_informal_findings_alone_cap_a_fluent_paragraph_at_review():
    def weak(code, **data):
        return Finding(code, 0, 4, "text", "weak", 0.45, data=data)

    fluent = {"slor_percentile": 0.3, "fluency_percentile": 0.4}
    informal = score_paragraph(0, 0, 40, "en", [weak("casing", informal=True), weak("truncated", informal=True)],
                               None, fluent, 12)
    assert informal.score == REJECT_BELOW and informal.verdict == verdict_for(informal.score) == "review"
    # one finding not of the informal kind, or fluency out of the clean range: no cap
    mixed = score_paragraph(0, 0, 40, "en", [weak("casing", informal=True), weak("truncated")], None, fluent, 12)
    assert mixed.score < REJECT_BELOW and mixed.verdict == "reject"
    rare = {"slor_percentile": 0.001, "fluency_percentile": 0.01}
    disfluent = score_paragraph(0, 0, 40, "en", [weak("casing", informal=True), weak("truncated", informal=True)],
                                None, rare, 12)
    assert disfluent.score < REJECT_BELOW and disfluent.verdict == "reject"
