"""What `kac run` and `kac status` say about a month: every county to call and why, the files
not read, the statements issued anew; counties in reference order, columns that stay aligned."""

from __future__ import annotations

import re
import shutil

import pandas as pd

from assets.cli import _print_published, main
from pipeline.publish.summary import display_width, pay_line, skipped_files, status_lines
from tests.integration.test_cli import kac
from tests.integration.test_correction import copy_of, raise_a_new_collection
from tests.workbooks import ROWS, county_workbook

MONTH = "2025-03"


def test_status_columns_stay_aligned_with_long_county_names():
    table = pd.DataFrame(
        {
            "county": ["西昌市", "木里藏族自治县", "某某某某某某某某彝族自治县"],
            "status": ["on_time", "received", "missing"],
            "rows": [1038, 12, 0],
            "errors": [0, 0, 0],
            "warnings": [0, 1, 1],
            "file": ["西昌市.xlsx", "木里.xlsx", ""],
        }
    )
    lines = status_lines(table)
    # the 状态 column starts, and the right-aligned 行数 column ends, at one terminal column
    starts = {display_width(re.match(r"\S+\s+", line).group()) for line in lines}
    ends = {display_width(re.match(r"(\S+\s+){2}\S+", line).group()) for line in lines}
    assert len(starts) == 1 and len(ends) == 1


def test_word_and_lock_files_are_named_as_skipped(tmp_path):
    for name in ("~$西昌市.xlsx", "说明.docx", "扫描件.pdf", ".DS_Store", "西昌市.xlsx"):
        (tmp_path / name).write_bytes(b"x")
    skipped = dict(skipped_files(tmp_path))
    assert list(skipped) == ["~$西昌市.xlsx", "扫描件.pdf", "说明.docx"]
    assert "临时文件" in skipped["~$西昌市.xlsx"] and "Word" in skipped["说明.docx"]


def test_a_workbook_in_a_subfolder_or_in_wps_format_is_named_as_not_read(tmp_path):
    (tmp_path / "会东县资料").mkdir()
    (tmp_path / "会东县资料" / "会东县_2026年11月.xlsx").write_bytes(b"x")
    (tmp_path / "系统数据").mkdir()  # the 量收系统 exports' own folder
    (tmp_path / "宁南县报表.et").write_bytes(b"x")
    skipped = dict(skipped_files(tmp_path))
    assert skipped == {
        "会东县资料/": "文件夹中的 1 个文件不读取,报表请直接放在本月文件夹中",
        "宁南县报表.et": "WPS 表格格式不读取,请在 WPS 中另存为 .xlsx 后放入",
    }


def test_pay_line_counts_the_statements_issued_in_this_version(tmp_path):
    pay = pd.DataFrame({"manager_id": [f"M{i:03d}" for i in range(45)], "version": [1] * 44 + [2]})
    line = pay_line(pay, 2, tmp_path / "v2" / "statements")
    assert "第2版新出 1 份,其余 44 份沿用已发版本" in line and line.endswith(
        str(tmp_path / "v2" / "statements")
    )
    assert "45" not in line.removesuffix(str(tmp_path / "v2" / "statements"))  # the folder may hold 45
    assert "本版无变化" in pay_line(pay.assign(version=1), 2, tmp_path)


def test_status_names_every_county_to_call_and_every_file_not_read(small_inputs, tmp_path):
    inputs = tmp_path / "inputs"
    shutil.copytree(small_inputs / "reference", inputs / "reference")
    shutil.copytree(small_inputs / MONTH, inputs / MONTH)
    folder = inputs / MONTH
    rows = [*ROWS, ["C5134010003", "某公司", "航空快递", 3, 30.0, "陆浩", "存量"]]
    xichang = next(folder.glob("西昌市*.xlsx"))
    county_workbook(xichang, month=MONTH, rows=rows, total=False, report_date="2025年4月2日")
    county_workbook(folder / "大客户月报(3月).xlsx", month=MONTH, county="某某", total=False)
    (folder / "说明.docx").write_bytes(b"PK")
    shutil.copy(xichang, folder / f"~${xichang.name}")

    # its own outputs folder: the checkout's outputs/ (a demo run) holds another archive to check against
    result = kac("status", MONTH, "--inputs", str(inputs), "--outputs", str(tmp_path / "outputs"))
    assert result.returncode == 0, result.stderr
    out = result.stdout.splitlines()
    call = out[out.index("需要联系的县(市):") + 1 :]
    assert call[0].split() == ["西昌市", "按时", "未采用", "1", "行", "业务种类无法识别"]
    assert any(line.split()[:2] == ["甘洛县", "退回"] for line in call)
    assert "无法识别所属县(市)的文件:大客户月报(3月).xlsx(请在文件名或“填报单位”中注明县名)" in out
    assert any(line.startswith("未读取的文件:说明.docx(Word") for line in out)
    assert any(line.startswith(f"未读取的文件:~${xichang.name}(") for line in out)
    table = [line.split()[0] for line in out[3 : out.index("需要联系的县(市):")]]
    assert table[:3] == ["西昌市", "会理市", "木里藏族自治县"]  # reference order, as `kac run` uses


def test_run_summary_says_why_for_every_county_and_the_version_once(published, capsys):
    _print_published(published, MONTH)
    out = capsys.readouterr().out.splitlines()
    assert not any(line.startswith("发布版本") for line in out)  # the run's step line says it
    assert any(line.startswith("信息简报:") and "第1版" in line for line in out)
    call = out[out.index("需要联系的县(市):") + 1 :]
    problems = pd.read_csv(published.tables(MONTH) / "problems.csv", dtype=str, keep_default_na=False)
    counties = [c for c in published_order(published) if c in set(problems.county)]
    assert [line.split()[0] for line in call[: len(counties)]] == counties
    assert out[-1] == f"问题清单:{published.problems(MONTH) / '问题清单.xlsx'}"
    pay = next(line for line in out if line.startswith("薪酬明细:"))
    assert pay.endswith(str(published.restricted_pay(MONTH) / "v1" / "statements"))


def published_order(layout) -> list[str]:
    submissions = pd.read_csv(layout.tables(MONTH) / "submissions.csv", dtype=str)
    return list(submissions.county)


def test_status_names_the_workbooks_changed_since_the_month_was_published(published, tmp_path, capsys):
    layout = copy_of(published, tmp_path)
    folder = layout.month_inputs(MONTH)

    def changed_line() -> list[str]:
        capsys.readouterr()
        assert main(["status", MONTH, "--inputs", str(layout.inputs), "--outputs", str(layout.outputs)]) == 0
        return [line for line in capsys.readouterr().out.splitlines() if line.startswith("发布后报表有变动")]

    assert changed_line() == []
    (huili,) = folder.glob("会理市_*.xlsx")
    huili.rename(folder / "会理.xlsx")  # the same bytes under another name: the same workbook
    assert changed_line() == []
    (huidong,) = folder.glob("会东县_*.xlsx")
    raise_a_new_collection(huidong, 1000.00)
    (line,) = changed_line()
    assert line == f"发布后报表有变动:会东县(报表已更换);运行 kac run {MONTH} 重新计算,数字有变化时发布更正版"
    next(folder.glob("西昌市_*.xlsx")).unlink()
    shutil.copy(huidong, folder / "会东县(更正).xlsx")  # beside the old one: two files, not usable
    (line,) = changed_line()
    assert line.startswith(
        f"发布后报表有变动:西昌市(报表已移走)、会东县(报表已更换);运行 kac run {MONTH} 重新计算"
    )  # the run will stop rather than drop either in silence, and says so
    assert line.endswith(
        "(西昌市、会东县已采用的报表现在不能采用:kac run 会停下并说明,确需舍弃再加 --accept-loss)"
    )
