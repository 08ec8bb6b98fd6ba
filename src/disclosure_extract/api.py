"""The Python API for notebooks: extract one document, look at it as DataFrames, check it.

>>> from disclosure_extract import extract
>>> doc = extract("corpus/docs/pingtan_2017_budget_renda.html")
>>> doc.fields["sangong.total"]                     # the typed result: exact Decimals
Decimal('96000')
>>> doc.values[["field", "name", "value", "method", "text"]]   # one row per field
>>> doc.tables[0]                                    # each table's grid as printed
>>> doc.check()                                      # its checks, failures first

pandas is imported only when a DataFrame is asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .check import FAIL, check_all
from .errors import LoadError
from .load import DEFAULT_PDF_BACKEND
from .model import CheckResult, Result
from .patterns import Patterns, get_patterns
from .pipeline import DEFAULT_MAX_BYTES, extract_data
from .write.schema import value_rows

if TYPE_CHECKING:  # pragma: no cover - types only
    import pandas as pd

__all__ = ["Extraction", "extract"]


@dataclass
class Extraction:
    """One document's extraction: the typed :class:`Result` (``.result``; its attributes are
    also this object's: ``fields``, ``facts``, ``meta``, ``issues`` …) with DataFrame views."""

    result: Result
    patterns: Patterns

    def __getattr__(self, name: str) -> Any:
        # called only for names this class does not define: the result's own attributes
        return getattr(self.result, name)

    @property
    def values(self) -> pd.DataFrame:
        """One row per field: its value in yuan (or count), 中文名, and the evidence it came from."""
        import pandas as pd

        rows = list(value_rows(self.result, {}))
        names = self.patterns.field_names
        for row in rows:
            row["name"] = names.get(row["field"])
            del row["sha256"], row["check_status"]
        columns = ["field", "name", "value", "unit", "method", "rule", "text", "unit_printed"]
        columns += ["page", "table", "row", "col", "line_start"]
        return pd.DataFrame(rows, columns=columns)

    @property
    def tables(self) -> list[pd.DataFrame]:
        """Each table's grid as printed (a merged cell's text at its top-left position); the
        caption, standard kind and unit in ``DataFrame.attrs``."""
        import pandas as pd

        frames = []
        for table in self.result.tables:
            frame = pd.DataFrame(table.text_rows())
            frame.attrs.update(caption=table.caption, kind=table.kind, unit=table.unit, index=table.index)
            frames.append(frame)
        return frames

    def check(self) -> pd.DataFrame:
        """The document's checks (identities, prose against tables, line items), failures first."""
        import pandas as pd

        results: list[CheckResult] = check_all([self.result], self.patterns)
        rows = [
            {k: v for k, v in r.as_dict().items() if k not in ("source", "sha256", "locations")}
            for r in sorted(results, key=lambda r: r.status != FAIL)
        ]
        return pd.DataFrame(rows)


def extract(
    document: str | Path | bytes,
    *,
    source: str | None = None,
    patterns: Patterns | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    pdf_backend: str = DEFAULT_PDF_BACKEND,
) -> Extraction:
    """Extract one document: a path (str or Path) or its bytes (``source`` names them); a PDF
    is parsed with ``pdf_backend`` (``pdfium``, the default, or ``pdfplumber``).

    Never raises for a bad document: a file that cannot be read or extracted gives a result
    whose ``issues`` say why (``result.failed`` is true). A path that does not exist raises
    :class:`~disclosure_extract.errors.LoadError`.
    """
    vocabulary = patterns or get_patterns()
    if isinstance(document, bytes):
        data, name = document, source or "<bytes>"
    else:
        path = Path(document)
        if not path.is_file():
            raise LoadError(str(path), "no such file")
        if path.stat().st_size > max_bytes:
            raise LoadError(str(path), f"{path.stat().st_size} bytes is over the limit of {max_bytes}")
        data, name = path.read_bytes(), source or str(path)
    return Extraction(extract_data(data, name, vocabulary, pdf_backend), vocabulary)
