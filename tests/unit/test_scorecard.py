"""Scorecards by hand: data items from the analytics, manual items from 考核评分, reasons shown."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from pipeline.core.rules import RuleBook
from pipeline.pay.scorecard import ITEMS, new_key_accounts_by_manager, scorecards
from pipeline.publish.bulletin import scorecard_ranking

RULES = RuleBook(
    [
        {
            "from": "2025-01",
            "scorecard": {
                "weights": {
                    "archive": 10,
                    "contact": 5,
                    "market_survey": 10,
                    "retention": 10,
                    "other": 5,
                    "project_plan": 10,
                    "new_accounts": 25,
                    "annual_target": 25,
                }
            },
        }
    ]
).for_month("2025-01")


def zero_targets(*managers: str, year: str = "2026") -> pd.DataFrame:
    """targets.csv rows that set no target (0): the target items are not scored, not held."""
    return pd.DataFrame(
        {"year": year, "manager_id": list(managers), "new_key_accounts": "0", "revenue_target": "0"}
    )


def test_items_points_and_a_missing_assessment_row():
    managers = pd.DataFrame(
        {"manager_id": ["M1", "M2"], "name": ["甲", "乙"], "county": ["xichang", "xichang"]}
    )
    tiers = pd.DataFrame(
        {
            "customer_id": ["A", "B", "C", "D", "E"],
            "county": "西昌市",
            "tier": ["prefecture", "county", "prefecture", "prefecture", "ordinary"],
            "manager_id": ["M1", "M1", "M1", "M1", "M1"],
            "change": ["new", "unchanged", "unchanged", "new", "unchanged"],
        }
    )
    archive = pd.DataFrame(
        {
            "customer_id": list("ABCDE"),
            "manager_id": "M1",
            "changed_month": ["2026-06", "2026-04", "2025-12", "2026-05", "2026-06"],
        }
    )
    alerts = pd.DataFrame({"customer_id": ["C"]})
    visits = pd.DataFrame(
        {
            "customer_id": ["A", "B", "B", "E"],
            "date": ["2026-06-03", "2026-06-10", "2026-06-28", "2026-06-01"],
        }
    )
    usage = pd.DataFrame({"manager_id": ["M1", "M1", "M2"], "revenue_fen": [30_000_00, 20_000_00, 5_00]})
    assessment = pd.DataFrame(
        [
            {
                "manager_id": "M1",
                "market_survey": Decimal("8"),
                "project_plan": Decimal("9.5"),
                "other": Decimal("4"),
                "award": Decimal(0),
                "award_reason": "",
                "source_row": 3,
            }
        ]
    )
    targets = pd.DataFrame(
        {
            "year": ["2026", "2026"],
            "manager_id": ["M1", "M2"],
            "new_key_accounts": ["4", "2"],
            "revenue_target": ["120000.00", "0"],
        }
    )
    cards = scorecards(
        "2026-06", RULES, managers, tiers, [tiers], archive, alerts, visits, usage, assessment, True, targets
    ).set_index("manager_id")
    m1 = cards.loc["M1"]
    assert m1.archive == Decimal("7.50")  # A, B, D of A–D changed since April: 3/4 × 10
    assert m1.contact == Decimal("2.50")  # A, B visited: 2/4 × 5
    assert m1.retention == Decimal("7.50")  # C alerted: 3/4 × 10
    assert m1.new_accounts == Decimal("25.00")  # 2 new against 4 × 6/12 = 2
    assert m1.annual_target == Decimal("20.83")  # 50,000 against 120,000 × 6/12 = 60,000: 25 × 5/6
    assert (m1.market_survey, m1.project_plan, m1.other) == (
        Decimal("8.00"),
        Decimal("9.50"),
        Decimal("4.00"),
    )
    assert m1.total == sum(m1[i] for i in ITEMS) == Decimal("84.83")
    assert m1.archive_note == "近三个月更新档案 3 户 / 名下大客户 4 户 × 10 分"
    m2 = cards.loc["M2"]
    # a manager the 考核评分 sheet does not give: the manual items are held, not zeros
    assert m2.market_survey == Decimal("0.00") and m2.market_survey_value == "暂缓"
    assert m2.market_survey_note == "暂缓:考核评分表中无此人,待中心补报后计分"
    assert m1.held == "" and m2.held == "考核评分表中无此人"
    # nothing to measure (no key accounts, no revenue target): left out of the possible points
    assert m2.archive == Decimal("0.00") and m2.archive_note == "无名下大客户,不计分(不计入满分)"
    assert m2.archive_value == "—" and m2.annual_target_note == "无年度收入目标,不计分(不计入满分)"
    assert (m1.possible, m2.possible, m2.total) == (100, 50, Decimal("0.00"))


def test_items_with_nothing_to_measure_are_left_out_of_the_possible_points_not_scored_zero():
    """A manager without key accounts yet is not paid less for having nothing to visit: M1 keeps
    one key account, handled in full; M2 none. Both have no new-key-account target (left out)."""
    managers = pd.DataFrame({"manager_id": ["M1", "M2"], "name": ["甲", "乙"], "county": "xichang"})
    tiers = pd.DataFrame(
        {
            "customer_id": ["A"],
            "county": "西昌市",
            "tier": ["county"],
            "manager_id": "M1",
            "change": "unchanged",
        }
    )
    archive = pd.DataFrame({"customer_id": ["A"], "manager_id": "M1", "changed_month": ["2026-06"]})
    visits = pd.DataFrame({"customer_id": ["A"], "date": ["2026-06-03"]})
    usage = pd.DataFrame({"manager_id": ["M1", "M2"], "revenue_fen": [60_000_00, 60_000_00]})
    manual = {"market_survey": Decimal("8"), "project_plan": Decimal("9.5"), "other": Decimal("4")}
    assessment = pd.DataFrame(
        [
            {"manager_id": m, **manual, "award": Decimal(0), "award_reason": "", "source_row": 3}
            for m in ("M1", "M2")
        ]
    )
    targets = pd.DataFrame(
        {"year": "2026", "manager_id": ["M1", "M2"], "new_key_accounts": "0", "revenue_target": "120000.00"}
    )
    cards = scorecards(
        "2026-06",
        RULES,
        managers,
        tiers,
        [tiers],
        archive,
        pd.DataFrame({"customer_id": []}),
        visits,
        usage,
        assessment,
        True,
        targets,
    ).set_index("manager_id")
    m1, m2 = cards.loc["M1"], cards.loc["M2"]
    assert m1.new_accounts_note.endswith("无新增目标,不计分(不计入满分)")
    # M1: 25 (档案, 联系, 稳定) + 21.50 (manual) + 25 (收入目标) of 75 possible → 95.33 of 100
    assert (m1.possible, m1.total) == (75, Decimal("95.33"))
    # M2: 21.50 + 25 of 50 possible → 93.00, not 46.50 of 100
    assert (m2.possible, m2.total) == (50, Decimal("93.00"))


def test_the_go_live_month_s_key_accounts_are_a_baseline_not_new_business():
    """The first month computed finds every key account; none became one because the product
    started (issue 15 item 1): `baseline` and `returning` score nothing on 发展新大客户, and a new
    key account is credited to the manager named in the month it became one."""
    january = pd.DataFrame(
        {
            "customer_id": ["A", "B", "C"],
            "manager_id": ["M1", "M1", "M2"],
            "change": ["baseline", "baseline", "baseline"],
        }
    )
    february = pd.DataFrame(
        {
            "customer_id": ["A", "B", "C", "D", "E"],
            "manager_id": ["M1", "M1", "M2", "M2", "M1"],
            "change": ["unchanged", "unchanged", "unchanged", "new", "returning"],
        }
    )
    march = february.assign(manager_id=["M1", "M1", "M2", "M1", "M1"], change="unchanged")  # D handed over
    assert new_key_accounts_by_manager([january]).empty
    assert new_key_accounts_by_manager([january, february, march]).to_dict() == {"M2": 1}

    managers = pd.DataFrame(
        {"manager_id": ["M1", "M2"], "name": ["甲", "乙"], "county": ["xichang", "xichang"]}
    )
    tiers = january.assign(county="西昌市", tier="county")
    targets = pd.DataFrame(
        {
            "year": ["2025"] * 2,
            "manager_id": ["M1", "M2"],
            "new_key_accounts": ["2", "1"],
            "revenue_target": "0",
        }
    )
    empty = pd.DataFrame(columns=["customer_id", "manager_id", "changed_month", "date", "revenue_fen"])
    assessment = pd.DataFrame(columns=["manager_id", "market_survey", "project_plan", "other", "award"])
    cards = scorecards(
        "2025-01", RULES, managers, tiers, [tiers], empty, empty, empty, empty, assessment, True, targets
    ).set_index("manager_id")
    assert list(cards.new_accounts) == [Decimal("0.00"), Decimal("0.00")]


def test_targets_are_pro_rated_from_the_start_date_of_a_joiner():
    managers = pd.DataFrame(
        {
            "manager_id": ["M9"],
            "name": ["丙"],
            "county": ["xichang"],
            "active_from": ["2026-08-16"],  # 16 of 31 August days, then September and October
            "active_to": [""],
        }
    )
    tiers = pd.DataFrame(
        {
            "customer_id": ["A"],
            "county": "西昌市",
            "tier": ["county"],
            "manager_id": ["M9"],
            "change": ["new"],
        }
    )
    archive = pd.DataFrame({"customer_id": ["A"], "manager_id": "M9", "changed_month": ["2026-10"]})
    usage = pd.DataFrame({"manager_id": ["M9"], "revenue_fen": [20_000_00]})
    targets = pd.DataFrame(
        {"year": ["2026"], "manager_id": ["M9"], "new_key_accounts": ["12"], "revenue_target": ["120000.00"]}
    )
    no_visits = pd.DataFrame(columns=["customer_id", "date"])
    card = scorecards(
        "2026-10",
        RULES,
        managers,
        tiers,
        [tiers],
        archive,
        alerts_none(),
        no_visits,
        usage,
        manual(),
        True,
        targets,
    ).iloc[0]
    employed = Decimal(16) / Decimal(31) + 2  # months employed this year
    # revenue: 20,000 against 120,000 × 2.516…/12 = 25,161.29: 25 × 0.7949… = 19.87
    assert card.annual_target == (25 * Decimal(20000) / (Decimal(120000) * employed / 12)).quantize(
        Decimal("0.01")
    )
    assert card.annual_target == Decimal("19.87")  # against a full year's 10/12 it would be 5.00
    assert "× 2.52/12" in card.annual_target_note
    assert card.new_accounts == Decimal("9.94")  # 1 against 12 × 2.516…/12 = 2.516…: 25 × 0.3974…


def test_a_re_run_of_an_old_month_uses_the_roster_in_force_then(reference):
    import dataclasses

    history = pd.concat(
        [
            reference.managers.assign(effective_from=""),
            reference.managers[reference.managers.manager_id == "M022"].assign(
                county="xichang", effective_from="2026-07"
            ),
        ]
    )
    ref = dataclasses.replace(reference, managers=history)
    june = ref.managers_active_in("2026-06").set_index("manager_id")
    july = ref.managers_active_in("2026-07").set_index("manager_id")
    assert june.loc["M022", "county"] == "huidong" and july.loc["M022", "county"] == "xichang"
    assert len(june) == len(june.index.unique())  # one row per manager in any month
    assert ref.manager_by_name["钟春燕"] == ["M022"]  # history rows are one person


def alerts_none() -> pd.DataFrame:
    return pd.DataFrame(columns=["customer_id"])


def manual() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "manager_id": "M9",
                "market_survey": Decimal(10),
                "project_plan": Decimal(10),
                "other": Decimal(5),
                "award": Decimal(0),
                "award_reason": "",
                "source_row": 3,
                "conflict": "",
            }
        ]
    )


def test_manual_scores_round_half_up_like_every_point():
    from pipeline.pay.scorecard import points

    # 8.125 of 10: half-up gives 8.13 (the banker's rounding of Decimal's default would give 8.12)
    assert points(10, Decimal("8.125") / 10) == Decimal("8.13")
    card = scorecards(
        "2026-10",
        RULES,
        pd.DataFrame({"manager_id": ["M9"], "name": ["丙"], "county": ["xichang"]}),
        pd.DataFrame(columns=["customer_id", "county", "tier", "manager_id", "change"]),
        [],
        pd.DataFrame(columns=["customer_id", "manager_id", "changed_month"]),
        alerts_none(),
        pd.DataFrame(columns=["customer_id", "date"]),
        pd.DataFrame(columns=["manager_id", "revenue_fen"]),
        manual().assign(market_survey=Decimal("8.125"), other=Decimal("7")),
        True,
        pd.DataFrame(columns=["year", "manager_id", "new_key_accounts", "revenue_target"]),
    ).iloc[0]
    assert card.market_survey == Decimal("8.13") and card.market_survey_value == "8.125"
    assert card.other == Decimal("5.00")  # at most the weight


def test_a_target_revised_mid_year_applies_from_its_month():
    from pipeline.pay.scorecard import targets_in_force

    targets = pd.DataFrame(
        {
            "year": ["2026", "2026", "2025"],
            "manager_id": ["M9", "M9", "M9"],
            "new_key_accounts": ["4", "6", "3"],
            "revenue_target": ["100000", "150000", "90000"],
            "effective_from": ["", "2026-07", ""],
        }
    )
    assert targets_in_force(targets, "2026-06").revenue_target.tolist() == ["100000"]
    assert targets_in_force(targets, "2026-07").revenue_target.tolist() == ["150000"]
    assert targets_in_force(targets, "2025-12").revenue_target.tolist() == ["90000"]


def test_a_manager_keeping_key_accounts_in_a_county_not_accepted_waits_for_it_too():
    """M4 (州局) keeps key accounts in 会东县, whose workbook was sent back: the visits there are
    not known, so its data items and reward wait; M5 keeps none there and is scored."""
    from pipeline.pay.lines import pay_lines
    from tests.unit.test_pay import BOOK, collected

    managers = pd.DataFrame(
        {"manager_id": ["M4", "M5"], "name": ["甲", "乙"], "county": ["zhouju", "xichang"]}
    )
    tiers = pd.DataFrame(
        {
            "customer_id": ["A", "B", "C"],
            "county": ["会东县", "西昌市", "西昌市"],
            "tier": "prefecture",
            "manager_id": ["M4", "M4", "M5"],
            "change": "unchanged",
        }
    )
    cards = scorecards(
        "2026-10",
        RULES,
        managers,
        tiers,
        [tiers],
        pd.DataFrame(columns=["customer_id", "manager_id", "changed_month"]),
        alerts_none(),
        pd.DataFrame({"customer_id": ["B", "C"], "date": ["2026-10-06", "2026-10-08"]}),
        pd.DataFrame(columns=["manager_id", "revenue_fen"]),
        pd.concat([manual().assign(manager_id=m) for m in ("M4", "M5")], ignore_index=True),
        True,
        zero_targets("M4", "M5"),
        county_held={"huidong": "退回"},
        county_names={"huidong": "会东县", "xichang": "西昌市", "zhouju": "州局"},
    ).set_index("manager_id")
    assert cards.loc["M4", "held"] == "名下大客户所在县(市)本月报表未被采用(会东县:退回)"
    assert cards.loc["M4", "contact_value"] == "暂缓"  # not 1/2 for want of 会东县's visits
    assert cards.loc["M4", "contact_note"] == "暂缓:名下大客户所在县(市)本月报表未被采用,待报表采用后计分"
    assert cards.loc["M5", "held"] == "" and cards.loc["M5", "contact"] == Decimal("5.00")

    staff = managers.assign(
        county_name=["州局", "西昌市"], role="客户经理", active_from="2024-01-01", active_to=""
    )
    claims = collected([("M4", "B", "特快", 100_000, "新揽收")]).assign(rewarded=True)
    lines = pay_lines(
        "2026-10",
        BOOK.for_month("2026-10"),
        staff,
        cards.reset_index(),
        claims,
        manual().iloc[0:0],
        pd.Series(),
        claims,
    )
    marketing = lines[(lines.manager_id == "M4") & (lines.kind == "marketing")]
    assert list(marketing.amount) == [Decimal("0.00")] and "会东县:退回" in marketing.description.iloc[0]


def april_revenue_cards(
    managers: pd.DataFrame, usage: pd.DataFrame, accepted: dict, counties_then: dict | None = None
) -> pd.DataFrame:
    """April's scorecards of `managers` (a year's revenue target of 480,000 each) with nothing
    but revenue: the annual_target item alone is of interest."""
    ids = list(managers.manager_id)
    return scorecards(
        "2026-04",
        RULES,
        managers,
        pd.DataFrame(columns=["customer_id", "county", "tier", "manager_id", "change"]),
        [],
        pd.DataFrame(columns=["customer_id", "manager_id", "changed_month"]),
        alerts_none(),
        pd.DataFrame(columns=["customer_id", "date"]),
        usage,
        pd.concat([manual().assign(manager_id=m) for m in ids], ignore_index=True),
        True,
        pd.DataFrame(
            {"year": "2026", "manager_id": ids, "new_key_accounts": "0", "revenue_target": "480000.00"}
        ),
        accepted_months=accepted,
        counties_then=counties_then,
    ).set_index("manager_id")


def test_a_month_the_county_never_sent_is_left_out_of_the_revenue_target():
    """布拖县 sent nothing for March: in April M29 is judged on three months of revenue against
    3/12 of the year's target, not 4/12 (which would cut the item for the rest of the year)."""
    managers = pd.DataFrame(
        {"manager_id": ["M29", "M4"], "name": ["甲", "乙"], "county": ["butuo", "zhouju"]}
    ).assign(county_name=["布拖县", "州局"])
    usage = pd.DataFrame(
        {
            "month": ["2026-01", "2026-02", "2026-04", "2026-01", "2026-04"],
            "county": ["布拖县", "布拖县", "布拖县", "西昌市", "西昌市"],
            "manager_id": ["M29", "M29", "M29", "M4", "M4"],
            "revenue_fen": [30_000_00, 30_000_00, 30_000_00, 40_000_00, 40_000_00],
        }
    )
    # 布拖县's workbooks accepted in January, February and April; 西昌市's every month
    accepted = {"布拖县": {"2026-01", "2026-02", "2026-04"}, "西昌市": {"2026-01", "2026-02", "2026-03"}}
    cards = april_revenue_cards(managers, usage, accepted)
    # 90,000 against 480,000 × 3/12 = 120,000: 25 × 0.75 (against 4/12 it would be 14.06)
    assert cards.loc["M29", "annual_target"] == Decimal("18.75")
    assert cards.loc["M29", "annual_target_value"] == "90000.00/120000.00"
    assert cards.loc["M29", "annual_target_note"].endswith("× 3/12 × 25 分(不含本县(市)报表未采用的 2026-03)")
    # a 州局 manager has no county workbook of its own: judged on the whole year so far
    assert cards.loc["M4", "annual_target_value"] == "80000.00/160000.00"


def test_a_state_manager_is_not_judged_on_months_before_the_centre_s_data_begins():
    """The centre's data begins in February: a 州局 manager (no workbook of their own) is judged
    in April on 3/12 of the year's target, the months in which some county's workbook came."""
    managers = pd.DataFrame({"manager_id": ["M4"], "name": ["乙"], "county": ["zhouju"]}).assign(
        county_name=["州局"]
    )
    usage = pd.DataFrame(
        {
            "month": ["2026-02", "2026-04"],
            "county": ["西昌市", "西昌市"],
            "manager_id": ["M4", "M4"],
            "revenue_fen": [60_000_00, 60_000_00],
        }
    )
    cards = april_revenue_cards(managers, usage, {"布拖县": {"2026-02", "2026-04"}, "西昌市": {"2026-03"}})
    # 120,000 against 480,000 × 3/12 = 120,000 (against 4/12 it would be 18.75 of 25)
    assert cards.loc["M4", "annual_target_value"] == "120000.00/120000.00"
    assert cards.loc["M4", "annual_target"] == Decimal("25.00")
    assert cards.loc["M4", "annual_target_note"].endswith("(不含尚无县(市)报表的 2026-01)")


def test_scorecards_left_among_the_tables_by_earlier_versions_move_under_restricted(tmp_path):
    from pipeline.core.layout import Layout
    from pipeline.pay.scorecard import restrict_scorecards

    layout = Layout(tmp_path / "inputs", tmp_path / "outputs")
    for month in ("2026-08", "2026-09"):
        layout.tables(month).mkdir(parents=True)
        (layout.tables(month) / "scorecards.csv").write_text(
            f"manager_id,total\nM3,{month}\n", encoding="utf-8"
        )
        (layout.tables(month) / "county_scorecards.csv").write_text("county,total\n", encoding="utf-8")
    layout.restricted_pay("2026-09").mkdir(parents=True)
    (layout.restricted_pay("2026-09") / "scorecards.csv").write_text(
        "manager_id,total\nM3,new\n", encoding="utf-8"
    )
    restrict_scorecards(layout)
    assert sorted(p.name for p in (layout.outputs / "tables").rglob("*.csv")) == ["county_scorecards.csv"] * 2
    assert (
        (layout.restricted_pay("2026-08") / "scorecards.csv")
        .read_text(encoding="utf-8")
        .endswith("2026-08\n")
    )
    assert (layout.restricted_pay("2026-09") / "scorecards.csv").read_text(encoding="utf-8").endswith("new\n")


def test_the_published_ranking_gives_equal_totals_the_same_rank_and_held_cards_none():
    """The bulletin's 考核排名: 87.25 twice is 1 and 1, then 3 (not 1, 2, 3 by 工号)."""

    cards = pd.DataFrame(
        {
            "manager_id": ["M030", "M006", "M001", "M002"],
            "name": ["徐阿呷", "叶思远", "甲", "乙"],
            "county": ["西昌市"] * 4,
            "total": [Decimal("87.25"), Decimal("87.25"), Decimal("80.00"), Decimal("95.00")],
            "held": ["", "", "", "本县(市)本月报表未被采用"],
        }
    )
    ranking = scorecard_ranking(cards, {"优秀": 90, "良好": 80})
    assert [(r["manager_id"], r["rank"]) for r in ranking] == [
        ("M006", 1),
        ("M030", 1),
        ("M001", 3),
        ("M002", "—"),
    ]


def test_a_manager_who_moved_is_left_out_the_months_their_county_of_then_never_sent():
    """M29 worked in 布拖县 until March, in 西昌市 from April. 布拖县 sent nothing for February:
    M29's February revenue is unknown, so February is left out of the target; 西昌市's February
    workbook (accepted) says nothing about it."""
    managers = pd.DataFrame({"manager_id": ["M29"], "name": ["甲"], "county": ["xichang"]}).assign(
        county_name=["西昌市"]
    )
    usage = pd.DataFrame(
        {"month": ["2026-01", "2026-03"], "county": "布拖县", "manager_id": "M29", "revenue_fen": 40_000_00}
    )
    accepted = {"布拖县": {"2026-01", "2026-03"}, "西昌市": {"2026-01", "2026-02", "2026-03"}}
    then = {m: {"M29": "布拖县"} for m in ("2026-01", "2026-02", "2026-03")}
    cards = april_revenue_cards(managers, usage, accepted, then)
    # 80,000 against 480,000 × 3/12 = 120,000 (January, March, April): 25 × 2/3
    assert cards.loc["M29", "annual_target"] == Decimal("16.67")
    assert cards.loc["M29", "annual_target_note"].endswith("(不含本县(市)报表未采用的 2026-02)")
    assert april_revenue_cards(managers, usage, accepted).loc["M29", "annual_target"] == Decimal("12.50")


def test_a_year_whose_targets_are_not_entered_yet_holds_the_target_items_and_the_pay():
    """January before targets.csv has the new year's rows: the two target items wait (暂缓) and the
    scorecard is held, not scored out of a smaller possible as if no target had been set; a
    manager whose row is there is scored as always."""
    managers = pd.DataFrame({"manager_id": ["M1", "M2"], "name": ["甲", "乙"], "county": "xichang"})
    tiers = pd.DataFrame(
        {"customer_id": ["A"], "county": "西昌市", "tier": ["county"], "manager_id": "M1", "change": "new"}
    )
    archive = pd.DataFrame({"customer_id": ["A"], "manager_id": "M1", "changed_month": ["2027-01"]})
    visits = pd.DataFrame({"customer_id": ["A"], "date": ["2027-01-05"]})
    usage = pd.DataFrame({"manager_id": ["M1", "M2"], "revenue_fen": [10_000_00, 10_000_00]})
    manual = {"market_survey": Decimal("8"), "project_plan": Decimal("9"), "other": Decimal("4")}
    assessment = pd.DataFrame(
        [
            {"manager_id": m, **manual, "award": Decimal(0), "award_reason": "", "source_row": 3}
            for m in ("M1", "M2")
        ]
    )
    targets = pd.DataFrame(
        {
            "year": ["2026", "2026", "2027"],
            "manager_id": ["M1", "M2", "M2"],
            "new_key_accounts": ["2", "2", "1"],
            "revenue_target": ["120000.00", "120000.00", "120000.00"],
        }
    )
    no_alerts = pd.DataFrame({"customer_id": []})
    data = (tiers, [tiers], archive, no_alerts, visits, usage, assessment, True, targets)
    cards = scorecards("2027-01", RULES, managers, *data).set_index("manager_id")
    m1, m2 = cards.loc["M1"], cards.loc["M2"]
    why = "目标表(inputs/reference/targets.csv)中没有本人 2027 年的目标"
    assert m1.held == why and m2.held == ""
    for key in ("new_accounts", "annual_target"):
        assert (m1[key], m1[f"{key}_value"]) == (Decimal("0.00"), "暂缓")
        assert m1[f"{key}_note"] == f"暂缓:{why},补充后重新运行本月即计分"
    assert m1.possible == 100  # held items stay in the possible: the total is no basis for pay
    # M2's row is there: 10,000 of 120,000 × 1/12 = 10,000 → 25; no new account of 1 × 1/12 → 0;
    # no key accounts: 档案, 联系, 稳定 (25) left out of the possible
    assert (m2.annual_target, m2.new_accounts, m2.possible) == (Decimal("25.00"), Decimal("0.00"), 75)
