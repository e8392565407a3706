"""The county centres' assessment (各级客户中心考核): the half-year visit completion and each
county centre's monthly scorecard (pipeline.pay.centres)."""

from pathlib import Path

import pandas as pd
from dagster import AssetExecutionContext, MetadataValue, asset

from assets.month import MONTH_GROUP, by_month
from assets.month import history as month_history
from assets.partitions import months
from assets.resources import KacSettings
from assets.sources import ALL_SURVEYS, ALL_TABLES
from pipeline.analytics.cases import CASE_LATE_MONTHS, case_problems
from pipeline.core.contract import COUNTY_SCORECARDS, HALF_YEAR_VISITS
from pipeline.core.layout import Layout
from pipeline.core.months import FIRST_MONTH, from_partition_key, shift
from pipeline.core.problems import to_frame
from pipeline.core.progress import progress
from pipeline.core.tables import write_table
from pipeline.ingest.reference import ALL_COUNTIES, Reference
from pipeline.ingest.submissions import unaccepted_counties
from pipeline.pay.centres import ITEMS, county_scorecards, half_year_visits, with_plans
from pipeline.surveys.survey import DIMENSIONS, read_wave, summarise, wave_end_month

TREND_MONTHS = 6  # the brief shows each county's score over this many months


@asset(
    group_name=MONTH_GROUP,
    partitions_def=months,
    ins={
        "visits_history": month_history("visits", 5),
        # case rows that match no earlier case are errors of the county too (decided after the
        # intake): last month's cases, and the months a county was not accepted, are read for them
        "cases_history": month_history("cases", 1),
        "submissions_history": month_history("submissions", CASE_LATE_MONTHS),
    },
    deps=[ALL_TABLES, *ALL_SURVEYS],  # earlier months' county_scorecards (the trend); the latest wave
    description="各级客户中心考核:半年走访完成率与各县(市)客户中心月度考核得分、排名",
)
def centre_scorecards(
    context: AssetExecutionContext,
    settings: KacSettings,
    visits_history,
    cases_history,
    submissions_history,
    case_updates: pd.DataFrame,
    problems: pd.DataFrame,
    tiers: pd.DataFrame,
    customer_archive: pd.DataFrame,
    alerts: pd.DataFrame,
    projects: dict,
) -> dict:
    month = from_partition_key(context.partition_key)
    ref = settings.reference()
    layout = settings.layout
    rules = ref.rules.for_month(month)
    counties = list(ref.county_names.values())
    visits_by_month = by_month(visits_history, month)
    half = half_year_visits(tiers, visits_by_month, month, counties)
    csat = latest_csat(layout, ref, month, customer_archive)
    sent, cases_by_month = by_month(submissions_history, month), by_month(cases_history, month)
    submissions, cases = sent[month], cases_by_month[month]
    previous_cases = cases_by_month.get(shift(month, -1))
    unmatched = to_frame(case_problems(previous_cases, case_updates, month, unaccepted_counties(sent)))
    problems = pd.concat([problems, unmatched], ignore_index=True) if len(unmatched) else problems
    table = county_scorecards(
        month,
        rules,
        counties,
        submissions,
        problems,
        tiers,
        visits_by_month.get(month, pd.DataFrame(columns=["date", "customer_id"])),
        half,
        customer_archive,
        cases,
        alerts,
        csat,
    )
    table = with_plans(table, projects["section"]["cadence"]["rows"])
    folder = layout.tables(month)
    write_table(half, folder, HALF_YEAR_VISITS)
    shown = table.assign(**{c: table[c].map(_number) for c in [*ITEMS, "total", "rate"]})
    write_table(shown, folder, COUNTY_SCORECARDS)
    trend = earlier_scores(layout, month, TREND_MONTHS - 1)
    ranked = table[table["rank"].notna()]
    if len(ranked):
        top = ranked.iloc[0]
        progress.info("  县级中心考核:第1名 %s %s 分", top.county, top.total)
    context.add_output_metadata(
        {
            "ranked": len(ranked),
            "held": MetadataValue.json(
                dict(zip(table.county[table.held != ""], table.held[table.held != ""], strict=True))
            ),
            "csat_wave": str(csat.wave.iloc[0]) if csat is not None and len(csat) else "",
            "rules_version": rules.version,
        }
    )
    return {"month": month, "scorecards": table, "half_year": half, "trend": trend}


def _number(value):
    return None if value is None or pd.isna(value) else float(value)


def latest_csat(layout: Layout, ref: Reference, month: str, archive: pd.DataFrame) -> pd.DataFrame | None:
    """The counties' 总体满意度 rows of the latest survey wave ended by `month` that has
    responses: its satisfaction table where the wave has been computed, else summarised from
    its workbooks the same way (pipeline.surveys), so a month computed before the wave's own
    step gets the same figures. None when no wave has ended with responses."""
    year = int(month[:4])
    waves = [f"{y}-{h}" for y in range(year, int(FIRST_MONTH[:4]) - 2, -1) for h in ("H2", "H1")]
    for wave in (w for w in waves if wave_end_month(w) <= month):
        folder = layout.inputs / "surveys" / wave
        if not folder.is_dir() or not any(folder.iterdir()):
            continue
        summary = _read(layout.survey_tables(wave) / "satisfaction.parquet")
        if summary is None:
            end = wave_end_month(wave)
            known = archive if end == month else _read(layout.tables(end) / "archive.parquet")
            responses, _ = read_wave(folder, ref, set(known.customer_id) if known is not None else None)
            if not len(responses):
                continue
            rules = ref.rules.for_month(max(end, FIRST_MONTH))
            counties, confidence = list(ref.county_names.values()), float(rules.get("survey.confidence"))
            summary = summarise(wave, responses, int(rules.get("survey.min_group")), counties, confidence)
        elif not int(summary.n[summary.county == ALL_COUNTIES].max() or 0):
            continue
        overall = summary[(summary.dimension == DIMENSIONS["overall"]) & (summary.county != ALL_COUNTIES)]
        return overall[["wave", "county", "n", "csat", "suppressed"]].reset_index(drop=True)
    return None


def earlier_scores(layout: Layout, month: str, count: int) -> pd.DataFrame:
    """The `count` months before `month` of county_scorecards, as the tables were written
    (month, county, total, rank, held); months not computed are left out."""
    frames = []
    for i in range(count, 0, -1):
        earlier = shift(month, -i)
        frame = _read(layout.tables(earlier) / "county_scorecards.parquet")
        if frame is not None:
            frames.append(frame[["county", "total", "rank", "held"]].assign(month=earlier))
    if not frames:
        return pd.DataFrame(columns=["month", "county", "total", "rank", "held"])
    return pd.concat(frames, ignore_index=True)[["month", "county", "total", "rank", "held"]]


def _read(path: Path) -> pd.DataFrame | None:
    return pd.read_parquet(path) if path.exists() else None
