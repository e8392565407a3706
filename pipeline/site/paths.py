"""Where a page of the site is: one rule for the ids that name pages."""

from __future__ import annotations

import hashlib
import re

_SAFE_ID = re.compile(r"[0-9A-Za-z_-]+")


def page_path(folder: str, identifier: str, prefix: str = "id-") -> str:
    """`folder/<id>.html` for an id of plain letters, digits, - and _; any other id is text typed
    into a workbook, and gets a name derived from it (`prefix` + its hash), never a path of its
    own (../, /)."""
    stem = (
        identifier
        if _SAFE_ID.fullmatch(identifier)
        else prefix + hashlib.sha256(identifier.encode("utf-8")).hexdigest()[:16]
    )
    return f"{folder}/{stem}.html"
