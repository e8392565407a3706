"""The CJK font every publication needs: found once, or a one-line reason to stop."""

from __future__ import annotations

import shutil
import subprocess
from functools import lru_cache

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
