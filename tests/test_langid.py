"""Language identification: every language named, seven modelled, none judged by a neighbour's model.

The texts are written for these tests (not taken from FLORES or any corpus).
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from quality.cli import main
from quality.langcodes import UnknownLanguageError, describe, from_identifier, language_name, normalize_lang_code
from quality.langid import identified_languages
from quality.report import SCHEMA_VERSION

MODELLED = {"es", "pt", "el", "en", "fr", "de", "it"}
# detectors that read a language model: none of them may speak about text in a language without one
MODEL_CODES = {"foreign-fragment", "truncated", "agreement", "disfluent", "repetition"}

DUTCH = ("Gisteren hebben we met de hele familie een wandeling gemaakt langs de rivier. Het was koud, maar de zon "
         "scheen en de kinderen speelden urenlang in het gras. Daarna dronken we warme chocolademelk in een klein "
         "café in het dorp.\n\nDe gemeente wil volgend jaar een nieuwe brug bouwen, zodat fietsers veiliger naar "
         "school en naar hun werk kunnen rijden. Volgens de wethouder zijn de kosten hoger dan verwacht, maar het "
         "plan heeft brede steun in de raad.")
POLISH = ("Wczoraj cała rodzina wybrała się na długi spacer wzdłuż rzeki. Było zimno, ale świeciło słońce, a dzieci "
          "przez wiele godzin bawiły się na trawie. Potem piliśmy gorącą czekoladę w małej kawiarni w centrum wsi.\n\n"
          "Władze miasta chcą w przyszłym roku zbudować nowy most, aby rowerzyści mogli bezpieczniej dojeżdżać do "
          "szkoły i do pracy. Według radnego koszty są wyższe, niż przewidywano, ale projekt ma szerokie poparcie "
          "mieszkańców.")
CATALAN = ("Ahir tota la família vam fer una llarga passejada al costat del riu. Feia fred, però lluïa el sol i els "
           "nens van jugar durant hores a la gespa. Després vam prendre xocolata calenta en un petit cafè del poble."
           "\n\nL'ajuntament vol construir l'any que ve un pont nou perquè els ciclistes puguin anar a l'escola i a "
           "la feina amb més seguretat. Segons el regidor, el cost és més alt del que s'esperava, però el projecte "
           "té un ampli suport al consell.")
GALICIAN = ("Onte toda a familia fixemos un longo paseo á beira do río. Facía frío, pero brillaba o sol e os nenos "
            "xogaron durante horas na herba. Despois tomamos chocolate quente nun pequeno café da vila.\n\nO concello "
            "quere construír o ano que vén unha ponte nova para que os ciclistas poidan ir á escola e ao traballo con "
            "máis seguridade. Segundo o concelleiro, o custo é máis alto do que se esperaba, pero o proxecto ten un "
            "amplo apoio no pleno.")
SPANISH_WITH_QUOTE = (
    "El ministro de Economía presentó ayer en Bruselas el plan de inversiones para los próximos cinco años, que "
    "incluye nuevas ayudas para las pequeñas empresas y para la vivienda.\n\n"
    "“We are confident that these measures will help families and small businesses across the country, and we "
    "expect the first payments before the end of the year,” the minister told reporters.\n\n"
    "Según el Gobierno, las primeras ayudas llegarán antes de final de año. La oposición considera que el plan "
    "llega tarde y pide más detalles sobre su financiación.")
ENGLISH = ("The council approved the new budget on Tuesday after a long debate about school funding and road repairs. "
           "Most members said the plan was fair, although two of them asked for more money for public libraries.")


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(main, list(args), input=input)


@pytest.mark.parametrize(("text", "lang", "name"), [(DUTCH, "nl", "Dutch"), (POLISH, "pl", "Polish"),
                                                   (CATALAN, "ca", "Catalan"), (GALICIAN, "gl", "Galician")])
def test_unmodelled_languages_are_named_and_never_judged_by_a_neighbours_model(detector, text, lang, name):
    report = detector.analyze(text)
    assert (report.lang, report.modelled, report.error) == (lang, False, None)
    assert report.reasons[0] == f"unmodelled language: {lang} ({name}) (only language-independent checks ran)"
    assert all(p.lang not in MODELLED for p in report.paragraphs)
    assert not [f.code for p in report.paragraphs for f in p.findings if f.code in MODEL_CODES]
    assert report.verdict == "review"  # the default policy: a person looks; nothing is thrown away
    assert report.to_dict()["modelled"] is False and report.to_dict()["schema"] == SCHEMA_VERSION == "1.1"


def test_unmodelled_policy_keeps_reviews_or_rejects(detector):
    assert detector.analyze(DUTCH, unmodelled="keep").verdict == "keep"
    assert detector.analyze(DUTCH, unmodelled="reject").verdict == "reject"
    assert detector.analyze(ENGLISH, unmodelled="reject").verdict == "keep"  # modelled: the policy does not apply
    with pytest.raises(ValueError, match="unmodelled must be one of keep, review, reject"):
        detector.analyze(DUTCH, unmodelled="drop")


def test_language_independent_checks_still_run_on_unmodelled_text(detector):
    paragraphs = DUTCH.split("\n\n")
    report = detector.analyze("\n\n".join([paragraphs[0], paragraphs[1], paragraphs[0]]), unmodelled="keep")
    assert report.lang == "nl" and report.paragraphs[2].duplicate_of == 0
    assert report.verdict != "keep"


def test_one_word_is_undetermined_and_exits_0():
    result = run("check", "--format", "json", "-", input="Hola.")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)[0]
    assert (report["lang"], report["modelled"], report["error"]) == ("und", False, None)
    assert report["reasons"][0].startswith("unmodelled language: und (undetermined)")


def test_quoted_english_paragraph_is_evidence_not_the_document_language(detector):
    report = detector.analyze(SPANISH_WITH_QUOTE)
    assert report.lang == "es" and report.modelled
    assert [p.lang for p in report.paragraphs] == ["es", "en", "es"]
    findings = [f for f in report.paragraphs[1].findings if f.code == "foreign-fragment"]
    assert findings and findings[0].message == "quoted paragraph is in another language (en) than the document (es)"
    assert report.verdict != "reject"
    # the same paragraph unquoted is an untranslated paragraph: weighs more
    unquoted = detector.analyze(SPANISH_WITH_QUOTE.replace("“", "").replace(",” the", ", the"))
    assert unquoted.paragraphs[1].score < report.paragraphs[1].score


def test_mixed_scripts_a_greek_paragraph_in_a_spanish_document_is_not_read_as_spanish(detector):
    greek = "Η κυβέρνηση ενέκρινε χθες τον προϋπολογισμό για το επόμενο έτος μετά από μακρά συζήτηση στη Βουλή."
    report = detector.analyze(SPANISH_WITH_QUOTE.split("\n\n")[0] + "\n\n" + greek)
    assert [p.lang for p in report.paragraphs] == ["es", "el"]


@pytest.mark.parametrize(("given", "expected"), [("english", "en"), ("Spanish", "es"), ("pt-BR", "pt"),
                                                 ("eng", "en"), ("EN", "en"), ("en-US", "en")])
def test_lang_option_takes_codes_and_names(given, expected, tmp_path):
    path = tmp_path / "doc.txt"
    path.write_text(ENGLISH, encoding="utf-8")
    result = run("check", "--format", "json", "--lang", given, str(path))
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)[0]
    assert report["lang"] == expected and report["error"] is None
    if expected == "en":
        assert report["verdict"] == "keep"  # not "in another language than the document (english)"


def test_unknown_lang_is_a_usage_error_listing_codes(tmp_path):
    path = tmp_path / "doc.txt"
    path.write_text(ENGLISH, encoding="utf-8")
    result = run("check", "--lang", "xx-nonsense", str(path))
    assert result.exit_code == 2
    assert "unknown language 'xx-nonsense'" in result.output
    assert "languages with a model: de, el, en, es, fr, it, pt" in result.output


def test_unmodelled_reject_rejects_dutch_on_the_command_line(tmp_path):
    path = tmp_path / "nl.txt"
    path.write_text(DUTCH, encoding="utf-8")
    result = run("check", "--unmodelled", "reject", "--fail-on", "reject", "--format", "json", str(path))
    assert result.exit_code == 1
    assert json.loads(result.output)[0]["verdict"] == "reject"
    assert run("check", "--fail-on", "reject", "-q", str(path)).exit_code == 0  # default: review


def test_filter_counts_documents_per_language_and_applies_the_policy(tmp_path):
    source = tmp_path / "in.jsonl"
    records = [{"id": "nl", "text": DUTCH}, {"id": "en", "text": ENGLISH}, {"id": "pl", "text": POLISH},
               {"id": "x", "text": ENGLISH, "lang": "klingonish"}]
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    kept, rejected = tmp_path / "kept.jsonl", tmp_path / "rejected.jsonl"
    result = run("filter", str(source), "-o", str(kept), "--rejected", str(rejected), "--unmodelled", "reject",
                 "--lang-field", "lang", "--no-progress")
    assert result.exit_code == 2  # the unknown language code is an error record, named
    assert "unknown language 'klingonish'" in result.output
    assert [json.loads(line)["id"] for line in kept.read_text(encoding="utf-8").splitlines()] == ["en"]
    assert [json.loads(line)["id"] for line in rejected.read_text(encoding="utf-8").splitlines()] == ["nl", "pl"]
    assert "read 4, kept 1, rejected 2, errors 1" in result.output
    assert "languages: " in result.output and "nl 1" in result.output and "pl 1" in result.output


def test_models_lists_modelled_and_identified_apart():
    result = run("models")
    assert result.exit_code == 0
    assert "modelled (7): de (German), el (Greek), en (English), es (Spanish), fr (French), it (Italian), " \
           "pt (Portuguese)" in result.output
    identified = result.output.split("identified, not modelled")[1]
    assert "nl (Dutch)" in identified and "gl (Galician)" in identified and "es (Spanish)" not in identified


def test_about_two_hundred_languages_are_identified_and_all_have_names():
    codes = identified_languages()
    assert len(codes) >= 200
    assert {"nl", "pl", "ca", "gl", "oc", "co", "ast" if "ast" in codes else "nl"} <= set(codes)
    assert all(language_name(code) != code for code in codes)


def test_language_codes_as_people_write_them():
    cases = {"en": "en", "EN": "en", "en-US": "en", "en_GB": "en", "eng": "en", "english": "en", "English": "en",
             "Spanish": "es", "spa": "es", "pt-BR": "pt", "por": "pt", "gre": "el", "Greek": "el", "ger": "de",
             "zh-Hant-TW": "zh", "cmn": "zh", "nld": "nl", "Dutch": "nl", "ast": "ast", "Asturian": "ast",
             "Norwegian Bokmål": "nb", "bokmal": "nb", "farsi": "fa", "pes": "fa"}
    assert {given: normalize_lang_code(given) for given in cases} == cases
    assert [normalize_lang_code(v) for v in (None, "", " ", "und", "zxx")] == [None] * 5
    with pytest.raises(UnknownLanguageError, match="languages with a model: es, pt"):
        normalize_lang_code("xx-nonsense", ["es", "pt"])
    assert describe("nl") == "nl (Dutch)" and describe("und") == "und (undetermined)"
    assert [from_identifier(label) for label in ("spa", "hbsbos", "glg", "msaind", "zxx")] == ["es", "bs", "gl",
                                                                                                "id", "und"]


def test_api_and_lang_field_take_names(detector):
    assert detector.analyze(ENGLISH, lang="English").lang == "en"
    out = list(detector.filter([{"id": "a", "text": ENGLISH, "lang": "english"},
                                {"id": "b", "text": ENGLISH, "lang": "xx-nonsense"}], lang_field="lang"))
    assert out[0]["quality"]["lang"] == "en" and out[0]["quality"]["verdict"] == "keep"
    assert out[1]["quality"]["verdict"] is None and "unknown language 'xx-nonsense'" in out[1]["quality"]["error"]
    rejected = list(detector.filter([{"id": "nl", "text": DUTCH}], unmodelled="reject"))
    assert rejected[0]["quality"]["verdict"] == "reject" and rejected[0]["quality"]["modelled"] is False


def test_fast_mode_without_heliport_still_never_passes_a_neighbour_off_as_modelled(detector):
    from quality.langid import LanguageIdentifier

    fast = LanguageIdentifier(detector.models, full=False)
    assert fast.identify(DUTCH).lang == "nl"
    assert fast.identify(ENGLISH).lang == "en"
    for text in (GALICIAN, CATALAN, POLISH):
        assert fast.identify(text).lang not in MODELLED
    assert not fast.heliport_loaded
