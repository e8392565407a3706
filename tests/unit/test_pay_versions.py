"""Which pay version a run issues (pipeline.pay.issue.pay_version): the one in force while
nothing a manager is paid by or reads changed, else the next; outputs written before
pay_state.json existed are read by their last version."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from pipeline.pay.issue import pay_version
from pipeline.pay.lines import line_changes
from pipeline.pay.release import PAY_STATE

pytestmark = pytest.mark.unit
STATEMENTS = {"M001": "a", "M002": "b"}


def issued(root, version: int, statements: dict[str, str], fingerprint: str | None = "fp") -> None:
    folder = root / f"v{version}"
    (folder / "statements").mkdir(parents=True)
    (folder / "pay.csv").write_text("manager_id\n", encoding="utf-8")
    index = {m: {"version": version, "file": f"{m}.pdf", "content_hash": h} for m, h in statements.items()}
    (folder / "statements" / "index.json").write_text(json.dumps(index), encoding="utf-8")
    if fingerprint is not None:
        (root / PAY_STATE).write_text(json.dumps({"version": version, "fingerprint": fingerprint}))


def test_the_first_run_issues_version_1(tmp_path):
    assert pay_version(tmp_path / "pay", "fp", STATEMENTS, edition_new=True) == (1, True)


def test_the_version_in_force_stands_unless_figures_or_statements_changed_with_the_edition(tmp_path):
    issued(tmp_path, 1, STATEMENTS)
    assert pay_version(tmp_path, "fp", STATEMENTS, edition_new=True) == (1, False)  # a correction elsewhere
    assert pay_version(tmp_path, "fp", {**STATEMENTS, "M002": "c"}, edition_new=True) == (2, True)
    assert pay_version(tmp_path, "other", STATEMENTS, edition_new=True) == (2, True)
    # the same edition, a statement worded otherwise by a newer program: nothing is issued
    assert pay_version(tmp_path, "fp", {**STATEMENTS, "M002": "c"}, edition_new=False) == (1, False)


def test_outputs_from_before_the_pay_state_are_read_by_their_last_version(tmp_path):
    issued(tmp_path, 1, STATEMENTS, fingerprint=None)
    issued(tmp_path, 2, {**STATEMENTS, "M002": "c"}, fingerprint=None)
    assert pay_version(tmp_path, "fp", {**STATEMENTS, "M002": "c"}, edition_new=True) == (2, False)
    assert pay_version(tmp_path, "fp", STATEMENTS, edition_new=False) == (2, False)
    assert pay_version(tmp_path, "fp", STATEMENTS, edition_new=True) == (3, True)


def test_a_released_version_keeps_its_note_and_a_confirmation_edited_since_is_warned():
    from pipeline.pay.issue import released_note
    from pipeline.pay.release import DRAFT, RELEASED

    recorded = {"version": 2, "fingerprint": "fp", "note": "已由赵明于 2026-11-05 确认"}
    assert released_note(2, recorded, RELEASED, "已由赵明于 2026-11-05 确认") == (recorded["note"], "")
    from pipeline.pay.release import Confirmation, release_state

    edited = Confirmation(
        month="2026-10", fingerprint="edited", confirmed_by="赵明", confirmed_at="2026-11-05"
    )
    state, said = release_state("2026-10", "fp", edited)
    assert state == DRAFT and "请主任重新确认" in said  # what a version not yet released is told
    note, warning = released_note(2, recorded, state, said)
    assert note == "已由赵明于 2026-11-05 确认" and "请主任重新确认" not in note + warning
    assert "确认文件与已发放的第2版不符" in warning and "已发放的第2版不受影响" in warning


def test_status_says_where_the_months_pay_stands_without_amounts():
    from pipeline.publish.summary import pay_state_lines

    state = {
        "version": 2,
        "fingerprint": "fp",
        "state": "draft",
        "note": "待主任确认(kac confirm)",
        "blocked": "",
    }
    assert pay_state_lines(None, "2026-10") == []
    assert pay_state_lines(state, "2026-10") == [
        "薪酬明细第2版:草稿,主任确认前不得据此发放(kac confirm 2026-10 --by 姓名)"
    ]
    refused = {
        **state,
        "note": "确认人“沈光荣”不是本月名册中的大客户中心主任或副主任(名册中为:赵明(主任)),确认未予采用",
    }
    assert pay_state_lines(refused, "2026-10") == [
        "薪酬明细第2版:草稿,主任确认前不得据此发放(kac confirm 2026-10 --by 姓名);" + refused["note"]
    ]
    blocked = {**state, "blocked": "本月考核评分表缺失"}
    assert pay_state_lines(blocked, "2026-10") == ["薪酬明细第2版:草稿,不能确认:本月考核评分表缺失"]
    released = {**state, "state": "released", "note": "已由赵明于 2026-11-05 确认"}
    assert pay_state_lines(released, "2026-10") == ["薪酬明细第2版:已确认发放(已由赵明于 2026-11-05 确认)"]


def test_the_lines_behind_a_correction_are_those_that_changed_not_their_source_file():
    """A correction's statement lists each line as it was (原) and as it is (现); a line that
    only moved to a renamed file, or to another row, is not a change."""
    import pandas as pd

    def lines(*rows):
        return pd.DataFrame(rows, columns=["manager_id", "kind", "description", "amount", "source_file"])

    old = lines(
        ("M001", "performance", "业绩工资:考核得分 80.00", "640.00", "a.xlsx"),
        ("M001", "marketing", "营销奖励:C1 特快 1,000.00 元 × 5%", "50.00", "a.xlsx"),
        ("M002", "allowance", "外勤津贴 180.00 元", "180.00", "名册"),
    )
    new = lines(
        ("M001", "performance", "业绩工资:考核得分 80.00", Decimal("640.00"), "b.xlsx"),
        ("M001", "marketing", "营销奖励:C1 特快 2,000.00 元 × 5%", Decimal("100.00"), "b.xlsx"),
        ("M002", "allowance", "外勤津贴 180.00 元", Decimal("180"), "名册"),
    )
    changes = line_changes(new, old)
    assert changes.values.tolist() == [
        ["M001", "原", "marketing", "营销奖励:C1 特快 1,000.00 元 × 5%", "50.00"],
        ["M001", "现", "marketing", "营销奖励:C1 特快 2,000.00 元 × 5%", "100.00"],
    ]


def test_only_the_centres_director_or_deputy_in_the_months_roster_releases_the_pay(reference):
    """The plan gives the confirmation to the centre's director (大客户中心主任): a confirmation
    in another name, also a county centre's 主任 or a manager who left, stays a draft."""
    from pipeline.pay.release import (
        DRAFT,
        RELEASED,
        Confirmation,
        confirmer_named,
        confirmers,
        not_a_confirmer,
        release_state,
    )

    roster = reference.managers_active_in("2026-10")
    allowed = confirmers(roster)
    assert sorted(zip(allowed.name, allowed.role, strict=True)) == [("胡勇", "副主任"), ("赵明", "主任")]
    county_director = roster[(roster.role == "主任") & (roster.county != "zhouju")].name.iloc[0]

    def by(name: str) -> tuple[str, str]:
        confirmation = Confirmation("2026-10", "fp", name, "2026-11-05T09:00:00")
        return release_state("2026-10", "fp", confirmation, "", allowed)

    assert by("赵明") == (RELEASED, "已由赵明于 2026-11-05T09:00:00 确认")
    assert by("胡勇") == (RELEASED, "已由胡勇(副主任)于 2026-11-05T09:00:00 确认") and by("m001") == (
        RELEASED,
        "已由赵明于 2026-11-05T09:00:00 确认",
    )
    assert by("") == (DRAFT, "确认文件未写确认人(confirmed_by),确认未予采用")
    for name in (county_director, "张三"):
        state, note = by(name)
        assert state == DRAFT
        assert f"确认人“{name}”不是本月名册中的大客户中心主任或副主任" in note
        assert "赵明(主任)" in note and note.endswith("确认未予采用")
    assert confirmer_named("M002", allowed) == "胡勇" and confirmer_named(county_director, allowed) is None
    assert confirmer_named(" m001 ", allowed) == "赵明"  # an id in any case, spaces around
    # nobody left to confirm, or a director who had left by the month: said as such
    assert not_a_confirmer("赵明", allowed.iloc[0:0]).startswith("本月名册中州局没有在职的主任或副主任")
    gone = reference.roster_in_force("2026-10").assign(
        active_to=lambda r: r.active_to.mask(r.manager_id == "M001", "2026-09-30")
    )
    why = not_a_confirmer("赵明", allowed[allowed.manager_id != "M001"], gone, "2026-10")
    assert why.startswith("赵明(主任)本月已不在任(任职 2024-01-01 至 2026-09-30)") and why.endswith(
        "胡勇(副主任)"
    )
    later = gone.assign(active_from=lambda r: r.active_from.mask(r.manager_id == "M001", "2026-11-01"))
    assert "赵明(主任)本月尚未到任(任职 2026-11-01 至" in not_a_confirmer(
        "赵明", allowed.iloc[1:], later, "2026-10"
    )
