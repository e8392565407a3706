"""Site build benchmark: a full build beside the incremental republish of one month, same run.

The site is built from the outputs of month runs already made (`--outputs`): the sample data's
`kac run`, or a province-scale run. Each measure works on a private copy of those outputs.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pandas as pd

from pipeline.core.layout import Layout
from pipeline.ingest.reference import Reference
from pipeline.site.build import build_site


def _copy_outputs(outputs: Path, to: Path) -> None:
    ignore = shutil.ignore_patterns(".dagster", "site", "site-releases", "bench", "restricted")
    shutil.copytree(outputs, to, ignore=ignore)


def _touch_latest_month(layout: Layout, step: int) -> str:
    """Republish one month: one customer's revenue in the latest published month changes."""
    months = sorted(p.name for p in (layout.outputs / "bulletins").iterdir() if p.name[:2] == "20")
    path = layout.tables(months[-1]) / "usage.parquet"
    usage = pd.read_parquet(path)
    usage.loc[usage.index[0], "revenue_fen"] += 100 * (1 if step % 2 else -1)
    usage.to_parquet(path, index=False)
    return months[-1]


def bench_site(inputs: Path, outputs: Path, repeat: int, with_search: bool = True) -> list[dict]:
    import statistics

    ref = Reference.load(inputs / "reference")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        layout = Layout(inputs, Path(tmp) / "outputs")
        _copy_outputs(outputs, layout.outputs)
        full, pages = [], 0
        for _ in range(repeat):
            shutil.rmtree(layout.outputs / "site-releases", ignore_errors=True)
            layout.site.unlink(missing_ok=True)
            built = build_site(layout, ref, search_index=with_search)
            full.append(built.seconds)
            pages = built.pages
        again = [build_site(layout, ref, search_index=with_search).seconds for _ in range(repeat)]
        incremental, rendered = [], 0
        for step in range(repeat):
            month = _touch_latest_month(layout, step)
            built = build_site(layout, ref, search_index=with_search)
            incremental.append(built.seconds)
            rendered = built.rendered
    label = f"site from {outputs.name}: {pages:,} pages" + (" + Pagefind index" if with_search else "")
    full_s = statistics.median(full)
    rows.append({"measure": label, "what": "full build (baseline)", "median_s": full_s, "ratio": 1.0})
    rows.append(
        {
            "measure": label,
            "what": f"republish {month} after one figure changed ({rendered} pages rewritten)",
            "median_s": statistics.median(incremental),
            "ratio": full_s / statistics.median(incremental),
        }
    )
    rows.append(
        {
            "measure": label,
            "what": "rebuild with nothing changed",
            "median_s": statistics.median(again),
            "ratio": full_s / statistics.median(again),
        }
    )
    return rows
