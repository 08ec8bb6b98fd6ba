"""The public API is the sorted __all__ and nothing else is promised."""

from __future__ import annotations

import disclosure_extract

PUBLIC = [
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


def test_all_is_the_public_api() -> None:
    assert disclosure_extract.__all__ == PUBLIC
    assert sorted(disclosure_extract.__all__) == disclosure_extract.__all__
    for name in PUBLIC:
        assert hasattr(disclosure_extract, name), name


def test_errors_share_one_root() -> None:
    from disclosure_extract import errors

    for name in dir(errors):
        obj = getattr(errors, name)
        if isinstance(obj, type) and issubclass(obj, Exception) and obj.__module__ == errors.__name__:
            assert issubclass(obj, disclosure_extract.DisclosureError), name
