"""The county centres' assessment (pipeline.pay.centres), figures computed by hand: the half-year
visit completion, one county centre's scorecard from a real workbook read by the reader, the
held county, the ranking and the 信息参考's section."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from pipeline.analytics.archive import archive_as_of
from pipeline.analytics.cases import case_register
from pipeline.ingest.county import ingest_county
from pipeline.ingest.month import combine
from pipeline.ingest.submissions import submissions_table
from pipeline.pay.centres import (
    ARCHIVE_FIELDS,
    county_scorecards,
    half_months,
    half_of,
    half_year_visits,
)
from pipeline.publish.centres import centre_section
from tests.workbooks import county_workbook

MONTH = "2026-10"
COUNTIES = ["西昌市", "会东县"]


def tiers_of(keys: dict[str, str], ordinary: list[str] = ()) -> pd.DataFrame:
    """customer → county for the key accounts (tier county), and some ordinary customers."""
    rows = [{"customer_id": c, "county": k, "tier": "county", "manager_id": "M008"} for c, k in keys.items()]
    rows += [
        {"customer_id": c, "county": "西昌市", "tier": "ordinary", "manager_id": "M008"} for c in ordinary
    ]
    return pd.DataFrame(rows)


def visits_of(rows: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["date", "customer_id"])


def test_half_years():
    assert [half_of(m) for m in ("2026-01", "2026-06", "2026-07", "2026-12")] == [
        "2026-H1",
        "2026-H1",
        "2026-H2",
        "2026-H2",
    ]
    assert half_months("2026-03") == ["2026-01", "2026-02", "2026-03"]
    assert half_months("2026-07") == ["2026-07"]
    assert half_months("2026-12") == ["2026-07", "2026-08", "2026-09", "2026-10", "2026-11", "2026-12"]


def test_half_year_completion_counts_a_key_account_visited_once_in_the_half_year():
    """西昌市 has 4 key accounts at 2026-03. K1 visited in January; K2 in a visit dated 28 January
    but reported in February's workbook (counts: dated in the half-year); K3 only in December
    2025 (another half-year) and undated in March; K4 never. An ordinary customer's visit does not
    count. 2 of 4 → 0.5. 会东县: its one key account visited in March → 1 of 1."""
    tiers = tiers_of({"K1": "西昌市", "K2": "西昌市", "K3": "西昌市", "K4": "西昌市", "H1": "会东县"}, ["O1"])
    visits = {
        "2025-12": visits_of([("2025-12-15", "K3")]),
        "2026-01": visits_of([("2026-01-10", "K1"), ("2026-01-11", "O1"), ("2025-12-30", "K3")]),
        "2026-02": visits_of([("2026-01-28", "K2"), ("2026-02-03", "K1")]),
        "2026-03": visits_of([("", "K3"), ("2026-03-02", "H1")]),
    }
    out = half_year_visits(tiers, visits, "2026-03", COUNTIES)
    assert out.to_dict("records") == [
        {"county": "西昌市", "half": "2026-H1", "months": 3, "key_accounts": 4, "visited": 2, "share": 0.5},
        {"county": "会东县", "half": "2026-H1", "months": 3, "key_accounts": 1, "visited": 1, "share": 1.0},
    ]
    # in July the second half-year starts from nothing
    july = half_year_visits(
        tiers, {**visits, "2026-07": visits_of([("2026-07-01", "K4")])}, "2026-07", COUNTIES
    )
    assert july[["county", "half", "months", "visited", "share"]].values.tolist() == [
        ["西昌市", "2026-H2", 1, 1, 0.25],
        ["会东县", "2026-H2", 1, 0, 0.0],
    ]


def _full_archive_row(customer: str, name: str) -> list:
    # 客户编号 and the 13 fields of the plan
    return [customer, name, "西昌市航天大道1号", "王芳", "13800000001", "国有企业", "否", "通信服务", "特快"]


@pytest.fixture(scope="module")
def xichang(tmp_path_factory, reference):
    """A real 西昌市 workbook of 2026-10 read by the reader; 会东县 sent nothing."""
    folder = tmp_path_factory.mktemp("centres")
    rows = [[f"C51340100{i:02d}", f"客户{i}", "特快", 10, 100.0, "陆浩", "存量"] for i in range(1, 20)]
    rows.append(["C5134010020", "客户20", "快递X", 10, 100.0, "陆浩", "存量"])  # business_unknown: 1 error
    archive = [
        [*_full_archive_row("C5134010001", "客户1"), "扩大快包", "顺丰", "陆浩", "是", "2026-10-08"],
        [*_full_archive_row("C5134010002", "客户2"), "代收货款", "京东", "陆浩", "是", "2026-10-08"],
        [*_full_archive_row("C5134010003", "客户3"), None, None, "陆浩", "是", "2026-10-08"],
    ]
    visits = [
        ["2026-10-12", "C5134010001", "陆浩", "上门", "季度走访", "满意"],
        ["2026-10-20", "C5134010002", "陆浩", "电话", "回访", ""],
        ["2026-09-28", "C5134010003", "陆浩", "上门", "补报九月走访", ""],  # the half-year, not the month
        [None, "C5134010004", "陆浩", "上门", "未写日期", ""],  # counts for neither
    ]
    cases = [
        # 受理日期, 客户编号, 类型, 业务种类, 内容, 邮件号码, 理赔金额, 办结日期, 处理结果, 客户经理
        ["2026-10-05", "C5134010001", "投诉", "特快", "延误", None, None, "2026-10-09", "已解决", "陆浩"],
        ["2026-10-10", "C5134010002", "查询", "特快", "查件", None, None, "2026-10-20", "已答复", "陆浩"],
        ["2026-10-25", "C5134010003", "投诉", "特快", "破损", None, None, None, None, "陆浩"],
    ]
    path = county_workbook(
        folder / "西昌市.xlsx",
        month=MONTH,
        county="西昌市",
        rows=rows,
        report_date="2026年11月2日",
        archive=archive,
        visits=visits,
        cases=cases,
    )
    intakes = [
        ingest_county("xichang", MONTH, [path], reference),
        ingest_county("huidong", MONTH, [], reference),
    ]
    month = combine(intakes)
    names = {"xichang": "西昌市", "huidong": "会东县"}
    submissions = submissions_table(intakes, names)
    rules = reference.rules
    archive_now = archive_as_of(None, month.archive, month.usage, MONTH)
    register = case_register(None, month.cases, MONTH, rules, archive_now)
    return {
        "rules": rules.for_month(MONTH),
        "submissions": submissions,
        "problems": month.problems,
        "visits": month.visits,
        "archive": archive_now,
        "cases": register,
    }


def test_one_county_centre_scored_by_hand_from_a_real_workbook(xichang):
    """西昌市, 2026-10, key accounts C5134010001–04 (weights 15 15 15 15 10 10 10 10):
    - 报表报送: 填报日期 2 November, before the 3rd → 15.00;
    - 数据质量: 1 error (快递X) in 20 rows = 5 per hundred; 1 − 5/10 = 0.5 → 7.50;
    - 月度走访率: C…01 and C…02 visited in October (C…03's is dated September, C…04's undated) → 2/4 → 7.50;
    - 半年走访: C…01, 02, 03 visited in 2026-H2 so far → 3/4 → 11.25;
    - 档案完整率: 13 fields each; C…01, 02 all 13, C…03 11 (no 潜在需求, 竞争对手), C…04 only the
      record made from its usage (name, manager, 行业合作伙伴 否, 县级重点客户 否) 4 → 41/52 × 10
      = 7.8846… → 7.88;
    - 案件按时办结: due 2 (the complaint closed in 4 days of 7, the inquiry in 10 of 3); the
      complaint of the 25th is open within its limit, not due → 1/2 → 5.00;
    - 大客户保有: C…02 has a decline alert (C…03's complaint alert does not count) → 3/4 → 7.50;
    - 客户满意率: 2026-H1 总体满意率 75% → 7.50.
    Total 15 + 7.5 + 7.5 + 11.25 + 7.88 + 5 + 7.5 + 7.5 = 69.13 of 100."""
    keys = {f"C51340100{i:02d}": "西昌市" for i in range(1, 5)}
    tiers = tiers_of(keys, [f"C51340100{i:02d}" for i in range(5, 21)])
    visits = xichang["visits"]
    half = half_year_visits(tiers, {MONTH: visits}, MONTH, COUNTIES)
    alerts = pd.DataFrame(
        {"customer_id": ["C5134010002", "C5134010003"], "kind": ["decline", "complaint"], "county": "西昌市"}
    )
    csat = pd.DataFrame(
        {
            "wave": "2026-H1",
            "county": ["西昌市", "会东县"],
            "n": [12, 3],
            "csat": [0.75, float("nan")],
            "suppressed": [False, True],
        }
    )
    assert list(xichang["submissions"].rows) == [20, 0]
    assert len(ARCHIVE_FIELDS) == 13
    table = county_scorecards(
        MONTH,
        xichang["rules"],
        COUNTIES,
        xichang["submissions"],
        xichang["problems"],
        tiers,
        visits,
        half,
        xichang["archive"],
        xichang["cases"],
        alerts,
        csat,
    ).set_index("county")
    x = table.loc["西昌市"]
    assert {k: x[k] for k in ("submission", "data_quality", "visit_rate", "half_year")} == {
        "submission": Decimal("15.00"),
        "data_quality": Decimal("7.50"),
        "visit_rate": Decimal("7.50"),
        "half_year": Decimal("11.25"),
    }
    assert {k: x[k] for k in ("archive", "cases", "retention", "csat")} == {
        "archive": Decimal("7.88"),
        "cases": Decimal("5.00"),
        "retention": Decimal("7.50"),
        "csat": Decimal("7.50"),
    }
    assert (x.total, x.possible, x.rate, x["rank"], x.held) == (
        Decimal("69.13"),
        100,
        Decimal("0.6913"),
        1,
        "",
    )
    assert x.archive_value == "41/52" and x.cases_value == "1/2" and x.data_quality_value == "1/20"
    assert x.half_year_note == "2026-H2 已走访大客户 3 户 / 4 户(截至本月)"
    # 会东县 sent nothing: its workbook items are held, not 0; reporting scores 0 and says why
    h = table.loc["会东县"]
    assert h.held == "本月报表未报送"
    assert all(
        h[k] is None for k in ("data_quality", "visit_rate", "half_year", "archive", "cases", "retention")
    )
    assert h.visit_rate_value == "暂缓" and h.visit_rate_note == "暂缓:本月报表未报送,待报表采用后计分"
    assert (h.submission, h.submission_value) == (Decimal("0.00"), "未报送")
    assert h.csat is None and h.csat_note == "2026-H1 测评样本不足(有效 3 份),不计分"
    assert (h.total, h.possible, h.rate) == (Decimal("0.00"), 15, None) and pd.isna(h["rank"])


def _scored(rows: dict[str, dict], csat=None, rules=None, status=None):
    """Counties with key accounts K<county><i>; each `rows` entry: key accounts, visited now."""
    keys, visits = {}, []
    for county, spec in rows.items():
        for i in range(spec["keys"]):
            keys[f"{county}{i}"] = county
            if i < spec["visited"]:
                visits.append((f"{MONTH}-05", f"{county}{i}"))
    tiers = tiers_of(keys)
    visit_frame = visits_of(visits)
    counties = list(rows)
    submissions = pd.DataFrame(
        {
            "county": counties,
            "status": [(status or {}).get(c, "on_time") for c in counties],
            "rows": 100,
        }
    )
    archive = pd.DataFrame(
        {
            "customer_id": list(keys),
            **{f: "x" for f in ARCHIVE_FIELDS.values()},
            "county": list(keys.values()),
        }
    )
    half = half_year_visits(tiers, {MONTH: visit_frame}, MONTH, counties)
    return county_scorecards(
        MONTH,
        rules,
        counties,
        submissions,
        pd.DataFrame(columns=["severity", "county"]),
        tiers,
        visit_frame,
        half,
        archive,
        pd.DataFrame(),
        pd.DataFrame(columns=["customer_id", "kind"]),
        csat,
    )


def test_ranking_by_rate_ties_share_a_rank_and_a_late_report_earns_half(reference):
    """No case due and no survey wave: 20 points are not scored anywhere, so possible is 80.
    A: 4/4 visited → 80/80. B: 2/4 → visit 7.5, half-year 7.5 → 65. C: same as B → 65, rank 2
    too. D: all visited but late → reporting 7.5 → 72.5, rank 2 before B and C (3rd → 4)."""
    rules = reference.rules.for_month(MONTH)
    table = _scored(
        {"A": {"keys": 4, "visited": 4}, "B": {"keys": 4, "visited": 2}, "C": {"keys": 4, "visited": 2}}
        | {"D": {"keys": 2, "visited": 2}},
        rules=rules,
        status={"D": "late"},
    )
    got = table[["county", "total", "possible", "rank"]].values.tolist()
    assert got == [
        ["A", Decimal("80.00"), 80, 1],
        ["D", Decimal("72.50"), 80, 2],
        ["B", Decimal("65.00"), 80, 3],
        ["C", Decimal("65.00"), 80, 3],
    ]
    d = table.set_index("county").loc["D"]
    assert d.submission_note == "逾期报送,按 0.5 × 15 分"
    assert d.cases_note == "本月无应办结案件,不计分" and d.csat_note == "本月之前尚无结束的满意度测评,不计分"


def test_the_brief_section_carries_the_trend_and_the_change(reference):
    rules = reference.rules.for_month(MONTH)
    table = _scored({"A": {"keys": 4, "visited": 4}, "B": {"keys": 4, "visited": 2}}, rules=rules)
    half = half_year_visits(tiers_of({"A0": "A"}), {}, MONTH, ["A", "B"])
    trend = pd.DataFrame(
        {
            "month": ["2026-08", "2026-09", "2026-08", "2026-09"],
            "county": ["A", "A", "B", "B"],
            "total": [70.0, 75.5, 66.0, 0.0],
            "rank": [1, 1, 2, None],
            "held": ["", "", "", "本月报表退回"],
        }
    )
    section = centre_section({"scorecards": table, "half_year": half, "trend": trend}, {"submission": 15})
    a, b = section["rows"]
    assert section["months"] == ["2026-08", "2026-09"] and section["half"] == "2026-H2"
    assert (a["rank"], a["total"], a["previous"], a["change"], a["trend"]) == (
        1,
        80.0,
        75.5,
        4.5,
        [70.0, 75.5],
    )
    # held last month: no previous score to compare with
    assert (b["previous"], b["change"], b["trend"]) == (None, None, [66.0, None])
    assert section["items"][0] == {"key": "submission", "label": "报表报送", "weight": 15}


def test_the_archive_fields_scored_pair_each_header_with_its_own_column(reference):
    """档案完整率 counts the plan's fields by the archive table's columns, paired with the sheet's
    headers by position: each pair must be the one the reader itself makes (aliases.toml, whose
    first alias is the header), or a reordered list would score one field for another."""
    from pipeline.pay.centres import ARCHIVE_FIELDS

    aliases = reference.aliases["columns"]["archive"]
    for header, column in ARCHIVE_FIELDS.items():
        key = "manager" if column == "manager_id" else column
        assert aliases[key][0] == header, (header, column)
