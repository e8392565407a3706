"""A survey wave through Dagster: the summary table, the report PDF read back and its site page."""

from __future__ import annotations

import logging
import re
import shutil
import subprocess

import openpyxl
import pandas as pd
from dagster import instance_for_test, materialize

from assets.resources import KacSettings
from assets.surveys import survey_wave
from pipeline.core.layout import REPO, Layout
from pipeline.core.progress import progress
from pipeline.ingest.reference import Reference
from pipeline.site.build import build_site


def test_wave_2026_h1_summary_report_and_page(tmp_path):
    """…and a phone number a customer wrote into 意见建议 is masked in the report and on the page
    that all staff read; the follow-up table keeps it for the callback."""
    inputs = tmp_path / "inputs"
    shutil.copytree(REPO / "inputs" / "reference", inputs / "reference")
    shutil.copytree(REPO / "inputs" / "surveys" / "2026-H1", inputs / "surveys" / "2026-H1")
    book = inputs / "surveys" / "2026-H1" / "会理市_2026-H1_满意度测评.xlsx"
    wb = openpyxl.load_workbook(book)
    wb.active["K2"] = "希望时限更快,请回电TEL13712345678"  # row 2 scores 2 on 业务时限: followed up
    wb.active["D3"] = "5分"  # a score with its unit: that questionnaire is left out, and said
    wb.active["E4"] = "13812345678"  # a phone number typed into a score: left out, masked on the page
    wb.save(book)
    settings = KacSettings(inputs_dir=str(inputs), outputs_dir=str(tmp_path / "outputs"))
    said = []
    handler = logging.Handler()
    handler.emit = lambda record: said.append(record.getMessage())
    progress.addHandler(handler)
    try:
        with instance_for_test() as instance:
            result = materialize(
                [survey_wave], partition_key="2026-H1", resources={"settings": settings}, instance=instance
            )
    finally:
        progress.removeHandler(handler)
    assert result.success
    assert any(line.startswith("  满意度 2026-H1 问卷问题:会理市 2 条") for line in said), said
    headline = result.output_for_node("survey_wave")
    table = pd.read_csv(tmp_path / "outputs" / "tables" / "surveys" / "2026-H1" / "satisfaction.csv")
    assert list(table.columns[:9]) == [
        "wave",
        "county",
        "dimension",
        "n",
        "mean",
        "csat",
        "csat_low",
        "csat_high",
        "suppressed",
    ]
    overall = table[(table.county == "全州") & (table.dimension == "总体满意度")].iloc[0]
    assert overall.n == headline["responses"] and abs(overall.csat - headline["csat"]) < 1e-9
    pdf = tmp_path / "outputs" / "bulletins" / "surveys" / "2026-H1" / "满意度测评报告_2026年上半年.pdf"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "大客户满意度测评报告" in text and f"{overall.csat * 100:.1f}%" in text and "需回访客户" in text
    assert "137****5678" in text and "13712345678" not in text
    followup = pd.read_csv(tmp_path / "outputs" / "tables" / "surveys" / "2026-H1" / "followup.csv")
    assert followup.comments.str.contains("13712345678").any()
    build_site(
        Layout(tmp_path / "inputs", tmp_path / "outputs"), Reference.load(tmp_path / "inputs" / "reference")
    )
    page = (tmp_path / "outputs" / "site" / "surveys" / "2026-H1.html").read_text(encoding="utf-8")
    assert "满意度测评" in page and "../files/surveys/2026-H1/满意度测评报告_2026年上半年.pdf" in page
    assert "请回电TEL137****5678" in page and "13712345678" not in page
    # the questionnaires' problems on the wave's page, at their cells, for the operator
    rows = [
        re.sub(r"<[^>]+>", "|", row)
        for row in re.findall(r"<tr>(.*?)</tr>", page.split('id="problems"')[1], re.S)
    ]
    cells = [[c.strip() for c in row.split("|") if c.strip()] for row in rows[1:]]
    assert [(c[2], c[5], c[6]) for c in cells] == [("会理市", "D3", "5分"), ("会理市", "E4", "138****5678")]
    assert "13812345678" not in page
