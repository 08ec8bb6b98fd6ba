"""disclosure-extract: checked, normalized data with provenance from Chinese budget disclosures.

The public API is small: load and extract one document, or run a batch.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .errors import DisclosureError, LoadError, PatternError  # noqa: E402
from .extract import extract_document  # noqa: E402
from .load import load_bytes  # noqa: E402
from .model import Document, Fact, Indicator, Issue, Result  # noqa: E402
from .patterns import Patterns, load_patterns  # noqa: E402
from .pipeline import extract_data, run_batch  # noqa: E402

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
