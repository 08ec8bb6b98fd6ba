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
from pydantic import BaseModel, ConfigDict, StrictBool, ValidationInfo, field_validator

from ..errors import PatternError
from ..yamlmodel import line_at, read_yaml, validate
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
# the numbers that count things (the others are seconds or a rate)
WHOLE_NUMBERS = frozenset(
    {"concurrency", "host_concurrency", "retries", "max_bytes", "max_pages", "max_items"}
)


def _number(value: Any, info: ValidationInfo) -> Any:
    """A number of sources.yml: finite, not negative, within its maximum, whole where it counts."""
    key = str(info.field_name)
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not number or not math.isfinite(value) or value < 0:
        raise ValueError(f"{key} must be a non-negative number, not {value!r}")
    if key in WHOLE_NUMBERS and value != int(value):
        raise ValueError(f"{key} must be a whole number, not {value!r}")
    if value > MAXIMA[key]:
        raise ValueError(f"{key} is at most {MAXIMA[key]:g}, not {value!r}")
    return int(value) if key in WHOLE_NUMBERS else float(value)


def _url(url: Any, name: str) -> str:
    """An entry URL: http(s), with a host that can be one (labels of at most 63 characters, a
    valid IP address in brackets) and a port that exists."""
    if not isinstance(url, str) or not url:
        raise ValueError(f"source {name}: 'entry' must be a URL or a list of URLs")
    try:
        parts = urlsplit(url)
        _ = parts.port  # a ValueError for 99999 or "x"
    except ValueError as exc:
        raise ValueError(f"source {name}: entry {url!r} is not a valid URL: {exc}") from None
    if parts.scheme not in ("http", "https"):
        raise ValueError(f"source {name}: entry {url!r} is not an http(s) URL")
    _host(parts.hostname, f"source {name}: entry {url!r}")
    return url


def _host(host: Any, what: str) -> str:
    if not isinstance(host, str) or not host:
        raise ValueError(f"{what}: {host!r} is not a host name")
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
        raise ValueError(f"{what}: {host!r} is not a host name or IP address")
    return host.lower()


_LABEL_RE = regex.compile(r"(?!-)[\p{L}\p{N}_-]{1,63}(?<!-)")


def _pattern(value: Any, key: str) -> regex.Pattern[str]:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{key} must be a non-empty regex")
    try:
        return regex.compile(value)
    except regex.error as exc:
        raise ValueError(f"{key}: bad regex {value!r}: {exc}") from None


class SettingsSpec(BaseModel):
    """``settings:`` of sources.yml, for every source."""

    model_config = ConfigDict(extra="forbid", title="settings")

    user_agent: str | None = None
    rate: float = 1.0
    host_concurrency: int = 2
    concurrency: int = 8
    timeout: float = 30.0
    deadline: float = 300.0
    retries: int = 3
    max_bytes: int = 100 * 1024 * 1024
    obey_robots: StrictBool = True

    _numbers = field_validator(
        "rate",
        "host_concurrency",
        "concurrency",
        "timeout",
        "deadline",
        "retries",
        "max_bytes",
        mode="before",
    )(_number)

    def fetch_settings(self) -> FetchSettings:
        settings = FetchSettings(
            rate=self.rate,
            concurrency=self.concurrency or 1,
            host_concurrency=self.host_concurrency or 1,
            timeout=self.timeout,
            deadline=self.deadline or 300.0,
            retries=self.retries,
            max_bytes=self.max_bytes,
            obey_robots=self.obey_robots,
        )
        if self.user_agent:
            settings.user_agent = self.user_agent
        return settings


class SourceSpec(BaseModel):
    """One entry of ``sources:``."""

    model_config = ConfigDict(extra="forbid", title="a source", arbitrary_types_allowed=True)

    name: str
    entry: list[str]
    allowed_hosts: list[str] | None = None
    include_title: regex.Pattern[str] = regex.compile(DEFAULT_INCLUDE)
    exclude_title: regex.Pattern[str] | None = None
    max_pages: int = 10
    max_items: int = 1000
    allow_private: StrictBool = False

    _numbers = field_validator("max_pages", "max_items", mode="before")(_number)

    @field_validator("name", mode="before")
    @classmethod
    def _name(cls, value: Any) -> str:
        if not isinstance(value, str) or not value:
            raise ValueError("each source needs a unique 'name'")
        return value

    @field_validator("entry", mode="before")
    @classmethod
    def _entries(cls, value: Any, info: ValidationInfo) -> list[str]:
        name = info.data.get("name", "?")
        entries = [value] if isinstance(value, str) else value
        if not isinstance(entries, list) or not entries:
            raise ValueError(f"source {name}: 'entry' must be a URL or a list of URLs")
        return [_url(url, name) for url in entries]

    @field_validator("allowed_hosts", mode="before")
    @classmethod
    def _hosts(cls, value: Any, info: ValidationInfo) -> list[str] | None:
        name = info.data.get("name", "?")
        if value is None:
            return None
        if not isinstance(value, list) or not value:
            raise ValueError(f"source {name}: 'allowed_hosts' must be a list of host names")
        return [_host(host, f"source {name}: allowed_hosts") for host in value]

    @field_validator("include_title", "exclude_title", mode="before")
    @classmethod
    def _patterns(cls, value: Any, info: ValidationInfo) -> regex.Pattern[str] | None:
        if info.field_name == "exclude_title" and value in (None, ""):
            return None  # nothing excluded
        return _pattern(value, str(info.field_name))

    def source(self) -> Source:
        hosts = self.allowed_hosts or [str(urlsplit(url).hostname).lower() for url in self.entry]
        return Source(
            name=self.name,
            entries=self.entry,
            allowed_hosts=frozenset(hosts),
            include_title=self.include_title,
            exclude_title=self.exclude_title,
            max_pages=self.max_pages,
            max_items=self.max_items,
            allow_private=self.allow_private,
        )


class SourcesSpec(BaseModel):
    """A whole sources.yml."""

    model_config = ConfigDict(extra="forbid", title="the file")

    settings: SettingsSpec = SettingsSpec()
    sources: list[SourceSpec]

    @field_validator("settings", mode="before")
    @classmethod
    def _settings(cls, value: Any) -> Any:
        return {} if value is None else value

    @field_validator("sources", mode="before")
    @classmethod
    def _sources(cls, value: Any) -> Any:
        if not isinstance(value, list) or not value:
            raise ValueError("expected a mapping with a non-empty 'sources' list")
        return value


def load_sources(path: Path) -> SourcesConfig:
    """Read and validate a sources.yml; every mistake is a SourcesError at FILE:LINE."""
    spath = str(path)
    data = read_yaml(path, SourcesError)
    if not isinstance(data, dict) or "sources" not in data:
        raise SourcesError(spath, 1, "expected a mapping with a non-empty 'sources' list")
    spec = validate(SourcesSpec, data, spath, SourcesError)
    config = SourcesConfig(spath, spec.settings.fetch_settings())
    names: set[str] = set()
    for at, source in enumerate(spec.sources):
        if source.name in names:
            line = line_at(data, ("sources", at))
            raise SourcesError(spath, line, f"source names must be unique: {source.name!r}")
        names.add(source.name)
        config.sources.append(source.source())
    return config
