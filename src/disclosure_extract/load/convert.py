"""LibreOffice headless: legacy office formats (.doc, .wps, .rtf, .et) to .docx / .xlsx.

Old binary Word files are often "fast-saved" and garble in the small converters
(antiword, catdoc); LibreOffice reads them as Word does. Each conversion runs in a fresh
temporary folder with its own LibreOffice profile (two instances sharing a profile
block each other), under a time limit, and one at a time in a process; a hung
LibreOffice is killed with its whole process group.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import threading
from pathlib import Path

from ..errors import ConversionError, ConverterMissingError

# Long enough for a 100-page .doc on a slow machine; a hung conversion ends here.
CONVERT_TIMEOUT = 180.0
EXECUTABLES = ("soffice", "libreoffice")
# The Debian packages that bring the converter, named in the converter_missing issue.
PACKAGES = {"docx": "libreoffice-writer-nogui", "xlsx": "libreoffice-calc-nogui"}
_ONE_AT_A_TIME = threading.Lock()


def converter() -> str | None:
    """The LibreOffice executable on PATH, if any."""
    return next((path for name in EXECUTABLES if (path := shutil.which(name))), None)


def convert(data: bytes, source: str, suffix: str, target: str, timeout: float = CONVERT_TIMEOUT) -> bytes:
    """The bytes of ``data`` (a ``suffix`` file) converted to ``target`` (docx or xlsx)."""
    executable = converter()
    if executable is None:
        raise ConverterMissingError(
            source,
            f"reading {suffix} files needs LibreOffice: install the Debian package "
            f"{PACKAGES[target]} (or put soffice on PATH)",
        )
    with _ONE_AT_A_TIME, tempfile.TemporaryDirectory(prefix="disclosure-extract-lo-") as tmp:
        folder = Path(tmp)
        given = folder / f"input{suffix}"
        given.write_bytes(data)
        out = folder / "out"
        command = [
            executable,
            "--headless",
            "--norestore",
            "--nologo",
            "--nolockcheck",
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--convert-to",
            target,
            "--outdir",
            str(out),
            str(given),
        ]
        _run(command, source, timeout)
        converted = out / f"input.{target}"
        if not converted.is_file():
            raise ConversionError(source, f"LibreOffice could not convert the {suffix} file to .{target}")
        return converted.read_bytes()


def _run(command: list[str], source: str, timeout: float) -> None:
    # its own process group, so a timeout kills LibreOffice's helper processes too
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )
    try:
        _, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        message = f"LibreOffice did not finish the conversion within {timeout:.0f} s"
        raise ConversionError(source, message) from None
    if process.returncode != 0:
        tail = err.decode("utf-8", "replace").strip()[-300:]
        raise ConversionError(source, f"LibreOffice failed (exit status {process.returncode}): {tail}")
