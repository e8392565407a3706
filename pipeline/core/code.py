"""The version of the product's own code: a change to a stage's code makes what it produced stale.

Whole packages are hashed, not lists of file names, so a module added, split or renamed is
never left out.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

PIPELINE = Path(__file__).resolve().parents[1]


def package_files(*packages: str) -> list[Path]:
    """The Python files of `packages` (names under pipeline/, e.g. "ingest"), in a stable order."""
    return [path for package in sorted(packages) for path in sorted((PIPELINE / package).rglob("*.py"))]


@cache
def package_digest(*packages: str) -> str:
    """sha256 over the relative paths and contents of every Python file of `packages`."""
    digest = hashlib.sha256()
    for path in package_files(*packages):
        digest.update(str(path.relative_to(PIPELINE)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()
