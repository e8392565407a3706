"""The CJK font every publication needs: found once, or a one-line reason to stop."""

from __future__ import annotations

import fcntl
import io
import os
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

from pipeline.core.digest import content_hash
from pipeline.core.files import atomic_write
from pipeline.core.progress import progress

# preferred first; the CSS and the charts name the family found
CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
)
INSTALL_HINT = "sudo apt-get install fonts-noto-cjk"


class MissingFont(RuntimeError):
    """No CJK font: a PDF would show empty boxes instead of Chinese."""


@lru_cache(maxsize=1)
def cjk_family() -> str:
    """Family name of an installed simplified-Chinese font, or MissingFont."""
    if shutil.which("fc-list") is None:
        raise MissingFont(f"未找到 fontconfig(fc-list),无法确认中文字体。请安装:{INSTALL_HINT}")
    listing = subprocess.run(
        ["fc-list", ":lang=zh-cn", "family"], capture_output=True, text=True, check=False
    ).stdout
    installed = {name.strip() for line in listing.splitlines() for name in line.split(",")}
    for family in CJK_FAMILIES:
        if family in installed:
            return family
    raise MissingFont(f"未找到中文字体,PDF 会显示为空白方框。请先安装:{INSTALL_HINT}")


# -- the PDFs' copy of the font, cut to the characters in common use ---------------------------
# WeasyPrint cuts the font down to each PDF's own glyphs; from the whole CJK font (65,000 glyphs)
# that cut took ≈ 0.09 s of a 0.3 s statement. From this copy (GB 2312 and the symbols and
# Latin the documents use, ≈ 8,100 glyphs with their ligatures) it takes a fraction of that, and
# each PDF is less than half the size. A character outside it is drawn from the whole font.
COMMON_FAMILY_SUFFIX = "Common"  # "Noto Sans CJK SC Common": the PDFs name the font they embed
COMMON_RANGES = (
    (0x20, 0x7E),  # ASCII
    (0xA0, 0x17F),  # Latin-1 and Latin Extended-A
    (0x2000, 0x206F),  # general punctuation
    (0x2100, 0x21FF),  # letterlike symbols, arrows
    (0x2460, 0x25FF),  # enclosed numbers, box drawing, shapes
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0xFF00, 0xFFEF),  # full- and half-width forms
)
# the horizontal text features Pango applies: their glyphs are kept, vertical and other
# languages' forms are not
COMMON_FEATURES = ("ccmp", "kern", "liga", "clig", "calt", "mark", "mkmk", "rlig")
WEIGHTS = {400: "regular", 700: "bold"}


def common_characters() -> list[int]:
    """GB 2312's characters and the ranges above, as code points."""
    chars = {c for low, high in COMMON_RANGES for c in range(low, high + 1)}
    for row in range(0xA1, 0xF8):
        for cell in range(0xA1, 0xFF):
            try:
                chars.add(ord(bytes((row, cell)).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    return sorted(chars)


@lru_cache(maxsize=1)
def print_font_css() -> str:
    """@font-face rules naming the common-character copies of the CJK font (made on first use),
    and the family list that puts them first; "" (the whole font) where no copy can be made."""
    family = cjk_family()
    common = f"{family} {COMMON_FAMILY_SUFFIX}"
    faces = []
    for weight, style in WEIGHTS.items():
        source = _font_file(family, style)
        copy = _common_copy(*source) if source else None
        if copy is not None:
            face = f'font-family: "{common}"; src: url("{copy.as_uri()}"); font-weight: {weight};'
            faces.append(f"@font-face {{ {face} }}")
    if not faces:
        return ""
    return "\n".join([*faces, f'html {{ font-family: "{common}", "{family}", sans-serif; }}'])


def _font_file(family: str, style: str) -> tuple[Path, int] | None:
    """The file and face index fontconfig gives for `family` in `style`; None when it has only
    another style (a bold drawn from the regular face is left to the text engine)."""
    found = subprocess.run(
        ["fc-match", "-f", "%{file}\n%{index}\n%{style}", f"{family}:{style}"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split("\n")
    if len(found) != 3 or style not in found[2].lower():
        return None
    return Path(found[0]), int(found[1])


def font_cache() -> Path:
    """Where the copies are kept: one per machine and user, shared by every outputs folder."""
    root = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(root) / "kac" / "fonts"


def _common_copy(source: Path, index: int) -> Path | None:
    """The common-character copy of face `index` of `source`, made once (under a lock: the test
    processes and a helper start together); None, with a warning, where it cannot be made."""
    from fontTools import version as fonttools_version

    try:
        stat = source.stat()
        made_from = [str(source), index, stat.st_size, stat.st_mtime_ns, fonttools_version]
        key = content_hash([*made_from, COMMON_RANGES, COMMON_FEATURES])  # what it holds changes: made again
        folder = font_cache()
        target = folder / f"{source.stem}-{index}-{key[:16]}.otf"
        if target.exists():
            return target
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / ".lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not target.exists():
                atomic_write(target, _subset(source, index))
                for older in folder.glob(f"{source.stem}-{index}-*.otf"):  # of another font or code
                    if older != target:
                        older.unlink()
    except Exception as error:  # any failure leaves the whole font, which works
        progress.warning("  字体:未能生成常用字副本(%s),PDF 使用完整字体,速度较慢", error)
        return None
    return target


def _subset(source: Path, index: int) -> bytes:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(source, fontNumber=index, lazy=True, recalcTimestamp=False)
    options = subset.Options()
    options.layout_features = list(COMMON_FEATURES)
    options.name_IDs, options.name_languages = ["*"], ["*"]  # the font's names and licence stay
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=common_characters())
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()
