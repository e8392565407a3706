"""A helper process only where a second core is there for it: a process pinned to one core (by
`taskset`, a container's CPU set, or `pytest -n` giving each test process a core of its own)
writes its documents alone."""

from __future__ import annotations

import os
import subprocess
import sys

from pipeline.core.layout import REPO

PROBE = (
    "import os, sys\n"
    "if sys.argv[1] == 'pinned': os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})\n"
    "from pipeline.core.execution import usable_cores\n"
    "from pipeline.render.pool import worth_a_helper\n"
    "print(usable_cores(), worth_a_helper(100, 16), worth_a_helper(15, 16))\n"
)


def probe(how: str) -> str:
    run = subprocess.run(
        [sys.executable, "-c", PROBE, how], cwd=REPO, capture_output=True, text=True, check=True
    )
    return run.stdout.strip()


def test_a_process_pinned_to_one_core_starts_no_helper() -> None:
    assert probe("pinned") == "1 False False"


def test_the_cores_counted_are_those_the_process_may_use() -> None:
    cores = len(os.sched_getaffinity(0))
    assert probe("as given") == f"{cores} {cores > 1} False"
