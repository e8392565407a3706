"""The files the steps read are observed sources with a data version: a changed workbook changes
its month's version only, and the sensor asks for an observation only when files changed."""

from __future__ import annotations

import warnings

from dagster import AssetKey, DagsterInstance, build_sensor_context

from assets.definitions import build_defs
from assets.instance import instance_for
from assets.resources import KacSettings
from assets.sources import OBSERVE_JOB, OBSERVE_SURVEYS_JOB, sources_changed
from tests.integration.test_correction import copy_of


def observed(instance: DagsterInstance, name: str) -> dict[str | None, str]:
    """The latest data version of each partition of source `name`."""
    out: dict[str | None, str] = {}
    for record in instance.fetch_observations(AssetKey(name), limit=1000).records:  # newest first
        out.setdefault(record.partition_key, record.asset_observation.tags["dagster/data_version"])
    return out


def observe(layout, instance) -> None:
    defs = build_defs(layout.inputs, layout.outputs)
    for job in (OBSERVE_JOB, OBSERVE_SURVEYS_JOB):
        assert defs.resolve_job_def(job).execute_in_process(instance=instance).success


def test_a_changed_workbook_changes_the_version_of_its_month_only(published, tmp_path) -> None:
    layout = copy_of(published, tmp_path)
    wave = layout.inputs / "surveys" / "2025-H1"
    wave.mkdir(parents=True)
    (wave / "西昌市_满意度测评.xlsx").write_bytes(b"a wave's workbook")
    instance = instance_for(layout)
    observe(layout, instance)
    months = observed(instance, "month_workbooks")
    tables = observed(instance, "computed_tables")
    reference = observed(instance, "reference_data")
    assert {"2025-01-01", "2025-02-01", "2025-03-01"} <= set(months)
    assert {"2025-01-01", "2025-02-01", "2025-03-01"} <= set(tables)
    assert list(reference) == [None]  # one version for the whole reference folder
    assert list(observed(instance, "survey_workbooks")) == ["2025-H1"]

    (workbook, *_) = sorted(layout.month_inputs("2025-02").glob("*.xlsx"))
    workbook.write_bytes(workbook.read_bytes() + b"\0")  # a county sends another file
    observe(layout, instance)
    after = observed(instance, "month_workbooks")
    assert after["2025-02-01"] != months["2025-02-01"]
    assert {k: v for k, v in after.items() if k != "2025-02-01"} == {
        k: v for k, v in months.items() if k != "2025-02-01"
    }
    assert observed(instance, "computed_tables") == tables
    assert observed(instance, "reference_data") == reference


def test_the_sensor_observes_only_when_files_changed(published, tmp_path) -> None:
    layout = copy_of(published, tmp_path)
    settings = KacSettings(inputs_dir=str(layout.inputs), outputs_dir=str(layout.outputs))

    def tick(cursor: str | None):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            context = build_sensor_context(cursor=cursor, resources={"settings": settings})
            return sources_changed.evaluate_tick(context)

    first = tick(None)
    assert sorted(r.job_name for r in first.run_requests) == sorted([OBSERVE_JOB, OBSERVE_SURVEYS_JOB])
    unchanged = tick(first.cursor)
    assert not unchanged.run_requests and unchanged.skip_message
    rules = layout.reference / "rules.toml"
    rules.write_text(rules.read_text(encoding="utf-8") + "\n# 注释\n", encoding="utf-8")
    again = tick(first.cursor)
    assert len(again.run_requests) == 2
    assert {r.run_key for r in again.run_requests}.isdisjoint({r.run_key for r in first.run_requests})
