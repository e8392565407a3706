"""Deterministic sample data: realistic county workbooks in the format of the data contract.

The same seed and scale always give the same cells (and the same bytes). The default run
reproduces the committed `inputs/` of the repository.
"""

from __future__ import annotations

import hashlib
import shutil
import tomllib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from pipeline.core.months import chinese_month, month_range, next_month, number_of, shift
from pipeline.ingest.reference import CONTACT_COLUMNS, CONTACTS_FILE, PREFECTURE_OFFICE, Reference
from pipeline.ingest.sheets import (
    ARCHIVE_HEADER,
    ASSESSMENT_HEADER,
    CASE_HEADER,
    SURVEY_DIMENSIONS,
    SURVEY_HEADER,
    USAGE_HEADER,
    VISIT_HEADER,
)
from pipeline.render.xlsx import save_reproducible
from pipeline.sample.market import with_market_texts
from pipeline.sample.progress import add_progress_sheet, progress_rows
from pipeline.sample.projects import SEED_SALT, write_registers
from pipeline.sample.system import write_system_exports
from pipeline.sample.todo import add_birthdays_and_plans

EMBEDDED_REFERENCE = Path(__file__).resolve().parents[2] / "inputs" / "reference"

DEFAULT_SEED = 20250101
FIRST_MONTH, LAST_MONTH = "2025-01", "2026-10"
SURVEY_WAVES = {"2025-H1": "2025-06", "2025-H2": "2025-12", "2026-H1": "2026-06"}

# business type → (share of customers using it, median monthly volume, 元 per unit)
BUSINESS_PROFILE = {
    "特快": (0.55, 40, 18.0),
    "快包": (0.35, 60, 8.0),
    "函件": (0.30, 120, 1.2),
    "商函": (0.10, 500, 0.8),
    "账单": (0.08, 800, 0.6),
    "报刊发行": (0.35, 30, 22.0),
    "集邮": (0.08, 5, 120.0),
    "邮资门票": (0.03, 400, 1.5),
    "物流": (0.10, 8, 65.0),
    "代理金融": (0.12, 50, 4.0),
}
_WORDS = tomllib.loads((Path(__file__).with_name("names.toml")).read_text(encoding="utf-8"))
NATURES: dict[str, float] = _WORDS["natures"]
GOVERNMENT_NAMES: list[str] = _WORDS["words"]["government_names"]
INSTITUTION_NAMES: list[str] = _WORDS["words"]["institution_names"]
NAME_CORES: list[str] = _WORDS["words"]["name_cores"]
INDUSTRIES: list[str] = _WORDS["words"]["industries"]
COMPANY_SUFFIXES: list[str] = _WORDS["words"]["company_suffixes"]
PARTNER_NAMES: list[str] = _WORDS["words"]["partner_names"]
STREETS: list[str] = _WORDS["words"]["streets"]
VISIT_CONTENT: list[str] = _WORDS["words"]["visit_content"]
VISIT_FEEDBACK: list[str] = _WORDS["words"]["visit_feedback"]
SURVEY_COMMENTS: list[str] = _WORDS["words"]["survey_comments"]
# case type → (share of the cases, what it is about, how it was closed)
CASE_WORDS = {
    "投诉": (0.35, _WORDS["words"]["complaint_content"], _WORDS["words"]["complaint_results"]),
    "查询": (0.45, _WORDS["words"]["inquiry_content"], _WORDS["words"]["inquiry_results"]),
    "理赔": (0.20, _WORDS["words"]["claim_content"], _WORDS["words"]["claim_results"]),
}
# case type → (days to close when on time, when late); a few are still open at the end
CASE_DAYS = {"投诉": ((1, 7), (8, 45)), "查询": ((1, 3), (4, 12)), "理赔": ((5, 30), (31, 75))}


@dataclass(frozen=True)
class Scale:
    customers: int = 2000
    counties: int = 17  # 17 = Liangshan's own reference; more adds generated counties
    first: str = FIRST_MONTH
    last: str = LAST_MONTH


def generate(inputs: Path, seed: int = DEFAULT_SEED, scale: Scale | None = None) -> None:
    """Write reference data (where missing) and every workbook of the sample into `inputs`."""
    scale = scale or Scale()
    _write_reference(inputs / "reference", scale)
    ref = Reference.load(inputs / "reference")
    rng = np.random.default_rng(seed)
    months = month_range(scale.first, scale.last)
    customers = _customers(ref, rng, scale.customers, months)
    usage = _usage(customers, rng, months)
    customers = with_market_texts(customers, seed)  # 竞争对手, 潜在需求, 协议档次: a stream of their own
    _write_targets(inputs / "reference", ref, customers, usage)
    _write_contacts(inputs / "reference", ref)
    quirks = _quirks(ref, months)
    # cases from a generator of their own: the other sheets stay as they were without them
    cases = _cases(ref, np.random.default_rng([seed, 17]), months, customers, usage, quirks)
    # 工作进展 sheets and 量收系统 exports: random streams of their own, the rest stays as it was
    sent = {(c, m) for c in ref.counties.code for m in months if "missing" not in quirks.get((c, m), set())}
    progress = progress_rows(seed, months, ref.county_names, sent)
    for month in months:
        _write_month(inputs, ref, rng, month, customers, usage, quirks, cases, progress, seed)
    write_system_exports(inputs, ref, seed, months, customers, usage)
    # the project registers, from a generator of their own (pipeline.sample.projects)
    write_registers(
        inputs / "projects", ref, np.random.default_rng([seed, SEED_SALT]), months, customers, usage
    )
    for wave, month in SURVEY_WAVES.items():
        if month in months:
            _write_survey(inputs / "surveys" / wave, ref, rng, wave, month, customers, usage)


def simulate(
    reference_dir: Path, seed: int = DEFAULT_SEED, scale: Scale | None = None
) -> tuple[Reference, pd.DataFrame, dict[str, pd.DataFrame]]:
    """The same simulation without writing workbooks (for benchmarks of the analytics):
    (reference, customer records as an archive, usage facts by month as the reader gives them)."""
    scale = scale or Scale()
    _write_reference(reference_dir, scale)
    ref = Reference.load(reference_dir)
    rng = np.random.default_rng(seed)
    months = month_range(scale.first, scale.last)
    customers = _customers(ref, rng, scale.customers, months)
    usage = _usage(customers, rng, months).merge(customers[["customer_id", "county", "manager_id", "name"]])
    usage["county"] = usage.county.map(ref.county_names)
    usage["revenue_fen"] = np.rint(usage.revenue * 100).astype(np.int64)
    usage = usage.rename(columns={"name": "customer_name"}).drop(columns=["revenue", "new"])
    archive = customers.rename(columns={"partner": "is_partner", "designated": "is_designated"})
    archive["county"] = archive.county.map(ref.county_names)
    archive["partner"] = np.where(archive.is_partner, "是", "否")
    archive["county_designated"] = np.where(archive.is_designated, "是", "否")
    return ref, archive, {m: frame.reset_index(drop=True) for m, frame in usage.groupby("month")}


# -- reference ------------------------------------------------------------------------


def _write_reference(folder: Path, scale: Scale) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("business_types.csv", "rules.toml", "aliases.toml", "market.toml", "holidays.csv"):
        if not (folder / name).exists():
            shutil.copy(EMBEDDED_REFERENCE / name, folder / name)
    if (folder / "counties.csv").exists():
        return
    counties = pd.read_csv(EMBEDDED_REFERENCE / "counties.csv", dtype=str, keep_default_na=False)
    managers = pd.read_csv(EMBEDDED_REFERENCE / "managers.csv", dtype=str, keep_default_na=False)
    if scale.counties != len(counties):
        counties, managers = _generated_counties(scale.counties)
    counties.to_csv(folder / "counties.csv", index=False)
    managers.to_csv(folder / "managers.csv", index=False)


def _generated_counties(n: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A province-sized reference: n counties named 样例001县 …, two managers each."""
    counties = pd.DataFrame(
        {
            "code": [f"c{i:04d}" for i in range(1, n + 1)],
            "name": [f"样例{i:03d}县" for i in range(1, n + 1)],
            "division_code": [f"{510000 + i}" for i in range(1, n + 1)],
            "aliases": [f"样例{i:03d}|样例{i:03d}县邮政分公司" for i in range(1, n + 1)],
        }
    )
    rows = [("M0001", "州局主任", PREFECTURE_OFFICE, "主任")]
    for i, code in enumerate(counties.code):
        rows += [
            (f"M{2 * i + 2:04d}", f"经理{2 * i + 2:04d}", code, "客户经理"),
            (f"M{2 * i + 3:04d}", f"经理{2 * i + 3:04d}", code, "客户经理"),
        ]
    managers = pd.DataFrame(rows, columns=["manager_id", "name", "county", "role"])
    managers["active_from"], managers["active_to"] = "2024-01-01", ""
    return counties, managers


def _write_targets(folder: Path, ref: Reference, customers: pd.DataFrame, usage: pd.DataFrame) -> None:
    """Annual targets: last year's revenue of each manager's customers plus 8 %, rounded."""
    revenue = usage.merge(customers[["customer_id", "manager_id"]], on="customer_id")
    revenue["year"] = revenue.month.str[:4]
    yearly = revenue.groupby(["year", "manager_id"]).revenue.sum()
    rows = []
    for year in sorted(revenue.year.unique()):
        for manager_id in ref.managers.manager_id:
            base = yearly.get((year, manager_id), 0.0)
            target = round(base * 1.08 / 10000.0) * 10000
            new_accounts = 2 + int(manager_id[-1]) % 4
            rows.append((year, manager_id, new_accounts, f"{target:.2f}"))
    pd.DataFrame(rows, columns=["year", "manager_id", "new_key_accounts", "revenue_target"]).to_csv(
        folder / "targets.csv", index=False
    )


def _write_contacts(folder: Path, ref: Reference) -> None:
    """Each county centre's contact for the chase list (where missing: the centre keeps its own):
    the county's first account manager on the roster and an office number made from the county
    code, so that the random draws of the workbooks stay as they were."""
    if (folder / CONTACTS_FILE).exists():
        return
    rows = []
    for code, name in ref.county_names.items():
        staff = ref.managers[(ref.managers.county == code) & (ref.managers.role == "客户经理")]
        person = staff.name.iloc[0] if len(staff) else ""
        digits = int(hashlib.sha256(code.encode()).hexdigest(), 16) % 1_000_000
        rows.append((code, name, person, f"0834-{3_000_000 + digits}"))
    pd.DataFrame(rows, columns=CONTACT_COLUMNS).to_csv(folder / CONTACTS_FILE, index=False)


# -- customers and their usage --------------------------------------------------------


def _customers(ref: Reference, rng: np.random.Generator, n: int, months: list[str]) -> pd.DataFrame:
    codes = list(ref.counties.code)
    weights = np.ones(len(codes))
    boosts = {
        "xichang": 8.0,
        "huili": 2.5,
        "huidong": 1.7,
        "mianning": 1.7,
        "yanyuan": 1.6,
        "dechang": 1.4,
    }
    for i, code in enumerate(codes):
        weights[i] = boosts.get(code, 1.0)
    county = rng.choice(codes, size=n, p=weights / weights.sum())
    natures = rng.choice(list(NATURES), size=n, p=np.array(list(NATURES.values())))
    partner = rng.random(n) < 0.015
    designated = rng.random(n) < 0.04
    # lifecycle: most exist before the first month; some join, some leave
    start = np.where(rng.random(n) < 0.82, 0, rng.integers(1, len(months), n))
    leaves = rng.random(n) < 0.08
    end = np.where(leaves, np.minimum(start + rng.integers(4, len(months) + 4, n), len(months)), len(months))
    size = rng.lognormal(0.0, 1.7, n) * np.where(np.isin(natures, ["党政军机关", "国有企业"]), 2.5, 1.0)

    rows, used_names = [], set()
    serial: dict[str, int] = {}
    for i in range(n):
        code = county[i]
        serial[code] = serial.get(code, 0) + 1
        county_name = ref.county_names[code]
        name = _customer_name(rng, county_name, natures[i], partner[i], used_names)
        managers = ref.managers[ref.managers.county == code].manager_id.tolist()
        if size[i] > 6 and rng.random() < 0.3:  # large accounts the 州局 centre looks after itself
            managers = ref.managers[ref.managers.county == PREFECTURE_OFFICE].manager_id.tolist() or managers
        division = ref.counties.set_index("code").division_code[code]
        rows.append(
            {
                "customer_id": f"C{division}{serial[code]:04d}",
                "name": name,
                "county": code,
                "nature": natures[i],
                "partner": bool(partner[i]),
                "designated": bool(designated[i]),
                "manager_id": managers[int(rng.integers(0, len(managers)))],
                "start": int(start[i]),
                "end": int(end[i]),
                "weight": float(size[i]),
                "phone": f"13{int(rng.integers(0, 10))}{int(rng.integers(10_000_000, 99_999_999))}",
                "contact": rng.choice(list("王李张刘陈杨黄赵吴周"))
                + rng.choice(["先生", "女士", "主任", "经理"]),
                "address": f"{county_name}{rng.choice(STREETS)}{int(rng.integers(1, 300))}号",
            }
        )
    out = pd.DataFrame(rows)
    out["home_manager_id"] = out.manager_id
    return out


def _customer_name(rng, county_name: str, nature: str, partner: bool, used: set[str]) -> str:
    short = county_name.removesuffix("市").removesuffix("县").removesuffix("藏族自治")
    for attempt in range(50):
        if partner:
            name = f"{short}{rng.choice(PARTNER_NAMES)}"
        elif nature in ("党政军机关", "行政职能单位"):
            name = f"{county_name}{rng.choice(GOVERNMENT_NAMES)}"
        elif nature == "事业单位":
            name = f"{county_name}{rng.choice(INSTITUTION_NAMES)}"
        else:
            parts = (["凉山州", "四川", short], NAME_CORES, INDUSTRIES, COMPANY_SUFFIXES)
            name = "".join(str(rng.choice(p)) for p in parts)
        if attempt > 5:
            name = f"{name}{'第' + str(attempt) + '分部' if nature != '个体工商户' else str(attempt)}"
        if name not in used:
            used.add(name)
            return name
    raise RuntimeError("could not find a unique customer name")


def _seasonality(business: str, month: str) -> float:
    m = number_of(month)
    if business == "报刊发行":  # the subscription season
        return {9: 1.4, 10: 2.6, 11: 3.2, 12: 2.4}.get(m, 0.55)
    if business in ("特快", "快包"):  # Spring Festival lull, autumn holidays and 双十一
        return {1: 1.25, 2: 0.7, 9: 1.1, 10: 1.2, 11: 1.4, 12: 1.2}.get(m, 1.0)
    return 1.0


def _usage(customers: pd.DataFrame, rng: np.random.Generator, months: list[str]) -> pd.DataFrame:
    """Customer × business type × month volumes and revenue (long format)."""
    frames = []
    for business, (share, median, unit_price) in BUSINESS_PROFILE.items():
        bias = np.where(customers.nature.isin(["党政军机关", "事业单位", "行政职能单位"]), 1.6, 1.0)
        if business not in ("报刊发行", "函件"):
            bias = np.ones(len(customers))
        uses = rng.random(len(customers)) < np.minimum(share * bias, 0.95)
        base = 0.35 * median * customers.weight.to_numpy() * rng.lognormal(0, 1.4, len(customers))
        trend = rng.normal(0.0, 0.006, len(customers))
        first_use = customers.start.to_numpy() + np.where(
            rng.random(len(customers)) < 0.1, rng.integers(0, 12, len(customers)), 0
        )
        drop_at = np.where(
            rng.random(len(customers)) < 0.05, rng.integers(3, max(len(months), 4), len(customers)), 10_000
        )
        for t, month in enumerate(months):
            active = uses & (t >= first_use) & (t < customers.end.to_numpy())
            noise = rng.lognormal(0, 0.1, len(customers))
            skip = rng.random(len(customers)) < np.where(customers.weight < 0.5, 0.12, 0.02)
            level = base * (1 + trend) ** t * _seasonality(business, month) * noise
            level = np.where(t >= drop_at, level * 0.45, level)
            volume = np.maximum(np.rint(level), 1).astype(np.int64)
            price = unit_price * rng.uniform(0.85, 1.15, len(customers))
            keep = active & ~skip
            frames.append(
                pd.DataFrame(
                    {
                        "month": month,
                        "customer_id": customers.customer_id[keep].to_numpy(),
                        "business_type": business,
                        "volume": volume[keep],
                        "revenue": np.round(volume[keep] * price[keep], 2),
                        "new": _labelled_new(t, first_use[keep], business),
                    }
                )
            )
    return pd.concat(frames, ignore_index=True)


def _labelled_new(t: int, first_use: np.ndarray, business: str) -> np.ndarray:
    """揽收类型 as a county labels it: 新揽收 in the month a customer first uses a business after
    go-live; business there at go-live is 存量. A few existing rows are relabelled 新揽收, as
    happens when a reward is paid on new business (the 新揽收 rule catches them). The relabels
    draw from their own generator, so the rest of the sample does not move."""
    first = (t == first_use) & (t > 0)
    draw = np.random.default_rng([t, sum(business.encode()), 7919]).random(len(first_use))
    relabelled = (t - first_use >= 3) & (draw < 0.003)
    return first | relabelled


# -- what makes some files differ from the template -----------------------------------


def _quirks(ref: Reference, months: list[str]) -> dict[tuple[str, str], set[str]]:
    """(county code, month) → deviations a real county file would show."""
    codes = list(ref.counties.code)
    q: dict[tuple[str, str], set[str]] = {}

    def add(code: str, month: str, *what: str) -> None:
        if code in codes and month in months:
            q.setdefault((code, month), set()).update(what)

    for month in months:
        add("huili", month, "revenue_in_wan")  # 会理 reports 收入(万元)
        add("xichang", month, "columns_reordered")
        add("jinyang", month, "numbers_as_text")
    for month in months[::4]:
        add("meigu", month, "late")
    add("butuo", "2026-03", "missing")
    add("puge", "2026-08", "no_date")
    add("leibo", months[-1], "late")
    add("ganluo", months[-1], "wrong_month")  # the 甘洛 file still says last month
    add("meigu", months[-1], "unknown_business")
    return q


# -- writing workbooks ----------------------------------------------------------------


def _title_rows(ws, title: str, unit: str, reported: str | None, width: int) -> None:
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append([f"填报单位:{unit}", None, None, None, f"填报日期:{reported}" if reported else "填报日期:"])
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=4)


def _write_month(
    inputs, ref, rng, month, customers, usage, quirks, cases, progress=None, seed=DEFAULT_SEED
) -> None:
    folder = inputs / month
    folder.mkdir(parents=True, exist_ok=True)
    t = len(month_range(FIRST_MONTH, month)) - 1
    customers = customers.assign(manager_id=_effective_managers(ref, customers, month))
    if t > 0:  # last month's managers: a change of manager is reported in the archive
        customers = customers.assign(manager_before=_effective_managers(ref, customers, shift(month, -1)))
    this = usage[usage.month == month].merge(customers, on="customer_id")
    managers = dict(zip(ref.managers.manager_id, ref.managers.name, strict=True))
    usage_of, customers_of = dict(list(this.groupby("county"))), dict(list(customers.groupby("county")))
    for code in ref.counties.code:
        what = quirks.get((code, month), set())
        if "missing" in what:
            continue
        county_name = ref.county_names[code]
        county_usage = usage_of.get(code, this.iloc[:0])
        rows = county_usage.sort_values(["customer_id", "business_type"])
        wb = Workbook()
        ws = wb.active
        ws.title = "用邮情况"
        year, mon = month.split("-")
        shown_month = month if "wrong_month" not in what else shift(month, -1)
        sy, sm = shown_month.split("-")
        reported = None if "no_date" in what else _report_date(rng, month, "late" in what)
        _title_rows(
            ws,
            f"凉山州邮政大客户用邮情况月报({sy}年{int(sm)}月)",
            f"{county_name}邮政分公司",
            reported,
            7,
        )
        header = list(USAGE_HEADER)
        if "revenue_in_wan" in what:
            header[4] = "收入(万元)"
        order = list(range(7))
        if "columns_reordered" in what:
            order = [0, 1, 2, 5, 3, 4, 6]
        ws.append([header[i] for i in order])
        total_volume, total_revenue = 0, 0.0
        for r in rows.itertuples():
            business = r.business_type
            if "unknown_business" in what and r.Index == rows.index[len(rows) // 2]:
                business = "快件"
            revenue: object = round(r.revenue / 10000, 6) if "revenue_in_wan" in what else r.revenue
            volume: object = int(r.volume)
            if "numbers_as_text" in what:
                volume, revenue = f"{r.volume:,}", f"{r.revenue:,.2f}"
            values = [
                r.customer_id,
                r.name,
                business,
                volume,
                revenue,
                managers[r.manager_id],
                "新揽收" if r.new else "存量",
            ]
            ws.append([values[i] for i in order])
            total_volume += int(r.volume)
            total_revenue += float(r.revenue)
        total = [
            "合计",
            None,
            None,
            total_volume,
            round(total_revenue / 10000, 6) if "revenue_in_wan" in what else round(total_revenue, 2),
            None,
            None,
        ]
        ws.append([total[i] for i in order])
        ws.append([])
        ws.append(
            [
                f"填表人:{managers[_county_manager(ref, code)]}",
                None,
                "审核人:",
                None,
                "联系电话:0834-2" + f"{int(rng.integers(100000, 999999))}",
            ]
        )
        _archive_sheet(wb, rng, month, t, customers_of.get(code, customers.iloc[:0]), managers)
        _visit_sheet(wb, rng, month, county_usage, managers)
        _case_sheet(wb, cases.get((code, month), []))
        add_progress_sheet(wb, (progress or {}).get((code, month)))
        # birthdays and visit plans from streams of their own (pipeline.sample.todo)
        add_birthdays_and_plans(
            wb, seed, t, month, int(ref.counties.code.tolist().index(code)), rows, managers
        )
        save_reproducible(
            wb, folder / f"{county_name}_{year}年{int(mon)}月_大客户用邮情况.xlsx", _stamp(month)
        )
    _assessment_file(folder, ref, rng, month)


def _effective_managers(ref: Reference, customers: pd.DataFrame, month: str) -> pd.Series:
    """A customer's manager in `month`: its own if employed then, else the county's first."""
    active = ref.managers_active_in(month)
    first_active = active.drop_duplicates("county").set_index("county").manager_id
    fallback = customers.county.map(first_active).fillna(customers.home_manager_id)
    home = customers.home_manager_id
    return home.where(home.isin(active.manager_id), fallback)


def _county_manager(ref: Reference, code: str) -> str:
    return ref.managers[ref.managers.county == code].manager_id.iloc[0]


def _archive_sheet(wb, rng, month, t, customers, managers) -> None:
    ws = wb.create_sheet("客户档案")
    ws.append(ARCHIVE_HEADER)
    new = customers.start == t
    updated = (customers.start < t) & (customers.end > t) & (rng.random(len(customers)) < 0.12)
    if t > 0:  # a change of manager is reported in the archive
        updated |= (customers.start < t) & (customers.manager_before != customers.manager_id).to_numpy()
    initial = customers.start == 0 if t == 0 else np.zeros(len(customers), dtype=bool)
    day = f"{month}-{int(rng.integers(1, 28)):02d}"
    for r in customers[new | updated | initial].itertuples():
        ws.append(
            [
                r.customer_id,
                r.name,
                r.address,
                r.contact,
                r.phone,
                r.nature,
                "是" if r.partner else "否",
                "见营业执照",
                "",
                getattr(r, "potential", ""),
                getattr(r, "competitors", ""),
                managers[r.manager_id],
                "是" if r.designated else "否",
                day,
                getattr(r, "agreed_band", ""),
            ]
        )


def _visit_sheet(wb, rng, month, usage, managers) -> None:
    ws = wb.create_sheet("走访记录")
    ws.append(VISIT_HEADER)
    by_customer = usage.groupby("customer_id").agg(
        revenue=("revenue", "sum"), manager_id=("manager_id", "first"), nature=("nature", "first")
    )
    # managers visit most of their larger and public-sector accounts, and a few others
    larger = (
        by_customer.revenue >= by_customer.revenue.quantile(0.55) if len(by_customer) else by_customer.revenue
    )
    public = by_customer.nature.isin(["党政军机关", "行政职能单位", "事业单位"])
    chance = (larger | public).map({True: 0.86, False: 0.06})
    for customer_id, manager_id, p in zip(by_customer.index, by_customer.manager_id, chance, strict=True):
        if rng.random() < p:
            day = int(rng.integers(1, 29))
            method = rng.choice(["上门", "上门", "上门", "电话", "节日问候"])
            ws.append(
                [
                    f"{month}-{day:02d}",
                    customer_id,
                    managers[manager_id],
                    method,
                    rng.choice(VISIT_CONTENT),
                    rng.choice(VISIT_FEEDBACK),
                ]
            )


def _case_sheet(wb, rows: list[list]) -> None:
    ws = wb.create_sheet("投诉查询理赔")
    ws.append(CASE_HEADER)
    for row in rows:
        ws.append(row)


def _cases(ref, rng, months, customers, usage, quirks) -> dict[tuple[str, str], list[list]]:
    """(county code, month) → the 投诉查询理赔 rows of its workbook: a few cases received each
    month from customers with usage, most closed in time, some late, a few still open at the
    end; a case closed in a later month is given again, with its 办结日期, in the first workbook
    the county sends from that month on."""
    sent = {
        (code, m)
        for code in ref.counties.code
        for m in months
        if not quirks.get((code, m), set()) & {"missing", "wrong_month"}
    }
    managers = ref.managers.set_index("manager_id").name
    types = list(CASE_WORDS)
    shares = np.array([CASE_WORDS[t][0] for t in types])
    out: dict[tuple[str, str], list[list]] = {}
    seen: set[tuple] = set()
    for month in months:
        who = customers.assign(manager_id=_effective_managers(ref, customers, month))
        this = usage[usage.month == month].merge(who, on="customer_id")
        for code in ref.counties.code:
            if (code, month) not in sent:
                continue
            mine = this[this.county == code]
            if mine.empty:
                continue
            for _ in range(int(rng.poisson(1.6))):
                r = mine.iloc[int(rng.integers(0, len(mine)))]
                kind = str(rng.choice(types, p=shares))
                _, contents, results = CASE_WORDS[kind]
                opened = date.fromisoformat(f"{month}-{int(rng.integers(1, 29)):02d}")
                on_time, late = CASE_DAYS[kind]
                draw = rng.random()
                days = int(rng.integers(on_time[0], on_time[1] + 1))
                if draw < 0.22:
                    days = int(rng.integers(late[0], late[1] + 1))
                closed = None if draw > 0.97 else opened + timedelta(days=days)
                mail_no = f"1{int(rng.integers(100_000_000_000, 999_999_999_999))}"
                if kind == "查询" and rng.random() < 0.4:
                    mail_no = ""
                content = str(rng.choice(contents))
                if kind == "投诉" and rng.random() < 0.15:
                    content += (
                        f",请回电 13{int(rng.integers(0, 10))}{int(rng.integers(10_000_000, 99_999_999))}"
                    )
                amount = round(float(rng.lognormal(5.5, 0.9)), 2) if kind == "理赔" else None
                if (key := (opened, r.customer_id, kind, mail_no)) in seen:
                    continue  # the same case twice: a county reports it once
                seen.add(key)
                row = [opened.isoformat(), r.customer_id, kind, r.business_type, content, mail_no, amount]
                manager = managers[r.manager_id]
                closed_month = closed.isoformat()[:7] if closed else None
                if closed_month == month:
                    out.setdefault((code, month), []).append(
                        [*row, closed.isoformat(), str(rng.choice(results)), manager]
                    )
                    continue
                out.setdefault((code, month), []).append([*row, None, None, manager])
                later = [m for m in months if closed_month and m >= closed_month and (code, m) in sent]
                if later:
                    out.setdefault((code, later[0]), []).append(
                        [*row, closed.isoformat(), str(rng.choice(results)), manager]
                    )
    return out


def _assessment_file(folder, ref, rng, month) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "考核评分"
    ws.append([f"大客户中心客户经理月度考核评分({chinese_month(month)})"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(ASSESSMENT_HEADER))
    ws.append(ASSESSMENT_HEADER)
    active = ref.managers_active_in(month)
    for i, r in enumerate(active.itertuples()):
        if month.endswith("-05") and i == 7:  # a row the centre forgot
            continue
        award, reason = (0, "")
        if rng.random() < 0.03:
            award, reason = int(rng.choice([500, 800, 1000])), "揽收长期合作账单项目"
        ws.append(
            [
                r.manager_id,
                r.name,
                int(rng.integers(5, 11)),
                int(rng.integers(4, 11)),
                int(rng.integers(3, 6)),
                award,
                reason,
            ]
        )
    save_reproducible(wb, folder / "考核评分.xlsx", _stamp(month))


def _write_survey(folder, ref, rng, wave, month, customers, usage) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    year_usage = usage[(usage.month <= month) & (usage.month > shift(month, -6))]
    revenue = year_usage.groupby("customer_id").revenue.sum()
    for code in ref.counties.code:
        mine = customers[customers.county == code]
        mine = mine[mine.customer_id.isin(revenue.index)]
        if mine.empty:
            continue
        cut = revenue[mine.customer_id].quantile(0.6)
        asked = mine[revenue[mine.customer_id].to_numpy() >= cut]
        wb = Workbook()
        ws = wb.active
        ws.title = "满意度测评"
        ws.append(SURVEY_HEADER)
        for r in asked.itertuples():
            if rng.random() > 0.65:
                continue
            mood = rng.normal(4.0, 0.6)
            scores = [int(np.clip(np.rint(mood + rng.normal(0, 0.7)), 1, 5)) for _ in SURVEY_DIMENSIONS]
            ws.append(
                [
                    r.customer_id,
                    r.name,
                    f"{month}-{int(rng.integers(10, 28)):02d}",
                    *scores,
                    rng.choice(SURVEY_COMMENTS),
                ]
            )
        save_reproducible(wb, folder / f"{ref.county_names[code]}_{wave}_满意度测评.xlsx", _stamp(month))


# -- dates ----------------------------------------------------------------------------


def _report_date(rng, month: str, late: bool) -> str:
    following = next_month(month)
    day = int(rng.integers(5, 10)) if late else int(rng.integers(1, 4))
    y, m = following.split("-")
    return f"{y}年{int(m)}月{day}日"


def _stamp(month: str) -> datetime:
    y, m = map(int, next_month(month).split("-"))
    return datetime.combine(date(y, m, 1), datetime.min.time())
