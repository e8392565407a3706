"""A whole month: every county's intake combined into the month's tables."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from pipeline.core.contract import REJECTED_ROWS, VISITS
from pipeline.core.problems import Problem, to_frame
from pipeline.ingest.county import (
    ARCHIVE_COLUMNS,
    CASE_COLUMNS,
    PROGRESS_COLUMNS,
    CountyIntake,
    usage_frame,
)


@dataclass
class MonthIntake:
    """Every county's intake of a month, combined."""

    usage: pd.DataFrame
    archive: pd.DataFrame
    visits: pd.DataFrame
    cases: pd.DataFrame  # the 投诉查询理赔 rows used (ingest.county.CASE_COLUMNS)
    problems: pd.DataFrame
    quarantine: pd.DataFrame
    progress: pd.DataFrame  # the 工作进展 sheets' items (contract.PROGRESS)


def combine(intakes: list[CountyIntake], extra_problems: list[Problem] = ()) -> MonthIntake:
    """The counties' accepted rows, problems and quarantined rows as the month's tables."""

    def records(name: str, columns: list[str]) -> pd.DataFrame:
        rows = [r for i in intakes for r in getattr(i, name)]
        if not rows:  # text columns, as when rows are read (no rows would make them float64)
            return pd.DataFrame({c: pd.Series([], dtype=object) for c in columns}, columns=columns)
        # a county read by an earlier release (its stored intake) lacks the columns added since
        return pd.DataFrame({c: [r.get(c, "") for r in rows] for c in columns}, columns=columns)

    return MonthIntake(
        usage=usage_frame(intakes),
        archive=records("archive", [*ARCHIVE_COLUMNS, "birthday"]),  # birthday: never in archive.csv
        visits=records("visits", VISITS.names),
        cases=records("cases", CASE_COLUMNS).astype({"claim_amount_fen": "Int64", "source_row": "int64"}),
        problems=to_frame([p for i in intakes for p in i.problems] + list(extra_problems)),
        quarantine=records("quarantine", REJECTED_ROWS.names),
        progress=records("progress", PROGRESS_COLUMNS).astype({"source_row": "int64"}),
    )


def rejected_customers(rejected_rows: pd.DataFrame) -> set[str]:
    """Customers with a 用邮情况 row rejected this month (contract.REJECTED_ROWS)."""
    if "customer_id" not in rejected_rows:  # kept by a release before the column
        return set()
    return set(rejected_rows.customer_id.dropna()) - {""}
