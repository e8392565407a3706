"""新揽收 claims by hand: a relabelled pair earns nothing and is reported at its cell; a new pair
is rewarded once, in its first month; the go-live month rewards nothing."""

from __future__ import annotations

import pandas as pd

from pipeline.core.rules import RuleBook
from pipeline.pay.claims import (
    GO_LIVE_REASON,
    NOT_IN_POST_REASON,
    NOTHING_COLLECTED_REASON,
    OUTSIDE_SCHEME_REASON,
    claim_problems,
    new_business_claims,
)

RULES = RuleBook([{"from": "2025-01", "pay": {"new_business_window_months": 12}}]).for_month("2025-01")


def rows(month: str, *pairs: tuple[str, str, str]) -> pd.DataFrame:
    """(customer_id, business_type, collection) rows of a county workbook."""
    frame = pd.DataFrame(pairs, columns=["customer_id", "business_type", "collection"])
    return frame.assign(
        month=month,
        county="西昌市",
        manager_id="M008",
        volume=10,
        revenue_fen=100_00,
        source_file=f"西昌市_{month}.xlsx",
        source_sheet="用邮情况",
        source_row=range(4, 4 + len(frame)),
        collection_cell=[f"G{r}" for r in range(4, 4 + len(frame))],
        manager_cell=[f"F{r}" for r in range(4, 4 + len(frame))],
    )


def test_the_go_live_month_rewards_no_claim():
    claims = new_business_claims("2025-01", rows("2025-01", ("A", "特快", "新揽收")), {}, RULES)
    assert not claims.rewarded.any() and list(claims.reason) == [GO_LIVE_REASON]
    assert claim_problems(claims) == []  # nothing earlier found: listed on the statement, not a county error


def test_a_relabelled_pair_earns_nothing_and_a_new_one_is_rewarded_once():
    history = {
        "2025-01": rows("2025-01", ("A", "特快", "存量"), ("B", "函件", "存量")),
        "2025-02": rows("2025-02", ("A", "特快", "存量")),
    }
    march = rows("2025-03", ("A", "特快", "新揽收"), ("A", "快包", "新揽收"), ("B", "函件", "新揽收"))
    claims = new_business_claims("2025-03", march, history, RULES).set_index(["customer_id", "business_type"])
    assert claims.loc[("A", "快包"), "rewarded"]  # A never used 快包 before
    assert not claims.loc[("A", "特快"), "rewarded"]
    assert claims.loc[("A", "特快"), "earlier_month"] == "2025-02"  # the latest earlier usage found
    assert claims.loc[("B", "函件"), "reason"] == "2025-01 已有该业务用邮,非新揽收"
    problems = {(p.cell, p.value, p.code): p.message for p in claim_problems(claims.reset_index())}
    assert set(problems) == {
        ("G4", "新揽收", "new_collection_not_new"),
        ("G6", "新揽收", "new_collection_not_new"),
    }
    assert "2025-02 已有用邮" in problems[("G4", "新揽收", "new_collection_not_new")]
    # April labels A × 快包 新揽收 again: it was collected in March, so it is paid only once
    history["2025-03"] = march
    april = new_business_claims("2025-04", rows("2025-04", ("A", "快包", "新揽收")), history, RULES)
    assert not april.rewarded.any() and april.earlier_month.iloc[0] == "2025-03"


def test_usage_older_than_the_window_does_not_count_against_a_claim():
    rules = RuleBook([{"from": "2025-01", "pay": {"new_business_window_months": 2}}]).for_month("2025-01")
    history = {"2025-01": rows("2025-01", ("A", "特快", "存量")), "2025-02": rows("2025-02")}
    claims = new_business_claims("2025-04", rows("2025-04", ("A", "特快", "新揽收")), history, rules)
    assert claims.rewarded.all()  # 2025-01 is three months back: outside a two-month window


def test_a_row_with_no_mail_neither_earns_the_reward_nor_uses_it_up():
    september = rows("2025-09", ("A", "特快", "新揽收")).assign(volume=0, revenue_fen=0)
    history = {"2025-08": rows("2025-08", ("B", "函件", "存量"))}
    claims = new_business_claims("2025-09", september, history, RULES)
    assert not claims.rewarded.any() and list(claims.reason) == [NOTHING_COLLECTED_REASON]
    assert claim_problems(claims) == []  # a county may write 0 for "no mail": nothing to correct
    history["2025-09"] = september
    october = rows("2025-10", ("A", "特快", "新揽收")).assign(revenue_fen=50_000_00)
    claims = new_business_claims("2025-10", october, history, RULES)
    assert claims.rewarded.all() and list(claims.reason) == [""]  # the first real collection


def test_empty_months_before_the_data_starts_leave_the_first_month_a_go_live_month():
    """`kac run` builds the months from 2025-01 for a centre whose workbooks start later."""
    nothing = rows("2025-01").iloc[0:0]
    history = {m: nothing for m in ("2025-01", "2025-02", "2025-03")}
    claims = new_business_claims("2025-04", rows("2025-04", ("A", "特快", "新揽收")), history, RULES)
    assert not claims.rewarded.any() and list(claims.reason) == [GO_LIVE_REASON]
    zeros = {"2025-03": rows("2025-03", ("A", "特快", "存量")).assign(volume=0, revenue_fen=0)}
    claims = new_business_claims("2025-04", rows("2025-04", ("A", "特快", "新揽收")), zeros, RULES)
    assert list(claims.reason) == [GO_LIVE_REASON]  # a month of 0/0 rows holds no usage either


def test_a_claim_under_a_manager_no_longer_in_post_waits_for_the_county_and_is_reported():
    """M010 left in June: a July 新揽收 row naming M010 would be paid to nobody."""
    history = {"2025-06": rows("2025-06", ("B", "函件", "存量"))}
    july = rows("2025-07", ("A", "特快", "新揽收"), ("C", "特快", "新揽收")).assign(
        manager_id=["M010", "M008"]
    )
    claims = new_business_claims("2025-07", july, history, RULES, in_post={"M008", "M009"})
    assert list(claims.rewarded) == [False, True]
    assert claims.reason.iloc[0] == NOT_IN_POST_REASON
    (problem,) = claim_problems(claims, {"M010": "王芳", "M008": "李强"})
    assert (problem.code, problem.cell, problem.value) == ("claim_manager_not_in_post", "F4", "M010")
    assert "客户经理(王芳,工号 M010)本月不在岗" in problem.message and "核对本行客户经理" in problem.message


def test_a_claim_under_a_director_is_verified_but_earns_nothing_and_says_why():
    """M007 is 西昌市's 主任: the plan pays the reward 除主任副主任外, so the claim is not
    marked rewarded (no pay line would carry it) and the register says why; no county mistake."""
    history = {"2025-06": rows("2025-06", ("B", "函件", "存量"))}
    july = rows("2025-07", ("A", "特快", "新揽收"), ("C", "特快", "新揽收")).assign(
        manager_id=["M007", "M008"]
    )
    claims = new_business_claims(
        "2025-07", july, history, RULES, in_post={"M007", "M008"}, outside_scheme={"M007"}
    )
    assert list(claims.rewarded) == [False, True]
    assert list(claims.reason) == [OUTSIDE_SCHEME_REASON, ""]
    assert claim_problems(claims) == []


def test_one_new_business_claimed_in_two_counties_workbooks_is_held_in_both_and_reported_at_both():
    """西昌市 and 会东县 both report customer A's first 特快 as 新揽收 in May: paying both would pay
    one first collection twice, and which county collected it is not ours to guess."""
    history = {"2025-04": rows("2025-04", ("B", "函件", "存量"))}
    xichang = rows("2025-05", ("A", "特快", "新揽收"), ("C", "特快", "新揽收"))
    huidong = rows("2025-05", ("A", "特快", "新揽收")).assign(
        county="会东县",
        manager_id="M024",
        source_file="会东县_2025-05.xlsx",
        source_row=9,
        collection_cell="G9",
    )
    may = pd.concat([xichang, huidong], ignore_index=True)
    claims = new_business_claims("2025-05", may, history, RULES)
    assert list(claims.rewarded) == [False, True, False]  # C is new in one row only: paid
    assert claims.reason.iloc[0] == (
        "本月另有 会东县 会东县_2025-05.xlsx 第9行 也报为新揽收:同一笔新业务只奖励一次,待县局核对后重新运行"
    )
    assert "西昌市 西昌市_2025-05.xlsx 第4行" in claims.reason.iloc[2]
    problems = {(p.county, p.cell, p.code): p.message for p in claim_problems(claims)}
    assert set(problems) == {
        ("西昌市", "G4", "new_collection_claimed_twice"),
        ("会东县", "G9", "new_collection_claimed_twice"),
    }
    assert (
        "本月 会东县 会东县_2025-05.xlsx 第9行 也将该客户"
        in problems[("西昌市", "G4", "new_collection_claimed_twice")]
    )
    # once 会东县 marks its row 存量, 西昌市's claim is paid
    settled = pd.concat([xichang, huidong.assign(collection="存量")], ignore_index=True)
    assert new_business_claims("2025-05", settled, history, RULES).rewarded.tolist() == [True, True]


def test_a_month_without_any_new_business_claim_has_no_claim_and_no_problem():
    """A centre whose counties label nothing 新揽收 this month: the pay step goes on."""
    history = {"2025-04": rows("2025-04", ("B", "函件", "存量"))}
    claims = new_business_claims("2025-05", rows("2025-05", ("A", "特快", "存量")), history, RULES)
    assert claims.empty and list(claims.columns)[:2] == ["customer_id", "business_type"]
    assert claim_problems(claims) == []


def test_a_claim_waits_while_a_window_month_of_its_county_was_not_accepted():
    """会东县's September workbook was refused: its customer A may have used 特快 then, so
    A's October 新揽收 cannot be cleared; 西昌市's claim is checked against every month."""
    history = {
        "2025-08": rows("2025-08", ("B", "函件", "存量")),
        "2025-09": rows("2025-09", ("B", "函件", "存量")),  # 西昌市 only: 会东县 refused
    }
    october = pd.concat(
        [
            rows("2025-10", ("C", "特快", "新揽收")),
            rows("2025-10", ("A", "特快", "新揽收")).assign(county="会东县", manager_id="M024"),
        ],
        ignore_index=True,
    )
    unaccepted = {"2025-08": set(), "2025-09": {"会东县"}}
    claims = new_business_claims("2025-10", october, history, RULES, unaccepted=unaccepted)
    assert list(claims.rewarded) == [True, False]
    assert claims.reason.iloc[1].startswith("本县 2025-09 的报表未被采用,无法核实是否为新业务")
    assert claim_problems(claims) == []  # not this month's workbook's mistake
    unaccepted["2025-09"].discard("会东县")  # September sent again and accepted: the re-run pays it
    assert new_business_claims("2025-10", october, history, RULES, unaccepted=unaccepted).rewarded.all()
