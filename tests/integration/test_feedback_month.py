"""The feedback of a month run through Dagster (the sample's 2025-03: 甘洛县 rejected for the
month in its title, 美姑县 with a row of an unknown business type, 雷波县 late): a marked
workbook per county with a problem, made from the month's complete problems, notices for the
counties that must send again, the chase list in the intake's metadata and in `kac status`, and
links from the site's problems page."""

from __future__ import annotations

import os
import re
import subprocess
from datetime import date
from pathlib import Path
from urllib.parse import unquote

import pandas as pd
from dagster import AssetKey
from openpyxl import load_workbook

from assets.cli import _feedback_and_chase
from assets.instance import instance_for
from pipeline.core.layout import Layout
from pipeline.feedback.month import INDEX, read_index, write_month_feedback
from pipeline.feedback.workbook import ERROR_FILL, SUMMARY_HEADER_ROW, SUMMARY_SHEET, WARNING_FILL
from pipeline.ingest.reference import Reference
from tests.unit.test_feedback import MONTH as SAMPLE_MONTH
from tests.unit.test_feedback import (
    _legacy_xls,
    check_links,
    fill,
    month_of,
    no_formula_anywhere,
    returned,
    summary_rows,
)
from tests.workbooks import county_workbook

MONTH = "2025-03"


def _problems(published) -> pd.DataFrame:
    return pd.read_csv(published.tables(MONTH) / "problems.csv", dtype=str, keep_default_na=False)


def test_every_county_with_a_problem_gets_its_workbook_back_with_every_problem(published):
    folder = published.feedback(MONTH)
    problems = _problems(published)
    counties = [
        c for c in Reference.load(published.reference).county_names.values() if c in set(problems.county)
    ]
    assert {"甘洛县", "美姑县", "雷波县"} <= set(counties)
    index = read_index(folder)
    assert list(index) == counties  # reference order, every county with a problem, no other
    assert sorted(p.name for p in folder.glob("*_问题反馈.xlsx")) == sorted(
        f"{c}_问题反馈.xlsx" for c in counties
    )
    for county in counties:
        path = folder / f"{county}_问题反馈.xlsx"
        no_formula_anywhere(path)
        wb = load_workbook(path)
        rows = summary_rows(wb)
        mine = problems[problems.county == county]
        assert sorted((r[2].value, r[4].value) for r in rows) == sorted(
            zip(mine.code.map(_label), mine.cell.replace("", "—"), strict=True)
        ), county  # the complete problems of the month: 新揽收 claims included
        check_links(wb)

    ganluo = load_workbook(folder / "甘洛县_问题反馈.xlsx")
    title = ganluo["用邮情况"]["A1"]
    assert fill(title) == ERROR_FILL and title.comment.text.startswith("【错误】月份不符")
    assert "未采用(退回)" in ganluo[SUMMARY_SHEET]["A3"].value
    meigu = load_workbook(folder / "美姑县_问题反馈.xlsx")
    assert fill(meigu["用邮情况"]["C10"]) == ERROR_FILL and meigu["用邮情况"]["C10"].value == "快件"
    leibo = load_workbook(folder / "雷波县_问题反馈.xlsx")
    late = next(r for r in summary_rows(leibo) if r[2].value == "逾期报送")
    assert late[4].value == "E2" and late[4].hyperlink.location == "'用邮情况'!E2"  # the 填报日期 read
    assert (
        fill(leibo["用邮情况"]["E2"]) == WARNING_FILL and "逾期报送" in leibo["用邮情况"]["E2"].comment.text
    )
    assert leibo[SUMMARY_SHEET].cell(row=SUMMARY_HEADER_ROW, column=2).value == "级别"


def _label(code: str) -> str:
    from pipeline.core.problems import label

    return label(code)


def test_notices_go_to_the_counties_that_must_send_again(published):
    folder = published.feedback(MONTH)
    contacts = Reference.load(published.reference).county_contacts
    assert sorted(p.name for p in folder.glob("*_通知.txt")) == ["甘洛县_通知.txt", "美姑县_通知.txt"]
    raw = (folder / "甘洛县_通知.txt").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw  # Notepad on the counties' Windows
    ganluo = raw.decode("utf-8-sig").replace("\r\n", "\n")
    assert f"甘洛县大客户中心 {contacts['甘洛县'].person}同志:" in ganluo
    assert "未能采用(整表退回)" in ganluo and "1. 月份不符(“用邮情况”工作表 A1 单元格" in ganluo
    assert "报送时限:尽快(本月报表原定截止日期 2025年4月3日 已过)。" in ganluo
    meigu = (folder / "美姑县_通知.txt").read_text(encoding="utf-8-sig")
    assert "已采用,但以下 1 行因有错误未计入本月数据" in meigu and "C10" in meigu
    assert {c: e["notice"] for c, e in read_index(folder).items() if e["notice"]} == {
        "甘洛县": "甘洛县_通知.txt",
        "美姑县": "美姑县_通知.txt",
    }


def test_the_intake_shows_the_chase_list_in_the_dagster_ui(published):
    instance = instance_for(published)
    event = instance.get_latest_materialization_event(AssetKey("submissions"))
    assert event is not None
    chase = event.asset_materialization.metadata["chase"].value
    contacts = Reference.load(published.reference).county_contacts
    assert "报送截止日期 2025年4月3日(已过)" in chase
    assert f"| 甘洛县 | 退回 | 月份不符 | {contacts['甘洛县'].person} | {contacts['甘洛县'].phone} |" in chase
    assert "| 美姑县 | 未采用 1 行 | 业务种类无法识别 |" in chase and "雷波县" not in chase
    feedback = instance.get_latest_materialization_event(AssetKey("feedback"))
    assert feedback.asset_materialization.metadata["notices"].value == 2


def test_kac_status_links_the_feedback_and_lists_whom_to_chase(published):
    ref = Reference.load(published.reference)
    submissions = pd.read_csv(published.tables(MONTH) / "submissions.csv", dtype=str, keep_default_na=False)
    problems = _problems(published)
    lines = _feedback_and_chase(published, ref, MONTH, submissions, problems, today=date(2025, 4, 4))
    text = "\n".join(lines)
    assert f"问题反馈(发回各县(市)的标注报表):{published.feedback(MONTH)}" in text
    assert re.search(r"甘洛县\s+甘洛县_问题反馈\.xlsx", text)
    assert "催报清单" in text
    assert re.search(
        rf"甘洛县\s+退回\s+月份不符\s+{ref.county_contacts['甘洛县'].person}\s+0834-\d+\s+甘洛县_通知\.txt",
        text,
    )
    before = "\n".join(
        _feedback_and_chase(published, ref, MONTH, submissions, problems, today=date(2025, 4, 3))
    )
    assert "催报清单(需报送" not in before and "报送截止:2025年4月3日前" in before
    # a county that has sent another workbook since the run: its feedback is said to be old
    changed = submissions.assign(sha256=submissions.sha256.where(submissions.county != "美姑县", "0" * 64))
    stale = "\n".join(_feedback_and_chase(published, ref, MONTH, changed, problems, today=date(2025, 4, 4)))
    assert "美姑县_问题反馈.xlsx(报表已更换" in stale
    assert not re.search(r"美姑县.*美姑县_通知\.txt", stale)


def test_kac_status_after_the_deadline_points_to_notices_that_say_so(tmp_path, reference):
    """Run on 11-02, status on 12-02: the notices status lists are rewritten for the day it is
    run (尽快), not left saying a deadline that has passed; a second status writes nothing."""
    layout = Layout(tmp_path / "inputs", tmp_path / "outputs")
    inputs = layout.month_inputs(SAMPLE_MONTH)
    inputs.mkdir(parents=True)
    county_workbook(inputs / "甘洛县.xlsx", county="甘洛县", title_month="2026-09")
    submissions, problems = month_of(inputs, reference)
    folder = layout.feedback(SAMPLE_MONTH)
    args = (SAMPLE_MONTH, inputs, submissions, problems, reference.county_contacts, 3)
    write_month_feedback(folder, *args, date(2026, 11, 2))
    notice = folder / "甘洛县_通知.txt"
    assert "报送时限:2026年11月3日前。" in notice.read_text(encoding="utf-8-sig")

    lines = _feedback_and_chase(layout, reference, SAMPLE_MONTH, submissions, problems, date(2026, 12, 2))
    assert re.search(r"甘洛县\s+退回\s+月份不符.*甘洛县_通知\.txt", "\n".join(lines))
    text = notice.read_text(encoding="utf-8-sig")
    assert "报送时限:尽快(本月报表原定截止日期 2026年11月3日 已过)。" in text
    assert "11月3日前" not in text and "未能采用(整表退回)" in text
    assert "随本通知附《甘洛县_问题反馈.xlsx》" in text
    # the same as the run would write that day, byte for byte
    again = tmp_path / "again"
    write_month_feedback(again, *args, date(2026, 12, 2))
    assert notice.read_bytes() == (again / "甘洛县_通知.txt").read_bytes()
    written = notice.stat().st_mtime_ns
    _feedback_and_chase(layout, reference, SAMPLE_MONTH, submissions, problems, date(2026, 12, 3))
    assert notice.stat().st_mtime_ns == written


def test_the_site_links_each_feedback_file_without_copying_it(published):
    page = (published.site / "problems" / f"{MONTH}.html").read_text(encoding="utf-8")
    links = re.findall(r'href="(\.\./\.\./feedback/[^"]+)"', page)
    assert len(links) == len(read_index(published.feedback(MONTH)))
    for link in links:
        # as a browser does: the URL is resolved as text (outputs/site is a link to its release)
        target = Path(os.path.normpath(published.site / "problems" / unquote(link)))
        assert target.is_file() and target.parent == published.feedback(MONTH)
    assert not list(published.site.resolve().rglob("*问题反馈*"))
    assert (published.feedback(MONTH) / INDEX).is_file()


def test_every_feedback_workbook_opens_in_libreoffice_as_a_county_would(published, tmp_path, reference):
    """Counties open these files in WPS or LibreOffice, not only Excel: LibreOffice Calc (headless)
    converts each one to PDF, the month's copies and a workbook rebuilt from an .xls alike, and
    the converted pages carry the summary sheet's title and the first problem's name."""
    rebuilt_from = tmp_path / "in"
    rebuilt_from.mkdir()
    _legacy_xls(rebuilt_from / "西昌市_2026年10月.xls")
    rebuilt, _ = returned(rebuilt_from, reference, tmp_path / "重建_问题反馈.xlsx")
    workbooks = [*sorted(published.feedback(MONTH).glob("*_问题反馈.xlsx")), rebuilt]
    converted = tmp_path / "pdf"
    profile = (tmp_path / "profile").as_uri()  # its own profile: tests run side by side
    done = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(converted),
            *map(str, workbooks),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    for workbook in workbooks:
        pdf = converted / f"{workbook.stem}.pdf"
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        first = summary_rows(load_workbook(workbook))[0]
        assert "报表问题反馈" in text and str(first[2].value) in text, workbook.name
