"""Our cached readability formulas give textstat's numbers (and Martins' for Portuguese)."""

import pytest
import textstat

from quality.readability import readability

TEXTS = {
    "es": "El gobierno aprobó ayer el presupuesto para el próximo año. La oposición votó en contra y anunció "
          "recursos. Los sindicatos pidieron más inversión en sanidad y educación pública durante la negociación.",
    "fr": "Le gouvernement a approuvé hier le budget pour l'année prochaine. L'opposition a voté contre et a "
          "annoncé des recours. Les syndicats ont demandé plus d'investissements dans la santé publique.",
    "de": "Die Regierung hat gestern den Haushalt für das nächste Jahr beschlossen. Die Opposition stimmte "
          "dagegen und kündigte Klagen an. Die Gewerkschaften forderten mehr Investitionen in Gesundheit.",
    "it": "Il governo ha approvato ieri il bilancio per il prossimo anno. L'opposizione ha votato contro e ha "
          "annunciato ricorsi. I sindacati hanno chiesto più investimenti nella sanità pubblica e nella scuola.",
    "pt": "O governo aprovou ontem o orçamento para o próximo ano. A oposição votou contra e anunciou recursos. "
          "Os sindicatos pediram mais investimento na saúde e na educação pública durante a negociação.",
}


def long_text(lang: str) -> str:
    return TEXTS[lang] + " " + TEXTS[lang]  # over the 30-word minimum


def reference(lang: str, text: str) -> dict[str, float]:
    scorer = textstat.textstat.__class__()
    scorer.set_lang(lang)
    if lang == "es":
        return {"fernandez_huerta": scorer.fernandez_huerta(text), "szigriszt_pazos": scorer.szigriszt_pazos(text)}
    if lang == "fr":
        return {"flesch_reading_ease": scorer.flesch_reading_ease(text)}
    if lang == "de":
        return {"wiener_sachtextformel": scorer.wiener_sachtextformel(text, 1)}
    if lang == "it":
        return {"gulpease_index": scorer.gulpease_index(text)}
    # textstat has no Portuguese constants and applies English Flesch; Martins' adaptation adds 42 to the base
    return {"flesch_reading_ease": scorer.flesch_reading_ease(text) + 42.0}


@pytest.mark.parametrize("lang", sorted(TEXTS))
def test_same_numbers_as_textstat(lang):
    ours = readability(long_text(lang), lang)
    for name, value in reference(lang, long_text(lang)).items():
        assert ours[name]["value"] == pytest.approx(value, abs=0.11), name


def test_no_formula_for_greek_and_short_texts():
    assert "no validated readability formula for el" in readability("Καλημέρα σας. " * 20, "el")["note"]
    assert "too short" in readability("Hola.", "es")["note"]
