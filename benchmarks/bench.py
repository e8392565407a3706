"""Benchmarks: medians of several runs, each beside its baseline measured in the same run.

    python -m benchmarks.bench [--repeat N] [--inputs DIR] [--month YYYY-MM] [--out FILE]

Writes the table as Markdown to --out (default outputs/bench/results.md) and prints it.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from python_calamine import CalamineWorkbook

from pipeline.ingest import county_files, ingest_county
from pipeline.layout import REPO
from pipeline.reference import Reference


def median_seconds(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def county_paths(inputs: Path, month: str, ref: Reference) -> list[Path]:
    files, _ = county_files(inputs / month, ref)
    return [p for paths in files.values() for p in paths]


def naive_openpyxl(paths: list[Path]) -> None:
    for path in paths:
        pd.read_excel(path, sheet_name=None, engine="openpyxl", header=None)


def bare_calamine(paths: list[Path]) -> None:
    for path in paths:
        workbook = CalamineWorkbook.from_path(str(path))
        for name in workbook.sheet_names:
            workbook.get_sheet_by_name(name).to_python()


def full_ingest(inputs: Path, month: str, ref: Reference) -> None:
    from pipeline import ingest

    ingest._grids_by_stamp.cache_clear()  # measure the reads, not the cache
    files, _ = county_files(inputs / month, ref)
    for code in ref.counties.code:
        ingest_county(code, month, files.get(code, []), ref)


def bench_ingest(inputs: Path, month: str, repeat: int) -> list[dict]:
    ref = Reference.load(inputs / "reference")
    paths = county_paths(inputs, month, ref)
    rows = sum(len(CalamineWorkbook.from_path(str(p)).get_sheet_by_index(0).to_python()) for p in paths)
    naive = median_seconds(lambda: naive_openpyxl(paths), repeat)
    bare = median_seconds(lambda: bare_calamine(paths), repeat)
    full = median_seconds(lambda: full_ingest(inputs, month, ref), repeat)
    label = f"ingest {month}: {len(paths)} files, {rows:,} usage rows"
    return [
        {
            "measure": label,
            "what": "pandas.read_excel(openpyxl), all sheets (baseline)",
            "median_s": naive,
            "ratio": 1.0,
        },
        {"measure": label, "what": "bare calamine read, all sheets", "median_s": bare, "ratio": naive / bare},
        {
            "measure": label,
            "what": "full ingest: read + validate + normalise",
            "median_s": full,
            "ratio": naive / full,
        },
        {"measure": label, "what": "full ingest ÷ bare calamine", "median_s": None, "ratio": full / bare},
    ]


def to_markdown(rows: list[dict]) -> str:
    lines = ["| measure | what | median (s) | ratio |", "| --- | --- | ---: | ---: |"]
    for r in rows:
        seconds = "" if r["median_s"] is None else f"{r['median_s']:.3f}"
        lines.append(f"| {r['measure']} | {r['what']} | {seconds} | {r['ratio']:.2f}× |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--inputs", default=str(REPO / "inputs"))
    parser.add_argument("--month", default="2026-10")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", default=str(REPO / "outputs" / "bench" / "results.md"))
    args = parser.parse_args()
    rows = bench_ingest(Path(args.inputs), args.month, args.repeat)
    table = to_markdown(rows)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(table, encoding="utf-8")
    print(table)
    print(f"written to {out}")


if __name__ == "__main__":
    main()
