"""A county's correction re-run beside the month's full run, measured in the same run.

Both start from the same state — every month before `month` processed and published, `month`
not yet — held in a prepared folder and copied for each repetition (the copy is not timed):

- full run: `kac run MONTH` as the operator does on the 4th (all counties read, every
  publication rendered, the site republished);
- correction: then one county corrects one revenue cell and `kac run MONTH` again (that county
  read again, the month recomputed, version 2 published with its 更正说明).
Each run is a fresh process (`kac run`), as the operator's is.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from openpyxl import load_workbook

from pipeline.core.layout import REPO
from pipeline.core.months import shift

CORRECTED_COUNTY = "会东县"


def _kac(*args: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "assets.cli", *args], check=True, cwd=REPO, capture_output=True)
    return time.perf_counter() - started


def correct_one_cell(month_folder: Path) -> Path:
    """Add 100.00 元 to the first revenue cell of the county's usage sheet (and its total row)."""
    (path,) = month_folder.glob(f"{CORRECTED_COUNTY}_*.xlsx")
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    header = [str(c.value or "") for c in ws[3]]
    column = next(i for i, name in enumerate(header) if name.startswith("收入"))
    rows = list(ws.iter_rows(min_row=4))
    first = next(r for r in rows if isinstance(r[column].value, int | float) and r[0].value != "合计")
    for row in [first, *(r for r in rows if r[0].value == "合计")]:  # the cell and the total row
        row[column].value = round(float(row[column].value) + 100, 2)
    wb.save(path)
    return path


def bench_correction(inputs: Path, month: str, repeat: int) -> list[dict]:
    full, correction = [], []
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base"
        shutil.copytree(inputs, base / "inputs")
        _kac("run", shift(month, -1), "--inputs", str(base / "inputs"), "--outputs", str(base / "outputs"))
        for i in range(repeat):
            run = Path(tmp) / f"run{i}"
            shutil.copytree(base, run, symlinks=True)
            where = ["--inputs", str(run / "inputs"), "--outputs", str(run / "outputs")]
            full.append(_kac("run", month, *where))
            correct_one_cell(run / "inputs" / month)
            correction.append(_kac("run", month, *where))
            shutil.rmtree(run)
    label = f"kac run {month} (fresh process each): full month vs one county's correction"
    full_s, correction_s = statistics.median(full), statistics.median(correction)
    return [
        {"measure": label, "what": "full month run (baseline)", "median_s": full_s, "ratio": 1.0},
        {
            "measure": label,
            "what": f"{CORRECTED_COUNTY} corrects one cell → 第2版 (target < 5 s and ≤ ⅓ of full)",
            "median_s": correction_s,
            "ratio": correction_s / full_s,
        },
    ]
