"""The PDFs' text is set in the common-character copy of the CJK font; a character outside it
is drawn from the whole font, and a copy that cannot be made leaves the whole font in use."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from pipeline.core.layout import REPO
from pipeline.render import fonts
from pipeline.render.pdf import document_time, write_pdf

WHEN = document_time("2026-10", 1)


def _pdffonts(pdf: Path) -> list[str]:
    listing = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    return [line.split()[0].split("+", 1)[1] for line in listing.splitlines()[2:]]


def test_common_text_uses_only_the_copy_and_a_rare_character_the_whole_font(tmp_path: Path) -> None:
    common, rare = tmp_path / "common.pdf", tmp_path / "rare.pdf"
    page = "<html lang='zh-CN'><h1>客户经理工作清单</h1><p>西昌市 ① 12.5%</p></html>"
    write_pdf(page, tmp_path, common, WHEN)
    write_pdf("<html lang='zh-CN'><p>朱镕基 䶮</p></html>", tmp_path, rare, WHEN)  # not in GB 2312

    assert _pdffonts(common) == ["Noto-Sans-CJK-SC-Common-Bold", "Noto-Sans-CJK-SC-Common"]
    assert "Noto-Sans-CJK-SC" in _pdffonts(rare)  # the whole font, for the two rare characters
    text = subprocess.run(["pdftotext", str(rare), "-"], capture_output=True, text=True, check=True).stdout
    assert "朱镕基 䶮" in text


def test_the_copy_keeps_gb2312_and_the_symbols_the_documents_use() -> None:
    chars = set(map(chr, fonts.common_characters()))
    assert {"彝", "凉", "邮", "①", "—", "¥", "%", "・", "，"} <= chars
    assert "镕" not in chars
    assert len(chars) > 7000


def test_a_font_that_cannot_be_cut_leaves_the_whole_font(tmp_path: Path, monkeypatch, caplog) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    broken = tmp_path / "broken.ttc"
    broken.write_bytes(b"not a font")

    assert fonts._common_copy(broken, 0) is None
    assert "完整字体" in caplog.text
    assert not list((tmp_path / "cache").rglob("*.otf"))


RUN_LIKE_KAC = """
import sys
from pathlib import Path
from pipeline.core.runtime import settle_heap
from pipeline.render.pdf import document_time, write_pdf
settle_heap()  # as `kac run` does: rare collections, so the font configuration lives to the end
out = Path(sys.argv[1]) / "a.pdf"
write_pdf("<p>凉山州</p>", out.parent, out, document_time("2026-10", 1))
"""


def test_a_process_that_wrote_pdfs_leaves_no_font_copy_behind(tmp_path: Path) -> None:
    """WeasyPrint copies the @font-face font (≈ 4 MB) into a temporary folder of its own: every
    process that wrote a PDF removes it when it ends, `kac run` and its helper processes alike."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {**os.environ, "TMPDIR": str(temp)}
    subprocess.run([sys.executable, "-c", RUN_LIKE_KAC, str(tmp_path)], env=env, check=True, cwd=REPO)
    assert (tmp_path / "a.pdf").stat().st_size > 0
    assert list(temp.iterdir()) == []
