"""Conventions a whole document follows, which detectors weigh their evidence against.

A transcript of speech writes hesitations and restarts down ("euh", "uh", "I- I think", "we're we're"),
which in edited text would be faults; its filled pauses give it away.
"""

from __future__ import annotations

from quality.context import DocumentContext

# filled pauses that edited text of the language does not use ("um" is Portuguese for "a": English only)
FILLED_PAUSES = {"fr": {"euh"}, "en": {"uh", "um", "uhm"}, "de": {"äh", "ähm"}, "it": {"ehm"}, "pt": {"ahn"}}


def is_transcript(doc: DocumentContext) -> bool:
    """True when the document has a filled pause of its paragraphs' language (computed once per document)."""
    cached = doc.cache.get("transcript")
    if cached is None:
        cached = doc.cache["transcript"] = any(
            token.norm in FILLED_PAUSES.get(paragraph.lang, ()) for paragraph in doc.paragraphs
            for token in paragraph.tokens
        )
    return cached
