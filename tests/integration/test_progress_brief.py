"""The 信息参考 with the counties' progress reports: compiled from real 工作进展 sheets, one county
missing, escaped, and still at most two pages when every county writes at length."""

from __future__ import annotations

import pickle
import re
import subprocess

import pandas as pd
from openpyxl import load_workbook

from pipeline.ingest.county import ingest_county
from pipeline.ingest.files import county_files
from pipeline.ingest.month import combine
from pipeline.ingest.reference import Reference
from pipeline.publish.bulletin import alert_wording, progress_section, render_brief
from tests.pdf_pages import pages_before_annex
from tests.workbooks import county_workbook

MONTH = "2025-03"


def _content(published) -> dict:
    return pickle.loads((published.storage / "month_content_data" / f"{MONTH}-01").read_bytes())


def _pdf_text(path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def _pages(path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


def _workbook_with_progress(folder, county, rows):
    path = county_workbook(folder / f"{county}.xlsx", month=MONTH, county=county, report_date="2025年4月2日")
    wb = load_workbook(path)
    ws = wb.create_sheet("工作进展")
    for row in rows:
        ws.append(row)
    wb.save(path)


def test_the_published_month_names_the_counties_that_sent_no_progress_sheet(published) -> None:
    (brief,) = (published.bulletins(MONTH) / "v1").glob("信息参考_*.pdf")
    text = _pdf_text(brief)
    assert "四、各县(市)工作进展及存在问题" in text and "未报送:" in text
    assert (
        (published.tables(MONTH) / "progress.csv")
        .read_text(encoding="utf-8")
        .startswith("county,item,text,source_file,source_row")
    )
    assert pages_before_annex(brief) <= 2


def test_brief_section_from_two_counties_sheets_with_one_missing(published, tmp_path) -> None:
    ref = Reference.load(published.reference)
    inputs = tmp_path / "in"
    inputs.mkdir()
    _workbook_with_progress(
        inputs,
        "西昌市",
        [["项目", "内容"], ["工作进展", "完成州级大客户季度走访"], ["存在问题", "<script>x</script>"]],
    )
    _workbook_with_progress(inputs, "会东县", [["项目", "内容"], ["需协调事项", "请州局协调揽投车辆" * 8]])
    files, _ = county_files(inputs, ref)
    intakes = [ingest_county(code, MONTH, files[code], ref) for code in ("xichang", "huidong")]
    progress = combine(intakes).progress
    content = _content(published)
    submissions = pd.DataFrame(content["submissions"])
    content["progress"] = progress_section(progress, submissions, ref)
    pdf = render_brief(content, 1, tmp_path / "out", alert_wording(ref.rules.for_month(MONTH)))
    text = " ".join(_pdf_text(pdf).split())
    assert "西昌市 进展:完成州级大客户季度走访;问题:<script>x</script>" in text  # shown as text
    assert "会东县 需协调:请州局协调揽投车辆请州局协调揽投车辆请州局协调揽投车辆请州" in text
    assert "…" in text and "全文见本月数据表 progress.csv" in text
    missing = re.search(r"未报送:(\S+)", text).group(1)
    assert "宁南县" in missing and "西昌市" not in missing and "会东县" not in missing
    assert pages_before_annex(pdf) <= 2


def test_brief_stays_within_two_pages_when_every_county_writes_at_length(published, tmp_path) -> None:
    ref = Reference.load(published.reference)
    content = _content(published)
    long = "本月工作进展情况较好存在若干问题需要协调解决" * 10
    rows = [
        [county, item, long]
        for county in ref.county_names.values()
        for item in ("工作进展", "存在问题", "需协调事项")
    ]
    content["progress"] = progress_section(
        pd.DataFrame(rows, columns=["county", "item", "text"]), pd.DataFrame(content["submissions"]), ref
    )
    assert (
        pages_before_annex(render_brief(content, 1, tmp_path, alert_wording(ref.rules.for_month(MONTH)))) <= 2
    )


def test_phone_numbers_in_progress_texts_are_masked_in_the_brief_pdf(published, tmp_path) -> None:
    """The 信息参考 is copied into the site (files/…), read by all staff: a phone number typed into
    a 工作进展 sheet shows as 139****5678 in the PDF; progress.csv keeps the county's text."""
    ref = Reference.load(published.reference)
    inputs = tmp_path / "in"
    inputs.mkdir()
    typed = "联系人王主任 13912345678,已对接"
    _workbook_with_progress(inputs, "西昌市", [["项目", "内容"], ["工作进展", typed]])
    files, _ = county_files(inputs, ref)
    progress = combine([ingest_county("xichang", MONTH, files["xichang"], ref)]).progress
    assert progress.text.tolist() == [typed]
    content = _content(published)
    content["progress"] = progress_section(progress, pd.DataFrame(content["submissions"]), ref)
    text = " ".join(
        _pdf_text(
            render_brief(content, 1, tmp_path / "out", alert_wording(ref.rules.for_month(MONTH)))
        ).split()
    )
    assert "西昌市 进展:联系人王主任 139****5678,已对接" in text
    assert "13912345678" not in text
