from quality.normalize import normalize_line, tokenize
from quality.segment import MAX_PARAGRAPH_CHARS, split_paragraphs


def test_offsets_point_at_the_paragraph_text():
    text = "  Primer párrafo.\n\nSegundo párrafo, con coma.\r\nTercero.  \n"
    paragraphs = split_paragraphs(text)
    assert [p.text for p in paragraphs] == ["Primer párrafo.", "Segundo párrafo, con coma.", "Tercero."]
    for p in paragraphs:
        assert text[p.start : p.end] == p.text


def test_hard_wrapped_blocks_are_joined():
    text = "This paragraph is wrapped\nat a fixed width and goes\non here.\n\nSecond one is\nwrapped too.\n"
    paragraphs = split_paragraphs(text)
    assert len(paragraphs) == 2
    assert paragraphs[0].text.startswith("This paragraph") and paragraphs[0].text.endswith("on here.")


def test_one_paragraph_per_line_when_lines_end_sentences():
    text = "Una frase completa.\nOtra frase completa.\n\nY otra más.\n"
    assert len(split_paragraphs(text)) == 3


def test_very_long_line_is_cut_into_pieces_below_the_limit():
    text = "Una frase corta. " * 2000
    paragraphs = split_paragraphs(text)
    assert len(paragraphs) > 1
    assert all(len(p.text) <= MAX_PARAGRAPH_CHARS for p in paragraphs)
    assert all(text[p.start : p.end] == p.text for p in paragraphs)


def test_tokens_keep_offsets_and_normalise():
    text = "El 15 de «Agosto» dijo: https://x.com/a @user1 #tag."
    tokens = tokenize(text)
    assert all(text[t.start : t.end] for t in tokens)
    norms = [t.norm for t in tokens]
    assert "00" in norms and '"' in norms and "agosto" in norms
    specials = [t for t in tokens if t.norm.startswith(("http", "@", "#"))]
    assert len(specials) == 3 and not any(t.is_word for t in specials)
    assert normalize_line("¡Hola, Mundo!") == "¡ hola , mundo !"
