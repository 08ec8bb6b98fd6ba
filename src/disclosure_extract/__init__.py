"""disclosure-extract: checked, normalized data with provenance from Chinese budget disclosures.

The public API is small: ``extract`` one document (DataFrame views for notebooks), load
and extract with the stages' own functions, or run a batch.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .document import extract_data
from .errors import DisclosureError, LoadError, PatternError
from .extract import extract_document
from .load import load_bytes
from .model import Document, Fact, Indicator, Issue, Result
from .patterns import Patterns, load_patterns
from .version import __version__

# The notebook and batch layers are imported when first used: they bring pyarrow (and
# pandas), which a process that only extracts (a worker) need not load.
if TYPE_CHECKING:
    from .api import Extraction, extract
    from .pipeline import run_batch
else:

    def extract(*args: Any, **kwargs: Any) -> Any:
        """Extract one document: see :func:`disclosure_extract.api.extract`."""
        from .api import extract as run

        return run(*args, **kwargs)


# (``extract`` cannot be looked up lazily: the extract subpackage is an attribute of this one)
_LAZY = {"Extraction": "api", "run_batch": "pipeline"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
