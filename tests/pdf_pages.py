"""Pages of a 信息参考 PDF before its annex (附页: 浮动定价与市场研究, on pages of its own): the
brief's figures and risks must fit in two."""

from __future__ import annotations

import subprocess
from pathlib import Path

ANNEX = "附页 浮动定价与市场研究"


def page_texts(path: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")


def pages_before_annex(path: Path) -> int:
    pages = page_texts(path)
    starts = [i for i, page in enumerate(pages) if ANNEX in " ".join(page.split())]
    return starts[0] if starts else len(pages)
