"""Survey waves by hand: means, CSAT, Wilson bounds, suppression, change and call-backs."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from openpyxl import Workbook

from pipeline.ingest.sheets import SURVEY_HEADER
from pipeline.surveys.survey import DIMENSIONS, follow_up, read_wave, summarise, wave_change, wilson

COUNTIES = ["西昌市", "会理市", "木里藏族自治县"]


def survey_file(folder, county: str, rows: list[list]) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "满意度测评"
    ws.append(SURVEY_HEADER)
    for row in rows:
        ws.append(row)
    folder.mkdir(parents=True, exist_ok=True)
    wb.save(folder / f"{county}_2026-H1_满意度测评.xlsx")


def answer(customer: str, scores: list[int] | int, comment: str = "") -> list:
    scores = scores if isinstance(scores, list) else [scores] * 7
    return [customer, f"客户{customer}", "2026-06-15", *scores, comment]


def test_wilson_interval_by_hand():
    assert wilson(10, 10)[0] == pytest.approx(1 / (1 + 1.959963984540054**2 / 10))  # all 5s: 0.7225
    assert wilson(10, 10)[1] == pytest.approx(1.0)
    low, high = wilson(7, 10)
    assert (round(low, 4), round(high, 4)) == (0.3968, 0.8922)
    assert all(math.isnan(v) for v in wilson(0, 0))


def test_wave_summary_suppression_and_callbacks(tmp_path, reference):
    folder = tmp_path / "2026-H1"
    survey_file(
        folder,
        "西昌市",
        [answer(f"X{i}", 5) for i in range(6)] + [answer("X9", [2, 4, 4, 4, 4, 4, 3], "时限太慢")],
    )
    survey_file(folder, "会理市", [answer(f"H{i}", 4) for i in range(4)])  # 4 < 5: 样本不足
    survey_file(
        folder, "木里藏族自治县", [answer("M1", [6, 4, 4, 4, 4, 4, 4]), answer("M2", 3), answer("M2", 4)]
    )
    responses, problems = read_wave(folder, reference, known_customers=None)
    codes = sorted((p.code, p.county, p.cell, p.value) for p in problems)
    assert codes == [
        ("survey_duplicate", "木里藏族自治县", "A3", "M2"),
        ("survey_duplicate", "木里藏族自治县", "A4", "M2"),
        ("survey_score_invalid", "木里藏族自治县", "D2", "6"),
    ]
    summary = summarise("2026-H1", responses, 5, COUNTIES).set_index(["county", "dimension"])
    overall = summary.loc[("全州", "总体满意度")]
    assert overall.n == 11  # 7 from 西昌市, 4 from 会理市; none valid from 木里
    assert overall["mean"] == pytest.approx((6 * 5 + 3 + 4 * 4) / 11)
    assert overall.csat == pytest.approx(10 / 11)
    assert (overall.csat_low, overall.csat_high) == pytest.approx(wilson(10, 11))
    xichang = summary.loc[("西昌市", "服务态度")]
    assert (xichang.n, xichang.csat, xichang.share_2) == (7, pytest.approx(6 / 7), pytest.approx(1 / 7))
    huili = summary.loc[("会理市", "服务态度")]
    assert bool(huili.suppressed) and math.isnan(huili["mean"]) and huili.n == 4
    muli = summary.loc[("木里藏族自治县", "服务态度")]
    assert muli.n == 0 and bool(muli.suppressed)
    callbacks = follow_up(responses, None)
    assert list(callbacks.customer_id) == ["X9"]
    assert callbacks.low_dimensions[0] == "服务态度 2" and callbacks.comments[0] == "时限太慢"


def test_change_against_the_previous_wave_and_its_uncertainty():
    def wave(happy: int, n: int) -> pd.DataFrame:
        scores = [5] * happy + [2] * (n - happy)
        responses = pd.DataFrame(
            {k: scores for k in DIMENSIONS} | {"county": "西昌市", "customer_id": range(n)}
        )
        return summarise("w", responses, 5, ["西昌市"])

    small = (
        wave_change(wave(18, 20), wave(16, 20)).set_index(["county", "dimension"]).loc[("全州", "总体满意度")]
    )
    assert small.csat_change == pytest.approx(0.1) and not small.change_is_real  # 90 % vs 80 % of 20
    large = (
        wave_change(wave(180, 200), wave(120, 200))
        .set_index(["county", "dimension"])
        .loc[("全州", "总体满意度")]
    )
    assert large.csat_change == pytest.approx(0.3) and large.change_is_real


def test_a_questionnaire_whose_header_cannot_be_read_is_said_and_the_others_counted(tmp_path, reference):
    """A header under 22 lines of instructions, a two-row merged header without 客户编号: each
    file is named with what to do; the other counties' answers are counted as always."""
    folder = tmp_path / "2026-H1"
    survey_file(folder, "西昌市", [answer(f"X{i}", 5) for i in range(5)])
    survey_file(folder, "会理市", [answer("H1", 4)])
    wb = Workbook()
    ws = wb.active
    ws.title = "满意度测评"
    ws.append(["序号", "客户名称", "测评日期", *SURVEY_HEADER[3:]])  # 客户编号 renamed 序号
    ws.append([1, "客户H2", "2026-06-15", *[4] * 7, ""])
    wb.save(folder / "会理市_2026-H1_满意度测评.xlsx")
    late = Workbook()
    for _ in range(22):
        late.active.append(["填表说明:请按实际情况填写"])
    late.active.append(SURVEY_HEADER)
    late.active.append(answer("M1", 5))
    late.save(folder / "木里藏族自治县_2026-H1_满意度测评.xlsx")
    responses, problems = read_wave(folder, reference, known_customers=None)
    said = sorted((p.code, p.county, p.sheet, p.cell) for p in problems)
    assert said == [
        ("survey_header_missing", "会理市", "满意度测评", "A1"),
        ("survey_header_missing", "木里藏族自治县", "", ""),
    ]
    assert "缺少“客户编号”列" in next(p.message for p in problems if p.county == "会理市")
    assert sorted(responses.customer_id) == [f"X{i}" for i in range(5)]


def test_the_interval_s_confidence_is_the_rules_own():
    from pipeline.surveys.survey import z_of

    assert z_of(0.95) == pytest.approx(1.96, abs=1e-3)
    assert z_of(0.90) == pytest.approx(1.645, abs=1e-3)
    narrow, wide = wilson(40, 50, z_of(0.90)), wilson(40, 50, z_of(0.99))
    assert wide[0] < narrow[0] < 0.8 < narrow[1] < wide[1]
