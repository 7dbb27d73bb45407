"""The compiled core (`quality._core`) against the Python reference it replaces.

Tokens (normal forms, character offsets, word flags) must be identical to quality/normalize.py's, and the one
language-model pass must give the same per-token log10 probabilities, n-gram lengths and unknown-word flags
as the Python kenlm module on the same model file. bench/core_parity.py runs the same comparison over every
line of the shared corpora.
"""

from __future__ import annotations

import random
import threading
import unicodedata
from pathlib import Path

import kenlm
import numpy as np
import pytest

from quality import _core
from quality.context import score_tokens, score_tokens_reference
from quality.models import ModelSet
from quality.normalize import Token, normalize_line, tokenize, tokenize_batch, tokenize_reference
from quality.segment import split_paragraphs

SAMPLES = Path(__file__).resolve().parent.parent / "samples"

HOSTILE = [
    "",
    " ",
    "\n\n\t \u00a0\u2003\u3000",
    "cafe\u0301 cafe\u0301s na\u0308ive Ω\u0308 \u0301\u0301\u0301 a\u0300\u0316",  # combining marks, not NFC
    "Ａｂｃ１２３ ＡＢＣ ｗｗｗ．ｅｘａｍｐｌｅ．ｃｏｍ",  # fullwidth
    "👍🏽 👨‍👩‍👧‍👦 🇪🇸🇬🇷 ❤️ ok👍ok #🙂 @🙂",  # emoji, ZWJ sequences, flags
    "a\ufffdb \ufffd\ufffd",  # surrogates as the analysis sees them
    "שלום עולם, مرحبا بالعالم! \u200fRTL\u200e ١٢٣ ۴۵۶",  # right to left, Arabic-Indic digits
    "これは日本語の文章です。句読点もある、スペースはない。",  # no spaces
    "中文没有空格但是有标点符号，比如这个。",
    "ΟΔΟΣ ΣΑΣ Σ ΣΣ ΑΣ' ΑΣ-ΒΣ ʰΣ Σʰ ὈΔΥΣΣΕΎΣ",  # capital sigma: final or not by its neighbours
    "İstanbul İİ ǅemal ǄEMAL ß ẞ ﬁ Ǉ",  # characters whose case mapping is special
    "https://example.com/a?b=1. www.Example.org/x) mail.me+tag@sub.example.co.uk, #tag @user x@y",
    "casa.de Domain.com sub.domain.info/path/ a.b.c.d.e.f.g.h.i.j.com",
    "a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a@",
    '"a"a"a"a"a"a"a"a «x» „y“ ‘z’ ‚w‘ `v´ — – …',
    "d'Alembert l’homme covid-19 a--b a''b a-'b -a- 'a'",
    "\x00\x01\x02\x03\x04\x1c\x1d\x1e\x1f\x7f\x85\u2028\u2029",
    "x\u200by\u200cz\u200dw\u2060v\ufeffu\u00adt",  # invisible format characters
    "٣ ٣٤ ௧௨ ①②③ ½ ² Ⅻ ⅻ 𝟙𝟚",  # digits of other scripts, numbers that are not decimal
    "ŉ ǰ ΐ ﬀ ﬃ Ꭰ ꭰ 𐐀 𝐀 ℌ",
    "w" * 100_000,
    ("palabra " * 2_000) + "fin.",
    "x" * 70 + "@" + "y" * 70 + ".com",
]


def assert_same_tokens(text: str) -> None:
    core, reference = tokenize(text), tokenize_reference(text)
    if core != reference:
        at = next((i for i, (a, b) in enumerate(zip(core, reference)) if a != b), min(len(core), len(reference)))
        pytest.fail(f"{text[:60]!r}: token {at}: core {core[at:at + 2]} != python {reference[at:at + 2]}")


def test_core_is_built() -> None:
    # after `make` or `pip install .` the core is always there; the Python reference is not what runs
    assert _core is not None
    assert unicodedata.unidata_version == _core.UNICODE_VERSION


def test_tokens_are_tokens() -> None:
    tokens = tokenize("Hola, mundo")
    assert tokens == [Token("hola", 0, 4, True), Token(",", 4, 5, False), Token("mundo", 6, 11, True)]
    assert all(isinstance(t, Token) for t in tokens)


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_strings_tokenise_as_in_python(text: str) -> None:
    assert_same_tokens(text)


def test_samples_tokenise_as_in_python() -> None:
    for path in sorted(SAMPLES.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        assert_same_tokens(text)
        for paragraph in split_paragraphs(text):
            assert_same_tokens(paragraph.text)


def test_random_strings_tokenise_as_in_python() -> None:
    # characters of every kind the expression and the folding treat differently, in random runs
    alphabet = list("aZ09_ .,;:!?@#/-+'\"<>()ΣσİßΩ\u0301\u00ad\u200d’“”«»…–—\t\n\u00a0١٢ʰǅ😀\x1c\x03中")
    rng = random.Random(12)
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40)))
        assert_same_tokens(text)
    words = ["www.", "http://", "https://", "x.com", "a@b.org", ".info", "#", "@", "casa", "Σ", "ΟΣ", "' ", "-"]
    for _ in range(3000):
        assert_same_tokens("".join(rng.choice(words + alphabet) for _ in range(rng.randint(1, 12))))


def test_lone_surrogates_count_as_replacement_characters() -> None:
    text = "a\ud800b \udfff"
    assert tokenize(text) == tokenize_reference("a\ufffdb \ufffd")
    assert normalize_line("x\ud83dy") == "x \ufffd y"


def test_batch_keeps_input_order_and_equals_one_by_one() -> None:
    texts = [p.read_text(encoding="utf-8") for p in sorted(SAMPLES.glob("*.txt"))] + HOSTILE[:8]
    assert tokenize_batch(texts) == [tokenize(text) for text in texts]
    assert tokenize_batch([]) == []


def test_threads_share_the_core() -> None:
    texts = [p.read_text(encoding="utf-8") for p in sorted(SAMPLES.glob("*.txt"))] * 4
    expected = tokenize_batch(texts)
    results: list[object] = [None] * 4

    def work(slot: int) -> None:
        results[slot] = tokenize_batch(texts)

    threads = [threading.Thread(target=work, args=(slot,)) for slot in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(result == expected for result in results)


def test_wrong_types_are_ordinary_errors() -> None:
    with pytest.raises(TypeError):
        _core.tokenize(b"bytes", Token)
    with pytest.raises(TypeError):
        _core.tokenize_batch("not a list", Token)
    with pytest.raises(TypeError):
        _core.tokenize("text", "not a type")


@pytest.fixture(scope="module")
def models() -> ModelSet:
    return ModelSet()


def sample_paragraphs() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted(SAMPLES.glob("*.txt"))]
    return [paragraph.text for text in texts for paragraph in split_paragraphs(text)]


def test_one_pass_gives_python_kenlm_scores(models: ModelSet) -> None:
    paragraphs = sample_paragraphs() + [text for text in HOSTILE if len(text) < 1000]
    for lang in models.langs:
        model = models.get(lang)
        for text in paragraphs:
            tokens = tokenize(text)
            if not tokens:
                continue
            core, reference = score_tokens(model, tokens), score_tokens_reference(model, tokens)
            assert np.array_equal(core.logprob, reference.logprob), (lang, text[:60])
            assert np.array_equal(core.ngram, reference.ngram), (lang, text[:60])
            assert np.array_equal(core.oov, reference.oov), (lang, text[:60])
            assert core.eos == reference.eos
            unigrams = [model.kenlm.score(t.norm, bos=False, eos=False) for t in tokens]
            assert np.array_equal(core.unigram, np.array(unigrams)), (lang, text[:60])


def test_score_and_membership_match_python_kenlm(models: ModelSet) -> None:
    model = models.get("es")
    words = normalize_line("El gobierno dijo que la economía crecerá un 3% en 2025.").split()
    for bos, eos in ((True, True), (False, False), (True, False)):
        assert model.core_lm.score(words, bos=bos, eos=eos) == pytest.approx(
            model.kenlm.score(" ".join(words), bos=bos, eos=eos), abs=1e-4)
    assert ("gobierno" in model.core_lm) == ("gobierno" in model.kenlm) is True
    assert ("zzqxvw" in model.core_lm) is False
    assert "a\x00b" not in model.core_lm


def test_score_texts_is_tokenise_then_one_pass(models: ModelSet) -> None:
    model = models.get("en")
    texts = sample_paragraphs()[:20] + ["", "One more, short."]
    results = model.core_lm.score_texts(texts)
    assert len(results) == len(texts)
    for text, (columns, (logprob, ngram, oov, unigram, eos)) in zip(texts, results):
        tokens = list(map(Token, *columns))
        assert tokens == tokenize(text)
        if tokens:
            single = score_tokens(model, tokens)
            assert np.array_equal(np.frombuffer(logprob, dtype=np.float64), single.logprob)
            assert np.array_equal(np.frombuffer(ngram, dtype=np.int32), single.ngram)
            assert np.array_equal(np.frombuffer(oov, dtype=bool), single.oov)
            assert np.array_equal(np.frombuffer(unigram, dtype=np.float64), single.unigram)
            assert eos == single.eos


def test_a_broken_model_file_is_a_value_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="nowhere/model.bin"):
        _core.LanguageModel(str(tmp_path / "nowhere" / "model.bin"))
    broken = tmp_path / "model.bin"
    broken.write_bytes(b"mmap lm http://kheafield.com/code format version 5\n\0garbage")
    with pytest.raises(ValueError, match="model.bin"):
        _core.LanguageModel(str(broken))
    # the Python module refuses it too: the core is not more lenient
    with pytest.raises((OSError, RuntimeError)):
        kenlm.Model(str(broken))
