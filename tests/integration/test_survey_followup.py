"""Survey follow-up closes the loop, through Dagster on the committed survey workbooks: the next
wave's report lists the previous wave's follow-up customers still waiting (one of them visited in
between, by hand), and a wave without workbooks publishes nothing and removes what an earlier run
left."""

from __future__ import annotations

import re
import shutil
import subprocess

import pandas as pd
from dagster import instance_for_test, materialize

from assets.checks import contract_checks
from assets.resources import KacSettings
from assets.surveys import survey_wave
from pipeline.core.layout import REPO


def run(settings, instance, wave: str):
    result = materialize(
        [survey_wave, contract_checks()[1]],  # the wave's contract check
        partition_key=wave,
        resources={"settings": settings},
        instance=instance,
        selection=[survey_wave],
    )
    assert result.success
    return result


def test_the_next_wave_shows_who_still_waits_and_an_empty_wave_publishes_nothing(tmp_path):
    inputs, outputs = tmp_path / "inputs", tmp_path / "outputs"
    shutil.copytree(REPO / "inputs" / "reference", inputs / "reference")
    for wave in ("2025-H2", "2026-H1"):
        shutil.copytree(REPO / "inputs" / "surveys" / wave, inputs / "surveys" / wave)
    settings = KacSettings(inputs_dir=str(inputs), outputs_dir=str(outputs))
    stale = outputs / "tables" / "surveys" / "2026-H2"  # what the old code wrote for a wave with no survey
    stale.mkdir(parents=True)
    (stale / "satisfaction.csv").write_text("wave\n2026-H2\n", encoding="utf-8")
    with instance_for_test() as instance:
        run(settings, instance, "2025-H2")
        earlier = pd.read_csv(outputs / "tables" / "surveys" / "2025-H2" / "followup.csv", dtype=str)
        assert len(earlier) > 2 and earlier.surveyed.str.match(r"2025-12-\d\d").all()
        # one follow-up customer visited in January 2026, after its survey; the rest never contacted
        first = earlier.iloc[0]
        january = outputs / "tables" / "2026-01"
        january.mkdir(parents=True)
        pd.DataFrame({"customer_id": [first.customer_id], "date": ["2026-01-05"]}).to_parquet(
            january / "visits.parquet"
        )
        run(settings, instance, "2026-H1")
        status = pd.read_csv(outputs / "tables" / "surveys" / "2026-H1" / "followup_previous.csv", dtype=str)
        assert len(status) == len(earlier)
        done = status[status.customer_id == first.customer_id].iloc[0]
        assert (done.contacted, done.status) == (
            "2026-01-05",
            "done",
        )  # surveyed 2025-12-10 or later: due 2026-01-09 or later
        assert (status.status == "overdue").sum() == len(earlier) - 1
        pdf = outputs / "bulletins" / "surveys" / "2026-H1" / "满意度测评报告_2026年上半年.pdf"
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
        assert "上轮(2025-H2)回访跟进" in text
        assert f"上轮需回访客户 {len(earlier)} 户" in text and f"的 {len(earlier) - 1} 户如下" in text
        section = text[text.index("上轮(2025-H2)回访跟进") :]
        shown = re.findall(r"(2025-12-\d\d)\s+(2026-01-\d\d)", section)  # 测评日期, 回访期限 of each row
        waiting = status[status.status == "overdue"]
        assert sorted(shown) == sorted(zip(waiting.surveyed, waiting.due, strict=True))

        result = run(settings, instance, "2026-H2")  # no workbooks
        assert result.output_for_node("survey_wave") == {"wave": "2026-H2", "responses": 0}
        assert not stale.exists() and not (outputs / "bulletins" / "surveys" / "2026-H2").exists()
        (check,) = result.get_asset_check_evaluations()
        assert check.passed
