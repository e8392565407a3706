"""Text normalisation shared by every matcher: one definition of "the same name"."""

from __future__ import annotations

import io
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import pandas as pd

_BRACKET_SUFFIX = re.compile(r"[(\[（【].*?[)\]）】]\s*$")
_SPACES = re.compile(r"\s+")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # what Excel may read as a formula (OWASP)


ENCODING_UNKNOWN = "文字编码无法识别(应为 UTF-8 或 GBK)"


def decode_text(raw: bytes) -> str | None:
    """A text file as UTF-8 (with or without its mark) or, as Excel saves CSV on Chinese Windows,
    GBK (GB18030); None when neither. Strict UTF-8 first: GB18030 would also "decode" UTF-8
    bytes, into nonsense."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def read_text_table(path: Path) -> pd.DataFrame:
    """A CSV of text cells (the reference files), UTF-8 or GBK; ValueError naming the file when
    its encoding is neither."""
    text = decode_text(path.read_bytes())
    if text is None:
        raise ValueError(f"{path.name}:{ENCODING_UNKNOWN},请用 Excel 另存为“CSV UTF-8”")
    try:
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:
        raise ValueError(f"{path.name}:文件是空的,请按样例填写表头和内容") from None
    except pd.errors.ParserError as exc:  # a row with more cells than the header (a stray comma)
        line = re.search(r"line (\d+)", str(exc))
        where = f"第 {line.group(1)} 行" if line else "有一行"
        raise ValueError(f"{path.name}:{where}的列数多于表头(多了逗号?),请改正后重新运行") from None


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
