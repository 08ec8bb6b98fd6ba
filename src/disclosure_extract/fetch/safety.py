"""What the crawler may fetch: schemes, hosts, addresses, and safe file names."""

from __future__ import annotations

import ipaddress
import socket
import unicodedata
from urllib.parse import urlsplit

import regex

from ..errors import DisclosureError

ALLOWED_SCHEMES = ("http", "https")
# File names longer than this are cut: file systems refuse names over 255 bytes.
MAX_FILENAME_CHARS = 120
_UNSAFE_NAME = regex.compile(r"[^\w.\-()（）\p{Han}]+")


class FetchRefusedError(DisclosureError):
    """A URL the crawler must not fetch (scheme, host or address not allowed)."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(f"{url}: {reason}")


def check_url(url: str, allowed_hosts: frozenset[str] | None) -> str:
    """The URL's host, or FetchRefused when its scheme or host is not allowed."""
    parts = urlsplit(url)
    if parts.scheme not in ALLOWED_SCHEMES:
        raise FetchRefusedError(url, f"scheme {parts.scheme or '(none)'!r} is not http or https")
    host = (parts.hostname or "").lower()
    if not host:
        raise FetchRefusedError(url, "no host")
    if allowed_hosts is not None and host not in allowed_hosts:
        raise FetchRefusedError(url, f"host {host} is not in the source's allowed hosts")
    return host


def check_address(url: str, host: str, allow_private: bool) -> None:
    """Refuse hosts resolving to private, loopback or link-local addresses unless allowed."""
    if allow_private:
        return
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError as exc:
        raise FetchRefusedError(url, f"cannot resolve {host}: {exc.strerror or exc}") from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if address.is_private or address.is_loopback or address.is_link_local or address.is_reserved:
            raise FetchRefusedError(
                url, f"{host} resolves to {address}, a private address (allow_private is off)"
            )


def safe_filename(name: str, taken: set[str] | None = None) -> str:
    """A file name from a URL or Content-Disposition, safe to create in one folder.

    No directories (path traversal), no hidden or empty names, a bounded length; when
    ``taken`` is given the name is made unique instead of overwriting.
    """
    name = unicodedata.normalize("NFKC", name).replace("\\", "/").split("/")[-1]
    name = _UNSAFE_NAME.sub("_", name).strip("._ ") or "download"
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    stem = stem[:MAX_FILENAME_CHARS]
    candidate = f"{stem}.{ext}" if ext else stem
    if taken is not None:
        n = 1
        while candidate in taken:
            n += 1
            candidate = f"{stem}-{n}.{ext}" if ext else f"{stem}-{n}"
        taken.add(candidate)
    return candidate
