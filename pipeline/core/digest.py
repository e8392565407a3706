"""The hash of what a document or table states (its data, not its bytes)."""

from __future__ import annotations

import hashlib
import json


def content_hash(content: object) -> str:
    """Hash of the data a publication states (not of its bytes): same data, same hash."""
    text = json.dumps(content, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
