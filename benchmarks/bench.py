"""Benchmarks: medians of several runs, each beside its baseline measured in the same run.

    python -m benchmarks.bench [--only MEASURE] [--scales sample,province] [--repeat N] [--out FILE]

Appends the table as a dated Markdown section to --out (default benchmarks/RESULTS.md) and
prints it. Each measure is a function in MEASURES (taking the parsed arguments, returning rows):
a new one is added there. Generated data and prepared outputs live under outputs/bench/ (not in
git) and are reused by later runs.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
from python_calamine import CalamineWorkbook

from pipeline.core.layout import REPO
from pipeline.ingest.county import ingest_county
from pipeline.ingest.files import county_files
from pipeline.ingest.month import combine
from pipeline.ingest.reference import Reference


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
    from pipeline.ingest import grid

    grid._grids_by_stamp.cache_clear()  # measure the reads, not the cache
    files, _ = county_files(inputs / month, ref)
    combine(
        [ingest_county(code, month, files.get(code, []), ref) for code in ref.counties.code]
    )  # month tables


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
            "what": "full ingest: read + validate + normalise, month tables built",
            "median_s": full,
            "ratio": naive / full,
        },
        {"measure": label, "what": "full ingest ÷ bare calamine", "median_s": None, "ratio": full / bare},
    ]


def bench_analytics(counties: int, customers: int, months: int, repeat: int) -> list[dict]:
    """Tiers + alerts of the last month of a generated history (the plain functions)."""
    import tempfile
    import tracemalloc

    from pipeline.analytics.alerts import find_alerts
    from pipeline.analytics.tiers import classify
    from pipeline.core.months import shift
    from pipeline.sample.generate import Scale, simulate

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


RENDER_SCRIPT = """
import pickle, sys
from pathlib import Path
kind, data, out = sys.argv[1], pickle.load(open(sys.argv[2], "rb")), Path(sys.argv[3])
from benchmarks.bench import render_one
render_one(kind, data, out)
"""


def _stored(outputs: Path, asset: str, month: str):
    import pickle

    return pickle.loads((outputs / ".dagster" / "storage" / asset / f"{month}-01").read_bytes())


def render_one(kind: str, data: dict, out: Path) -> None:
    """Render one publication of a month (what one process per document does)."""
    from pipeline.analytics.quarterly import render_quarterly
    from pipeline.pay.statements import render_statements
    from pipeline.publish.bulletin import render_brief, render_bulletin

    if kind == "bulletin":
        render_bulletin(data["content"], 1, out, [])
    elif kind == "brief":
        render_brief(data["content"], 1, out)
    elif kind == "quarterly":
        render_quarterly(data["quarterly"], data["content"], 1, out)
    else:
        render_statements(
            data["month"],
            1,
            data["rules"],
            data["summary"],
            data["lines"],
            data["cards"],
            data["deltas"],
            out,
        )


def bench_render(outputs: Path, month: str, repeat: int) -> list[dict]:
    """Each publication of a month and the whole set in one process, against one process per
    document (timed per publication in the same run)."""
    import pickle
    import subprocess
    import sys
    import tempfile

    import pandas as pd

    from pipeline.ingest.reference import Reference

    ref = Reference.load(REPO / "inputs" / "reference")
    pay = _stored(outputs, "pay", month)
    data = {
        "content": _stored(outputs, "month_content_data", month),
        "quarterly": _stored(outputs, "quarterly_usage", month),
        "month": month,
        "rules": ref.rules.for_month(month),
        "summary": pay["summary"],
        "lines": pay["lines"],
        "cards": _stored(outputs, "scorecards_table", month),
        "deltas": pd.DataFrame(),
    }
    statements = len(pay["summary"])
    kinds = ("bulletin", "brief", "quarterly", "statements")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        render_one("bulletin", data, folder)  # warm: fonts, templates, imports
        timings = {kind: _timed(lambda kind=kind: render_one(kind, data, folder), repeat) for kind in kinds}
        whole = _timed(lambda: [render_one(k, data, folder) for k in kinds], repeat)
        documents = [("bulletin", data), ("brief", data), ("quarterly", data)]
        for manager_id in pay["summary"].manager_id:  # a process per statement
            one = dict(data, summary=pay["summary"][pay["summary"].manager_id == manager_id])
            documents.append(("statements", one))
        baseline = dict.fromkeys(kinds, 0.0)
        for i, (kind, payload) in enumerate(documents):
            path = folder / f"doc{i}.pkl"
            path.write_bytes(pickle.dumps(payload))
            started = time.perf_counter()
            subprocess.run(
                [sys.executable, "-c", RENDER_SCRIPT, kind, str(path), str(folder)],
                check=True,
                cwd=REPO,
                capture_output=True,
            )
            baseline[kind] += time.perf_counter() - started
    label = f"render {month}: 信息简报, 信息参考, 季度表, {statements} 份薪酬明细"
    names = {
        "bulletin": "信息简报",
        "brief": "信息参考",
        "quarterly": "大客户用邮情况表 (PDF + xlsx)",
        "statements": f"薪酬明细 × {statements}",
    }
    rows = []
    for kind in kinds:
        wall, cpu = timings[kind]
        rows.append(
            {
                "measure": label,
                "what": f"{names[kind]}: one process, warm (CPU {cpu:.2f} s; per-process baseline"
                f" {baseline[kind]:.2f} s ÷ this)",
                "median_s": wall,
                "ratio": baseline[kind] / wall,
            }
        )
    total = sum(baseline.values())
    rows.append(
        {
            "measure": label,
            "what": f"whole set, one process (CPU {whole[1]:.2f} s; baseline ÷ this)",
            "median_s": whole[0],
            "ratio": total / whole[0],
        }
    )
    rows.append(
        {
            "measure": label,
            "what": f"whole set, one process per document ({len(documents)} processes, baseline)",
            "median_s": total,
            "ratio": 1.0,
        }
    )
    return rows


# -- a month end to end: `kac run` in a new process, in-process against multiprocess ------------

BENCH = REPO / "outputs" / "bench"
# `kac` of this tree's code (run from REPO), also when another checkout is the one installed
KAC = [sys.executable, "-m", "assets.cli"]
EXECUTORS = ("in_process", "multiprocess")


@dataclass(frozen=True)
class BenchScale:
    name: str
    counties: int
    customers: int | None  # None: the committed sample inputs
    month: str  # the month measured; every month before it is prepared once
    target_s: float  # the operator's month, cold process, PDFs and site included
    target_rss_mib: float | None = None
    first_run_target_s: float = 0.0  # the same month from empty outputs, every month before it too
    first: str | None = None  # the first month generated (None: the generator's own)


# targets of the second speed round: the sample month < 8 s, the province month < 60 s and 4 GB
SCALES = {
    "sample": BenchScale("sample", 17, None, "2026-10", 8.0, first_run_target_s=30.0),
    # 12 months of history before the month measured, as the speed issue's province first run
    "province": BenchScale("province", 183, 50_000, "2026-10", 60.0, 4096.0, 300.0, first="2025-10"),
}


def scale_inputs(scale: BenchScale) -> Path:
    """The inputs of a scale: the committed sample, or data generated once into outputs/bench/
    (province: 183 counties × 13 months)."""
    from pipeline.sample.generate import Scale, generate

    if scale.customers is None:
        return REPO / "inputs"
    folder = BENCH / f"{scale.name}-inputs"
    done = folder / ".generated"
    if not done.exists():
        shutil.rmtree(folder, ignore_errors=True)
        print(f"generating {scale.name} inputs into {folder} …", flush=True)
        months = {"first": scale.first} if scale.first else {}
        generate(folder, scale=Scale(customers=scale.customers, counties=scale.counties, **months))
        done.touch()
    return folder


def prepared_outputs(scale: BenchScale, inputs: Path, month: str) -> Path:
    """Outputs where every month before `month` is computed (the state before the operator's
    run), built once with `kac run` of the month before; each measured run works on a copy.
    A base built earlier is brought up to date first, by the same command, as the operator's
    previous month would be: templates or code changed since then would otherwise re-render
    the survey waves in every measured run."""
    from pipeline.core.months import shift

    base = BENCH / f"{scale.name}-base"
    done = base / ".prepared"
    if not done.exists() or done.read_text() != month:
        shutil.rmtree(base, ignore_errors=True)
        print(f"preparing {scale.name} history before {month} in {base} …", flush=True)
    cmd = [*KAC, "run", shift(month, -1), "--inputs", str(inputs), "--outputs", str(base)]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, cwd=REPO)
    done.write_text(month)
    return base


def kac_month(inputs: Path, base: Path | None, month: str, executor: str) -> tuple[float, float]:
    """`kac run month` in a new process on a fresh copy of `base` (None: empty outputs, a first
    run): (seconds, peak RSS in MiB of the largest process, step processes included where they
    were reaped)."""
    with tempfile.TemporaryDirectory(dir=BENCH) as tmp:
        outputs = Path(tmp) / "outputs"
        if base is not None:
            shutil.copytree(base, outputs, symlinks=True)
        os.sync()  # the copy's writes reach the disk before the clock starts
        cmd = [*KAC, "run", month, "--inputs", str(inputs), "--outputs", str(outputs), "--executor", executor]
        errors = Path(tmp) / "stderr.txt"
        with errors.open("wb") as err:
            started = time.perf_counter()
            child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, cwd=REPO)
            _, status, usage = os.wait4(child.pid, 0)  # this child's own resource usage
            seconds = time.perf_counter() - started
        if os.waitstatus_to_exitcode(status) != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed: {errors.read_text(encoding='utf-8')[-2000:]}")
        return seconds, usage.ru_maxrss / 1024  # KiB on Linux


def month_runs(
    scale: BenchScale, month: str, repeat: int, executors: tuple[str, ...] = EXECUTORS
) -> dict[str, list[tuple[float, float]]]:
    """The executors, runs interleaved so that the machine's noise falls on each alike."""
    inputs = scale_inputs(scale)
    base = prepared_outputs(scale, inputs, month)
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in executors}
    for _ in range(repeat):
        for name in executors:
            runs[name].append(kac_month(inputs, base, month, name))
    return runs


def default_executor(scale: BenchScale) -> str:
    """What `kac run` picks at this scale with the rules of the scale's inputs."""
    from pipeline.core.execution import choose_executor
    from pipeline.ingest.reference import Reference

    ref = Reference.load(scale_inputs(scale) / "reference")
    return choose_executor(len(ref.counties), ref.rules.latest())


def month_rows(scale: BenchScale, month: str, runs: dict[str, list[tuple[float, float]]]) -> list[dict]:
    label = f"kac run {month}, cold process, {scale.name} ({scale.counties} counties)"
    medians = {name: statistics.median(s for s, _ in r) for name, r in runs.items()}
    peaks = {name: max(m for _, m in r) for name, r in runs.items()}
    baseline = medians.get("in_process", next(iter(medians.values())))
    rows = [
        {
            "measure": label,
            "what": f"{name} executor ({len(runs[name])} runs; peak RSS {peaks[name]:,.0f} MiB)"
            + (" (baseline)" if medians[name] == baseline else ""),
            "median_s": medians[name],
            "ratio": baseline / medians[name],
        }
        for name in runs
    ]
    chosen = default_executor(scale)
    if chosen in runs:
        rows.append(
            _against(f"default ({chosen})", runs[chosen], scale.target_s, scale.target_rss_mib, label)
        )
    return rows


def bench_month(args: argparse.Namespace) -> list[dict]:
    rows = []
    for name in args.scales.split(","):
        scale = SCALES[name]
        repeat = args.month_repeat or (3 if scale.customers is None else 2)
        executors = tuple(args.executors.split(","))
        rows += month_rows(scale, scale.month, month_runs(scale, scale.month, repeat, executors))
    return rows


def bench_first_run(args: argparse.Namespace) -> list[dict]:
    """The month from empty outputs (every month before it computed first) beside the same month
    with its history present, both with the executor `kac run` picks, runs interleaved."""
    rows = []
    for name in args.scales.split(","):
        scale = SCALES[name]
        repeat = args.month_repeat or (3 if scale.customers is None else 1)
        inputs, executor = scale_inputs(scale), default_executor(scale)
        base = prepared_outputs(scale, inputs, scale.month)
        month, first = [], []
        for _ in range(repeat):
            month.append(kac_month(inputs, base, scale.month, executor))
            first.append(kac_month(inputs, None, scale.month, executor))
        label = f"kac run {scale.month}, cold process, {scale.name} ({scale.counties} counties), {executor}"
        rows += [
            _against("history present", month, scale.target_s, scale.target_rss_mib, label) | {"ratio": 1.0},
            _against("from empty outputs, a first run", first, scale.first_run_target_s, None, label),
        ]
        rows[-1]["ratio"] = rows[-1]["median_s"] / rows[-2]["median_s"]
    return rows


def _against(
    what: str, runs: list[tuple[float, float]], target_s: float, target_mib: float | None, label: str
) -> dict:
    """A row of runs' median seconds and peak memory, each said met or missed against its target."""
    seconds, peak = statistics.median(s for s, _ in runs), max(m for _, m in runs)
    verdict = "met" if seconds <= target_s else f"missed by {seconds - target_s:.1f} s"
    said = f"{what} ({len(runs)} runs; peak RSS {peak:,.0f} MiB) against {target_s:.0f} s: {verdict}"
    if target_mib:
        said += f"; {target_mib:,.0f} MiB: {'met' if peak <= target_mib else 'missed'}"
    return {"measure": label, "what": said, "median_s": seconds, "ratio": None}


def _render(args: argparse.Namespace) -> list[dict]:
    render_month = "2026-09"  # a quarter end: every publication exists
    if not (Path(args.outputs) / ".dagster" / "storage" / "pay" / f"{render_month}-01").exists():
        from assets.cli import main as kac

        kac(["run", render_month, "--outputs", args.outputs])
    return bench_render(Path(args.outputs), render_month, 3)


def _site(args: argparse.Namespace) -> list[dict]:
    from benchmarks.site_bench import bench_site

    return bench_site(Path(args.inputs), Path(args.outputs), 3)


def _correction(args: argparse.Namespace) -> list[dict]:
    from benchmarks.correction_bench import bench_correction

    return bench_correction(Path(args.inputs), args.month, 3)


# Each measure: a function of the parsed arguments returning rows; a new one is added here.
MEASURES: dict[str, Callable[[argparse.Namespace], list[dict]]] = {
    "ingest": lambda args: bench_ingest(Path(args.inputs), args.month, args.repeat),
    "analytics": lambda args: bench_analytics(args.counties, args.customers, 12, max(3, args.repeat // 2)),
    "render": _render,
    "site": _site,
    "correction": _correction,
    "month": bench_month,
    "first-run": bench_first_run,
}


def _timed(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median wall and median CPU seconds: on a shared machine CPU time shows what wall time hides."""
    walls, cpus = [], []
    for _ in range(repeat):
        started, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def to_markdown(rows: list[dict]) -> str:
    lines = ["| measure | what | median (s) | ratio |", "| --- | --- | ---: | ---: |"]
    for r in rows:
        seconds = "" if r["median_s"] is None else f"{r['median_s']:.3f}"
        ratio = "" if r["ratio"] is None else f"{r['ratio']:.2f}×"
        lines.append(f"| {r['measure']} | {r['what']} | {seconds} | {ratio} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--inputs", default=str(REPO / "inputs"))
    parser.add_argument("--month", default="2026-10")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", default=str(REPO / "benchmarks" / "RESULTS.md"))
    parser.add_argument("--only", choices=list(MEASURES), action="append", help="run these sections only")
    parser.add_argument(
        "--outputs", default=str(REPO / "outputs"), help="render: a folder where the month was run"
    )
    parser.add_argument("--counties", type=int, default=183, help="analytics: province scale by default")
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--scales", default="sample,province", help="month: sample, province or both")
    parser.add_argument(
        "--month-repeat", type=int, default=0, help="month: runs per executor (default 3 sample, 2 province)"
    )
    parser.add_argument("--executors", default=",".join(EXECUTORS), help="month: the executors compared")
    args = parser.parse_args()
    BENCH.mkdir(parents=True, exist_ok=True)
    rows = []
    for name, measure in MEASURES.items():
        if args.only is None or name in args.only:
            rows += measure(args)
    table = to_markdown(rows)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("a", encoding="utf-8") as f:
        command = " ".join(["python -m benchmarks.bench", *sys.argv[1:]])
        f.write(f"\n## {date.today().isoformat()} · `{command}`\n\n{table}")
    print(table)
    print(f"appended to {out}")


if __name__ == "__main__":
    main()
