"""Which Dagster executor runs a month: every step in one process, or a process per step.

On a 2-core machine a step process (forkserver, modules preloaded) costs more than parsing a
county's workbook, so the choice depends on the number of counties; the threshold is a rule
(`[period.execution]` in rules.toml), measured with `make bench`.
"""

from __future__ import annotations

import os

from pipeline.core.rules import Rules

IN_PROCESS, MULTIPROCESS, CELERY = "in_process", "multiprocess", "celery"
# celery (dagster-celery, steps on workers of other machines) is chosen only explicitly
EXECUTORS = (IN_PROCESS, MULTIPROCESS, CELERY)
ENV_OVERRIDE = "KAC_EXECUTOR"


def choose_executor(counties: int, rules: Rules, override: str | None = None) -> str:
    """`override` (or KAC_EXECUTOR) wins; otherwise multiprocess from the rules' county count on."""
    chosen = override or os.environ.get(ENV_OVERRIDE) or ""
    if chosen:
        if chosen not in EXECUTORS:
            raise ValueError(f"executor {chosen!r}: use one of {', '.join(EXECUTORS)}")
        return chosen
    threshold = rules.values["execution"].get("multiprocess_from_counties")
    # no threshold in an older rules file: in-process, the cheaper choice at prefecture scale
    return MULTIPROCESS if threshold is not None and counties >= int(threshold) else IN_PROCESS


def max_processes(rules: Rules) -> int:
    """Step processes at once; 0 in the rules means one per core."""
    configured = int(rules.get("execution.max_processes"))
    return configured or usable_cores()


def usable_cores() -> int:
    """The cores this process may run on: fewer than the machine's when it is pinned (`taskset`,
    a container's CPU set, each test process of `pytest -n`)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1
