"""What the crawler may fetch: schemes, hosts, addresses, and safe file names.

Every connection goes to an address checked when it is made (``PinnedTransport``), so a
name that resolves to a public address when checked and a private one when connected to
(DNS rebinding) is still refused.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import unicodedata
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx
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


def check_address(url: str, host: str, allow_private: bool) -> list[str]:
    """The addresses ``host`` resolves to; FetchRefused when one of them is not a global
    address (unless ``allow_private``), or when it does not resolve.

    Not global is every special-purpose range of the IANA registries, as ``ipaddress`` keeps
    them: private, loopback, link-local, carrier-grade NAT (100.64.0.0/10, where cloud
    metadata services answer), documentation, benchmarking, reserved, multicast; an IPv6
    address mapping an IPv4 one is judged as that address."""
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise FetchRefusedError(url, f"cannot resolve {host}: {exc.strerror or exc}") from exc
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not allow_private:
        for text in addresses:
            address = ipaddress.ip_address(text.split("%", 1)[0])  # fe80::1%eth0: the scope is no part
            mapped = getattr(address, "ipv4_mapped", None)
            if not (mapped or address).is_global or address.is_multicast:
                raise FetchRefusedError(
                    url, f"{host} resolves to {address}, a private address (allow_private is off)"
                )
    return addresses


class _PinnedBackend(httpcore.AsyncNetworkBackend):
    """Connects to an address it has checked itself: a name resolved once to check and again
    to connect could answer a public address first and 127.0.0.1 second (DNS rebinding)."""

    def __init__(self, allow_private: bool) -> None:
        self.allow_private = allow_private
        self.backend = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await asyncio.to_thread(check_address, f"//{host}:{port}", host, self.allow_private)
        error: Exception | None = None
        for address in addresses:
            try:
                return await self.backend.connect_tcp(
                    address, port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        assert error is not None  # check_address returns at least one address or raises
        raise error

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("Unix sockets are not fetched")

    async def sleep(self, seconds: float) -> None:
        await self.backend.sleep(seconds)


class PinnedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport, its connections made to checked addresses only (``_PinnedBackend``).

    httpx takes no network backend (encode/httpx#3749 would add one), so the connection pool
    it builds is replaced by the same pool on the checked backend.
    """

    def __init__(self, allow_private: bool) -> None:
        super().__init__(trust_env=False)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=100,  # httpx's defaults; the crawler's own limits are stricter
            max_keepalive_connections=20,
            keepalive_expiry=5.0,
            network_backend=_PinnedBackend(allow_private),
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
