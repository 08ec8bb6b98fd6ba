"""datasette serves the database with the metadata: tables described, canned queries run."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from disclosure_extract import Patterns
from disclosure_extract.pipeline import discover, run_batch

from .conftest import TEXT_HTML


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, patterns: Patterns) -> str:
    out = tmp_path_factory.mktemp("datasette")
    run_batch(discover(TEXT_HTML), out, patterns)
    port = _free_port()
    datasette = Path(sys.executable).with_name("datasette")
    proc = subprocess.Popen(
        [
            str(datasette),
            "serve",
            str(out / "disclosures.sqlite"),
            "-m",
            str(out / "metadata.json"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/-/versions.json", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            pytest.fail("datasette did not start within 60 s")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_canned_query_answers_sangong_by_department_and_year(served: str) -> None:
    response = httpx.get(f"{served}/disclosures/sangong_by_department_and_year.json?_shape=array", timeout=30)
    assert response.status_code == 200
    rows = response.json()
    seed = next(r for r in rows if r["department"] == "山海关区总工会")
    assert (seed["year"], seed["kind"], seed["sangong_total"]) == (2017, "budget", 0)  # as its truth file
    renda = next(r for r in rows if r["department"] == "平潭县人大常委会")
    assert renda["sangong_total"] == 96000


def test_tables_carry_their_descriptions(served: str) -> None:
    meta = httpx.get(f"{served}/-/metadata.json", timeout=30).json()
    tables = meta["databases"]["disclosures"]["tables"]
    assert tables["panel"]["description"].startswith("one row per disclosure")
    assert "yuan" in tables["field_values"]["columns"]["value"]
    failed = httpx.get(f"{served}/disclosures/documents_with_failed_checks.json?_shape=array", timeout=30)
    assert failed.status_code == 200 and isinstance(failed.json(), list)
