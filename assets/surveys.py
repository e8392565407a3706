"""Satisfaction surveys, partitioned by wave (YYYY-H1 / YYYY-H2), and the latest headline that
every monthly bulletin carries."""

import json
import math
from collections import Counter
from datetime import date
from pathlib import Path

import pandas as pd
from dagster import AssetDep, AssetExecutionContext, MetadataValue, StaticPartitionsDefinition, asset

from assets.partitions import FIRST_MONTH
from assets.resources import KacSettings
from assets.sources import ALL_TABLES
from pipeline.core.contract import SATISFACTION
from pipeline.core.files import atomic_write
from pipeline.core.problems import to_frame
from pipeline.core.progress import progress
from pipeline.core.tables import write_table
from pipeline.ingest.reference import ALL_COUNTIES
from pipeline.publish.bulletin import records
from pipeline.render.charts import importance_performance_chart
from pipeline.render.pdf import document_time, render_pdf_html, write_pdf
from pipeline.surveys.followup import WAITING, earlier_followups, unpublish_wave
from pipeline.surveys.survey import (
    DIMENSIONS,
    coverage,
    drivers,
    follow_up,
    previous_wave,
    published_follow_up,
    read_wave,
    summarise,
    wave_change,
    wave_end_month,
    wave_workbooks,
)

SURVEYS_GROUP = "surveys"
waves = StaticPartitionsDefinition(
    [f"{y}-{h}" for y in range(int(FIRST_MONTH[:4]), date.today().year + 1) for h in ("H1", "H2")]
)


def _table(folder: Path, name: str) -> pd.DataFrame | None:
    path = folder / f"{name}.parquet"
    return pd.read_parquet(path) if path.exists() else None


@asset(
    group_name=SURVEYS_GROUP,
    partitions_def=waves,
    deps=[AssetDep("reference_data"), AssetDep("survey_workbooks"), ALL_TABLES],
    kinds={"excel", "pdf"},
    description="一轮满意度测评:分项与分县汇总(威尔逊区间、样本不足不出数)、驱动因素、回访名单与报告",
)
def survey_wave(context: AssetExecutionContext, settings: KacSettings) -> dict:
    wave = context.partition_key
    ref = settings.reference()
    layout = settings.layout
    end = wave_end_month(wave)
    if not wave_workbooks(layout.inputs / "surveys" / wave):  # no survey this wave: nothing to publish
        removed = unpublish_wave(layout.survey_tables(wave), layout.outputs / "bulletins" / "surveys" / wave)
        context.add_output_metadata({"responses": 0, "published": False, "removed_stale_files": removed})
        return {"wave": wave, "responses": 0}
    archive, tiers = _table(layout.tables(end), "archive"), _table(layout.tables(end), "tiers")
    known = set(archive.customer_id) if archive is not None else None
    responses, problems = read_wave(layout.inputs / "surveys" / wave, ref, known)
    rules = ref.rules.for_month(end if end >= FIRST_MONTH else FIRST_MONTH)
    confidence = float(rules.get("survey.confidence"))
    counties = list(ref.county_names.values())
    summary = summarise(wave, responses, int(rules.get("survey.min_group")), counties, confidence)
    out_folder = layout.survey_tables(wave)
    previous = _table(layout.survey_tables(previous_wave(wave)), "satisfaction")
    summary = wave_change(summary, previous, confidence)
    key_drivers = drivers(responses) if len(responses) else pd.DataFrame()
    callbacks = follow_up(responses, archive)
    covered = coverage(responses, tiers)
    earlier = earlier_followups(layout, wave, rules)  # the previous wave's follow-ups: who still waits
    write_table(summary, out_folder, SATISFACTION)
    write_table(callbacks, out_folder, "followup")
    write_table(earlier, out_folder, "followup_previous")
    write_table(key_drivers, out_folder, "drivers")
    write_table(to_frame(problems), out_folder, "problems")
    report = None
    if len(responses):
        report = _report(
            layout.outputs / "bulletins" / "surveys" / wave,
            wave,
            end,
            summary,
            key_drivers,
            callbacks,
            len(responses),
            covered,
            int(rules.get("survey.min_group")),
            earlier,
        )
    overall = summary[(summary.county == ALL_COUNTIES) & (summary.dimension == DIMENSIONS["overall"])].iloc[0]
    headline = {
        "wave": wave,
        "responses": len(responses),
        "coverage": covered,
        "csat": _num(overall.csat),
        "csat_low": _num(overall.csat_low),
        "csat_high": _num(overall.csat_high),
        "csat_change": _num(overall.csat_change),
        "change_is_real": bool(overall.change_is_real),
        "follow_up": len(callbacks),
        "report": str(report) if report else "",
    }
    if len(responses):
        progress.info("  满意度 %s:%d 份,总体满意率 %.1f%%", wave, len(responses), 100 * overall.csat)
    if problems:  # the questionnaires' problems, said where the operator reads (one line a county)
        by_county = Counter(p.county or p.file for p in problems)
        said = "、".join(f"{c} {n} 条" for c, n in by_county.items())
        progress.warning("  满意度 %s 问卷问题:%s(见 %s)", wave, said, out_folder / "problems.csv")
    context.add_output_metadata(
        {
            "responses": len(responses),
            "problems": len(problems),
            "headline": MetadataValue.json({k: v for k, v in headline.items() if v is not None}),
        }
    )
    return headline


def _num(value) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


def _report(
    folder: Path, wave: str, end: str, summary, key_drivers, callbacks, n: int, covered, min_group, earlier
) -> Path:
    when = document_time(end, 1)
    label = f"{wave[:4]}年{'上' if wave.endswith('H1') else '下'}半年"
    overall = summary[summary.county == ALL_COUNTIES]
    counties = summary[(summary.county != ALL_COUNTIES) & (summary.dimension == DIMENSIONS["overall"])]
    s = {
        "wave_label": label,
        "document_time": when.isoformat(),
        "responses": n,
        "coverage": covered,
        "min_group": min_group,
        "overall": records(overall),
        "counties": records(counties),
        "drivers": records(key_drivers),
        "follow_up": records(published_follow_up(callbacks)),
        "ipa_svg": importance_performance_chart(records(key_drivers), "重要性—表现分析"),
    }
    if len(earlier):  # section 五: the previous wave's follow-ups still waiting at this wave's end
        s["previous_wave"] = previous_wave(wave)
        s["previous_waiting"] = records(earlier[earlier.status.isin(WAITING)])
        s["previous_followups"] = len(earlier)
    html = render_pdf_html("survey.html", when, s=s)
    pdf = write_pdf(html, folder, folder / f"满意度测评报告_{label}.pdf", when)
    # the site shows the wave from this content when it is next built
    content = json.dumps({**s, "wave": wave, "report": pdf.name}, ensure_ascii=False, sort_keys=True)
    atomic_write(folder / "content.json", content.encode("utf-8"))
    return pdf


@asset(group_name=SURVEYS_GROUP, description="各轮满意度测评的要点(每月简报引用最近一轮)")
def survey_headlines(survey_wave: dict) -> dict:
    """wave → headline, for every wave materialised (the bulletin picks the latest one ended)."""
    if "wave" in survey_wave:  # a single wave arrives bare
        survey_wave = {survey_wave["wave"]: survey_wave}
    return {wave: h for wave, h in sorted(survey_wave.items()) if h.get("responses")}
