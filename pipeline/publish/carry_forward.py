"""Which month the UI's sensor runs next, so that a corrected month reaches the months after it
as `kac run` does: a later month reads the earlier month's tables (tier window, last month's
tiers, 同比, year to date), so the months are recomputed one at a time, in order."""

from __future__ import annotations

from dataclasses import dataclass

# Tag of the runs `kac` starts: kac recomputes the later months itself, in the same command.
BY_KAC_TAG = "kac/by_kac"


@dataclass(frozen=True)
class MonthState:
    """A month already computed, as the sensor sees it."""

    month: str
    changed: bool  # a county's inputs changed since they were last read
    run_id: str = ""  # its last run that recomputed the month's analytics ("" when none)
    started: float = 0.0  # when that run started and ended (seconds since the epoch)
    ended: float = 0.0
    by_kac: bool = False


@dataclass(frozen=True)
class NextRun:
    month: str
    after: MonthState | None = None  # the earlier month it follows; None: its own inputs changed


def next_run(states: list[MonthState]) -> NextRun | None:
    """The earliest month (`states` in month order) whose county inputs changed, or whose last
    recompute started before an earlier month's ended (that one run outside `kac`, which carries
    its own months forward); None when every month is current."""
    newest: MonthState | None = None  # the earlier month recomputed last outside kac
    for state in states:
        behind = newest is not None and state.started < newest.ended
        if state.changed or behind:
            return NextRun(state.month, newest if behind else None)
        if state.run_id and not state.by_kac and (newest is None or state.ended > newest.ended):
            newest = state
    return None
