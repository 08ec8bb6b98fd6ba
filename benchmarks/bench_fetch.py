"""Crawl politeness throughput and streaming memory, against local servers only.

    python3 benchmarks/bench_fetch.py [--hosts H] [--rate R] [--seconds S] [--big-mib M]

(1) H servers on 127.0.0.1 … 127.0.0.H (loopback only); the fetcher is limited to R
requests/s per host and asked for S×R pages of each. Prints the achieved rate as a
share of H×R (target >= 90 %): politeness should cost nothing beyond the limit itself.
(2) One server streams an M MiB body; the fetch runs in a fresh process and its peak
memory is compared with a fresh process fetching a tiny body (target: flat, not growing
with the file). Prints figures; asserts nothing. Every request goes to 127.0.0.0/8.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import resource
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

CHUNK = b"0" * (1024 * 1024)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    big_mib = 0

    def do_GET(self) -> None:
        if self.path.startswith("/big"):
            self.send_response(200)
            self.send_header("Content-Length", str(self.big_mib * len(CHUNK)))
            self.end_headers()
            for _ in range(self.big_mib):
                self.wfile.write(CHUNK)
            return
        body = b"User-agent: *\nAllow: /\n" if self.path == "/robots.txt" else b"<html><body>ok</body></html>"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return


def _serve(host: str, big_mib: int = 0) -> ThreadingHTTPServer:
    handler = type("H", (_Handler,), {"big_mib": big_mib})
    server = ThreadingHTTPServer((host, 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


async def _fetch_all(urls: list[str], rate: float, archive_dir: Path) -> float:
    from disclosure_extract.fetch.archive import Archive
    from disclosure_extract.fetch.client import Fetcher, FetchSettings

    archive = Archive(archive_dir)
    run_id, _ = archive.start_run({"bench": True})
    settings = FetchSettings(
        rate=rate,
        host_concurrency=4,
        concurrency=64,
        allow_private=True,
        timeout=60,
        max_bytes=1024 * 1024 * 1024,
    )
    fetcher = Fetcher(archive, run_id, settings)
    start = time.perf_counter()
    await asyncio.gather(*(fetcher.fetch(u) for u in urls))
    elapsed = time.perf_counter() - start
    await fetcher.aclose()
    archive.close()
    return elapsed


def _child_fetch(url: str, queue: Any) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(_fetch_all([url], 100.0, Path(tmp)))
        size = sum(p.stat().st_size for p in (Path(tmp) / "blobs").rglob("*") if p.is_file())
    queue.put((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, size))


def _peak_of_fetch(url: str) -> tuple[float, int]:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child_fetch, args=(url, queue))
    proc.start()
    proc.join()
    peak, size = queue.get()
    return float(peak), int(size)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hosts", type=int, default=4)
    ap.add_argument("--rate", type=float, default=5.0, help="requests/s allowed per host")
    ap.add_argument("--seconds", type=float, default=6.0)
    ap.add_argument("--big-mib", type=int, default=200)
    args = ap.parse_args()

    servers = [_serve(f"127.0.0.{i + 1}") for i in range(args.hosts)]
    per_host = int(args.seconds * args.rate)
    urls = [
        f"http://127.0.0.{i + 1}:{s.server_address[1]}/p{n}.html"
        for i, s in enumerate(servers)
        for n in range(per_host)
    ]
    with tempfile.TemporaryDirectory() as tmp:
        elapsed = asyncio.run(_fetch_all(urls, args.rate, Path(tmp)))
    # each host's first request has no wait before it; robots.txt is one more request per host
    requests = len(urls) + args.hosts
    achieved = requests / elapsed
    target = args.hosts * args.rate
    print(
        f"{args.hosts} hosts x {args.rate:g} req/s: {requests} requests in {elapsed:.2f} s = "
        f"{achieved:.1f} req/s, {100 * achieved / target:.0f}% of {target:g} (target >= 90%)"
    )
    for s in servers:
        s.shutdown()

    big = _serve("127.0.0.1", big_mib=args.big_mib)
    port = big.server_address[1]
    small_peak, _ = _peak_of_fetch(f"http://127.0.0.1:{port}/small.html")
    big_peak, big_size = _peak_of_fetch(f"http://127.0.0.1:{port}/big.bin")
    big.shutdown()
    print(
        f"peak memory fetching a tiny page: {small_peak:.0f} MiB; a {args.big_mib} MiB body "
        f"({big_size / 2**20:.0f} MiB archived): {big_peak:.0f} MiB (+{big_peak - small_peak:.0f} MiB)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
