"""Text normalisation shared by every matcher: one definition of "the same name"."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_BRACKET_SUFFIX = re.compile(r"[(\[（【].*?[)\]）】]\s*$")
_SPACES = re.compile(r"\s+")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # what Excel may read as a formula (OWASP)


def formula_like(value: object) -> bool:
    """Text a spreadsheet would take for a formula: it must be written so that it stays text."""
    return isinstance(value, str) and value.startswith(FORMULA_START)


def csv_text(value: object) -> object:
    """A CSV cell that Excel opens as text, never as a formula (OWASP CSV injection): such text
    is prefixed with an apostrophe (so is text that already was, to read back exactly).
    `from_csv_text` takes it off again."""
    return "'" + value if _quoted_or_formula(value) else value


def from_csv_text(value: str) -> str:
    """The text that `csv_text` wrote."""
    return value[1:] if value.startswith("'") and _quoted_or_formula(value[1:]) else value


def _quoted_or_formula(value: object) -> bool:
    return isinstance(value, str) and formula_like(value.lstrip("'"))


def normalise(text: object) -> str:
    """NFKC (full-width → half-width), no spaces at all, lower case."""
    if text is None:
        return ""
    return _SPACES.sub("", unicodedata.normalize("NFKC", str(text))).lower()


@lru_cache(maxsize=4096)
def split_unit(header: object) -> tuple[str, str]:
    """'收入(万元)' → ('收入', '万元'); '用邮量' → ('用邮量', '')."""
    text = normalise(header)
    match = _BRACKET_SUFFIX.search(text)
    if not match:
        return text, ""
    return text[: match.start()], match.group(0)[1:-1]


class AliasIndex:
    """Maps any alias (normalised) to its canonical name; `rank`, its place in its group (the
    aliases are listed from the most to the least preferred)."""

    def __init__(self, groups: dict[str, list[str]]):
        self._index: dict[str, str] = {}
        self._rank: dict[str, int] = {}
        for canonical, aliases in groups.items():
            for place, alias in enumerate([canonical, *aliases]):
                self._index.setdefault(normalise(alias), canonical)
                self._rank.setdefault(normalise(alias), place)

    def rank(self, text: object) -> int:
        return self._rank.get(normalise(text), len(self._rank))

    def match(self, text: object) -> str | None:
        return self._index.get(normalise(text))

    def __contains__(self, text: object) -> bool:
        return normalise(text) in self._index
