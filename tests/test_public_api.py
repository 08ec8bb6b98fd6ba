"""The public API is the sorted __all__ and nothing else is promised."""

from __future__ import annotations

import disclosure_extract

PUBLIC = [
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


def test_all_is_the_public_api() -> None:
    assert disclosure_extract.__all__ == PUBLIC
    assert sorted(disclosure_extract.__all__) == disclosure_extract.__all__
    for name in PUBLIC:
        assert hasattr(disclosure_extract, name), name


def test_every_exception_of_the_package_shares_one_root() -> None:
    import importlib
    import pkgutil

    found = []
    for info in pkgutil.walk_packages(disclosure_extract.__path__, "disclosure_extract."):
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if isinstance(obj, type) and issubclass(obj, BaseException) and obj.__module__ == module.__name__:
                found.append(obj)
                assert issubclass(obj, disclosure_extract.DisclosureError), f"{module.__name__}.{name}"
    # the tree drawn in errors.py names every one of them
    tree = disclosure_extract.errors.__doc__ or ""
    assert {cls.__name__ for cls in found} <= set(tree.replace("─", " ").split()), found
