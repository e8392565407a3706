"""A helper process sharing one list of tasks with this process while it goes on (the machine has
a second core): a `ProcessPoolExecutor` of one new interpreter. Used where documents are many."""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack, contextmanager

from pipeline.core.execution import usable_cores


@contextmanager
def helper_process(preload: Callable[[], object]) -> Iterator[ProcessPoolExecutor]:
    """A new interpreter ("spawn": nothing of this process is copied but its module search path
    and its garbage collector's thresholds) that runs `preload`, a module-level function, before
    its first task. Leaving the `with` block, also by an error, cancels the tasks it has not
    begun and waits for it to end; it also ends if this process dies. It imports this process's
    main module as it starts: a script using it needs an `if __name__ == "__main__":` guard."""
    spawn = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(1, spawn, initializer=_start, initargs=(preload, gc.get_threshold()))
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


class HelperOnDemand:
    """A helper process (`helper_process(preload)`) started the first time it is called for, so
    that work done in parts shares one helper, and none is started when no part needs it; it
    ends with the `with` block."""

    def __init__(self, preload: Callable[[], object]):
        self._preload = preload
        self._stack = ExitStack()
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> HelperOnDemand:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def __call__(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = self._stack.enter_context(helper_process(self._preload))
        return self._pool


def share(
    helper: ProcessPoolExecutor,
    task: Callable[..., object],
    arguments: list[tuple],
    meanwhile: Callable[[], object] | None = None,
) -> None:
    """`task(*a)` once for each `a` of `arguments`: the helper takes them from the back of the
    list, this process from the front, so neither stops while work remains (with fixed halves,
    the process started later, or given the longer tasks, would leave the other idle at the end).
    The first task found begun (or next) in the helper means the two have met. A task that
    failed there raises here. `meanwhile()`, work only this process can do, is done first,
    while the helper has already begun."""
    futures = [helper.submit(task, *a) for a in reversed(arguments)][::-1]
    if meanwhile is not None:
        meanwhile()
    for future, a in zip(futures, arguments, strict=True):
        if not future.cancel():
            break
        task(*a)
    for future in futures:
        if not future.cancelled() and (error := future.exception()) is not None:
            raise RuntimeError(f"辅助进程出错:{error!r}") from error


def run_shared(
    task: Callable[..., object],
    arguments: list[tuple],
    preload: Callable[[], object],
    apart_from: int,
    helper: ProcessPoolExecutor | HelperOnDemand | None = None,
    meanwhile: Callable[[], object] | None = None,
) -> None:
    """`task(*a)` for each `a`: here alone when fewer than `apart_from` (a helper costs about a
    second to start) or with no second core for a helper (`worth_a_helper`), else shared with
    `helper`, or with one started for them (`preload` first). `meanwhile()`, when given, is done
    here first (see `share`)."""
    if not worth_a_helper(len(arguments), apart_from):
        if meanwhile is not None:
            meanwhile()
        for a in arguments:
            task(*a)
    elif helper is not None:
        share(helper() if isinstance(helper, HelperOnDemand) else helper, task, arguments, meanwhile)
    else:
        with helper_process(preload) as started:
            share(started, task, arguments, meanwhile)


def worth_a_helper(tasks: int, apart_from: int) -> bool:
    """Whether `tasks` are enough to share (`apart_from`) and a second core is there to share them
    with: a helper on this process's only core would cost its start (≈ 2 s of CPU) and save
    nothing."""
    return tasks >= apart_from and usable_cores() > 1


def _start(preload: Callable[[], object], thresholds: tuple[int, int, int]) -> None:
    threading.Thread(target=_exit_with_parent, daemon=True).start()
    gc.set_threshold(*thresholds)
    preload()


def _exit_with_parent() -> None:
    """The helper ends when the process that started it ends (a stopped run leaves no writer
    behind)."""
    multiprocessing.parent_process().join()
    os._exit(1)
