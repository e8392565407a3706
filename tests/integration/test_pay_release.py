"""Pay a centre can defend, end to end on real workbooks: a county's pay held while its workbook
is missing, drafts until the director confirms, a released version frozen, the correction a new
draft with deltas, a missing 考核评分 holding everyone's performance pay."""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from assets.cli import main as kac
from assets.runner import run_month
from pipeline.core.layout import Layout
from tests.integration.test_correction import copy_of

MONTH = "2025-03"
HUIDONG = {"M022", "M023", "M024"}  # the roster's managers of 会东县
MONEY = ["performance_pay", "marketing_reward", "award", "allowance", "total"]


def pdf_pages(path: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return [page for page in text.stdout.split("\f") if page.strip()]


def pay_table(layout: Layout) -> pd.DataFrame:
    return pd.read_csv(layout.restricted_pay(MONTH) / "pay.csv", dtype=str, keep_default_na=False).set_index(
        "manager_id"
    )


def state(layout: Layout) -> dict:
    return json.loads((layout.restricted_pay(MONTH) / "pay_state.json").read_text(encoding="utf-8"))


def statement(layout: Layout, version: int, manager_id: str) -> Path:
    return next((layout.restricted_pay(MONTH) / f"v{version}" / "statements").glob(f"*_{manager_id}_*.pdf"))


def digests(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def run(layout: Layout) -> None:
    report = run_month(layout, MONTH)
    assert report.success, report.error


@pytest.fixture
def centre(published, tmp_path) -> tuple[Layout, Path]:
    """The small sample's history (2025-01, 2025-02 computed), March not yet published, and
    会东县's March workbook not yet received (kept aside)."""
    layout = copy_of(published, tmp_path)
    for folder in (
        layout.tables(MONTH),
        layout.problems(MONTH),
        layout.bulletins(MONTH),
        layout.restricted_pay(MONTH),
    ):
        shutil.rmtree(folder)
    aside = tmp_path / "aside"
    aside.mkdir()
    county_file = next(layout.month_inputs(MONTH).glob("会东县*"))
    shutil.move(county_file, aside / county_file.name)
    return layout, aside


def summary_sheet(layout: Layout, version: int) -> tuple[str, list]:
    """(first sheet's name, its total row) of the version's 薪酬汇总 workbook."""
    (path,) = (layout.restricted_pay(MONTH) / f"v{version}").glob("薪酬汇总_*.xlsx")
    sheet = openpyxl.load_workbook(path).worksheets[0]
    return sheet.title, [c.value for c in sheet[sheet.max_row]]


def confirm(layout: Layout) -> int:
    folders = ["--inputs", str(layout.inputs), "--outputs", str(layout.outputs)]
    return kac(["confirm", MONTH, "--by", "赵明", *folders])


def test_held_pay_sign_off_frozen_release_and_the_correction(centre, caplog, capsys):
    layout, aside = centre
    run(layout)

    # 1. 会东县 sent nothing: its managers' performance pay and reward are held, not zeros in silence
    pay = pay_table(layout)
    for manager_id in HUIDONG:
        assert pay.loc[manager_id, "held"] == "业绩工资、营销奖励"
        assert pay.loc[manager_id, "performance_pay"] == "0.00"
    submissions = pd.read_csv(layout.tables(MONTH) / "submissions.csv", dtype=str)
    refused = set(submissions.county[~submissions.status.isin(["on_time", "late", "received"])])
    assert "会东县" in refused
    # and nobody else but those keeping key accounts there (州局's managers): scored without
    # 会东县's visits, their items would be cut in silence
    tiers = pd.read_csv(layout.tables(MONTH) / "tiers.csv", dtype=str)
    keeping = set(tiers.manager_id[tiers.tier.isin(["prefecture", "county"]) & tiers.county.isin(refused)])
    assert keeping - set(pay.index[pay.county.isin(refused)])  # such managers there are
    assert set(pay.index[pay.held != ""]) == set(pay.index[pay.county.isin(refused)]) | (
        keeping & set(pay.index)
    )
    pages = pdf_pages(statement(layout, 1, "M022"))
    assert "暂缓发放" in pages[0] and "本县(市)本月报表未被采用(未报送)" in "".join(pages)
    assert all("草稿" in page for page in pages)  # a draft says so on every page
    bulletin = next(layout.bulletins(MONTH).glob("v1/信息简报*.pdf"))
    text = "".join(pdf_pages(bulletin))
    cards = pd.read_csv(layout.restricted_pay(MONTH) / "scorecards.csv", dtype=str, keep_default_na=False)
    held_now = int((cards.held != "").sum())
    assert f"本月有 {held_now} 名客户经理的考核绩效暂缓计发" in text
    assert "暂缓计发考核绩效的客户经理:" not in text  # nobody named: a held item is part of their pay
    # March of the go-live year: two months of data, no last year; no decline judged, and it says so
    assert "暂不判断是否下降" in "".join(text.split())  # the sentence may wrap
    alerts = pd.read_csv(layout.tables(MONTH) / "alerts.csv", dtype=str)
    assert "decline" not in set(alerts.kind)
    assert state(layout)["state"] == "draft"
    assert set(pay_table(layout).state) == {"draft"}  # a tool reading pay.csv is told not to pay from it
    title, total = summary_sheet(layout, 1)  # the workbook finance totals from says draft too
    assert title == "汇总(草稿)" and total[0] == "合计(草稿:主任确认前不得据此发放)"

    # 1b. a confirmation written by hand in a county centre's 主任's name: reported, not applied
    fingerprint = state(layout)["fingerprint"]
    layout.confirmation(MONTH).parent.mkdir(parents=True, exist_ok=True)
    layout.confirmation(MONTH).write_text(
        f'month = "{MONTH}"\nfingerprint = "{fingerprint}"\nconfirmed_by = "沈光荣"\n', encoding="utf-8"
    )
    run(layout)
    assert state(layout)["state"] == "draft" and set(pay_table(layout).state) == {"draft"}
    refused = (
        "确认人“沈光荣”不是本月名册中的大客户中心主任或副主任(名册中为:赵明(主任)、胡勇(副主任)),确认未予采用"
    )
    assert state(layout)["note"] == refused
    capsys.readouterr()
    kac(["status", MONTH, "--inputs", str(layout.inputs), "--outputs", str(layout.outputs)])
    assert capsys.readouterr().out.splitlines()[-1].endswith(f"(kac confirm {MONTH} --by 姓名);{refused}")

    # 2. the director confirms: the same version is issued again, released
    assert confirm(layout) == 0
    assert layout.confirmation(MONTH).exists()
    assert summary_sheet(layout, 1)[0] == "汇总" and summary_sheet(layout, 1)[1][0] == "合计"
    assert state(layout)["state"] == "released" and "赵明" in state(layout)["note"]
    assert set(pay_table(layout).state) == {"released"}
    released = pdf_pages(statement(layout, 1, "M003"))
    assert not any("草稿" in page for page in released) and "已确认" in released[0]
    frozen = digests(layout.restricted_pay(MONTH) / "v1")

    # 3. 会东县's workbook arrives: a new version, a draft again (the confirmation was of v1's figures)
    county_file = next(aside.iterdir())
    shutil.move(county_file, layout.month_inputs(MONTH) / county_file.name)
    run(layout)
    assert digests(layout.restricted_pay(MONTH) / "v1") == frozen  # released is never rewritten
    after = pay_table(layout)
    assert state(layout)["version"] == 2 and state(layout)["state"] == "draft"
    assert "不一致" in state(layout)["note"]  # reported, not applied
    # each row says the state of the statement it names: v2's (the corrected ones) a draft, the
    # released v1 of those it leaves as they were paid; v1's own pay.csv still says released
    assert (after.state == after.version.map({"1": "released", "2": "draft"})).all()
    assert set(after.version) == {"1", "2"}
    assert set(pd.read_csv(layout.restricted_pay(MONTH) / "v1" / "pay.csv", dtype=str).state) == {"released"}
    for manager_id in HUIDONG:
        assert after.loc[manager_id, "held"] == "" and after.loc[manager_id, "version"] == "2"
        assert Decimal(after.loc[manager_id, "performance_pay"]) > 0
    before = pay.drop(index=list(HUIDONG))
    same = [m for m in before.index if (before.loc[m, MONEY] == after.loc[m, MONEY]).all()]
    assert same and (after.loc[same, "version"] == "1").all()  # no statement that corrects nothing
    deltas = pd.read_csv(layout.restricted_pay(MONTH) / "v2" / "pay_deltas.csv", dtype=str)
    m022 = deltas[(deltas.manager_id == "M022") & (deltas["item"] == "performance_pay")].iloc[0]
    assert Decimal(m022.old) == 0 and Decimal(m022.delta) == Decimal(after.loc["M022", "performance_pay"])
    text = "".join(pdf_pages(statement(layout, 2, "M022")))
    assert "更正说明(与第1版相比)" in text and "草稿" in text

    # 3b. a correction that changes no pay (会东县's 工作进展 text): a new edition of the month, and
    # the same pay version, which the director confirms as it is: no version that changes nothing
    workbook = next(layout.month_inputs(MONTH).glob("会东县*"))
    book = openpyxl.load_workbook(workbook)
    book["工作进展"]["B2"] = "开展报刊征订宣传 4 场(更正)"
    book.save(workbook)
    caplog.set_level(logging.INFO, logger="kac.progress")
    caplog.clear()
    run(layout)
    assert "薪酬明细:第2版(草稿),本次未重新出具" in caplog.text  # not "issued anew"
    assert (layout.bulletins(MONTH) / "v3").is_dir()
    assert state(layout)["version"] == 2 and not (layout.restricted_pay(MONTH) / "v3").exists()
    assert confirm(layout) == 0
    assert state(layout)["version"] == 2 and state(layout)["state"] == "released"
    assert "已确认" in pdf_pages(statement(layout, 2, "M022"))[0]
    unchanged = same[0]  # its statement in the released 第2版 is still its 第1版

    # 4. the 考核评分 sheet disappears: nobody's performance pay is released, and the run says so
    next(layout.month_inputs(MONTH).glob("考核评分*")).unlink()
    caplog.set_level(logging.INFO, logger="kac.progress")
    run(layout)
    assert "本月未找到,全部客户经理的业绩工资暂缓发放" in caplog.text
    now = pay_table(layout)
    assert now.held.str.contains("业绩工资").all() and (now.performance_pay == "0.00").all()
    # nor anyone's 突出贡献奖: the sheet that gives it is missing, so it is held, not left out
    assert now.held.str.contains("突出贡献奖").all() and (now.award == "0.00").all()
    assert digests(layout.restricted_pay(MONTH) / "v1") == frozen
    bulletin = next(layout.bulletins(MONTH).glob("v4/信息简报*.pdf"))  # the month's 4th edition
    assert "本月无考核评分表" in "".join(pdf_pages(bulletin))
    # a correction names the statement each manager was paid by, not the month's pay version
    assert state(layout)["version"] == 3 and pay_table(layout).loc[unchanged, "version"] == "3"
    assert "更正说明(与第1版相比)" in "".join(pdf_pages(statement(layout, 3, unchanged)))
    assert "更正说明(与第2版相比)" in "".join(pdf_pages(statement(layout, 3, "M022")))
    assert "突出贡献奖:暂缓(本月无考核评分表)" in "".join(pdf_pages(statement(layout, 3, "M022")))
    # and it cannot be confirmed: the director is told why, nothing is written
    confirmation = layout.confirmation(MONTH).read_bytes()
    capsys.readouterr()
    assert state(layout)["state"] == "draft" and "考核评分表缺失" in state(layout)["blocked"]
    assert confirm(layout) == 1
    assert "不能确认" in capsys.readouterr().err and layout.confirmation(MONTH).read_bytes() == confirmation


def test_a_misnamed_assessment_is_read_as_the_centres_sheet(published, tmp_path):
    """考核评分_2025年3月.xlsx is the centre's sheet: no county_unknown, nobody's pay held for it.
    (Two such files: tests/unit/test_assessment.py; a month without one: the scenario above.)"""
    layout = copy_of(published, tmp_path)
    folder = layout.month_inputs(MONTH)
    before = pay_table(layout)
    (sheet,) = folder.glob("考核评分*")
    sheet.rename(folder / "考核评分_2025年3月.xlsx")
    run(layout)
    problems = pd.read_csv(layout.tables(MONTH) / "problems.csv", dtype=str, keep_default_na=False)
    assert not problems.code.isin(["county_unknown", "assessment_missing", "assessment_file_duplicate"]).any()
    after = pay_table(layout)
    assert after[["held", "performance_pay"]].equals(before[["held", "performance_pay"]])
