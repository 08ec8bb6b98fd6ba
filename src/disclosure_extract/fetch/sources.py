"""sources.yml: what to crawl. Validated when loaded; mistakes name the file and line.

settings:                      # optional, for every source
  user_agent: "disclosure-extract (contact: data@example.org)"
  rate: 1.0                    # requests per second per host
  concurrency: 8               # at once, across hosts
  timeout: 30                  # seconds to connect, and between two reads of a body
  deadline: 300                # seconds one request may take in all, body included
sources:
  - name: pingtan-budgets      # required, unique
    entry: https://www.pingtan.gov.cn/zwgk/zdlyxxgk/czzj/bmyjsgk/bmysgk/   # one URL or a list
    allowed_hosts: [www.pingtan.gov.cn]   # default: the entry URLs' hosts
    include_title: "预算|决算|三公"          # link text (or URL) an article must match
    exclude_title: "解读"
    max_pages: 10              # listing pages per entry
    max_items: 500             # articles per source
    allow_private: false       # true only for a site on your own network
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import regex
import yaml

from ..errors import PatternError
from ..patterns import _LINE_KEY, _LineLoader
from .client import FetchSettings

DEFAULT_INCLUDE = "预算|决算|三公"


@dataclass
class Source:
    name: str
    entries: list[str]
    allowed_hosts: frozenset[str]
    include_title: regex.Pattern[str]
    exclude_title: regex.Pattern[str] | None = None
    max_pages: int = 10
    max_items: int = 1000
    allow_private: bool = False


@dataclass
class SourcesConfig:
    path: str
    settings: FetchSettings
    sources: list[Source] = field(default_factory=list)


class SourcesError(PatternError):
    """sources.yml is malformed; the message names the file and line."""


def _regex(value: Any, path: str, line: int | None, key: str) -> regex.Pattern[str]:
    if not isinstance(value, str) or not value:
        raise SourcesError(path, line, f"{key} must be a non-empty regex")
    try:
        return regex.compile(value)
    except regex.error as exc:
        raise SourcesError(path, line, f"{key}: bad regex {value!r}: {exc}") from exc


# The largest value each number may take: far past any real crawl, short of what would take
# the machine (a 10,000,000-page pagination was built before a single request once).
MAXIMA: dict[str, float] = {
    "rate": 1000.0,
    "concurrency": 256,
    "host_concurrency": 64,
    "timeout": 3600.0,
    "deadline": 86400.0,
    "retries": 20,
    "max_bytes": 4 * 1024**3,
    "max_pages": 10_000,
    "max_items": 1_000_000,
}


def _number(data: dict[str, Any], key: str, default: float, path: str, kind: type = float) -> Any:
    value = data.get(key, default)
    line = data.get(_LINE_KEY)
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or value < 0
    ):
        raise SourcesError(path, line, f"{key} must be a non-negative number, not {value!r}")
    if kind is int and value != int(value):
        raise SourcesError(path, line, f"{key} must be a whole number, not {value!r}")
    if value > MAXIMA[key]:
        raise SourcesError(path, line, f"{key} is at most {MAXIMA[key]:g}, not {value!r}")
    return kind(value)


def _url(url: Any, name: str, path: str, line: int | None) -> str:
    """An entry URL: http(s), with a host that can be one (labels of at most 63 characters, a
    valid IP address in brackets) and a port that exists."""
    if not isinstance(url, str) or not url:
        raise SourcesError(path, line, f"source {name}: 'entry' must be a URL or a list of URLs")
    try:
        parts = urlsplit(url)
        _ = parts.port  # a ValueError for 99999 or "x"
    except ValueError as exc:
        raise SourcesError(path, line, f"source {name}: entry {url!r} is not a valid URL: {exc}") from exc
    if parts.scheme not in ("http", "https"):
        raise SourcesError(path, line, f"source {name}: entry {url!r} is not an http(s) URL")
    _host(parts.hostname, f"source {name}: entry {url!r}", path, line)
    return url


def _host(host: Any, what: str, path: str, line: int | None) -> str:
    if not isinstance(host, str) or not host:
        raise SourcesError(path, line, f"{what}: {host!r} is not a host name")
    try:
        ipaddress.ip_address(host)
        return host.lower()
    except ValueError:
        pass
    if (
        ":" in host
        or len(host) > 253
        or not all(_LABEL_RE.fullmatch(label) for label in host.rstrip(".").split("."))
    ):
        raise SourcesError(path, line, f"{what}: {host!r} is not a host name or IP address")
    return host.lower()


_LABEL_RE = regex.compile(r"(?!-)[\p{L}\p{N}_-]{1,63}(?<!-)")


SETTINGS_KEYS = (
    "user_agent",
    "rate",
    "host_concurrency",
    "concurrency",
    "timeout",
    "deadline",
    "retries",
    "max_bytes",
    "obey_robots",
)
SOURCE_KEYS = (
    "name",
    "entry",
    "allowed_hosts",
    "include_title",
    "exclude_title",
    "max_pages",
    "max_items",
    "allow_private",
)


def load_sources(path: Path) -> SourcesConfig:
    """Read and validate a sources.yml; every mistake is a SourcesError at FILE:LINE."""
    spath = str(path)
    data = _read_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("sources"), list) or not data["sources"]:
        raise SourcesError(spath, 1, "expected a mapping with a non-empty 'sources' list")
    _only(data, ("settings", "sources"), spath, "the file")
    config = SourcesConfig(spath, _settings(data.get("settings") or {}, spath))
    names: set[str] = set()
    for entry in data["sources"]:
        source = _source(entry, spath)
        if source.name in names:
            raise SourcesError(spath, entry.get(_LINE_KEY), f"source names must be unique: {source.name!r}")
        names.add(source.name)
        config.sources.append(source)
    return config


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)
    except OSError as exc:
        raise SourcesError(str(path), None, f"cannot read: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        at = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise SourcesError(str(path), at, f"not UTF-8 text (byte {exc.object[exc.start]:#04x})") from exc
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise SourcesError(str(path), line, f"invalid YAML: {exc.problem}") from exc


def _only(mapping: dict[str, Any], allowed: tuple[str, ...], spath: str, what: str) -> None:
    for key in mapping:
        if key != _LINE_KEY and key not in allowed:
            raise SourcesError(
                spath,
                mapping.get(_LINE_KEY),
                f"unknown key {key!r} in {what} (expected: {', '.join(allowed)})",
            )


def _flag(mapping: dict[str, Any], key: str, default: bool, spath: str) -> bool:
    """A yes/no setting: YAML true/false only ("false" in quotes is text, not false)."""
    value = mapping.get(key, default)
    if not isinstance(value, bool):
        raise SourcesError(spath, mapping.get(_LINE_KEY), f"{key!r} must be true or false, not {value!r}")
    return value


def _settings(raw: Any, spath: str) -> FetchSettings:
    if not isinstance(raw, dict):
        raise SourcesError(spath, 1, "'settings' must be a mapping")
    _only(raw, SETTINGS_KEYS, spath, "settings")
    settings = FetchSettings(
        rate=_number(raw, "rate", 1.0, spath),
        concurrency=_number(raw, "concurrency", 8, spath, int) or 1,
        host_concurrency=_number(raw, "host_concurrency", 2, spath, int) or 1,
        timeout=_number(raw, "timeout", 30.0, spath),
        deadline=_number(raw, "deadline", 300.0, spath) or 300.0,
        retries=_number(raw, "retries", 3, spath, int),
        max_bytes=_number(raw, "max_bytes", 100 * 1024 * 1024, spath, int),
        obey_robots=_flag(raw, "obey_robots", True, spath),
    )
    if raw.get("user_agent"):
        settings.user_agent = str(raw["user_agent"])
    return settings


def _source(entry: Any, spath: str) -> Source:
    if not isinstance(entry, dict):
        raise SourcesError(spath, None, "each source must be a mapping")
    line = entry.get(_LINE_KEY)
    _only(entry, SOURCE_KEYS, spath, "a source")
    name = entry.get("name")
    if not isinstance(name, str) or not name:
        raise SourcesError(spath, line, "each source needs a unique 'name'")
    entries = entry.get("entry")
    entries = [entries] if isinstance(entries, str) else entries
    if not isinstance(entries, list) or not entries:
        raise SourcesError(spath, line, f"source {name}: 'entry' must be a URL or a list of URLs")
    entries = [_url(u, name, spath, line) for u in entries]
    hosts = entry.get("allowed_hosts")
    if hosts is None:
        hosts = [urlsplit(u).hostname for u in entries]
    elif not isinstance(hosts, list) or not hosts:
        raise SourcesError(spath, line, f"source {name}: 'allowed_hosts' must be a list of host names")
    exclude = entry.get("exclude_title")
    return Source(
        name=name,
        entries=entries,
        allowed_hosts=frozenset(_host(h, f"source {name}: allowed_hosts", spath, line) for h in hosts),
        include_title=_regex(entry.get("include_title", DEFAULT_INCLUDE), spath, line, "include_title"),
        exclude_title=_regex(exclude, spath, line, "exclude_title") if exclude else None,
        max_pages=_number(entry, "max_pages", 10, spath, int),
        max_items=_number(entry, "max_items", 1000, spath, int),
        allow_private=_flag(entry, "allow_private", False, spath),
    )
