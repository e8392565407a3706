"""Text normalisation shared by every matcher: one definition of "the same name"."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_BRACKET_SUFFIX = re.compile(r"[(\[（【].*?[)\]）】]\s*$")
_SPACES = re.compile(r"\s+")


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
    """Maps any alias (normalised) to its canonical name."""

    def __init__(self, groups: dict[str, list[str]]):
        self._index: dict[str, str] = {}
        for canonical, aliases in groups.items():
            for alias in [canonical, *aliases]:
                self._index.setdefault(normalise(alias), canonical)

    def match(self, text: object) -> str | None:
        return self._index.get(normalise(text))

    def __contains__(self, text: object) -> bool:
        return normalise(text) in self._index
