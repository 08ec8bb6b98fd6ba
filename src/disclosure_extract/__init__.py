"""disclosure-extract: checked, normalized data with provenance from Chinese budget disclosures.

The public API is small: ``extract`` one document (DataFrame views for notebooks), load
and extract with the stages' own functions, or run a batch.
"""

from __future__ import annotations

from .api import Extraction, extract
from .document import extract_data
from .errors import DisclosureError, LoadError, PatternError
from .extract import extract_document
from .load import load_bytes
from .model import Document, Fact, Indicator, Issue, Result
from .patterns import Patterns, load_patterns
from .pipeline import run_batch
from .version import __version__

__all__ = [
    "DisclosureError",
    "Document",
    "Extraction",
    "Fact",
    "Indicator",
    "Issue",
    "LoadError",
    "PatternError",
    "Patterns",
    "Result",
    "__version__",
    "extract",
    "extract_data",
    "extract_document",
    "load_bytes",
    "load_patterns",
    "run_batch",
]
