"""disclosure-extract: checked, normalized data with provenance from Chinese budget disclosures.

The public API is small: load and extract one document, or run a batch.
"""

from __future__ import annotations

from .errors import DisclosureError, LoadError, PatternError
from .extract import extract_document
from .load import load_bytes
from .model import Document, Fact, Indicator, Issue, Result
from .patterns import Patterns, load_patterns
from .pipeline import extract_data, run_batch
from .version import __version__

__all__ = [
    "DisclosureError",
    "Document",
    "Fact",
    "Indicator",
    "Issue",
    "LoadError",
    "PatternError",
    "Patterns",
    "Result",
    "__version__",
    "extract_data",
    "extract_document",
    "load_bytes",
    "load_patterns",
    "run_batch",
]
