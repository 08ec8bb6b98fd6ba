"""YAML files read into typed (pydantic) models, every mistake named at FILE:LINE.

A file is loaded with the line of each mapping recorded, the lines are taken off, the data
is validated by one pydantic model, and the first validation error is told in a sentence at
the line of the mapping it is in: ``sources.yml:4: unknown key 'max_page' in a source``.
Models say what they are in ``model_config["title"]`` ("a source", "settings").
"""

from __future__ import annotations

import typing
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from .errors import PatternError

__all__ = ["LINE_KEY", "LineLoader", "read_yaml", "strip_lines", "validate"]

LINE_KEY = "__line__"

M = TypeVar("M", bound=BaseModel)


class LineLoader(yaml.SafeLoader):
    """A safe loader that records each mapping's source line under ``__line__``."""


def _construct_mapping(loader: LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping: dict[str, Any] = {str(k): v for k, v in loader.construct_mapping(node, deep=True).items()}
    mapping[LINE_KEY] = node.start_mark.line + 1
    return mapping


LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_yaml(path: Path, error: type[PatternError] = PatternError) -> Any:
    """The file's data, mappings carrying their line; unreadable, non-UTF-8 or invalid YAML
    is an ``error`` at its line."""
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=LineLoader)
    except OSError as exc:
        raise error(str(path), None, f"cannot read: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        at = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise error(str(path), at, f"not UTF-8 text (byte {exc.object[exc.start]:#04x})") from exc
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise error(str(path), line, f"invalid YAML: {exc.problem}") from exc


def strip_lines(value: Any) -> Any:
    """The data without the recorded lines."""
    if isinstance(value, dict):
        return {k: strip_lines(v) for k, v in value.items() if k != LINE_KEY}
    if isinstance(value, list):
        return [strip_lines(v) for v in value]
    return value


def validate(model: type[M], data: Any, path: str, error: type[PatternError] = PatternError) -> M:
    """``data`` (from :func:`read_yaml`) as a ``model``; the first mistake is an ``error`` at
    the line of the mapping it is in."""
    try:
        return model.model_validate(strip_lines(data))
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(first["loc"])
        raise error(path, line_at(data, loc), describe(model, first)) from None


def line_at(data: Any, loc: tuple[int | str, ...]) -> int | None:
    """The line of the innermost mapping on the way to ``loc``."""
    line = data.get(LINE_KEY) if isinstance(data, dict) else None
    for step in loc:
        found = (isinstance(data, dict) and step in data) or (
            isinstance(data, list) and isinstance(step, int) and 0 <= step < len(data)
        )
        if not found:
            break
        data = data[step]
        if isinstance(data, dict) and LINE_KEY in data:
            line = data[LINE_KEY]
    return int(line) if line is not None else None


def describe(model: type[BaseModel], error: Any) -> str:
    """One pydantic error as a sentence about the file."""
    loc = tuple(error["loc"])
    owner = _model_at(model, loc[:-1]) or model
    where = owner.model_config.get("title") or owner.__name__
    key = str(loc[-1]) if loc else ""
    kind = error["type"]
    if kind == "extra_forbidden":
        return f"unknown key {key!r} in {where} (expected: {', '.join(owner.model_fields)})"
    if kind == "missing":
        return f"{where} needs {key!r}"
    if kind in ("value_error", "assertion_error") and "error" in error.get("ctx", {}):
        return str(error["ctx"]["error"])
    if kind.startswith("bool"):
        return f"{key!r} must be true or false, not {error['input']!r}"
    if kind in ("list_type", "dict_type", "model_type", "model_attributes_type"):
        what = "a list" if kind == "list_type" else "a mapping"
        return f"{key!r} must be {what}, not {error['input']!r}"
    return f"{key!r}: {error['msg'].lower()}, not {error['input']!r}"


def _model_at(model: type[BaseModel], loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The model that holds the last key of ``loc`` (list indices skipped)."""
    current: type[BaseModel] | None = model
    for step in loc:
        if isinstance(step, int) or current is None:
            continue
        field = current.model_fields.get(step)
        current = _inner_model(field.annotation) if field is not None else None
    return current


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        if (inner := _inner_model(arg)) is not None:
            return inner
    return None
