"""The maintenance work of a month, per manager (定期联系制度, 特定日期拜访): the key accounts not
visited, visits planned and not made, greetings due next month (holidays of the calendar and key
persons' birthdays), archive records not refreshed within the rules' period.

Birthdays are kept in a register of their own (`birthday_register`), never in the archive's
published table: they appear only in each manager's own to-do list (工作清单).
"""

from __future__ import annotations

import calendar

import pandas as pd

from pipeline.analytics.alerts import KIND_LABELS
from pipeline.analytics.tiers import TIER_LABELS, key_accounts
from pipeline.core.months import next_month, shift, year_of

BIRTHDAY_COLUMNS = ["customer_id", "contact", "birthday", "changed_month"]
GREETING_COLUMNS = ["manager_id", "date", "occasion", "customer_id", "contact", "accounts"]
PLANNED_COLUMNS = ["manager_id", "planned", "made", "missed"]
MISSED_COLUMNS = ["manager_id", "customer_id", "county", "planned", "source_file", "source_row"]
BIRTHDAY_OCCASION = "关键联系人生日"


def birthday_register(previous: pd.DataFrame | None, updates: pd.DataFrame, month: str) -> pd.DataFrame:
    """Key persons' birthdays (MM-DD) as of `month`: last month's register with this month's
    archive rows that give one laid over it (a row without a birthday keeps the earlier one)."""
    base = previous if previous is not None else pd.DataFrame(columns=BIRTHDAY_COLUMNS)
    given = updates[updates.get("birthday", pd.Series("", index=updates.index)).astype(str) != ""]
    if given.empty:
        return base[BIRTHDAY_COLUMNS].reset_index(drop=True)
    latest = given.sort_values("source_row", kind="mergesort").drop_duplicates("customer_id", keep="last")
    new = pd.DataFrame(
        {
            "customer_id": latest.customer_id.to_numpy(),
            "contact": latest.contact.to_numpy(),
            "birthday": latest.birthday.to_numpy(),
            "changed_month": month,
        }
    )
    kept = base[~base.customer_id.isin(new.customer_id)]
    out = pd.concat([kept, new], ignore_index=True)[BIRTHDAY_COLUMNS]
    return out.sort_values("customer_id", kind="mergesort").reset_index(drop=True)


def birthday_in(month: str, month_day: str) -> str:
    """The date of an MM-DD birthday in `month`'s year (02-29 on 02-28 in a common year)."""
    year, day = year_of(month), int(month_day[3:])
    last = calendar.monthrange(year, int(month_day[:2]))[1]
    return f"{year:04d}-{month_day[:2]}-{min(day, last):02d}"


def greetings_due(
    month: str,
    tiers: pd.DataFrame,
    holidays: pd.DataFrame,
    birthdays: pd.DataFrame,
    archive: pd.DataFrame,
    early_days: int = 0,
) -> pd.DataFrame:
    """The greetings each manager owes in the month after `month`, and in the first `early_days`
    days of the month after that: the list of `month` is made after the counties report (by the
    3rd), so 元旦, 国庆 or a birthday on the 1st would come too late in the next list. Every
    holiday of the calendar dated then (one line for all the manager's key accounts) and the
    birthdays of their key accounts' key persons (one line each), by date."""
    due, after = next_month(month), next_month(next_month(month))
    first, last = f"{due}-01", f"{after}-{early_days:02d}"
    dated = holidays[(holidays.date >= first) & (holidays.date <= last)]
    keys = key_accounts(tiers)
    keys = keys[keys.manager_id.astype(str) != ""]
    counts = keys.groupby("manager_id").size()
    rows = [
        {
            "manager_id": manager,
            "date": h.date,
            "occasion": h.name,
            "customer_id": "",
            "contact": "",
            "accounts": int(n),
        }
        for h in dated.itertuples()
        for manager, n in counts.items()
    ]
    born = birthdays.assign(
        date=[
            birthday_in(due if md[:2] == due[5:] else after, md) if md[:2] in (due[5:], after[5:]) else ""
            for md in birthdays.birthday.astype(str)
        ]
    )
    born = born[(born.date >= first) & (born.date <= last)]
    born = born.merge(keys[["customer_id", "manager_id"]], on="customer_id")
    contacts = archive.set_index("customer_id").contact if len(archive) else pd.Series(dtype=str)
    for b in born.itertuples():
        rows.append(
            {
                "manager_id": b.manager_id,
                "date": b.date,
                "occasion": BIRTHDAY_OCCASION,
                "customer_id": b.customer_id,
                "contact": b.contact or str(contacts.get(b.customer_id, "")),
                "accounts": 1,
            }
        )
    out = pd.DataFrame(rows, columns=GREETING_COLUMNS)
    return out.sort_values(["manager_id", "date", "customer_id"], kind="mergesort").reset_index(drop=True)


def missed_plans(visits: pd.DataFrame, month: str) -> pd.DataFrame:
    """Visits planned in `month` (计划日期) and not made: no 走访日期. Such a row earns no contact
    points (only a dated visit does, analytics.visits.visits_in_month)."""
    planned = visits.get("planned", pd.Series("", index=visits.index)).astype(str)
    made = visits.date.astype(str) != ""
    missed = visits[planned.str.startswith(month) & ~made]
    out = missed.assign(planned=planned[missed.index], manager_id=missed.manager_id.astype(str))
    out = out[MISSED_COLUMNS].sort_values(["manager_id", "planned", "customer_id"], kind="mergesort")
    return out.reset_index(drop=True)


def planned_by_manager(visits: pd.DataFrame, month: str) -> pd.DataFrame:
    """Per manager: visits planned in `month`, of them made (a 走访日期 given) and missed."""
    planned = visits.get("planned", pd.Series("", index=visits.index)).astype(str)
    mine = visits[planned.str.startswith(month)]
    made = mine.date.astype(str) != ""
    out = (
        mine.assign(made=made, missed=~made, manager_id=mine.manager_id.astype(str))
        .groupby("manager_id", as_index=False)
        .agg(planned=("customer_id", "size"), made=("made", "sum"), missed=("missed", "sum"))
    )
    return out.astype({"planned": "int64", "made": "int64", "missed": "int64"})[PLANNED_COLUMNS]


def not_visited(tiers: pd.DataFrame, dated_visits: pd.DataFrame, alerts: pd.DataFrame) -> pd.DataFrame:
    """The key accounts with no visit dated in the month, alerted ones first, with the alerts'
    kinds and the tier in words."""
    keys = key_accounts(tiers)
    out = keys[~keys.customer_id.isin(dated_visits.customer_id)][
        ["customer_id", "county", "tier", "manager_id"]
    ]
    kinds = (
        alerts.assign(label=alerts.kind.map(KIND_LABELS)).groupby("customer_id").label.agg("、".join)
        if len(alerts)
        else pd.Series(dtype=str)
    )
    out = out.assign(
        # a plain lookup: `map` gives float NaN where no key account has an alert
        alerts=[kinds.get(customer, "") for customer in out.customer_id],
        tier_label=out.tier.map(TIER_LABELS).to_numpy(),
    )
    out["alerted"] = out.alerts != ""
    return out.sort_values(
        ["manager_id", "alerted", "customer_id"], ascending=[True, False, True], kind="mergesort"
    ).reset_index(drop=True)


def stale_archive(
    tiers: pd.DataFrame, archive: pd.DataFrame, month: str, refresh_months: int
) -> pd.DataFrame:
    """Key accounts whose archive record has not changed in the last `refresh_months` months
    (this one included): last changed in or before `month` − `refresh_months`."""
    keys = key_accounts(tiers)[["customer_id", "manager_id"]]
    records = archive[["customer_id", "changed_month", "updated"]]
    out = keys.merge(records, on="customer_id", how="left").fillna({"changed_month": "", "updated": ""})
    limit = shift(month, -refresh_months)
    out = out[out.changed_month <= limit]
    return out.sort_values(["manager_id", "changed_month", "customer_id"], kind="mergesort").reset_index(
        drop=True
    )
