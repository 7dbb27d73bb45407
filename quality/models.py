"""Finding and loading per-language model folders.

A model folder (`models/<lang>/`, or one a user trained with `quality train`)
holds `model.bin` (KenLM, memory-mapped so worker processes share the pages),
`vocab.tsv` (word counts and mid-sentence capitalisation counts),
`calibration.json` and the model card (`card.json`, `README.md`).

Search order, later overriding earlier for the same language: the shipped
models, then `$QUALITY_MODELS` (colon-separated), then `--models-dir`.
"""

from __future__ import annotations

import json
import math
import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from quality.train import CALIBRATION_FILE, CARD_JSON, MODEL_FILE, VOCAB_FILE

REQUIRED_FILES = (MODEL_FILE, VOCAB_FILE, CARD_JSON, CALIBRATION_FILE)


class ModelError(Exception):
    """A model folder is missing, corrupt or incomplete; the message names the file."""


def shipped_models_dir() -> Path:
    """The `models/` folder shipped with the project (source checkout or installed)."""
    source_tree = Path(__file__).resolve().parent.parent / "models"
    if source_tree.is_dir():
        return source_tree
    installed = Path(__file__).resolve().parent / "_models"
    return installed


def model_search_path(models_dir: str | Path | None = None) -> list[Path]:
    """Folders searched for model folders, lowest priority first."""
    paths = [shipped_models_dir()]
    for part in os.environ.get("QUALITY_MODELS", "").split(os.pathsep):
        if part:
            paths.append(Path(part))
    if models_dir:
        paths.append(Path(models_dir))
    return paths


def discover_models(models_dir: str | Path | None = None) -> dict[str, Path]:
    """Map language code -> model folder; a later search folder overrides an earlier one.

    A folder counts as a model folder when it has a `card.json`; a folder given
    explicitly may itself be a model folder.
    """
    found: dict[str, Path] = {}
    for base in model_search_path(models_dir):
        if not base.is_dir():
            continue
        candidates = [base] if (base / CARD_JSON).is_file() else sorted(p for p in base.iterdir() if p.is_dir())
        for folder in candidates:
            card = folder / CARD_JSON
            if not card.is_file():
                continue
            found[read_card(card)["lang"]] = folder
    return found


_LANG_CODE = re.compile(r"^[a-z]{2,3}$")
# card fields other code reads, with what they must be; missing optional ones get these defaults
_CARD_NUMBERS = {"size_bytes": 0, "training_words": 0, "heldout_perplexity": 0.0, "calibration_paragraphs": 0}


def read_card(path: Path) -> dict:
    """A model card, checked: an object whose "lang" is a language code; raise ModelError naming the file."""
    card = _read_json(path)
    if not isinstance(card, dict):
        raise ModelError(f"{path}: not a readable model card (a JSON {type(card).__name__}, not an object)")
    lang = card.get("lang")
    if not isinstance(lang, str) or not _LANG_CODE.match(lang):
        raise ModelError(f'{path}: not a readable model card ("lang" must be a language code like "es", '
                         f"not {json.dumps(lang, ensure_ascii=False)[:40]})")
    for name, default in _CARD_NUMBERS.items():
        value = card.get(name)
        if value is None:
            card[name] = default
        elif isinstance(value, bool) or not isinstance(value, int | float):
            raise ModelError(f'{path}: not a readable model card ("{name}" must be a number)')
    card["licence"] = str(card.get("licence", "?"))
    return card


class VocabEntry(NamedTuple):
    """How often a word occurs in the training text, and how often capitalised mid-sentence.

    A NamedTuple: every process builds 20,000 of them per language at start-up.
    """

    count: int
    capitalised: int


@dataclass(eq=False)
class LanguageModel:
    """One language's model folder, loaded: KenLM model, vocabulary, calibration, card."""

    lang: str
    folder: Path
    card: dict
    calibration: dict
    vocab: dict[str, VocabEntry]
    vocab_total: int
    _kenlm: object = field(repr=False, default=None)
    _core_lm: object = field(repr=False, default=None)
    _lock: threading.Lock = field(repr=False, default_factory=threading.Lock)
    _unigrams: dict[str, float] = field(repr=False, default_factory=dict)

    @classmethod
    def load(cls, folder: Path) -> LanguageModel:
        """Load a model folder; raise ModelError naming the file that is wrong."""
        folder = Path(folder)
        for name in REQUIRED_FILES:
            if not (folder / name).is_file():
                raise ModelError(f"{folder / name}: missing (a model folder needs {', '.join(REQUIRED_FILES)})")
        card = read_card(folder / CARD_JSON)
        calibration = _read_json(folder / CALIBRATION_FILE)
        vocab, total = _read_vocab(folder / VOCAB_FILE)
        return cls(card["lang"], folder, card, calibration, vocab, total)

    @property
    def kenlm(self):
        """The KenLM model, memory-mapped on first use (lazy: pages load as touched)."""
        if self._kenlm is None:
            with self._lock:
                if self._kenlm is None:
                    import kenlm

                    config = kenlm.Config()
                    config.load_method = kenlm.LoadMethod.LAZY
                    path = self.folder / MODEL_FILE
                    try:
                        self._kenlm = kenlm.Model(str(path), config)
                    except (OSError, RuntimeError) as err:
                        raise ModelError(f"{path}: not a usable KenLM model ({err})") from err
                    except Exception as err:
                        # random bytes: KenLM fails to decode its own error message (UnicodeDecodeError)
                        raise ModelError(f"{path}: not a usable KenLM model (not a KenLM file: "
                                         f"{type(err).__name__})") from err
        return self._kenlm

    @property
    def core_lm(self):
        """The same model file opened by the compiled core (`quality._core.LanguageModel`, memory-mapped
        lazily), or None where the core is not built."""
        from quality import normalize

        _core = normalize._core
        if _core is None:  # not built, or switched off (QUALITY_CORE=0)
            return None
        if self._core_lm is None:
            with self._lock:
                if self._core_lm is None:
                    try:
                        self._core_lm = _core.LanguageModel(str(self.folder / MODEL_FILE))
                    except ValueError as err:
                        raise ModelError(str(err)) from err
        return self._core_lm

    def unigram_logprob(self, word: str) -> float:
        """log10 P(word) with no context (the unigram term of SLOR), cached per process."""
        value = self._unigrams.get(word)
        if value is None:
            if len(self._unigrams) > 500_000:
                self._unigrams.clear()
            value = self._unigrams[word] = self.kenlm.score(word, bos=False, eos=False)
        return value

    def word_logfreq(self, word: str) -> float:
        """log10 relative frequency of a word in the training text (None-safe floor for unseen)."""
        entry = self.vocab.get(word)
        if entry is None:
            return math.log10(0.5 / self.vocab_total)
        return math.log10(entry.count / self.vocab_total)

    def capital_ratio(self, word: str) -> float | None:
        """Share of mid-sentence occurrences written with a capital; None when too rare to say."""
        entry = self.vocab.get(word)
        if entry is None or entry.count < 20:
            return None
        return entry.capitalised / entry.count



def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise ModelError(f"{path}: not valid JSON ({err})") from err


def _read_vocab(path: Path) -> tuple[dict[str, VocabEntry], int]:
    vocab: dict[str, VocabEntry] = {}
    total = 0
    try:
        with open(path, encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                parts = line.rstrip("\n").split("\t")
                if len(parts) != 3:
                    raise ModelError(f"{path}:{number}: expected 3 tab-separated fields")
                if parts[0] == "#total":
                    total = int(parts[1])
                    continue
                vocab[parts[0]] = VocabEntry(int(parts[1]), int(parts[2]))
    except (OSError, ValueError) as err:
        raise ModelError(f"{path}: unreadable vocabulary ({err})") from err
    if total <= 0:
        raise ModelError(f"{path}: no '#total' line")
    return vocab, total


class ModelSet:
    """All models available to a Detector, loaded once per process on first use."""

    def __init__(self, langs: list[str] | None = None, models_dir: str | Path | None = None):
        if models_dir and not Path(models_dir).is_dir():
            raise ModelError(f"{models_dir}: no such models folder")
        available = discover_models(models_dir)
        if langs:
            missing = [lang for lang in langs if lang not in available]
            if missing:
                raise ModelError(f"no model for {', '.join(missing)} (found: {', '.join(sorted(available)) or 'none'})")
            available = {lang: available[lang] for lang in langs}
        self.folders = available
        self._loaded: dict[str, LanguageModel] = {}
        self._lock = threading.Lock()

    @property
    def langs(self) -> list[str]:
        """Languages with a model, sorted."""
        return sorted(self.folders)

    def get(self, lang: str | None) -> LanguageModel | None:
        """The model for `lang`, or None when there is none."""
        if lang not in self.folders:
            return None
        model = self._loaded.get(lang)
        if model is None:
            with self._lock:
                model = self._loaded.get(lang)
                if model is None:
                    model = LanguageModel.load(self.folders[lang])
                    self._loaded[lang] = model
        return model

    def all(self) -> list[LanguageModel]:
        """Every available model, loaded."""
        return [m for m in (self.get(lang) for lang in self.langs) if m is not None]

    def check(self) -> None:
        """Open every model's KenLM file now (pages still load lazily): raise ModelError for a broken one.

        A long run calls this before writing anything, rather than turning every
        record of one language into an error.
        """
        for model in self.all():
            model.kenlm  # noqa: B018 - the property opens the file
            model.core_lm  # noqa: B018 - and so does the compiled core's
