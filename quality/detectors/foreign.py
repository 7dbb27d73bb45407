"""Untranslated text: words of another language left in a paragraph, and
whole paragraphs in another language than the document.

A word is foreign when a contrast language's model (English by default: the
usual source language of machine translation) finds it common while the
paragraph language's model finds it far rarer. Names are told apart by the
contrast language's own capitalisation statistics ("Huawei" is capitalised in
English text, "volatile" is not), and runs of capitalised words (titles,
organisations: "Financial Times") are left alone. A lone loanword
("startup", "cluster") weighs little; a run of foreign words weighs a lot.
"""

from __future__ import annotations

from collections.abc import Iterable

from quality.context import DocumentContext, ParagraphContext
from quality.detectors.base import FindingCode, ParagraphDetector, register
from quality.langid import UNDETERMINED
from quality.report import Finding

# English is the usual source of machine translation; English text is contrasted with Spanish
CONTRAST_LANGS = ("en", "es")
COMMON_IN_CONTRAST = -5.4  # log10 unigram probability in the contrast language: a common word there
RATIO = 1.5  # known to the paragraph's model, it must still be 10^1.5 times likelier in the contrast language
MIN_LETTERS = 3
NAME_CAPITALS = 0.3  # share of mid-sentence uses capitalised from which a word is a name


@register
class ForeignFragmentDetector(ParagraphDetector):
    """Words or paragraphs in another language than the document's."""

    name = "foreign"
    codes = (FindingCode("foreign-fragment", "contains untranslated text", "contain untranslated text",
                         severity=0.45),)

    def __init__(self, models):
        super().__init__(models)
        # whether a word, whatever its context, is foreign to a language: cached, common words recur
        self._lexical: dict[tuple[str, str, str], bool] = {}

    def detect_paragraph(self, paragraph: ParagraphContext, doc: DocumentContext) -> Iterable[Finding]:
        """Foreign-language runs of words, or the whole paragraph when its language differs."""
        if (
            paragraph.lang not in (UNDETERMINED, doc.lang)
            and doc.lang != UNDETERMINED
            and paragraph.lang_confidence >= 0.9
            and paragraph.word_count >= 8
        ):
            # a paragraph inside quotation marks is a quotation (an English statement in a Spanish article):
            # evidence worth a look, not a translation left undone
            stripped = paragraph.text.strip()
            quoted = len(stripped) > 1 and stripped[0] in _QUOTES and stripped[-1] in _QUOTES + ".!?"
            yield paragraph.finding(
                "foreign-fragment",
                0,
                len(paragraph.text),
                f"{'quoted ' if quoted else ''}paragraph is in another language ({paragraph.lang}) "
                f"than the document ({doc.lang})",
                0.3 if quoted else 0.7,
                lang=paragraph.lang,
            )
            return
        model = paragraph.model
        if model is None:
            return
        for contrast_lang in CONTRAST_LANGS:
            contrast = doc.models.get(contrast_lang)
            if contrast is None or contrast.lang == model.lang:
                continue
            yield from self._runs(paragraph, model, contrast)
            return

    def _runs(self, paragraph: ParagraphContext, model, contrast) -> Iterable[Finding]:
        text, tokens = paragraph.text, paragraph.tokens
        other_script = model.lang in ("el",)  # a lone Latin word in Greek text is a name or a gloss
        flagged = [token.is_word and len(token.norm) >= MIN_LETTERS
                   and self._is_foreign(text, tokens, i, model, contrast) for i, token in enumerate(tokens)]
        i = 0
        while i < len(tokens):
            if not flagged[i]:
                i += 1
                continue
            j = i
            # a run may bridge punctuation-free gaps of one unflagged short word ("the", "of")
            while j + 1 < len(tokens) and (
                flagged[j + 1]
                or (j + 2 < len(tokens) and flagged[j + 2] and tokens[j + 1].is_word and len(tokens[j + 1].norm) <= 3)
            ):
                j += 1
            words = sum(1 for k in range(i, j + 1) if tokens[k].is_word)
            if _quoted(text, tokens[i].start, tokens[j].end):
                i = j + 1
                continue  # a cited title ("You never know") is meant to stay in its language
            if words >= 2 or not other_script:
                severity = 0.15 if words == 1 else 0.45 if words == 2 else 0.7
                start, end = tokens[i].start, tokens[j].end
                yield paragraph.finding(
                    "foreign-fragment",
                    start,
                    end,
                    f"untranslated {contrast.lang} text: '{text[start:end]}'",
                    severity,
                    lang=contrast.lang,
                )
            i = j + 1

    def _is_foreign(self, text: str, tokens, i: int, model, contrast) -> bool:
        token = tokens[i]
        word = token.norm
        key = (model.lang, contrast.lang, word)
        lexical = self._lexical.get(key)
        if lexical is None:
            if len(self._lexical) > 200_000:
                self._lexical.clear()
            lexical = self._lexical[key] = word.replace("'", "").isalpha() and _foreign_word(word, model, contrast)
        if lexical and text[token.start].isupper():
            neighbours = [tokens[k] for k in (i - 1, i + 1) if 0 <= k < len(tokens)]
            if any(n.is_word and text[n.start].isupper() for n in neighbours):
                return False  # a capitalised run is a name or a title
        return lexical


def _foreign_word(word: str, model, contrast) -> bool:
    """A word common in the contrast language, not a name there, and far rarer (or unknown) in the model's."""
    if word not in contrast.kenlm:
        return False
    capitalised = contrast.capital_ratio(word)
    if capitalised is None or capitalised >= NAME_CAPITALS:
        return False  # mostly capitalised in the contrast language too: a name ("Huawei")
    in_contrast = contrast.unigram_logprob(word)
    if in_contrast < COMMON_IN_CONTRAST:
        return False
    if word not in model.kenlm:
        return True
    return model.unigram_logprob(word) < in_contrast - RATIO


_QUOTES = "\"“”«»„'‘’"


def _quoted(text: str, start: int, end: int) -> bool:
    """True when text[start:end] is the whole of a quotation (quote marks right around it, a few words inside).

    Only the space next to the run is stepped over: copying all the text before
    it (`text[:start].rstrip()`) for every run was quadratic in the paragraph.
    """
    while start > 0 and text[start - 1].isspace():
        start -= 1
    while end < len(text) and text[end].isspace():
        end += 1
    return start > 0 and end < len(text) and text[start - 1] in _QUOTES and text[end] in _QUOTES
