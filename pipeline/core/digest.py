"""The hash of what a document or table states (its data, not its bytes)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path


def content_hash(content: object) -> str:
    """Hash of the data a publication states (not of its bytes): same data, same hash."""
    text = json.dumps(content, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def files_digest(paths: list[Path]) -> str:
    """sha256 over the names and bytes of `paths`, in name order: a file added, removed, renamed
    or changed changes it."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.name.encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()
