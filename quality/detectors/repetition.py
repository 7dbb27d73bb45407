"""Stuttered phrases: a word sequence said twice in a row, or again after a
word or two ("un acuerdo con un acuerdo de agosto de agosto").

Function words repeat legitimately ("de los ... de los"), so a repeat with a
gap must contain a content word; an immediate repeat of two or more words is
suspicious whatever the words are; a repeat after a word or two is weaker
evidence ("the quorum and the quorum" is human). A repeat spanning punctuation
is a new clause or parallelism ("ni en dos días, ni en tres días"), not a stutter, and one across a dash or
an ellipsis is a speaker's false start ("as long as she's — as long as she's").
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from itertools import accumulate

from quality.context import DocumentContext, ParagraphContext
from quality.detectors.base import FindingCode, ParagraphDetector, register
from quality.report import Finding
from quality.style import is_transcript

MAX_N = 5
MAX_GAP = 1  # "un acuerdo con un acuerdo"; wider gaps are mostly deliberate parallelism
# a dash or an ellipsis between the copies is a false start in speech ("it was – it was", "I- I think")
_BREAK_RE = re.compile(r"[.!?;:,()\"“”«»—–…]|(?<=\w)-(?=\s)|(?<=\s)-(?=\s)")
# speakers repeat themselves ("I'm gonna I'm gonna", "no no no"): in a transcript a repeat is weak evidence
TRANSCRIPT_SEVERITY = 0.1
FUNCTION_WORD_RANK = 150  # the language's most frequent words count as function words


@register
class RepetitionDetector(ParagraphDetector):
    """Repeated word n-grams, adjacent or a few words apart."""

    name = "repetition"
    codes = (FindingCode("repetition", "stutters (a phrase repeated)", "stutter (a phrase repeated)",
                         severity=0.5),)

    def __init__(self, models):
        super().__init__(models)
        self._function_words: dict[str, set[str]] = {}

    def _is_function_word(self, paragraph: ParagraphContext, word: str) -> bool:
        model = paragraph.model
        if model is None:
            return len(word) <= 3
        words = self._function_words.get(model.lang)
        if words is None:
            ranked = sorted(model.vocab.items(), key=lambda item: -item[1].count)
            words = self._function_words[model.lang] = {w for w, _ in ranked[:FUNCTION_WORD_RANK]}
        return word in words

    def detect_paragraph(self, paragraph: ParagraphContext, doc: DocumentContext) -> Iterable[Finding]:
        """Repetition findings, longest repeat first, never two on the same words."""
        words = [t for t in paragraph.tokens if t.is_word]
        norms = [t.norm for t in words]
        covered: set[int] = set()
        # positions whose word comes back within reach: the only places a repeat can start
        reach = MAX_N + MAX_GAP
        last_seen: dict[str, int] = {}
        recurs: set[int] = set()
        for position, word in enumerate(norms):
            earlier = last_seen.get(word)
            if earlier is not None and position - earlier <= reach:
                recurs.add(earlier)
            last_seen[word] = position
        if not recurs:
            return
        starts = sorted(recurs)
        breaks = _breaks_before(paragraph.text, words)
        for n in range(MAX_N, 0, -1):
            for i in starts:
                if i >= len(norms) - 2 * n + 1:
                    break
                if i in covered or breaks[i + n] > breaks[i + n - 1]:
                    continue  # part of a longer repeat, or punctuation right after the first copy: no repeat here
                first = norms[i]
                for gap in range(0, MAX_GAP + 1 if n > 1 else 1):
                    j = i + n + gap
                    if j + n > len(norms):
                        break
                    # a repeat across punctuation is a new sentence ("… la UCI. La estancia en la UCI"), and one
                    # after a word or two that spans punctuation is parallelism ("ni en dos días, ni en tres")
                    if norms[j] != first or breaks[j] > breaks[i + n - 1 if gap == 0 else i]:
                        continue
                    if norms[j : j + n] != norms[i : i + n] or any(k in covered for k in range(i, j + n)):
                        continue
                    gram = norms[i : i + n]
                    if not self._suspicious(paragraph, gram, gap):
                        continue
                    covered.update(range(i, j + n))
                    start, end = words[i].start, words[j + n - 1].end
                    phrase = paragraph.text[words[i].start : words[i + n - 1].end]
                    where = "twice in a row" if gap == 0 else f"again after {gap} word{'s' * (gap > 1)}"
                    severity = 0.55 if n > 1 and gap == 0 else 0.35
                    if is_transcript(doc):
                        severity, where = TRANSCRIPT_SEVERITY, f"{where} (a transcript: may be a restart)"
                    yield paragraph.finding("repetition", start, end, f"'{phrase}' repeated {where}", severity)
                    break

    def _suspicious(self, paragraph: ParagraphContext, gram: list[str], gap: int) -> bool:
        if any("0" in w for w in gram):
            return False  # numbers repeat in lists and scores
        if len(gram) == 1:
            word = gram[0]
            if len(word) < 3 or self._is_function_word(paragraph, word):
                return False
            if paragraph.model is not None:
                # reduplication the language uses ("σιγά σιγά", "muy muy") is in its training text
                *_, second = paragraph.model.kenlm.full_scores(f"{word} {word}", bos=False, eos=False)
                return second[1] < 2
            return True
        if gap == 0:
            return True
        return any(not self._is_function_word(paragraph, w) for w in gram)


def _breaks_before(text: str, words: list) -> list[int]:
    """breaks[k]: how many of the gaps between consecutive words before word k hold punctuation.

    Punctuation between words a and b is then `breaks[b] > breaks[a]`: one
    subtraction per candidate repeat instead of a search of the text between.
    """
    after = [0] * len(words)  # after[k]: punctuation between word k and word k + 1
    word_starts = [word.start for word in words]
    for match in _BREAK_RE.finditer(text):
        k = bisect_right(word_starts, match.start()) - 1
        if k >= 0:
            after[k] = 1
    return list(accumulate(after, initial=0))
