"""Paragraphs that repeat an earlier paragraph of the same document.

Exact repeats are found by a normalised hash (cc_net's paragraph hashing);
near repeats (a few words changed) by the share of word 4-grams two paragraphs
have in common, looked up through an inverted index so long documents stay
linear in practice.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from quality.context import DocumentContext
from quality.detectors.base import REPEAT, BaseDetector, FindingCode, register
from quality.report import Finding

MIN_WORDS = 4  # shorter lines ("Share", "Photo") repeat legitimately
SHINGLE = 4
NEAR_JACCARD = 0.7
# A 4-gram in this many paragraphs is boilerplate ("publicado por la redacción"): later paragraphs holding it are
# not added to its list, or every paragraph would be compared with every earlier one (quadratic in their number)
MAX_POSTINGS = 32
_WORD_RE = re.compile(r"\w+", re.UNICODE)


def paragraph_key(text: str) -> tuple[str, ...]:
    """The words of a paragraph, lower-cased, digits kept: what must match for a repeat."""
    return tuple(_WORD_RE.findall(text.lower()))


def shingles(words: tuple[str, ...]) -> set[tuple[str, ...]]:
    """The set of word n-grams of a paragraph (n = SHINGLE)."""
    return {words[i : i + SHINGLE] for i in range(len(words) - SHINGLE + 1)}


@register
class DuplicateDetector(BaseDetector):
    """Flags a paragraph that repeats an earlier one, naming which."""

    name = "duplicate"
    codes = (FindingCode("duplicate", "repeats an earlier one", "repeat earlier ones", REPEAT, 1.0),)

    def detect(self, doc: DocumentContext) -> list[Finding]:
        """One `duplicate` finding per repeated paragraph, pointing at the first copy."""
        findings = []
        first_by_key: dict[tuple[str, ...], int] = {}
        index: dict[tuple[str, ...], list[int]] = {}
        shingle_sets: dict[int, set[tuple[str, ...]]] = {}
        for paragraph in doc.paragraphs:
            words = paragraph_key(paragraph.text)
            if len(words) < MIN_WORDS:
                continue
            original, similarity = first_by_key.get(words), 1.0
            grams = shingles(words)
            if original is None and len(grams) >= 3:
                original, similarity = self._near(grams, index, shingle_sets)
            if original is not None:
                how = "word for word" if similarity >= 1.0 else f"{similarity:.0%} of its word {SHINGLE}-grams"
                finding = paragraph.finding(
                    "duplicate",
                    0,
                    len(paragraph.text),
                    f"repeats paragraph {original + 1} ({how})",
                    1.0,
                    duplicate_of=original,
                    similarity=round(similarity, 3),
                )
                finding.detector = self.name
                findings.append(finding)
                continue
            first_by_key[words] = paragraph.index
            shingle_sets[paragraph.index] = grams
            for gram in grams:
                postings = index.setdefault(gram, [])
                if len(postings) < MAX_POSTINGS:
                    postings.append(paragraph.index)
        return findings

    @staticmethod
    def _near(
        grams: set[tuple[str, ...]], index: dict[tuple[str, ...], list[int]], shingle_sets: dict[int, set]
    ) -> tuple[int | None, float]:
        shared: dict[int, int] = {}
        for gram in grams:
            for candidate in index.get(gram, ()):
                shared[candidate] = shared.get(candidate, 0) + 1
        best, best_score = None, 0.0
        for candidate, common in shared.items():
            union = len(grams) + len(shingle_sets[candidate]) - common
            score = common / union
            if score > best_score:
                best, best_score = candidate, score
        if best is not None:
            # counted again in full: the lists of boilerplate grams stop at MAX_POSTINGS
            common = len(grams & shingle_sets[best])
            best_score = common / (len(grams) + len(shingle_sets[best]) - common)
        if best is not None and best_score >= NEAR_JACCARD:
            return best, best_score
        return None, 0.0


def duplicate_targets(findings: Iterable[Finding]) -> dict[int, int]:
    """paragraph index -> index of the paragraph it repeats."""
    return {f.paragraph: f.data["duplicate_of"] for f in findings if f.code == "duplicate"}
