"""quality: source-quality and garbling detection for text.

>>> from quality import Detector
>>> report = Detector().analyze(open("samples/002_aa5f7ea85fa56edd.txt").read())  # doctest: +SKIP
>>> report.verdict  # doctest: +SKIP
'reject'
"""

from quality.report import SCHEMA_VERSION, DocumentReport, Finding, ParagraphReport

__version__ = "0.1.0"

__all__ = ["SCHEMA_VERSION", "Detector", "DocumentReport", "Finding", "ParagraphReport", "__version__"]


def __getattr__(name: str):
    # Detector pulls in numpy and the models; importing it lazily keeps `quality --help` fast
    if name == "Detector":
        from quality.analyzer import Detector

        return Detector
    raise AttributeError(name)
