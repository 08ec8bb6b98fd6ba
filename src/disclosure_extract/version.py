"""The package's version and a fingerprint of its own code, for every stage to use.

Kept in a module of its own so that no stage imports the package root (which imports
the stages) just to learn the version.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

__version__ = "0.1.0"


@functools.cache
def code_fingerprint() -> str:
    """A digest of the package's Python source: a changed extractor invalidates cached results
    even when nobody bumped the version."""
    root = Path(__file__).parent
    digest = hashlib.sha256(__version__.encode())
    for file in sorted(root.rglob("*.py")):
        digest.update(file.relative_to(root).as_posix().encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()[:16]
