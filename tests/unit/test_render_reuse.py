"""What a re-run leaves as it was: a PDF drawn from the same HTML, an edition's charts, and (for
a history month, which builds no site) the site's release out of the run's snapshot."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from pipeline.core.contract import TODO_ITEMS
from pipeline.core.layout import Layout
from pipeline.publish import bulletin
from pipeline.publish.snapshot import INDEX, restore_snapshot, snapshot_dir, take_snapshot
from pipeline.publish.todo import list_content
from pipeline.render import pdf
from pipeline.render.pdf import document_time, render_pdf_html, write_pdf_if_changed
from tests.pdf_pages import page_texts

WHEN = document_time("2026-10", 1)


def _list(name: str) -> dict:
    manager = {"manager_id": "M001", "name": name, "county": "西昌市"}
    return list_content("2026-10", manager, pd.DataFrame(columns=TODO_ITEMS.frame_columns), [])


def _draw(tmp_path: Path, out: Path, content: dict, drawn: list[str]) -> bool:
    def html() -> str:
        drawn.append(content["name"])
        return render_pdf_html("todo.html", WHEN, s=content)

    return write_pdf_if_changed(out, content, html, tmp_path, WHEN)


def test_a_pdf_is_drawn_again_only_when_what_it_states_changes(tmp_path: Path, monkeypatch) -> None:
    out, drawn = tmp_path / "M001_工作清单.pdf", []
    assert _draw(tmp_path, out, _list("赵明"), drawn)
    first = (out.read_bytes(), out.stat().st_mtime_ns)
    assert not _draw(tmp_path, out, _list("赵明"), drawn)
    assert (out.read_bytes(), out.stat().st_mtime_ns) == first and drawn == ["赵明"]  # not even its HTML
    assert _draw(tmp_path, out, _list("钱芳"), drawn)
    assert "钱芳" in "".join(page_texts(out)) and "赵明" not in "".join(page_texts(out))
    out.unlink()  # a file removed by hand is drawn again whatever its record says
    assert _draw(tmp_path, out, _list("钱芳"), drawn) and out.exists()
    monkeypatch.setattr(pdf, "rendering_digest", lambda: "templates edited")  # same data, new template
    assert _draw(tmp_path, out, _list("钱芳"), drawn) and drawn == ["赵明", "钱芳", "钱芳", "钱芳"]


def _content(revenue_fen: int) -> dict:
    return {
        "by_business": [{"business_type": "标准快递", "revenue_fen": revenue_fen}],
        "by_county": [{"county": "西昌市", "revenue_fen": revenue_fen}],
        "trend": [],
        "pareto": {"curve": []},
    }


def test_an_editions_charts_are_kept_and_read_back_not_drawn_again(tmp_path: Path, monkeypatch) -> None:
    drawn: list[dict] = []

    def draw(content: dict) -> dict[str, str]:
        drawn.append(content)
        return {"business": f"<svg>{content['by_business'][0]['revenue_fen']}</svg>"}

    monkeypatch.setattr(bulletin, "_draw_charts", draw)
    monkeypatch.setattr(bulletin, "_CHARTS", {})
    assert bulletin.charts(_content(100), tmp_path) == {"business": "<svg>100</svg>"}
    kept = json.loads((tmp_path / bulletin.CHARTS_FILE).read_text(encoding="utf-8"))
    assert kept["charts"] == {"business": "<svg>100</svg>"}

    monkeypatch.setattr(bulletin, "_CHARTS", {})  # a later process: nothing drawn in memory
    assert bulletin.charts(_content(100), tmp_path) == {"business": "<svg>100</svg>"}
    assert len(drawn) == 1
    assert bulletin.charts(_content(250), tmp_path) == {"business": "<svg>250</svg>"}  # other figures
    assert len(drawn) == 2
    kept = json.loads((tmp_path / bulletin.CHARTS_FILE).read_text(encoding="utf-8"))
    assert kept["charts"] == {"business": "<svg>250</svg>"}


@pytest.mark.parametrize("with_site", [True, False])
def test_a_history_months_snapshot_leaves_the_site_out(tmp_path: Path, with_site: bool) -> None:
    layout = Layout(tmp_path / "inputs", tmp_path / "outputs")
    release = layout.outputs / "site-releases" / "r1"
    release.mkdir(parents=True)
    (release / "index.html").write_text("<p>旧</p>", encoding="utf-8")
    layout.site.symlink_to(release)
    layout.tables("2026-10").mkdir(parents=True)
    (layout.tables("2026-10") / "usage.csv").write_text("old\n", encoding="utf-8")

    root = take_snapshot(layout, "2026-10", "run1", with_site=with_site)
    assert (root / "site").is_dir() == with_site
    assert json.loads((root / INDEX).read_text(encoding="utf-8"))["site"] == ("r1" if with_site else None)
    (layout.tables("2026-10") / "usage.csv").write_text("half written\n", encoding="utf-8")
    assert restore_snapshot(layout, "run1") == "2026-10"
    assert (layout.tables("2026-10") / "usage.csv").read_text(encoding="utf-8") == "old\n"
    assert (layout.site / "index.html").read_text(encoding="utf-8") == "<p>旧</p>"
    assert not snapshot_dir(layout, "run1").exists()
