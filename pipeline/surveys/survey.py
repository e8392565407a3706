"""Satisfaction surveys (满意度测评): wave summaries that do not over-claim from small samples,
what drives overall satisfaction, and the customers to call back.

CSAT is the share of scores 4–5, with a Wilson 95 % interval; groups under the rules' minimum
show 样本不足 instead of a number. A change against the previous wave is called real only when
it exceeds its uncertainty (the two-proportion 95 % margin).
"""

from __future__ import annotations

import hashlib
import math
from pathlib import Path
from statistics import NormalDist

import numpy as np
import pandas as pd

from pipeline.core.code import PIPELINE, package_files
from pipeline.core.contract import SATISFACTION
from pipeline.core.months import month_range
from pipeline.core.privacy import mask_phones_in
from pipeline.core.problems import Problem, problem
from pipeline.ingest.grid import (
    UnreadableFile,
    cached_grids,
    clean_text,
    customer_code,
    find_header,
    parse_number,
)
from pipeline.ingest.reference import ALL_COUNTIES, Reference

DIMENSIONS = {
    "service_attitude": "服务态度",
    "timeliness": "业务时限",
    "delivery": "投递质量",
    "price": "资费价格",
    "complaints": "投诉处理",
    "manager_service": "客户经理服务",
    "overall": "总体满意度",
}
RESPONSE_COLUMNS = [
    "customer_id",
    "customer_name",
    "county",
    "date",
    *DIMENSIONS,
    "comments",
    "source_file",
    "source_row",
]
CHANGE_COLUMNS = ["csat_change", "change_is_real"]  # satisfaction.csv's last two: wave_change adds them


def wave_end_month(wave: str) -> str:
    return f"{wave[:4]}-{'06' if wave.endswith('H1') else '12'}"


def previous_wave(wave: str) -> str:
    year = int(wave[:4])
    return f"{year}-H1" if wave.endswith("H2") else f"{year - 1}-H2"


def wave_sources(inputs: Path, outputs: Path, wave: str, code: Path) -> dict[str, Path]:
    """Every file a wave's results come from: its workbooks, the reference data, the end month's
    archive and tiers, the previous wave's table, and the code and templates that make them;
    each named relative to its folder, so that moving or copying the folders changes nothing."""
    end, tables = wave_end_month(wave), Path("tables")
    roots = {"inputs": inputs, "outputs": outputs, "code": code}
    folders = [("inputs", Path("surveys") / wave), ("inputs", Path("reference")), ("code", Path("templates"))]
    named = {
        f"{root}/{folder / p.name}": p
        for root, folder in folders
        if (roots[root] / folder).is_dir()
        for p in sorted((roots[root] / folder).iterdir())
        if p.is_file()
    }
    for root, path in [
        ("outputs", tables / end / "archive.parquet"),
        ("outputs", tables / end / "tiers.parquet"),
        ("outputs", tables / "surveys" / previous_wave(wave) / "satisfaction.parquet"),
        ("code", Path("assets") / "surveys.py"),
        *(("outputs", path) for path in followup_sources(wave)),
    ]:
        named[f"{root}/{path}"] = roots[root] / path
    for path in package_files("surveys"):  # the whole package: a module added or renamed counts
        relative = Path("pipeline") / path.relative_to(PIPELINE)
        named[f"code/{relative}"] = code / relative
    return named


def wave_workbooks(folder: Path) -> list[Path]:
    """The survey workbooks of a wave's folder (none: the wave publishes nothing)."""
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.iterdir()
        if p.suffix.lower() in (".xlsx", ".xls", ".csv") and not p.name.startswith("~$")
    )


def followup_sources(wave: str) -> list[Path]:
    """Under outputs/: what tells whether the previous wave's follow-ups were contacted by this
    wave's end (pipeline.surveys.followup): the visits of each month in between and the cases."""
    start, end = wave_end_month(previous_wave(wave)), wave_end_month(wave)
    tables = Path("tables")
    return [tables / m / "visits.parquet" for m in month_range(start, end)] + [
        tables / end / "cases.parquet",
        tables / "surveys" / previous_wave(wave) / "followup.parquet",
    ]


def fingerprint(sources: dict[str, Path]) -> str:
    """sha256 over the names and contents of `sources` (a missing file counts as missing)."""
    digest = hashlib.sha256()
    for name, path in sorted(sources.items()):
        digest.update(name.encode())
        digest.update(path.read_bytes() if path.exists() else b"\0missing")
    return digest.hexdigest()


Z95 = 1.959963984540054  # 0.95 as published so far (the library's last digit differs: same bytes kept)


def z_of(confidence: float) -> float:
    """The normal quantile of a two-sided `confidence` (rules `survey.confidence`): 0.95 → 1.96."""
    return Z95 if confidence == 0.95 else NormalDist().inv_cdf((1 + confidence) / 2)


def wilson(successes: int, n: int, z: float = z_of(0.95)) -> tuple[float, float]:
    """Wilson score interval of a proportion; (nan, nan) when there is no response."""
    if n == 0:
        return math.nan, math.nan
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    margin = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - margin), min(1.0, centre + margin)


# -- reading -----------------------------------------------------------------------------


def read_wave(
    folder: Path, ref: Reference, known_customers: set[str] | None
) -> tuple[pd.DataFrame, list[Problem]]:
    """Every county's survey workbook of a wave: valid responses and the problems, with cells."""
    responses, problems = [], []
    for path in sorted(p for p in folder.glob("*") if p.suffix.lower() in (".xlsx", ".xls", ".csv")):
        county = ref.county_of_text(path.stem)
        name = ref.county_names.get(county, "") if county else ""
        where = {"county": name, "file": path.name}
        if not county:
            problems.append(problem("county_unknown", file=path.name))
            continue
        try:
            grids = cached_grids(path)
        except UnreadableFile as exc:
            problems.append(problem("file_unreadable", **where, detail=str(exc)))
            continue
        read = False
        for grid in grids:
            found = find_header(grid, ref.column_index("survey"))
            if not found:
                continue
            header_row, columns = found
            read = True
            if "customer_id" not in columns:  # a two-row header, a renamed column: said, not guessed
                label = ref.aliases["columns"]["survey"]["customer_id"][0]
                cell = grid.a1(header_row, 0)
                detail = f"(“{grid.name}”缺少“{label}”列)"
                problems.append(
                    problem("survey_header_missing", **where, sheet=grid.name, cell=cell, detail=detail)
                )
                break
            for i in range(header_row + 1, len(grid.cells)):
                row = grid.cells[i]
                value = {k: row[j] if j < len(row) else "" for k, (j, _) in columns.items()}
                if not any(clean_text(v) for v in value.values()):
                    continue
                record = {
                    "customer_id": customer_code(value.get("customer_id")),
                    "county": name,
                    "customer_name": clean_text(value.get("customer_name")),
                    "date": clean_text(value.get("date")),
                    "comments": clean_text(value.get("comments")),
                    "source_file": path.name,
                    "source_row": grid.row0 + i + 1,
                }
                bad = False
                for key in DIMENSIONS:
                    score = parse_number(value.get(key, "")) if key in columns else None
                    if score is None or score != score.to_integral_value() or not 1 <= score <= 5:
                        cell = _cell(grid, columns, key, i) if key in columns else ""
                        problems.append(
                            problem(
                                "survey_score_invalid",
                                **where,
                                sheet=grid.name,
                                cell=cell,
                                value=clean_text(value.get(key, "")),
                            )
                        )
                        bad = True
                    else:
                        record[key] = int(score)
                if known_customers is not None and record["customer_id"] not in known_customers:
                    problems.append(
                        problem(
                            "survey_customer_unknown",
                            **where,
                            sheet=grid.name,
                            cell=_cell(grid, columns, "customer_id", i),
                            value=record["customer_id"],
                        )
                    )
                    bad = True
                if not bad:
                    responses.append(record)
            break
        if not read:  # no sheet with the questionnaire's header: the file is said, not skipped
            problems.append(problem("survey_header_missing", **where, detail="(客户编号及各项评分列)"))
    frame = pd.DataFrame(responses, columns=RESPONSE_COLUMNS)
    dup = frame.duplicated("customer_id", keep=False)
    for customer_id, rows in frame[dup].groupby("customer_id"):
        shown = "、".join(f"{r.source_file} 第{r.source_row}行" for r in rows.itertuples())
        for r in rows.itertuples():
            problems.append(
                problem(
                    "survey_duplicate",
                    county=r.county,
                    file=r.source_file,
                    cell=f"A{r.source_row}",
                    value=customer_id,
                    detail=shown,
                )
            )
    return frame[~dup].reset_index(drop=True), problems


def _cell(grid, columns, key: str, i: int) -> str:
    return grid.a1(i, columns[key][0])


# -- summaries ---------------------------------------------------------------------------


def summarise(
    wave: str, responses: pd.DataFrame, min_group: int, counties: list[str], confidence: float = 0.95
) -> pd.DataFrame:
    """Per dimension, for 全州 and each county: n, mean, 1–5 distribution, CSAT with its interval
    at `confidence`. A county with no response is listed with n = 0 (suppressed), not left out."""
    z = z_of(confidence)
    rows = []
    for county in [ALL_COUNTIES, *counties]:
        mine = responses if county == ALL_COUNTIES else responses[responses.county == county]
        for key, label in DIMENSIONS.items():
            rows.append(_summary_row(wave, county, label, mine[key].dropna().astype(int), min_group, z))
    return pd.DataFrame(rows, columns=[c for c in SATISFACTION.names if c not in CHANGE_COLUMNS])


def _summary_row(wave: str, county: str, dimension: str, scores: pd.Series, min_group: int, z: float) -> dict:
    n = len(scores)
    suppressed = n < min_group
    happy = int((scores >= 4).sum())
    low, high = wilson(happy, n, z)
    row = {
        "wave": wave,
        "county": county,
        "dimension": dimension,
        "n": n,
        "suppressed": suppressed,
        "mean": math.nan if suppressed else float(scores.mean()),
        "csat": math.nan if suppressed else happy / n,
        "csat_low": math.nan if suppressed else low,
        "csat_high": math.nan if suppressed else high,
    }
    for s in range(1, 6):
        row[f"share_{s}"] = math.nan if suppressed else float((scores == s).sum() / n)
    return row


def wave_change(
    current: pd.DataFrame, previous: pd.DataFrame | None, confidence: float = 0.95
) -> pd.DataFrame:
    """CSAT change against the previous wave, and whether it exceeds the margin at `confidence`."""
    z = z_of(confidence)
    out = current.copy()
    out["csat_change"], out["change_is_real"] = math.nan, False
    if previous is None or previous.empty:
        return out
    before = previous.set_index(["county", "dimension"])
    for i, row in out.iterrows():
        key = (row.county, row.dimension)
        if row.suppressed or key not in before.index or bool(before.loc[key, "suppressed"]):
            continue
        p1, n1, p0, n0 = row.csat, row.n, before.loc[key, "csat"], before.loc[key, "n"]
        margin = z * math.sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0)
        out.at[i, "csat_change"] = p1 - p0
        out.at[i, "change_is_real"] = bool(abs(p1 - p0) > margin)
    return out


def drivers(responses: pd.DataFrame) -> pd.DataFrame:
    """Importance (correlation with 总体满意度) and performance (mean) of each dimension."""
    keys = [k for k in DIMENSIONS if k != "overall"]
    rows = []
    for key in keys:
        pair = responses[[key, "overall"]].dropna().astype(float)
        corr = pair[key].corr(pair["overall"]) if len(pair) > 2 and pair[key].std() > 0 else math.nan
        rows.append(
            {
                "dimension": DIMENSIONS[key],
                "importance": corr,
                "performance": float(pair[key].mean()) if len(pair) else math.nan,
                "n": len(pair),
            }
        )
    out = pd.DataFrame(rows)
    imp, perf = out.importance.mean(), out.performance.mean()
    out["quadrant"] = np.select(
        [
            (out.importance >= imp) & (out.performance < perf),
            (out.importance >= imp) & (out.performance >= perf),
            (out.importance < imp) & (out.performance >= perf),
        ],
        ["优先改进", "保持优势", "适度维持"],
        default="次要",
    )
    return out


def follow_up(responses: pd.DataFrame, archive: pd.DataFrame | None) -> pd.DataFrame:
    """Customers scoring ≤ 2 on any dimension, with the low dimensions, comments and manager."""
    scores = responses[list(DIMENSIONS)]
    low = responses[(scores <= 2).any(axis=1)].copy()
    low["low_dimensions"] = [
        "、".join(f"{DIMENSIONS[k]} {int(r[k])}" for k in DIMENSIONS if r[k] <= 2) for _, r in low.iterrows()
    ]
    managers = archive.set_index("customer_id").manager_id if archive is not None else pd.Series(dtype=object)
    low["manager_id"] = managers.astype(object).reindex(low.customer_id).fillna("").to_numpy()
    # 测评日期 as YYYY-MM-DD (blank where unreadable): the follow-up period runs from it
    low["surveyed"] = low.date.astype(str).str.extract(r"^(\d{4}-\d{2}-\d{2})", expand=False).fillna("")
    return (
        low[
            [
                "customer_id",
                "customer_name",
                "county",
                "manager_id",
                "low_dimensions",
                "comments",
                "source_file",
                "source_row",
                "surveyed",
            ]
        ]
        .sort_values(["county", "customer_id"], kind="mergesort")
        .reset_index(drop=True)
    )


def published_follow_up(callbacks: pd.DataFrame) -> pd.DataFrame:
    """The follow-up list as the report and the site show it to all staff: phone numbers a
    customer wrote in 意见建议 masked (the table under outputs/tables keeps them for the callback)."""
    return callbacks.assign(
        comments=callbacks.comments.map(mask_phones_in),
        customer_name=callbacks.customer_name.map(mask_phones_in),
    )


def coverage(responses: pd.DataFrame, tiers: pd.DataFrame | None) -> float | None:
    """Share of the wave's key accounts that responded."""
    if tiers is None:
        return None
    keys = set(tiers.customer_id[tiers.tier.isin(["prefecture", "county"])])
    return len(keys & set(responses.customer_id)) / len(keys) if keys else None
