"""对账 through a month's run: the sample's 量收系统 export reconciled in the published month, and
a hand-made export put into a copy of it — the counties are not read again, the month gets a
new version whose bulletin's data quality note states the exact totals (read with pdftotext)."""

from __future__ import annotations

import re
import shutil
import subprocess

import pandas as pd
from openpyxl import Workbook

from assets.runner import run_month
from pipeline.core.contract import RECONCILIATION, check_csv
from pipeline.core.money import format_yuan
from pipeline.ingest.system import SYSTEM_FOLDER
from tests.integration.test_correction import copy_of, materialisations, sensor_requests

MONTH = "2025-03"


def _pdf_text(folder) -> str:
    (pdf,) = folder.glob("信息简报_*.pdf")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True)
    return re.sub(r"[ \t]+", " ", text.stdout)


def _read(path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def test_the_sample_export_is_reconciled_in_the_published_month(published) -> None:
    tables = published.tables(MONTH)
    assert check_csv(RECONCILIATION, tables / "reconciliation.csv") == []
    table = _read(tables / "reconciliation.csv")
    # the generator plants a late-booked bill, a typo, a pair booked under another 协议号 and a
    # customer the county forgot; the sample's counties all report in 2025-03
    assert set(table.kind) == {"amount_differs", "county_only", "system_only"}
    problems = _read(tables / "problems.csv")
    reconciled = problems[problems.code.str.startswith("reconcile_")]
    assert len(reconciled) == len(table) and set(reconciled.severity) == {"warning"}
    text = _pdf_text(published.bulletins(MONTH) / "v1")
    assert "十四、数据质量说明:与量收系统对账" in text
    by_county = _read(tables / "reconciliation_by_county.csv")
    compared = by_county[by_county.status == "compared"]
    fen = compared.revenue_diff.map(lambda v: round(float(v) * 100)).sum()
    assert f"差额(县报−系统){format_yuan(int(fen), separators=True)}元" in re.sub(r"\s+", "", text)
    # a county's difference beyond the pairs listed (its rows not used, the tolerated cents) is explained
    assert "还含县(市)报表中未采用的行" in re.sub(r"\s+", "", text)


def _export(path, rows) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "明细"
    ws.append(["机构", "协议号", "业务种类", "用邮量", "收入(元)"])
    for row in rows:
        ws.append(row)
    wb.save(path)


def test_a_new_export_reads_no_county_again_and_gives_the_exact_note(published, tmp_path) -> None:
    layout = copy_of(published, tmp_path)
    usage = pd.read_parquet(layout.tables(MONTH) / "usage.parquet")
    xichang = usage[usage.county == "西昌市"].sort_values(["customer_id", "business_type"])
    first, second = xichang.iloc[0], xichang.iloc[1]
    rows = [
        ["西昌市分公司", r.customer_id, r.business_type, int(r.volume), int(r.revenue_fen) / 100]
        for r in xichang.itertuples()
        if r.Index != second.name  # booked under another 协议号: 系统中没有
    ]
    rows.append(["西昌市分公司", first.customer_id, first.business_type, 0, 100.00])  # a late bill
    rows.append(["西昌市分公司", "C9990001", "特快", 10, 180.00])  # forgotten by the county
    rows.append(["西昌市分公司", "C9990002", "特快", "十", 5.00])  # a bad cell: B? row, 用邮量
    folder = layout.month_inputs(MONTH) / SYSTEM_FOLDER
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    _export(folder / "量收系统_手工导出.xlsx", rows)

    before = materialisations(layout, MONTH)
    assert sensor_requests(layout) == []  # no county's fingerprint changed
    report = run_month(layout, MONTH)
    assert report.success, report.error
    assert materialisations(layout, MONTH) == before  # no county read again

    county_fen = int(xichang.revenue_fen.sum())
    system_fen = county_fen - int(second.revenue_fen) + 10000 + 18000
    table = _read(layout.tables(MONTH) / "reconciliation.csv").set_index(["customer_id", "business_type"])
    assert table.loc[(first.customer_id, first.business_type), "revenue_diff"] == "-100.00"
    assert table.loc[(second.customer_id, second.business_type), "kind"] == "county_only"
    assert table.loc[("C9990001", "特快"), ["kind", "system_revenue", "county"]].tolist() == [
        "system_only",
        "180.00",
        "西昌市",
    ]
    problems = _read(layout.tables(MONTH) / "problems.csv")
    bad = problems[problems.code == "system_value_invalid"]
    assert bad[["file", "sheet", "cell", "value"]].values.tolist() == [
        [f"{SYSTEM_FOLDER}/量收系统_手工导出.xlsx", "明细", f"D{len(rows) + 1}", "十"]
    ]

    text = _pdf_text(layout.bulletins(MONTH) / "v2")  # the note changed: a new version
    row = re.search(r"\n\s*西昌市 ([\d,.-]+) ([\d,.-]+) ([\d,.-]+) (\d+) (\d+) (\d+)\n", text)
    assert row is not None, text[-3000:]
    assert row.groups() == (
        format_yuan(county_fen, separators=True),
        format_yuan(system_fen, separators=True),
        format_yuan(county_fen - system_fen, separators=True),
        "1",
        "1",
        "1",
    )
    assert "量收系统数据未含" in text and "会理市" in text.split("未对账:")[1][:400]
    assert "本月收到量收系统数据1个文件" in re.sub(r"\s+", "", text)
    # the 更正说明 says what changed: the 对账, not the counties' figures
    assert "本版更新了与量收系统的对账" in re.sub(r"\s+", "", text)
