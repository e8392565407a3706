"""This tree against an earlier revision, stage by stage, measured in one run.

    python -m benchmarks.compare --base REV [--month 2026-10] [--repeat 3]   (make bench-compare)

Each revision runs its own code from its own checkout (a git worktree under outputs/bench/) on
its own committed sample inputs, each run a fresh `kac` process, the two revisions' runs
interleaved so that the machine's noise falls on both alike. Stages:
- the sample month with every month before it computed (the operator's run on the 4th);
- then one county corrects one revenue cell and the month is run again (第2版);
- with `--first-run`, also a new user's first run: the month from empty outputs, every month
  before it computed first (the longest stage: measured last in each round).
Medians, and the ratio of this tree's to the base's (above 1.10: this tree is more than 10 %
slower). Appends the table to benchmarks/RESULTS.md as `make bench` does.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from benchmarks.correction_bench import CORRECTED_COUNTY, correct_one_cell
from pipeline.core.layout import REPO
from pipeline.core.months import shift

BENCH = REPO / "outputs" / "bench"
SLOWER_AT_MOST = 1.10


def checkout(rev: str) -> Path:
    """A worktree of `rev` (kept for later runs; named by its commit)."""
    sha = subprocess.run(["git", "rev-parse", rev], cwd=REPO, check=True, capture_output=True, text=True)
    tree = BENCH / f"tree-{sha.stdout.strip()[:12]}"
    if not tree.exists():
        subprocess.run(["git", "worktree", "add", "--detach", str(tree), rev], cwd=REPO, check=True)
    return tree


def kac(tree: Path, *args: str) -> float:
    """`kac …` with the code of `tree`, in a new process: seconds."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "assets.cli", *args], cwd=tree, check=True, capture_output=True)
    return time.perf_counter() - started


def prepared(tree: Path, month: str) -> Path:
    """Inputs and outputs with every month before `month` computed by `tree`'s code (built once)."""
    base = tree.parent / f"{tree.name}-base-{month}"
    if not (base / ".prepared").exists():
        shutil.rmtree(base, ignore_errors=True)
        shutil.copytree(tree / "inputs", base / "inputs")
        print(f"preparing {tree.name}: history before {month} …", flush=True)
        kac(
            tree,
            "run",
            shift(month, -1),
            "--inputs",
            str(base / "inputs"),
            "--outputs",
            str(base / "outputs"),
        )
        (base / ".prepared").touch()
    return base


def one_round(tree: Path, base: Path, month: str, first_run: bool) -> tuple[float, ...]:
    """(the month's run, the correction's run) on a fresh copy of `base`; with `first_run`, then
    the month from empty outputs as well."""
    with tempfile.TemporaryDirectory(dir=BENCH) as tmp:
        run = Path(tmp)
        shutil.copytree(base, run, symlinks=True, dirs_exist_ok=True)
        where = ["--inputs", str(run / "inputs"), "--outputs", str(run / "outputs")]
        month_s = kac(tree, "run", month, *where)
        correct_one_cell(run / "inputs" / month)
        times = (month_s, kac(tree, "run", month, *where))
    if not first_run:
        return times
    with tempfile.TemporaryDirectory(dir=BENCH) as tmp:
        shutil.copytree(tree / "inputs", Path(tmp) / "inputs")
        where = ["--inputs", str(Path(tmp) / "inputs"), "--outputs", str(Path(tmp) / "outputs")]
        return (*times, kac(tree, "run", month, *where))


def compare(
    base_rev: str, month: str, repeat: int, head_rev: str | None = None, first_run: bool = False
) -> list[dict]:
    trees = {"base": checkout(base_rev), "this tree": checkout(head_rev) if head_rev else REPO}
    bases = {name: prepared(tree, month) for name, tree in trees.items()}
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in trees}
    for i in range(repeat):
        # each round in the other order: the second run of a pair was measured slower here
        # (29.4 s then 36.1 s, and the other way round 28.8 then 30.5 s, same two trees)
        for name, tree in list(trees.items())[:: 1 if i % 2 == 0 else -1]:
            times[name].append(one_round(tree, bases[name], month, first_run))
    rows = []
    stages = [f"kac run {month}, history present", f"{CORRECTED_COUNTY} corrects one cell → 第2版"]
    stages += [f"kac run {month} from empty outputs (first run)"] if first_run else []
    for i, stage in enumerate(stages):
        before = statistics.median(t[i] for t in times["base"])
        after = statistics.median(t[i] for t in times["this tree"])
        verdict = "within 10 %" if after / before <= SLOWER_AT_MOST else "more than 10 % slower"
        label = f"{stage} ({repeat} runs each, fresh process)"
        rows.append(
            {"measure": label, "what": f"base {base_rev} (baseline)", "median_s": before, "ratio": 1.0}
        )
        rows.append(
            {"measure": label, "what": f"this tree: {verdict}", "median_s": after, "ratio": after / before}
        )
    return rows


def to_markdown(rows: list[dict]) -> str:
    lines = ["| measure | what | median (s) | this tree ÷ base |", "| --- | --- | ---: | ---: |"]
    lines += [f"| {r['measure']} | {r['what']} | {r['median_s']:.2f} | {r['ratio']:.2f} |" for r in rows]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--base", required=True, help="the revision to compare with (a commit, tag or branch)"
    )
    parser.add_argument("--head", help="a revision instead of this working tree")
    parser.add_argument("--month", default="2026-10")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--first-run", action="store_true", help="also the first run from empty outputs")
    parser.add_argument("--out", default=str(REPO / "benchmarks" / "RESULTS.md"))
    args = parser.parse_args()
    BENCH.mkdir(parents=True, exist_ok=True)
    table = to_markdown(compare(args.base, args.month, args.repeat, args.head, args.first_run))
    print(table)
    with Path(args.out).open("a", encoding="utf-8") as f:
        head = args.head or "the working tree"
        f.write(f"\n## {date.today().isoformat()} · {head} against {args.base}\n\n{table}")


if __name__ == "__main__":
    main()
