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


def bench_analytics(counties: int, customers: int, months: int, repeat: int) -> list[dict]:
    """Tiers + alerts of the last month of a generated history (the plain functions)."""
    import tempfile
    import tracemalloc

    from pipeline.alerts import find_alerts
    from pipeline.months import shift
    from pipeline.sample_data import Scale, simulate
    from pipeline.tiers import classify

    last = "2026-10"
    scale = Scale(customers=customers, counties=counties, first=shift(last, -(months - 1)), last=last)
    with tempfile.TemporaryDirectory() as folder:
        ref, archive, usage = simulate(Path(folder) / "reference", scale=scale)
    rules = ref.rules.for_month(last)
    previous = classify(usage, shift(last, -1), archive, None, rules)
    accepted = set(archive.county)

    def month() -> None:
        tiers = classify(usage, last, archive, previous, rules)
        find_alerts(usage, last, tiers, accepted, rules)

    seconds = median_seconds(month, repeat)
    tracemalloc.start()
    month()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    rows = sum(len(f) for f in usage.values())
    label = (
        f"tiers + alerts: {counties} counties, {customers:,} customers, {months} months, {rows:,} usage rows"
    )
    return [
        {
            "measure": label,
            "what": "one month (classify with grace, then alerts)",
            "median_s": seconds,
            "ratio": None,
        },
        {
            "measure": label,
            "what": f"peak memory allocated in that step: {peak / 2**20:.0f} MiB",
            "median_s": None,
            "ratio": None,
        },
    ]


def to_markdown(rows: list[dict]) -> str:
    lines = ["| measure | what | median (s) | ratio |", "| --- | --- | ---: | ---: |"]
    for r in rows:
        seconds = "" if r["median_s"] is None else f"{r['median_s']:.3f}"
        ratio = "" if r["ratio"] is None else f"{r['ratio']:.2f}×"
        lines.append(f"| {r['measure']} | {r['what']} | {seconds} | {ratio} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--inputs", default=str(REPO / "inputs"))
    parser.add_argument("--month", default="2026-10")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", default=str(REPO / "outputs" / "bench" / "results.md"))
    parser.add_argument("--only", choices=["ingest", "analytics"], help="run one section")
    parser.add_argument("--counties", type=int, default=183, help="analytics: province scale by default")
    parser.add_argument("--customers", type=int, default=50_000)
    args = parser.parse_args()
    rows = []
    if args.only in (None, "ingest"):
        rows += bench_ingest(Path(args.inputs), args.month, args.repeat)
    if args.only in (None, "analytics"):
        rows += bench_analytics(args.counties, args.customers, 12, max(3, args.repeat // 2))
    table = to_markdown(rows)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(table, encoding="utf-8")
    print(table)
    print(f"written to {out}")


if __name__ == "__main__":
    main()
