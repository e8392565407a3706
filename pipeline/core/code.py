"""The version of the product's own code: a change to a stage's code makes what it produced stale.

Whole packages are hashed, not lists of file names, so a module added, split or renamed is
never left out.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

PIPELINE = Path(__file__).resolve().parents[1]


def package_files(*packages: str) -> list[Path]:
    """The Python files of `packages` (names under pipeline/, e.g. "ingest"), in a stable order."""
    return [path for package in sorted(packages) for path in sorted((PIPELINE / package).rglob("*.py"))]


def package_digest(*packages: str) -> str:
    """sha256 over the relative paths and contents of every Python file of `packages` (read
    again only when a file's size or time changed: a long-running UI process sees an edit)."""
    files = package_files(*packages)
    return _digest(tuple((path, path.stat().st_size, path.stat().st_mtime_ns) for path in files))


@lru_cache(maxsize=64)
def _digest(stamps: tuple) -> str:
    digest = hashlib.sha256()
    for path, _, _ in stamps:
        digest.update(str(path.relative_to(PIPELINE)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()
