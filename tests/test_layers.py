"""The architecture: which stage may import which (contracts in pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _lint_imports(*args: str) -> subprocess.CompletedProcess[str]:
    # the console script of import-linter, installed beside this interpreter
    script = Path(sys.executable).with_name("lint-imports")
    return subprocess.run(
        [str(script), "--no-cache", *args], cwd=ROOT, capture_output=True, text=True, check=False, timeout=300
    )


def test_import_contracts_are_kept() -> None:
    result = _lint_imports()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken." in result.stdout


def test_a_stage_importing_another_breaks_a_contract(tmp_path: Path) -> None:
    config = tmp_path / "contracts.toml"
    config.write_text(
        "[tool.importlinter]\n"
        'root_package = "disclosure_extract"\n'
        "[[tool.importlinter.contracts]]\n"
        'name = "extract may not use the command line"\n'
        'type = "forbidden"\n'
        'source_modules = ["disclosure_extract.cli"]\n'
        'forbidden_modules = ["disclosure_extract.extract"]\n',
        encoding="utf-8",
    )
    result = _lint_imports("--config", str(config))
    assert result.returncode == 1 and "BROKEN" in result.stdout
