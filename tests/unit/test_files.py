"""Files are replaced in one rename: a failed write leaves the old file and no temporary."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from pipeline.core.files import atomic_write, point_link, replacing
from pipeline.render.xlsx import write_sheets


def test_a_write_that_fails_keeps_the_old_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "pay.csv"
    atomic_write(path, b"old\n")
    with pytest.raises(RuntimeError), replacing(path) as tmp:
        tmp.write_bytes(b"half")
        raise RuntimeError("stopped midway")
    assert path.read_bytes() == b"old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pay.csv"]


def test_a_workbook_replaces_a_hard_link_without_writing_through_it(tmp_path: Path) -> None:
    published = tmp_path / "published.xlsx"
    write_sheets(published, {"表": (["客户"], [["甲"]])}, datetime(2026, 10, 1))
    staged = tmp_path / "staging" / "published.xlsx"
    staged.parent.mkdir()
    staged.hardlink_to(published)
    write_sheets(staged, {"表": (["客户"], [["乙"]])}, datetime(2026, 10, 1))
    assert load_workbook(published).active["A2"].value == "甲"
    assert load_workbook(staged).active["A2"].value == "乙"


def test_a_link_is_pointed_at_another_folder_in_one_step(tmp_path: Path) -> None:
    first, second = tmp_path / "r1", tmp_path / "r2"
    first.mkdir()
    second.mkdir()
    (second / "index.html").write_text("新", encoding="utf-8")
    site = tmp_path / "site"
    point_link(site, first)
    point_link(site, second)
    assert (site / "index.html").read_text(encoding="utf-8") == "新"
    assert not site.readlink().is_absolute()
