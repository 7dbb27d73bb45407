"""Each detector on small texts written for the test, with the shipped models."""

from __future__ import annotations


def codes(report, index=0):
    return [f.code for f in report.paragraphs[index].findings]


def findings(report, code):
    return [f for p in report.paragraphs for f in p.findings if f.code == code]


def test_duplicate_names_the_first_copy(detector):
    para = "La compañía presentó ayer sus resultados trimestrales ante los inversores."
    text = f"{para}\nOtro párrafo distinto que no se repite en ningún lugar del texto.\n{para}\n"
    report = detector.analyze(text, lang="es")
    assert report.paragraphs[2].duplicate_of == 0
    assert report.paragraphs[1].duplicate_of is None
    assert report.paragraphs[2].verdict == "reject"
    assert "repeats paragraph 1" in findings(report, "duplicate")[0].message


def test_near_duplicate_with_one_word_changed(detector):
    a = ("El gobierno anunció nuevas medidas económicas para apoyar a las pequeñas empresas del país este año, "
         "después de varios meses de negociaciones con los sindicatos y las asociaciones de comerciantes, que "
         "reclamaban ayudas directas para pagar los alquileres y las facturas de la energía.")
    b = a.replace("nuevas", "varias")
    report = detector.analyze(a + "\n" + b, lang="es")
    assert report.paragraphs[1].duplicate_of == 0


def test_punctuation_glued_quote_and_opening_full_stop(detector):
    text = ". Para las empresas chinas, el analista dijo:”Esto mata el acceso”, según el informe."
    report = detector.analyze(text, lang="es")
    found = findings(report, "punctuation")
    messages = " ".join(f.message for f in found)
    assert "starts with punctuation" in messages and "glued" in messages
    glued = [f for f in found if "glued" in f.message][0]
    assert text[glued.start : glued.end] == glued.text and "”" in glued.text


def test_casing_lowercase_starts_and_midsentence_capital(detector):
    text = "las nuevas revelaciones, Primero informado por los periódicos, cambian todo. el problema sigue."
    report = detector.analyze(text, lang="es")
    messages = [f.message for f in findings(report, "casing")]
    assert any("paragraph starts in lower case" in m for m in messages)
    assert any("sentence starts in lower case" in m for m in messages)
    assert any("'Primero'" in m for m in messages)


def test_casing_leaves_names_and_titles_alone(detector):
    text = "El presidente habló ayer en la Casa Blanca con el Financial Times sobre la economía del país."
    assert findings(detector.analyze(text, lang="es"), "casing") == []


def test_repetition_finds_stutter_but_not_parallel_clauses(detector):
    bad = detector.analyze("Esta política y el 15% en un acuerdo con un acuerdo de agosto de agosto.", lang="es")
    texts = [f.text for f in findings(bad, "repetition")]
    assert "de agosto de agosto" in texts and "un acuerdo con un acuerdo" in texts
    good = detector.analyze("Fue mi única estancia en la UCI. La estancia en la UCI fue breve y tranquila.", lang="es")
    assert findings(good, "repetition") == []


def test_foreign_fragment_flags_english_words_not_names(detector):
    text = "Esta política reversal fue anunciada por Huawei y Nvidia en la reunión del consejo de ayer."
    found = findings(detector.analyze(text, lang="es"), "foreign-fragment")
    assert [f.text for f in found] == ["reversal"]
    run = detector.analyze("El ministro dijo que the government will not accept ese acuerdo nunca.", lang="es")
    longest = max(findings(run, "foreign-fragment"), key=lambda f: f.end - f.start)
    assert "will not accept" in longest.text and longest.severity >= 0.7


def test_truncated_end_and_run_on(detector):
    cut = detector.analyze(
        "El Congreso no ha aprobado las propuestas desde que dijo que vale la pena retrasar cuatro de las", lang="es"
    )
    assert "truncated" in codes(cut)
    title = "El latigazo geopolítico de la guerra de chips"
    body = "La guerra comercial entre los dos países se ha recrudecido este año."
    heading = detector.analyze(title + "\n" + body, lang="es")
    assert "truncated" not in codes(heading)  # a short line followed by text is a heading
    alone = detector.analyze(title, lang="es")  # alone, it might be a cut sentence: weak evidence only
    assert [f.severity < 0.1 for f in findings(alone, "truncated")] == [True]
    assert alone.verdict == "keep"
    social = detector.analyze("Mira el vídeo completo del partido de ayer en https://example.com/video", lang="es")
    assert "truncated" not in codes(social)


def test_disfluent_flags_word_salad_only(detector):
    salad = "de la el que en los y a las del se por un para con no una su al es lo como más pero sus le ya o"
    report = detector.analyze(salad, lang="es")
    assert "disfluent" in codes(report)
    clean = "El gobierno aprobó ayer el presupuesto para el próximo año tras una larga negociación con la oposición."
    assert "disfluent" not in codes(detector.analyze(clean, lang="es"))


def test_language_identification(detector):
    pt = "O governo aprovou ontem o orçamento para o próximo ano depois de uma longa negociação."
    assert detector.analyze(pt).lang == "pt"
    assert detector.analyze("Η κυβέρνηση ενέκρινε χθες τον προϋπολογισμό για το επόμενο έτος.").lang == "el"
    assert detector.analyze("The government approved the budget for next year after a long negotiation.").lang == "en"


def test_paragraph_in_another_language_is_a_foreign_fragment(detector):
    es = "El gobierno aprobó ayer el presupuesto para el próximo año tras una larga negociación con la oposición."
    pt = "O governo aprovou ontem o orçamento para o próximo ano depois de uma longa negociação com a oposição."
    report = detector.analyze("\n".join([es, es.replace("ayer", "hoy"), pt]))
    assert report.lang == "es"
    assert any("another language (pt)" in f.message for f in findings(report, "foreign-fragment"))


def test_social_endings_are_not_cut_sentences(detector):
    for ending in ("😂", "^_^", "jajaja", "#MLS"):
        report = detector.analyze(f"Hoy fuimos al partido con mis amigos y lo pasamos genial {ending}", lang="es")
        assert "truncated" not in codes(report), ending


def test_quoted_english_title_is_not_a_leftover(detector):
    text = 'El disco incluye temas como "You never know", una demostración de funk, y otras canciones nuevas.'
    assert findings(detector.analyze(text, lang="es"), "foreign-fragment") == []


def test_parallel_clauses_are_not_stutter_but_glued_copies_are(detector):
    parallel = detector.analyze("No lo haremos ni en dos días, ni en tres días, ni nunca jamás, dijo ayer.", lang="es")
    assert findings(parallel, "repetition") == []
    glued = detector.analyze("El ministro dijo, que dijo, que no habría más recortes este año en el país.", lang="es")
    assert [f.text for f in findings(glued, "repetition")] == ["dijo, que dijo, que"]


def test_abbreviation_and_domain_are_not_sentence_starts(detector):
    greek = detector.analyze("Οι επενδύσεις ανέρχονται σε περίπου 4 δισ. ευρώ τον χρόνο μέχρι το 2019.", lang="el")
    domain = detector.analyze("Según informó Domain.com, los vendedores ofrecían regalos a los compradores.", lang="es")
    missing = detector.analyze("Lo dijo en los votos.Él no quiso saber nada más del tema aquel día.", lang="es")
    assert findings(greek, "casing") == [] and findings(domain, "foreign-fragment") == []
    assert [f.text for f in findings(missing, "punctuation")] == ["votos.Él"]


def test_markup_mojibake_brackets_and_inverted_marks(detector):
    text = "La canciÃ³n de hoy &apos; es buena (dijo él. Pero ¿ dónde está el disco nuevo?"
    report = detector.analyze(text, lang="es")
    found = {(f.code, f.text) for p in report.paragraphs for f in p.findings}
    assert ("mojibake", "Ã³") in found and ("markup", "&apos;") in found
    assert ("punctuation", "(") in found and ("punctuation", "¿ d") in found
    numbered = detector.analyze("Los puntos son: 1) el coste y 2) el plazo de entrega del proyecto.", lang="es")
    assert findings(numbered, "punctuation") == []


def test_agreement_names_the_better_form(detector):
    bad = detector.analyze("Los crisis de desarrollo de la empresa se desprenden de un retroceso político.", lang="es")
    found = findings(bad, "agreement")
    assert [f.text for f in found] == ["Los crisis"] and found[0].data["better"] in ("la", "las")
    fine = detector.analyze("No estamos vendiendo nuestros últimos mejores chips a China, dijo el ministro.", lang="es")
    assert findings(fine, "agreement") == []
    english = detector.analyze("These result is not what the team expected at all.", lang="en")
    assert [f.data["better"] for f in findings(english, "agreement")] == ["this"]
