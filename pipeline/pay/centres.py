"""County centres' assessment (各级客户中心考核) and the half-year visit completion (半年走访).

The plan: 各级客户中心每半年要完成本地区的大客户走访; 州局大客户中心定期对各级客户中心的基础管理、
大客户的拜访率、项目完成进度、大客户的营销与维护等工作进行检查、考核. Each month every county
centre gets a scorecard of eight items measured from the data, weights from the rules file
(`county_scorecard.weights`). These are scores of offices, not of people, and no pay depends
on them: they may be shown on the site. The module sits in pay/ only because it scores with
the managers' scorecard's one rounding (`pipeline.pay.scorecard.points`).

Items (share → points = weight × min(1, share), rounded half-up to 0.01 once):
- submission (报表报送): on time 1; late, or no 填报日期 (the date cannot be checked), the
  rules' `county_scorecard.late_share`; missing or rejected 0, the row saying which;
- data_quality (数据质量): errors (problems of severity error) per hundred rows read;
  share = 1 − per-hundred ÷ `county_scorecard.errors_per_hundred_zero` (0 at or above it);
- visit_rate (月度走访率): share of the county's key accounts visited in the month (a visit
  dated in the month, as the managers' contact item counts it);
- half_year (半年走访完成率): share of the county's key accounts at this month visited at least
  once in the half-year so far (`half_year_visits`);
- archive (档案完整率): share of the archive fields of the plan (the 客户档案 sheet's columns,
  ingest.sheets.PLAN_ARCHIVE_HEADER, less 客户编号, the key, which is never blank) filled in the
  archive as of the month, over the county's key accounts;
- cases (案件按时办结): of the cases due in the month — closed in it, or open past their limit
  at its end — the share closed within the limit;
- retention (大客户保有): share of the key accounts with neither a loss nor a decline alert;
- csat (客户满意率): the county's 总体满意度 CSAT in the latest survey wave ended by the month.

Not scored (points blank, the note says why, the item's weight left out of `possible`): an
item with nothing to measure — no key accounts, no case due, no survey wave, a county whose
survey sample is too small. Held (暂缓, the `held` column says why): every item measured from
the county's workbook when the workbook was not accepted this month (missing or rejected) —
not scored 0 in silence; the submission item says 未报送 / 退回 and scores 0, which is what
happened. A county with held items is not ranked. The others are ranked by `rate` = total ÷
possible (so an item no county could be measured on moves no one), then by total.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from pipeline.analytics.alerts import REVENUE_ALERTS
from pipeline.analytics.cases import with_closed_month
from pipeline.analytics.tiers import key_accounts
from pipeline.analytics.visits import visits_in_month
from pipeline.core.contract import COUNTY_SCORECARD_ITEMS, COUNTY_SCORECARDS, HALF_YEAR_VISITS
from pipeline.core.months import last_day, shift
from pipeline.core.rules import Rules
from pipeline.ingest.county import ARCHIVE_COLUMNS
from pipeline.ingest.sheets import PLAN_ARCHIVE_HEADER
from pipeline.ingest.submissions import ACCEPTED, STATUS_LABELS
from pipeline.pay.scorecard import points

ITEMS = list(COUNTY_SCORECARD_ITEMS)
ITEM_LABELS = {
    "submission": "报表报送",
    "data_quality": "数据质量",
    "visit_rate": "月度走访率",
    "half_year": "半年走访完成率",
    "archive": "档案完整率",
    "cases": "案件按时办结",
    "retention": "大客户保有",
    "csat": "客户满意率",
}
# items measured from the county's own workbook: held when it was not accepted this month
WORKBOOK_ITEMS = ("data_quality", "visit_rate", "half_year", "archive", "cases", "retention")
# 客户档案 sheet column → archive column, the key (客户编号) left out: it is never blank
ARCHIVE_FIELDS = dict(zip(PLAN_ARCHIVE_HEADER, ARCHIVE_COLUMNS[: len(PLAN_ARCHIVE_HEADER)], strict=True))
ARCHIVE_FIELDS.pop("客户编号")
HALF_YEAR_COLUMNS = HALF_YEAR_VISITS.names
SCORECARD_COLUMNS = COUNTY_SCORECARDS.names
RATE = Decimal("0.0001")


def half_of(month: str) -> str:
    """'2026-03' → '2026-H1'; '2026-07' → '2026-H2'."""
    return f"{month[:4]}-{'H1' if int(month[5:7]) <= 6 else 'H2'}"


def half_months(month: str) -> list[str]:
    """The months of `month`'s half-year up to and including it: 2026-03 → 2026-01 … 2026-03."""
    first = f"{month[:4]}-{'01' if int(month[5:7]) <= 6 else '07'}"
    out, m = [], first
    while m <= month:
        out.append(m)
        m = shift(m, 1)
    return out


def half_year_visits(
    tiers: pd.DataFrame, visits_by_month: dict[str, pd.DataFrame], month: str, counties: list[str]
) -> pd.DataFrame:
    """Per county (reference order): its key accounts at `month` and how many were visited at
    least once in the half-year so far — a visit dated from the half-year's first day to the
    month's last, in any workbook of the half-year's months (a visit reported a month late
    still counts for the half-year)."""
    months = half_months(month)
    frames = [visits_by_month[m] for m in months if m in visits_by_month and len(visits_by_month[m])]
    visits = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["date", "customer_id"])
    dates = visits.date.astype(str)
    dated = visits[(dates >= f"{months[0]}-01") & (dates <= last_day(month))]
    seen = set(dated.customer_id)
    keys = key_accounts(tiers)
    rows = []
    for county in counties:
        mine = set(keys.customer_id[keys.county == county])
        visited = len(mine & seen)
        rows.append(
            {
                "county": county,
                "half": half_of(month),
                "months": len(months),
                "key_accounts": len(mine),
                "visited": visited,
                "share": visited / len(mine) if mine else None,
            }
        )
    return pd.DataFrame(rows, columns=HALF_YEAR_COLUMNS)


def _share(part: int, whole: int) -> Decimal:
    return Decimal(part) / Decimal(whole)


def _pct(share: Decimal) -> str:
    return f"{(share * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"  # as every share shown


def county_scorecards(
    month: str,
    rules: Rules,
    counties: list[str],
    submissions: pd.DataFrame,
    problems: pd.DataFrame,
    tiers: pd.DataFrame,
    visits: pd.DataFrame,
    half_year: pd.DataFrame,
    archive: pd.DataFrame,
    cases: pd.DataFrame,
    alerts: pd.DataFrame,
    csat: pd.DataFrame | None,
) -> pd.DataFrame:
    """One row per county centre (reference order, then ranked): per item its points, value and
    note; total, possible, rate, rank and what is held.

    `csat`: the county rows of the 总体满意度 dimension of the latest wave ended by the month
    (satisfaction.csv's columns: wave, county, n, csat, suppressed), or None when no wave has."""
    weights = rules.get("county_scorecard.weights")
    late_share = Decimal(str(rules.get("county_scorecard.late_share")))
    zero_at = Decimal(str(rules.get("county_scorecard.errors_per_hundred_zero")))
    status = dict(zip(submissions.county, submissions.status, strict=True))
    rows_read = dict(zip(submissions.county, submissions.rows, strict=True))
    errors = (
        problems[problems.severity == "error"].county.value_counts()
        if len(problems)
        else pd.Series(dtype="int64")
    )
    keys = key_accounts(tiers)
    visited = set(visits_in_month(visits, month).customer_id)
    half = half_year.set_index("county")
    records = archive.set_index("customer_id")
    alerted = set(alerts.customer_id[alerts.kind.isin(REVENUE_ALERTS)]) if len(alerts) else set()
    due_cases = _cases_due(cases, month)
    by_county_csat = csat.set_index("county") if csat is not None else None
    out = []
    for county in counties:
        row: dict = {"county": county}

        def item(key: str, share: Decimal | None, value: str, note: str, row: dict = row) -> None:
            row[key] = None if share is None else points(weights[key], share)
            row[f"{key}_value"] = value
            row[f"{key}_note"] = note

        state = status.get(county, "missing")
        label = STATUS_LABELS.get(state, state)
        if state == "on_time":
            item("submission", Decimal(1), label, f"按时报送 × {weights['submission']} 分")
        elif state in ACCEPTED:
            why = "逾期报送" if state == "late" else "未注明填报日期,无法确认按时"
            item("submission", late_share, label, f"{why},按 {late_share} × {weights['submission']} 分")
        else:
            item("submission", Decimal(0), label, f"本月{label},报送项不得分")

        mine = set(keys.customer_id[keys.county == county])
        n = len(mine)
        none = "本县(市)无大客户,不计分"
        rows = int(rows_read.get(county, 0))
        wrong = int(errors.get(county, 0))
        if rows:
            per_hundred = Decimal(wrong) * 100 / Decimal(rows)
            item(
                "data_quality",
                max(Decimal(0), 1 - per_hundred / zero_at),
                f"{wrong}/{rows}",
                f"错误 {wrong} 处 / {rows} 行 = 每百行 {per_hundred.quantize(Decimal('0.01'))} 处"
                f"(每百行 {zero_at} 处及以上不得分)",
            )
        else:
            item("data_quality", None, "", "未读到数据行,不计分")

        seen = len(mine & visited)
        item(
            "visit_rate",
            _share(seen, n) if n else None,
            f"{seen}/{n}",
            f"本月走访大客户 {seen} 户 / {n} 户" if n else none,
        )

        if county in half.index and int(half.key_accounts[county]):
            done, total = int(half.visited[county]), int(half.key_accounts[county])
            item(
                "half_year",
                _share(done, total),
                f"{done}/{total}",
                f"{half.half[county]} 已走访大客户 {done} 户 / {total} 户(截至本月)",
            )
        else:
            item("half_year", None, "", none)

        fields = list(ARCHIVE_FIELDS.values())
        mine_records = records.reindex(sorted(mine))[fields]
        filled = int((mine_records.fillna("").astype(str).apply(lambda c: c.str.strip()) != "").sum().sum())
        cells = n * len(fields)
        item(
            "archive",
            _share(filled, cells) if n else None,
            f"{filled}/{cells}",
            f"大客户档案 {len(fields)} 项已填 {filled} / {cells} 项" if n else none,
        )

        mine_cases = due_cases[due_cases.county == county]
        in_time = int((mine_cases.status == "closed").sum())
        due = len(mine_cases)
        item(
            "cases",
            _share(in_time, due) if due else None,
            f"{in_time}/{due}" if due else "",
            f"本月应办结 {due} 件(本月办结及超时未办结),按时办结 {in_time} 件"
            if due
            else "本月无应办结案件,不计分",
        )

        kept = n - len(mine & alerted)
        item(
            "retention",
            _share(kept, n) if n else None,
            f"{kept}/{n}",
            f"无流失、下降预警 {kept} 户 / {n} 户" if n else none,
        )

        _csat_item(item, by_county_csat, county)

        held = []
        if state not in ACCEPTED:
            held.append(f"本月报表{label}")
            for key in WORKBOOK_ITEMS:
                row[key], row[f"{key}_value"] = None, "暂缓"
                row[f"{key}_note"] = f"暂缓:本月报表{label},待报表采用后计分"
        row["held"] = ";".join(held)
        scored = [k for k in ITEMS if row[k] is not None]
        row["total"] = sum((row[k] for k in scored), Decimal(0))
        row["possible"] = sum(int(weights[k]) for k in scored)
        row["rate"] = (
            (row["total"] / row["possible"]).quantize(RATE) if row["possible"] and not held else None
        )
        out.append(row)
    return _ranked(pd.DataFrame(out, columns=[c for c in SCORECARD_COLUMNS if c != "rank"]))


def _csat_item(item, csat: pd.DataFrame | None, county: str) -> None:
    if csat is None:
        item("csat", None, "", "本月之前尚无结束的满意度测评,不计分")
        return
    wave = str(csat.wave.iloc[0]) if len(csat) else ""
    if county not in csat.index or bool(csat.suppressed.get(county)) or pd.isna(csat.csat.get(county)):
        n = int(csat.n.get(county, 0)) if county in csat.index else 0
        item("csat", None, "", f"{wave} 测评样本不足(有效 {n} 份),不计分")
        return
    share = Decimal(str(csat.csat[county]))
    item("csat", share, f"{share:.4f}", f"{wave} 总体满意率 {_pct(share)}(有效 {int(csat.n[county])} 份)")


def _cases_due(cases: pd.DataFrame, month: str) -> pd.DataFrame:
    """The cases due in the month: closed in it (in time or late) or open past the limit at its end."""
    if cases is None or cases.empty:
        return pd.DataFrame(columns=["county", "status"])
    cases = with_closed_month(cases)  # a register stored by a version before the column
    closed_now = (cases.closed_month.astype(str) == month) & cases.status.isin(["closed", "closed_late"])
    return cases[closed_now | (cases.status == "overdue")]


def _ranked(table: pd.DataFrame) -> pd.DataFrame:
    """Rank (1 = best) among the counties with nothing held: by rate, then total; equal figures
    share a rank. Held counties follow, unranked, in reference order."""
    order = {c: i for i, c in enumerate(table.county)}
    ranked = table[table.held == ""].copy()
    ranked["sort_rate"] = ranked.rate.map(lambda r: Decimal(-1) if r is None else r)
    ranked = ranked.sort_values(
        ["sort_rate", "total", "county"],
        ascending=[False, False, True],
        key=lambda s: s.map(order) if s.name == "county" else s,
        kind="mergesort",
    )
    positions, previous, rank = [], None, 0
    for i, r in enumerate(ranked.itertuples(), start=1):
        figures = (r.sort_rate, r.total)
        if figures != previous:
            rank, previous = i, figures
        positions.append(rank)
    ranked["rank"] = positions
    held = table[table.held != ""].assign(rank=None)
    out = pd.concat([ranked.drop(columns="sort_rate"), held], ignore_index=True)
    out["rank"] = out["rank"].astype("Int64")
    return out[SCORECARD_COLUMNS]


def with_plans(table: pd.DataFrame, cadence_rows: list[dict]) -> pd.DataFrame:
    """Each county's marketing plans of the year and the cadence's verdict (pipeline.analytics.
    projects.cadence), beside its scores."""
    by_unit = {r["unit"]: r for r in cadence_rows}
    plans = table.county.map(lambda c: by_unit[c]["plans"] if c in by_unit else None)
    verdicts = table.county.map(lambda c: _verdict(by_unit[c]) if c in by_unit else "")
    return table.assign(plans=plans.astype("Int64"), plans_verdict=verdicts)


def _verdict(row: dict) -> str:
    return f"{row['verdict']}({row['low']}–{row['high']})"
