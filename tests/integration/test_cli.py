"""`kac` as the operator meets it: Chinese one-line errors, never a traceback."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from pipeline.core.layout import REPO
from pipeline.core.months import chinese_month, last_closed_month, shift, why_not_available


def kac(*args: str, env: dict | None = None, cwd: Path = REPO) -> subprocess.CompletedProcess:
    """`kac` as a subprocess; from another directory it still runs this checkout's code."""
    clean = {k: v for k, v in os.environ.items() if k not in ("KAC_INPUTS", "KAC_OUTPUTS")}
    return subprocess.run(
        [sys.executable, "-m", "assets.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**clean, "PYTHONPATH": str(REPO), **(env or {})},
        timeout=300,
    )


def test_future_month_says_when_it_can_be_run_and_invites_no_folder(small_inputs, tmp_path):
    result = kac("run", "2030-01", "--inputs", str(small_inputs), "--outputs", str(tmp_path / "out"))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "2030年1月尚未开始:自2030年2月1日起才能处理" in result.stderr
    assert "2030年2月3日前报送" in result.stderr  # rules.toml submission.deadline_day
    assert "文件夹" not in result.stderr and not (tmp_path / "out").exists()


def test_month_not_yet_closed_says_from_which_day(small_inputs, tmp_path):
    month = shift(last_closed_month(), 1)  # the current month on the centre's clock
    result = kac("run", month, "--inputs", str(small_inputs), "--outputs", str(tmp_path))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    opens = shift(month, 1)
    assert f"{chinese_month(month)}尚未结束:自{chinese_month(opens)}1日起才能处理" in result.stderr


def test_status_of_the_running_month_warns_and_of_a_later_one_refuses(small_inputs):
    running = shift(last_closed_month(), 1)
    result = kac("status", running, "--inputs", str(small_inputs))
    assert result.returncode == 0 and f"注意:{chinese_month(running)}尚未结束" in result.stdout
    later = shift(running, 1)
    result = kac("status", later, "--inputs", str(small_inputs))
    assert result.returncode == 1 and f"{chinese_month(later)}尚未开始" in result.stderr
    assert "需要联系" not in result.stdout


def test_a_month_closes_at_midnight_in_liangshan_not_in_utc():
    utc = ZoneInfo("UTC")
    assert last_closed_month(datetime(2026, 11, 30, 15, 59, tzinfo=utc)) == "2026-10"
    assert last_closed_month(datetime(2026, 11, 30, 16, 0, tzinfo=utc)) == "2026-11"  # 00:00 on 1 Dec
    assert why_not_available("2026-11", "2026-11") == ""
    assert why_not_available("2024-12", "2026-11").startswith("2024年12月早于本系统的第一个月份")


def test_malformed_month_is_explained(tmp_path):
    result = kac("run", "2025-3", "--outputs", str(tmp_path))
    assert result.returncode == 2
    assert "月份应写作 YYYY-MM" in result.stderr and "Traceback" not in result.stderr


def test_month_thirteen_is_an_invalid_month_not_a_format_error(tmp_path):
    result = kac("run", "2026-13", "--outputs", str(tmp_path))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "月份无效:2026-13 中的 13 不是 01–12 之间的月份" in result.stderr
    assert "YYYY-MM" not in result.stderr.splitlines()[-1]


@pytest.mark.parametrize(
    ("args", "said"),
    [
        ((), "错误:缺少必填参数:命令"),
        (("run",), "错误:缺少必填参数:月份"),
        (("sample",), "错误:缺少必填参数:--out"),
        (("status", "2025-03", "extra"), "错误:无法识别的参数:extra"),
        (("publish",), "错误:参数 命令:无效的选择:publish"),
    ],
)
def test_usage_errors_are_in_chinese(args, said):
    result = kac(*args)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith("用法:kac") and said in result.stderr
    assert not re.search(r"usage|required|error|argument|invalid", result.stderr)


def test_help_is_in_chinese():
    result = kac("run", "--help")
    assert result.returncode == 0
    assert "位置参数" in result.stdout and "选项" in result.stdout and "显示本帮助并退出" in result.stdout
    assert not re.search(r"usage|positional|options|show this help", result.stdout)


def test_status_lists_every_county(small_inputs):
    result = kac("status", "2025-03", "--inputs", str(small_inputs))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    table = lines[3 : lines.index("需要联系的县(市):")]  # after the folders, title and header lines
    assert len(table) == 17 and all(line.split()[0].endswith(("县", "市")) for line in table)
    assert any(line.startswith("甘洛县") and "退回" in line for line in lines)


def test_inputs_of_the_current_directory_are_used_and_said_first(small_inputs, tmp_path):
    import shutil

    project = tmp_path / "project"
    shutil.copytree(small_inputs / "reference", project / "inputs" / "reference")
    shutil.copytree(small_inputs / "2025-03", project / "inputs" / "2025-03")
    (project / "inputs" / "2025-03" / "西昌市_2025年3月_大客户用邮情况.xlsx").unlink()
    result = kac("status", "2025-03", cwd=project)
    assert result.returncode == 0, result.stderr
    first = result.stdout.splitlines()[0]
    assert first == f"输入目录:{project / 'inputs'}(当前目录)  输出目录:{project / 'outputs'}"
    assert any(line.startswith("西昌市") and "未报送" in line for line in result.stdout.splitlines())


def test_flag_and_environment_win_over_the_current_directory(small_inputs, tmp_path):
    (tmp_path / "inputs" / "reference").mkdir(parents=True)
    result = kac(
        "template",
        "2025-03",
        "--outputs",
        str(tmp_path / "out"),
        cwd=tmp_path,
        env={"KAC_INPUTS": str(small_inputs)},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].startswith(f"输入目录:{small_inputs}(KAC_INPUTS)")
    result = kac("status", "2025-03", "--inputs", str(small_inputs), cwd=tmp_path)
    assert result.stdout.splitlines()[0].startswith(f"输入目录:{small_inputs}(--inputs)")


def test_without_inputs_here_the_install_folder_is_named(tmp_path):
    result = kac("run", "2030-01", cwd=tmp_path)
    assert result.stdout.splitlines()[0].startswith(f"输入目录:{REPO / 'inputs'}(安装目录)")
    assert result.returncode == 1 and "尚未开始" in result.stderr


def test_missing_cjk_font_stops_the_run_with_the_package_to_install(small_inputs, tmp_path):
    empty = tmp_path / "fonts.conf"
    empty.write_text('<?xml version="1.0"?><fontconfig><dir>/nonexistent</dir></fontconfig>')
    result = kac(
        "run",
        "2025-03",
        "--inputs",
        str(small_inputs),
        "--outputs",
        str(tmp_path / "out"),
        env={"FONTCONFIG_FILE": str(empty)},
    )
    assert result.returncode == 1
    assert "fonts-noto-cjk" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out" / "bulletins").exists()


@pytest.mark.parametrize("month", ["2025-03"])
def test_template_has_dropdowns(tmp_path, month):
    from openpyxl import load_workbook

    result = kac("template", month, "--outputs", str(tmp_path))
    assert result.returncode == 0, result.stderr
    files = sorted((tmp_path / "templates" / month).glob("*.xlsx"))
    assert len(files) == 17
    ws = load_workbook(files[0])["用邮情况"]
    lists = [dv.formula1 for dv in ws.data_validations.dataValidation]
    assert any("特快" in f for f in lists) and any("新揽收" in f for f in lists)


def test_dagster_definitions_validate(small_inputs):
    result = subprocess.run(
        [
            str(REPO / ".venv" / "bin" / "dagster") if (REPO / ".venv").exists() else "dagster",
            "definitions",
            "validate",
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "KAC_INPUTS": str(small_inputs)},
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_broken_reference_data_is_one_line(small_inputs, tmp_path):
    import shutil

    inputs = tmp_path / "inputs"
    shutil.copytree(small_inputs / "reference", inputs / "reference")
    (inputs / "reference" / "rules.toml").write_text("[[period]\nfrom = 2025", encoding="utf-8")
    for command in (["status", "2025-03"], ["template", "2025-03"], ["run", "2025-03"]):
        result = kac(*command, "--inputs", str(inputs), "--outputs", str(tmp_path / "out"))
        assert result.returncode == 1, command
        assert "参考数据无法读取" in result.stderr and "Traceback" not in result.stderr
    shutil.copy(small_inputs / "reference" / "rules.toml", inputs / "reference" / "rules.toml")
    market = inputs / "reference" / "market.toml"
    market.write_text(market.read_text(encoding="utf-8").replace('"特快"', '"快速专送"'), encoding="utf-8")
    result = kac("run", "2025-03", "--inputs", str(inputs), "--outputs", str(tmp_path / "out"))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert 'market.toml [needs."标准快递"] served_by 为“快速专送”' in result.stderr
    (inputs / "reference" / "rules.toml").unlink()
    result = kac("status", "2025-03", "--inputs", str(inputs))
    assert result.returncode == 1 and "参考数据缺少文件 rules.toml" in result.stderr


def test_schedule_on_the_4th_asks_for_the_month_just_closed(small_inputs, tmp_path):

    from dagster import build_schedule_context

    from assets.definitions import build_defs

    defs = build_defs(small_inputs, tmp_path)
    schedule = defs.resolve_schedule_def("month_on_the_4th")
    assert schedule.cron_schedule == "0 6 4 * *"
    (request,) = schedule.evaluate_tick(
        build_schedule_context(scheduled_execution_time=datetime(2026, 12, 4, 6, 0))
    ).run_requests
    assert request.partition_key == "2026-11-01" and request.job_name == "month"


def test_template_of_one_county_prefilled_from_last_months_usage(tmp_path):
    import pandas as pd
    from openpyxl import load_workbook

    tables = tmp_path / "tables" / "2025-02"
    tables.mkdir(parents=True)
    usage = {"county": ["西昌市", "会东县"], "customer_id": ["C1", "C2"], "customer_name": ["甲", "乙"]}
    usage |= {"business_type": ["特快", "函件"], "manager_id": ["M008", "M020"]}
    pd.DataFrame(usage).head(1).to_parquet(tables / "usage.parquet")  # 会东县's was not accepted
    earlier = tmp_path / "tables" / "2025-01"
    earlier.mkdir(parents=True)
    pd.DataFrame(usage).assign(customer_id=["C0", "C3"]).to_parquet(earlier / "usage.parquet")
    result = kac("template", "2025-03", "会东", "--outputs", str(tmp_path))
    assert "会东县:2025年2月报表未被采用,已预填2025年1月已采用的客户" in result.stdout
    (path,) = (tmp_path / "templates" / "2025-03").glob("会东县_*.xlsx")
    assert [r[0] for r in load_workbook(path)["用邮情况"].iter_rows(min_row=4, values_only=True)] == ["C3"]
    path.unlink()
    result = kac("template", "2025-03", "西昌", "--outputs", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "已预填2025年2月" in result.stdout and "未被采用" not in result.stdout
    (path,) = (tmp_path / "templates" / "2025-03").glob("*.xlsx")
    assert path.name.startswith("西昌市_")
    rows = list(load_workbook(path)["用邮情况"].iter_rows(min_row=4, values_only=True))
    assert rows == [("C1", "甲", "特快", None, None, "陆浩", "存量")]
    # a month not yet run is said so, not called rejected; nor is its prefill claimed
    result = kac("template", "2025-04", "西昌", "--outputs", str(tmp_path))
    assert "西昌市:2025年3月尚未运行(kac run),已预填2025年2月已采用的客户" in result.stdout
    assert "已预填2025年3月" not in result.stdout and "未被采用" not in result.stdout
    unknown = kac("template", "2025-03", "火星", "--outputs", str(tmp_path))
    assert unknown.returncode != 0 and "无法识别的县(市):火星" in unknown.stderr


def test_status_checks_names_against_last_month_s_archive_as_the_run_does(published, tmp_path):
    """A usage row whose customer is not on this file's 客户档案 sheet is checked against last
    month's archive by `kac run`; `kac status` said nothing of it before."""
    import pandas as pd
    from openpyxl import load_workbook

    from tests.integration.test_correction import copy_of

    layout = copy_of(published, tmp_path)
    archive = pd.read_parquet(layout.tables("2025-02") / "archive.parquet")
    (path,) = layout.month_inputs("2025-03").glob("会东县_*.xlsx")
    wb = load_workbook(path)
    own = {row[0].value for row in wb["客户档案"].iter_rows(min_row=2)}
    usage = wb["用邮情况"]
    row = next(r for r in usage.iter_rows(min_row=4) if r[0].value in set(archive.customer_id) - own)
    row[1].value = "会东县某某有限公司"  # not the archive's name for that id
    wb.save(path)
    folders = ["--inputs", str(layout.inputs), "--outputs", str(layout.outputs)]
    result = kac("status", "2025-03", *folders)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    calls = lines[lines.index("需要联系的县(市):") + 1 :]
    line = next(x for x in calls if x.startswith("  会东县"))
    assert line.split() == ["会东县", "按时", "未采用", "1", "行", "客户名称与档案不符"]
    # and where the month's pay stands: a draft is not paid from
    assert lines[-1] == "薪酬明细第1版:草稿,主任确认前不得据此发放(kac confirm 2025-03 --by 姓名)"


def test_confirm_asks_who_confirms(tmp_path):
    """The confirmation file records who released the pay: no default name stands in."""
    result = kac("confirm", "2025-03", "--inputs", str(tmp_path), "--outputs", str(tmp_path))
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "缺少必填参数:--by" in result.stderr
    assert not (tmp_path / "confirmations").exists()


def test_confirm_refuses_anyone_but_the_centres_director_or_deputy(published, tmp_path):
    """A county centre's 主任 (沈光荣, 西昌市) is not the centre's director: refused with the
    roster's names, and no confirmation file is written."""
    from tests.integration.test_correction import copy_of

    layout = copy_of(published, tmp_path)
    folders = ["--inputs", str(layout.inputs), "--outputs", str(layout.outputs)]
    result = kac("confirm", "2025-03", "--by", "沈光荣", *folders)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "确认人“沈光荣”不是本月名册中的大客户中心主任或副主任" in result.stderr
    assert "赵明(主任)" in result.stderr and "胡勇(副主任)" in result.stderr
    assert not layout.confirmation("2025-03").exists()


def test_status_names_the_counties_of_problems_only_the_last_run_found(tmp_path):
    """`kac status` reads the workbooks again, which cannot find a 新揽收 claim or an 对账
    difference: those the last run found are named beside them, with the problems report."""
    from assets.cli import _changed_since_the_run, _found_by_the_run
    from pipeline.core.contract import PROBLEMS
    from pipeline.core.layout import Layout

    layout = Layout(tmp_path / "inputs", tmp_path / "outputs")
    assert _found_by_the_run(layout, "2026-10", pd.DataFrame(columns=PROBLEMS.names), {"西昌市"}).empty
    layout.tables("2026-10").mkdir(parents=True)
    # a run that found nothing: its problems.csv has the header alone
    pd.DataFrame(columns=PROBLEMS.names).to_csv(layout.tables("2026-10") / "problems.csv", index=False)
    assert _found_by_the_run(layout, "2026-10", pd.DataFrame(columns=PROBLEMS.names), {"西昌市"}).empty
    rows = [
        ("error", "required_missing", "西昌市", "C5"),
        ("warning", "new_collection_not_new", "西昌市", "G7"),
        ("warning", "reconcile_amount_differs", "会理市", "E9"),
        ("warning", "assessment_missing", "州局", ""),
        ("error", "business_unknown", "会理市", "C7"),  # read again today: mended (an alias added)
    ]
    frame = pd.DataFrame([{"severity": s, "code": c, "county": n, "cell": x} for s, c, n, x in rows])
    frame = frame.reindex(columns=PROBLEMS.names, fill_value="")
    frame.to_csv(layout.tables("2026-10") / "problems.csv", index=False)
    now = frame.iloc[:1]  # the workbooks as read now: 西昌市's C5
    later = _found_by_the_run(layout, "2026-10", now, {"西昌市", "会理市"})
    assert list(zip(later.county, later.code, strict=True)) == [
        ("西昌市", "new_collection_not_new"),
        ("会理市", "reconcile_amount_differs"),
    ]
    # of counties that sent files since the run, they are told as the run's, not taken as true now
    (line,) = _changed_since_the_run(layout, "2026-10", later)
    assert line.startswith("上次运行本月另核出 2 条问题") and "西昌市、会理市" in line


def test_status_reads_the_assessment_again_and_says_which_centre_files_changed_since_the_run(tmp_path):
    """The 考核评分 is read as it is now (a problem of an earlier file is gone with it); the
    register and the 系统数据 keep the run's findings, marked where their file changed or went
    since the run (a row repeated across two exports names both); the rules file is never marked."""
    import shutil

    from assets.cli import _centre_problems
    from pipeline.core.contract import PROBLEMS
    from pipeline.core.layout import Layout
    from pipeline.core.problems import problem, to_frame
    from pipeline.core.tables import write_table
    from pipeline.ingest.reference import Reference

    layout = Layout(tmp_path / "inputs", tmp_path / "outputs")
    shutil.copytree(REPO / "inputs" / "reference", layout.reference)
    shutil.copytree(REPO / "inputs" / "projects", layout.inputs / "projects")
    month = layout.month_inputs("2026-10")
    (month / "系统数据").mkdir(parents=True)
    for name in ("a.xlsx", "b.xlsx"):
        (month / "系统数据" / name).write_bytes(b"x")
    old, new = "项目登记_2025.xlsx", "项目登记_2026.xlsx"
    found = [
        problem("project_duplicate", county="州局", file=old, sheet="项目登记", cell="A9"),
        problem("project_duplicate", county="州局", file=new, sheet="项目登记", cell="A12"),
        problem(
            "reconcile_amount_differs", county="州局", file="系统数据/a.xlsx、系统数据/b.xlsx", cell="G7"
        ),
        problem("reconcile_source_unsupported", county="州局", file="rules.toml", sheet="reconciliation"),
        problem("score_out_of_range", county="州局", file="考核评分_旧.xlsx", sheet="考核评分", cell="C5"),
        problem("business_unknown", county="美姑县", file="美姑县.xlsx", sheet="用邮情况", cell="E7"),
    ]
    before = _centre_problems(layout, Reference.load(layout.reference), "2026-10")  # no run yet
    assert list(before[0].code) == ["assessment_missing"] and before[1] == set()
    write_table(to_frame(found), layout.tables("2026-10"), PROBLEMS)
    ran = (layout.tables("2026-10") / "problems.csv").stat().st_mtime
    for path in [*(month / "系统数据").iterdir(), layout.inputs / "projects" / old]:
        os.utime(path, (ran - 60, ran - 60))  # as they were when the run read them
    os.utime(layout.inputs / "projects" / new, (ran + 60, ran + 60))  # mended since
    problems, changed = _centre_problems(layout, Reference.load(layout.reference), "2026-10")
    assert list(zip(problems.code, problems.file, strict=True)) == [
        ("assessment_missing", ""),  # read now: no 考核评分 in the folder, the old file's problem gone
        ("project_duplicate", old),
        ("project_duplicate", new),
        ("reconcile_amount_differs", "系统数据/a.xlsx、系统数据/b.xlsx"),
        ("reconcile_source_unsupported", "rules.toml"),
    ]
    assert changed == {new}
    (month / "系统数据" / "b.xlsx").unlink()  # one of the two exports taken away
    assert _centre_problems(layout, Reference.load(layout.reference), "2026-10")[1] == {
        new,
        "系统数据/a.xlsx、系统数据/b.xlsx",
    }


def test_status_says_what_waits_for_a_run_before_the_first_and_after_the_assessment_changed(tmp_path):
    """Before a month's first run, status says the pay, the register and the 系统数据 are computed
    and checked by the run; after it, a 考核评分 changed since the pay was computed asks for a run
    before the director confirms (the figures shown would be the old ones)."""
    import shutil

    from assets.cli import _not_yet_computed
    from pipeline.core.layout import Layout
    from pipeline.ingest.reference import Reference
    from pipeline.pay.release import PAY_STATE

    layout = Layout(tmp_path / "inputs", tmp_path / "outputs")
    shutil.copytree(REPO / "inputs" / "reference", layout.reference)
    ref = Reference.load(layout.reference)
    month = layout.month_inputs("2026-10")
    month.mkdir(parents=True)
    assessment = month / "考核评分.xlsx"
    shutil.copy(REPO / "inputs" / "2026-10" / "考核评分.xlsx", assessment)
    changed = ["考核评分在上次计算薪酬后有改动:请先运行 kac run 2026-10,再由主任确认"]
    assert _not_yet_computed(layout, ref, "2026-10", None) == [
        "本月尚未运行:薪酬、项目登记与系统数据在 kac run 2026-10 时计算与核对"
    ]
    layout.tables("2026-10").mkdir(parents=True)
    (layout.tables("2026-10") / "problems.csv").write_text("severity,code\n", encoding="utf-8")
    state = layout.restricted_pay("2026-10") / PAY_STATE
    state.parent.mkdir(parents=True)
    state.write_text("{}", encoding="utf-8")
    computed = state.stat().st_mtime
    # the state tells the bytes the pay was computed from: an edit is seen whatever the file's time
    # (a copy keeps the sender's), and a file saved again unchanged is not taken for an edit
    read = {"assessment_sha256": hashlib.sha256(assessment.read_bytes()).hexdigest()}
    os.utime(assessment, (computed + 60, computed + 60))
    assert _not_yet_computed(layout, ref, "2026-10", read) == []
    shutil.copy(REPO / "inputs" / "2025-03" / "考核评分.xlsx", assessment)  # another month's sheet
    os.utime(assessment, (computed - 60, computed - 60))
    assert _not_yet_computed(layout, ref, "2026-10", read) == changed
    assessment.unlink()
    assert _not_yet_computed(layout, ref, "2026-10", read) == changed
    assert _not_yet_computed(layout, ref, "2026-10", {"assessment_sha256": ""}) == []  # none, as then
    # a state written before it recorded the bytes: by modification time
    shutil.copy(REPO / "inputs" / "2026-10" / "考核评分.xlsx", assessment)
    os.utime(assessment, (computed - 60, computed - 60))  # read by that run
    assert _not_yet_computed(layout, ref, "2026-10", {}) == []
    os.utime(assessment, (computed + 60, computed + 60))  # edited since
    assert _not_yet_computed(layout, ref, "2026-10", {}) == changed


def test_confirm_after_the_assessment_changed_says_the_confirmation_did_not_take(published, tmp_path):
    """The director confirms the figures shown, those of the last run; the 考核评分 was edited
    since, so the run that follows the confirmation computes other figures: not released, said
    so, exit 1 (a script calling `kac confirm` is told too)."""
    from openpyxl import load_workbook

    from tests.integration.test_correction import copy_of

    layout = copy_of(published, tmp_path)
    (path,) = layout.month_inputs("2025-03").glob("考核评分*.xlsx")
    state = json.loads((layout.restricted_pay("2025-03") / "pay_state.json").read_text(encoding="utf-8"))
    assert state["assessment_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()  # what was read
    book = load_workbook(path)
    sheet = book.worksheets[0]
    row = next(r for r in sheet.iter_rows(min_row=3) if r[0].value == "M003")  # an account manager
    row[2].value = 10 if row[2].value != 10 else 9  # their 市场调查 score changed
    book.save(path)
    folders = ["--inputs", str(layout.inputs), "--outputs", str(layout.outputs)]
    assert "考核评分在上次计算薪酬后有改动" in kac("status", "2025-03", *folders).stdout
    result = kac("confirm", "2025-03", "--by", "赵明", *folders)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "确认未生效:此前确认的考核结果" in result.stderr and "请主任重新确认" in result.stderr
    state = json.loads((layout.restricted_pay("2025-03") / "pay_state.json").read_text(encoding="utf-8"))
    assert state["state"] == "draft" and state["version"] == 2
