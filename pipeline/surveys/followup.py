"""Closing the survey loop (回访): a customer on a wave's follow-up list (a score of 2 or less)
must get a visit or a case within the rules' period (`survey.followup_days`, counted from its
测评日期). Who is still waiting shows on the manager's to-do list and in the next wave's report.
"""

from __future__ import annotations

import shutil
from bisect import bisect_left
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

from pipeline.core.layout import Layout
from pipeline.core.months import last_day, month_range
from pipeline.surveys.survey import previous_wave, wave_end_month

STATUS_COLUMNS = [
    "wave",
    "customer_id",
    "customer_name",
    "county",
    "manager_id",
    "low_dimensions",
    "surveyed",
    "due",
    "contacted",
    "status",
]
# done: contacted within the period; late: contacted after it; waiting: not yet, still in the
# period; overdue: not contacted and the period is over
STATUS_LABELS = {"done": "已回访", "late": "逾期回访", "waiting": "待回访", "overdue": "超期未回访"}
WAITING = ("waiting", "overdue")


def wave_followups(survey_tables: Path, through: str) -> pd.DataFrame:
    """Every wave's follow-up list (`followup.parquet` under outputs/tables/surveys/WAVE/) whose
    survey dates fall up to the end of month `through`, with its wave."""
    frames = []
    for path in sorted(survey_tables.glob("*/followup.parquet")):
        table = pd.read_parquet(path)
        if table.empty or "surveyed" not in table:
            continue
        frames.append(table.assign(wave=path.parent.name))
    if not frames:
        return pd.DataFrame(columns=[*STATUS_COLUMNS[:7]])
    out = pd.concat(frames, ignore_index=True)
    return out[out.surveyed.astype(str) <= last_day(through)].reset_index(drop=True)


def followup_status(
    followups: pd.DataFrame,
    visits: pd.DataFrame,
    cases: pd.DataFrame,
    month: str,
    days: int,
    managers: pd.Series | None = None,
) -> pd.DataFrame:
    """Each follow-up as of the end of `month`: due = 测评日期 + `days`; contacted = the first
    dated visit or case received (受理日期) on or after the 测评日期 and by the month's end.
    `managers` (customer id → manager id, the archive as of the month) replaces the manager the
    wave recorded, so that a customer who changed hands is on the new manager's list."""
    end = last_day(month)
    contacts = pd.concat(
        [
            visits.loc[visits.date.astype(str) != "", ["customer_id", "date"]],
            cases[["customer_id", "opened"]].rename(columns={"opened": "date"}),
        ],
        ignore_index=True,
    )
    contacts = contacts[contacts.date.astype(str) <= end]
    # each customer's contact dates, sorted once: the first on or after a 测评日期 is found by
    # bisection (scanning every contact for each follow-up took minutes at province scale)
    contact_days: dict[str, list[str]] = {}
    for customer, day in zip(contacts.customer_id.tolist(), contacts.date.astype(str).tolist(), strict=True):
        contact_days.setdefault(customer, []).append(day)
    for days_of_customer in contact_days.values():
        days_of_customer.sort()
    owner = {} if managers is None else managers.to_dict()
    rows = []
    for f in followups.itertuples():
        surveyed = str(f.surveyed)
        due = (date.fromisoformat(surveyed) + timedelta(days=days)).isoformat()
        days_of_customer = contact_days.get(f.customer_id, [])
        first = bisect_left(days_of_customer, surveyed)
        contacted = days_of_customer[first] if first < len(days_of_customer) else ""
        if contacted:
            status = "done" if contacted <= due else "late"
        else:
            status = "waiting" if end <= due else "overdue"
        manager = owner.get(f.customer_id) or f.manager_id
        rows.append(
            {
                "wave": f.wave,
                "customer_id": f.customer_id,
                "customer_name": f.customer_name,
                "county": f.county,
                "manager_id": manager,
                "low_dimensions": f.low_dimensions,
                "surveyed": surveyed,
                "due": due,
                "contacted": contacted,
                "status": status,
            }
        )
    out = pd.DataFrame(rows, columns=STATUS_COLUMNS)
    return out.sort_values(["wave", "county", "customer_id"], kind="mergesort").reset_index(drop=True)


def earlier_followups(layout: Layout, wave: str, rules) -> pd.DataFrame:
    """The previous wave's follow-ups as of this wave's end month (its report shows who still
    waits): visits of the months from the previous wave's end to this one's, the cases and the
    archive of this wave's end month, as computed under outputs/tables/."""
    previous = layout.survey_tables(previous_wave(wave)) / "followup.parquet"
    if not previous.exists():
        return pd.DataFrame(columns=STATUS_COLUMNS)
    followups = pd.read_parquet(previous)
    if followups.empty or "surveyed" not in followups:
        return pd.DataFrame(columns=STATUS_COLUMNS)
    followups = followups.assign(wave=previous_wave(wave))
    followups = followups[followups.surveyed.astype(str) != ""]
    end = wave_end_month(wave)

    def table(month: str, name: str, columns: list[str]) -> pd.DataFrame:
        path = layout.tables(month) / f"{name}.parquet"
        return pd.read_parquet(path, columns=columns) if path.exists() else pd.DataFrame(columns=columns)

    months = month_range(wave_end_month(previous_wave(wave)), end)
    visits = pd.concat([table(m, "visits", ["customer_id", "date"]) for m in months], ignore_index=True)
    cases = table(end, "cases", ["customer_id", "opened"])
    archive = table(end, "archive", ["customer_id", "manager_id"])
    owners = archive.set_index("customer_id").manager_id
    return followup_status(
        followups, visits, cases, end, int(rules.get("survey_followup.days")), owners[owners != ""]
    )


def unpublish_wave(*folders: Path) -> int:
    """Remove what an earlier run published for a wave that has no survey workbooks (files
    removed, counted): a wave without a survey publishes nothing."""
    removed = 0
    for folder in folders:
        if folder.is_dir():
            removed += sum(1 for p in folder.rglob("*") if p.is_file())
            shutil.rmtree(folder)
    return removed
