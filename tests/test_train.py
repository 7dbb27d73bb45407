"""`quality train` end to end on a tiny corpus, and clear errors for broken model folders."""

from __future__ import annotations

import json
import random
import shutil

import pytest
from click.testing import CliRunner

from quality.analyzer import Detector
from quality.cli import main
from quality.models import LanguageModel, ModelError
from quality.train import TrainError, find_kenlm_tool

SUBJECTS = ["the cat", "a dog", "my neighbour", "the old farmer", "our teacher", "the little girl"]
VERBS = ["sees", "feeds", "calls", "visits", "helps", "follows"]
OBJECTS = ["the horse", "a bird", "the children", "his friend", "the baker", "a stranger"]
PLACES = ["in the garden.", "at the market.", "near the river.", "after school.", "every morning.", "on sunday."]


def _corpus(lines: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [f"{rng.choice(SUBJECTS).capitalize()} {rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(PLACES)}"
            for _ in range(lines)]


def _have_lmplz() -> bool:
    try:
        find_kenlm_tool("lmplz")
        find_kenlm_tool("build_binary")
    except TrainError:
        return False
    return True


@pytest.mark.skipif(not _have_lmplz(), reason="KenLM's lmplz/build_binary are not built: run `make kenlm-tools`")
def test_train_tiny_model_and_use_it(tmp_path):
    corpus = tmp_path / "tiny.txt"
    corpus.write_text("\n".join(_corpus(3000, 1)) + "\n", encoding="utf-8")
    models_dir = tmp_path / "models"
    result = CliRunner().invoke(main, ["train", "--lang", "xx", str(corpus), "--out", str(models_dir / "xx"),
                                       "--order", "3", "--prune", "0", "--licence", "test text"])
    assert result.exit_code == 0, result.output
    card = json.loads((models_dir / "xx" / "card.json").read_text(encoding="utf-8"))
    assert card["lang"] == "xx" and card["order"] == 3 and card["training_words"] > 10000
    assert card["heldout_perplexity"] < 30  # a 36-word language is very predictable
    listed = CliRunner().invoke(main, ["models", "--models-dir", str(models_dir)])
    assert "xx" in listed.output and "test text" in listed.output

    detector = Detector(models_dir=models_dir)
    model = detector.models.get("xx")
    clean = " ".join(_corpus(5, 2))
    words = clean.split()
    random.Random(3).shuffle(words)
    shuffled = " ".join(words)
    assert model.kenlm.perplexity(clean.lower()) < model.kenlm.perplexity(shuffled.lower())
    assert detector.analyze(clean, lang="xx").score > detector.analyze(shuffled, lang="xx").score


def test_missing_kenlm_tool_is_a_clear_error(tmp_path, monkeypatch):
    # a name no folder holds stands for lmplz on a machine that never ran `make kenlm-tools`
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("KENLM_BIN", raising=False)
    with pytest.raises(TrainError, match="make kenlm-tools"):
        find_kenlm_tool("lmplz-not-built", kenlm_bin=tmp_path)


def test_incomplete_model_folder_names_the_missing_file(tmp_path):
    folder = tmp_path / "es"
    shutil.copytree(Detector().models.folders["es"], folder)
    (folder / "vocab.tsv").unlink()
    with pytest.raises(ModelError, match="vocab.tsv: missing"):
        LanguageModel.load(folder)


def test_corrupt_model_file_names_the_file(tmp_path):
    folder = tmp_path / "es"
    shutil.copytree(Detector().models.folders["es"], folder)
    (folder / "model.bin").write_bytes(b"not a kenlm model at all")
    model = LanguageModel.load(folder)
    with pytest.raises(ModelError, match="model.bin: not a usable KenLM model"):
        model.kenlm  # noqa: B018 - loading is the point
    result = CliRunner().invoke(main, ["check", "--models-dir", str(tmp_path), "-"], input="Hola, ¿qué tal estás hoy?")
    # a broken model folder stops `check` with the fatal code 3 (issue 9's table of exit codes; it was 2)
    assert result.exit_code == 3 and "model.bin" in result.output and "Traceback" not in result.output
