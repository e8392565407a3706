"""Per-county submission status of a month: on time, late, received, missing, rejected."""

from __future__ import annotations

import pandas as pd

from pipeline.core.contract import SUBMISSIONS
from pipeline.core.problems import ERROR, WARNING, effect
from pipeline.ingest.county import CountyIntake

ACCEPTED = ("on_time", "late", "received")  # statuses whose workbook is used
STATUS_LABELS = {
    "on_time": "按时",
    "late": "逾期",
    "received": "已收到(未注明日期)",
    "missing": "未报送",
    "rejected": "退回",
}


def submissions_table(intakes: list[CountyIntake], county_names: dict[str, str]) -> pd.DataFrame:
    """One row per county in reference order."""
    rows = []
    for intake in intakes:
        severities = [p.severity for p in intake.problems]
        rows.append(
            {
                "county": county_names[intake.county],
                "status": intake.status,
                "file": "、".join(intake.files),
                "sha256": intake.sha256,
                "rows": intake.rows_read,
                "errors": severities.count(ERROR),
                "warnings": severities.count(WARNING),
                "report_date": intake.report_date,
                "received_at": intake.received_at,
                "reject_code": reject_code(intake),
            }
        )
    return pd.DataFrame(rows, columns=SUBMISSIONS.names)


def counted_over(submissions: pd.DataFrame, problems: pd.DataFrame) -> pd.DataFrame:
    """Each county's errors and warnings counted over the month's complete problems (新揽收, 对账,
    cases against earlier months: found after the workbooks were read), as every report counts them."""
    counted = problems.groupby(["county", "severity"]).size()

    def count(county: str, severity: str) -> int:
        return int(counted.get((county, severity), 0))

    return submissions.assign(
        errors=[count(c, ERROR) for c in submissions.county],
        warnings=[count(c, WARNING) for c in submissions.county],
    )


def with_labels(submissions: pd.DataFrame) -> pd.DataFrame:
    return submissions.assign(status_label=submissions.status.map(STATUS_LABELS))


def reject_code(intake: CountyIntake) -> str:
    """Why nothing of the county is used: the first problem that rejects it, or its absence."""
    if intake.status == "missing":
        return "submission_missing"
    if intake.status != "rejected":
        return ""
    return next((p.code for p in intake.problems if effect(p.code) == "county"), "")


def unaccepted_counties(submissions_by_month: dict[str, pd.DataFrame]) -> dict[str, set[str]]:
    """Month → the counties whose workbook was not accepted, in the months with data (some county
    accepted: the empty months before the data begins are not "unknown", they are before it)."""
    out = {}
    for m, table in submissions_by_month.items():
        accepted = table.status.isin(ACCEPTED)
        if accepted.any():
            out[m] = set(table.county[~accepted])
    return out
