"""`kac` as the operator meets it: Chinese one-line errors, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from pipeline.layout import REPO


def kac(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


def test_month_outside_the_partitions_is_one_line(small_inputs, tmp_path):
    result = kac("run", "2030-01", "--inputs", str(small_inputs), "--outputs", str(tmp_path))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "找不到" in result.stderr and "2030-01" in result.stderr


def test_malformed_month_is_explained(tmp_path):
    result = kac("run", "2025-13", "--outputs", str(tmp_path))
    assert result.returncode == 2
    assert "月份应写作 YYYY-MM" in result.stderr and "Traceback" not in result.stderr


def test_status_lists_every_county(small_inputs):
    result = kac("status", "2025-03", "--inputs", str(small_inputs))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert sum(1 for line in lines if line.split() and line.split()[0].endswith(("县", "市"))) == 17
    assert any(line.startswith("甘洛县") and "退回" in line for line in lines)


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
    (inputs / "reference" / "rules.toml").unlink()
    result = kac("status", "2025-03", "--inputs", str(inputs))
    assert result.returncode == 1 and "参考数据缺少文件 rules.toml" in result.stderr


def test_schedule_on_the_4th_asks_for_the_month_just_closed(small_inputs, tmp_path):
    from datetime import datetime

    from dagster import build_schedule_context

    from assets.definitions import build_defs

    defs = build_defs(small_inputs, tmp_path)
    schedule = defs.resolve_schedule_def("month_on_the_4th")
    assert schedule.cron_schedule == "0 6 4 * *"
    (request,) = schedule.evaluate_tick(
        build_schedule_context(scheduled_execution_time=datetime(2026, 12, 4, 6, 0))
    ).run_requests
    assert request.partition_key == "2026-11-01" and request.job_name == "month"
