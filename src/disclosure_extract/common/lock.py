"""One writer per output folder: an advisory lock held for the whole run.

Two runs writing one folder would delete each other's table files and leave a dataset
mixed from both. The lock is ``DIR/.lock`` (flock, released by the kernel when the process
ends, even by kill -9); it holds the holder's pid, command and start time so the refused
run can say who holds it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from ..errors import DisclosureError, OutputError

LOCK_NAME = ".lock"


class FolderLockedError(DisclosureError):
    """Another run is writing the folder."""

    def __init__(self, folder: Path, holder: str) -> None:
        self.folder = folder
        self.holder = holder
        super().__init__(f"{folder} is being written by another run ({holder or 'holder unknown'})")


@contextlib.contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """Hold the folder's lock while the block runs; raise FolderLockedError when another run does
    (OutputError when the folder cannot be made or written)."""
    path = folder / LOCK_NAME
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise OutputError(f"cannot write in {folder}: {exc.strerror}") from exc
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 4096, 0).decode("utf-8", "replace").strip()
            raise FolderLockedError(folder, holder) from None
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} since {stamp}: {' '.join(sys.argv)[:500]}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # closing releases the lock
