"""Text damaged on its way through a pipeline: markup left in it, and mojibake.

Leaked HTML entities and tags ("&apos", "&amp;", "<br>") mean text was taken
from markup without decoding it. Mojibake ("canciÃ³n", "â€œ") is UTF-8 that was
decoded as Latin-1 or Windows-1252 somewhere: the byte pairs it leaves are
practically never written on purpose.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from quality.context import DocumentContext, ParagraphContext
from quality.detectors.base import FindingCode, ParagraphDetector, register
from quality.report import Finding

# named or numeric entities, with or without the closing ";" (MT output often drops it)
_ENTITY_RE = re.compile(r"&(?:#\d{2,5}|#x[0-9a-fA-F]{2,4}|amp|lt|gt|quot|apos|nbsp|[a-z]{2,6}acute|[a-z]tilde)\b;?")
_TAG_RE = re.compile(r"</?(?:a|b|i|p|br|div|span|em|strong|img|li|ul|ol|h[1-6]|table|tr|td)\b[^<>]{0,200}>",
                     re.IGNORECASE)
# UTF-8 lead byte read as Latin-1/cp1252 (Ã, Â, â, Î, Ï...) followed by a continuation-byte character
_MOJIBAKE_RE = re.compile(r"(?:[ÂÃ][\u0080-\u00bf]|â€[\u0080-\u00bf™œ\u009d“”˜¢]|[ÎÏ][\u0080-\u00bf]){1,}")


@register
class EncodingDetector(ParagraphDetector):
    """Leaked HTML entities and tags; mojibake from a wrong decoding."""

    name = "encoding"
    codes = (FindingCode("markup", "contains leftover markup", "contain leftover markup", severity=0.5),
             FindingCode("mojibake", "contains mojibake", "contain mojibake", severity=0.6))

    def detect_paragraph(self, paragraph: ParagraphContext, doc: DocumentContext) -> Iterable[Finding]:
        """Markup and mojibake findings of one paragraph."""
        text = paragraph.text
        for match in _ENTITY_RE.finditer(text):
            yield paragraph.finding("markup", match.start(), match.end(),
                                    f"HTML entity left undecoded: '{match.group()}'", 0.5)
        for match in _TAG_RE.finditer(text):
            yield paragraph.finding("markup", match.start(), match.end(), "HTML tag left in the text", 0.5)
        for match in _MOJIBAKE_RE.finditer(text):
            yield paragraph.finding("mojibake", match.start(), match.end(),
                                    f"mojibake: UTF-8 decoded as Latin-1 ('{match.group()}')", 0.6)
