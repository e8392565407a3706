"""A run that fails leaves the published month byte for byte as it was; the next run completes it.
An empty month folder publishes nothing and says why."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import assets.publications
from assets.cli import main as kac
from assets.runner import run_month
from pipeline.core.layout import REPO
from pipeline.publish.editions import read_manifest
from tests.integration.test_correction import MONTH, copy_of, raise_a_new_collection


def published_files(layout) -> dict[str, str]:
    """Every file a reader can reach (the Dagster instance and its stored values aside), by path,
    with its sha256; the site through its link, as a reader follows it."""
    out = {}
    for path in sorted(layout.outputs.rglob("*")):
        rel = path.relative_to(layout.outputs)
        if rel.parts[0] in (".dagster", ".snapshots", "site-releases") or not path.is_file():
            continue
        if path.is_relative_to(layout.storage):
            continue
        out[str(rel)] = hashlib.sha256(path.read_bytes()).hexdigest()
    for path in sorted(layout.site.resolve().rglob("*")):
        if path.is_file():
            out[f"site/{path.relative_to(layout.site.resolve())}"] = hashlib.sha256(
                path.read_bytes()
            ).hexdigest()
    return out


def site_fails(*args, **kwargs):
    raise OSError("磁盘已满")


def test_a_failure_in_the_last_step_leaves_the_published_month_untouched(published, tmp_path, monkeypatch):
    """From `kac run` (the runner puts it back at once) and from the UI (the failure sensor does),
    then the next successful run completes the month."""
    layout = copy_of(published, tmp_path)
    (workbook,) = layout.month_inputs(MONTH).glob("会东县_*.xlsx")
    raise_a_new_collection(workbook, 1000.00)  # a real correction: every step has something new to write
    before = published_files(layout)
    monkeypatch.setattr(assets.publications, "build_site", site_fails)

    report = run_month(layout, MONTH)
    assert not report.success and report.failed_step == "site" and report.restored == [MONTH]
    assert published_files(layout) == before  # tables, problems, bulletins, pay and site as they were
    assert not any((layout.outputs / ".snapshots").iterdir())

    failed_ui_run_put_back_by_the_sensor(layout)
    assert published_files(layout) == before

    monkeypatch.undo()
    assert run_month(layout, MONTH).success  # the next run completes the month
    after = published_files(layout)
    assert any(p.startswith(f"bulletins/{MONTH}/v2/") for p in after)
    assert after[f"tables/{MONTH}/usage.csv"] != before[f"tables/{MONTH}/usage.csv"]


def failed_ui_run_put_back_by_the_sensor(layout) -> None:
    """The month job as the UI launches it (no runner around it), failing; then the sensor's tick."""
    from dagster import build_run_status_sensor_context

    from assets.definitions import build_defs
    from assets.instance import instance_for
    from assets.resources import KacSettings

    before = published_files(layout)
    defs = build_defs(layout.inputs, layout.outputs)
    with instance_for(layout) as instance:
        result = defs.resolve_job_def("month").execute_in_process(
            partition_key=f"{MONTH}-01", instance=instance, raise_on_error=False
        )
        assert not result.success
        assert published_files(layout) != before  # the run wrote tables and bulletins before it failed
        failure = next(e for e in result.all_events if e.event_type_value == "PIPELINE_FAILURE")
        context = build_run_status_sensor_context(
            sensor_name="restore_published_on_failure",
            dagster_event=failure,
            dagster_instance=instance,
            dagster_run=result.dagster_run,
            resources={
                "settings": KacSettings(inputs_dir=str(layout.inputs), outputs_dir=str(layout.outputs))
            },
        ).for_run_failure()
        defs.get_sensor_def("restore_published_on_failure")(context)


def test_an_empty_month_folder_publishes_nothing_and_says_why(published, tmp_path, capsys):
    layout = copy_of(published, tmp_path)
    layout.month_inputs("2025-04").mkdir()  # the operator made the folder, no county has sent yet
    before = published_files(layout)
    code = kac(["run", "2025-04", "--inputs", str(layout.inputs), "--outputs", str(layout.outputs)])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    assert "没有可以采用的县(市)报表(未报送 17 个、退回 0 个)" in err and "kac status 2025-04" in err
    assert published_files(layout) == before and not layout.tables("2025-04").exists()


KILLED = """
import json, os, sys
from pathlib import Path
from pipeline.core.layout import Layout
from pipeline.publish.snapshot import take_snapshot
layout = Layout(Path(sys.argv[1]), Path(sys.argv[2]))
take_snapshot(layout, sys.argv[3], "a-run-killed-midway", with_site=True, holds_run=True)
usage = layout.tables(sys.argv[3]) / "usage.csv"
usage.write_text(usage.read_text(encoding="utf-8").splitlines()[0] + "\\n", encoding="utf-8")
manifest = layout.bulletins(sys.argv[3]) / "manifest.json"
data = json.loads(manifest.read_text(encoding="utf-8"))
data["versions"].append({**data["versions"][-1], "version": 2, "content_hash": "0" * 64})
manifest.write_text(json.dumps(data), encoding="utf-8")
os.kill(os.getpid(), 9)  # no handler runs: as a closed session's SIGKILL or a power cut
"""


def test_a_run_killed_midway_is_put_back_before_the_next_run(published, tmp_path, capsys):
    """A run that could not clean up (SIGKILL) left the month half-written: its tables rewritten,
    a version recorded with nothing behind it. The next `kac run` puts the month back as it was
    published first, says so, and then publishes it as the inputs say (here: unchanged)."""
    layout = copy_of(published, tmp_path)
    before = published_files(layout)
    killed = subprocess.run(
        [sys.executable, "-c", KILLED, str(layout.inputs), str(layout.outputs), MONTH],
        cwd=str(REPO),
    )
    assert killed.returncode == -9
    assert published_files(layout)[f"tables/{MONTH}/usage.csv"] != before[f"tables/{MONTH}/usage.csv"]
    code = kac(["run", MONTH, "--inputs", str(layout.inputs), "--outputs", str(layout.outputs)])
    out = capsys.readouterr().out
    assert code == 0 and "上次运行被终止" in out and "已恢复为该次运行前已发布的内容" in out
    versions = read_manifest(layout.bulletins(MONTH))["versions"]
    assert [v["version"] for v in versions] == [1]  # the killed run's version 2 went with it
    assert published_files(layout) == before
    assert not any((layout.outputs / ".snapshots").iterdir())


def test_a_run_that_ended_well_after_dagster_dev_stopped_keeps_what_it_published(published, tmp_path, capsys):
    """Stopped while a run was going, `dagster dev` leaves the run's process to finish it; its copy
    of the month as it was stays behind (no sensor was left to drop it). The next `kac run`
    drops that copy: putting it back would undo a publication that completed."""
    from assets.definitions import build_defs
    from assets.instance import instance_for
    from pipeline.publish.snapshot import _let_go

    layout = copy_of(published, tmp_path)
    (workbook,) = layout.month_inputs(MONTH).glob("会东县_*.xlsx")
    raise_a_new_collection(workbook, 1000.00)
    job = build_defs(layout.inputs, layout.outputs).resolve_job_def("month")
    with instance_for(layout) as instance:  # a UI run, with no sensor left to drop its copy
        assert job.execute_in_process(partition_key=f"{MONTH}-01", instance=instance).success
    (left,) = (layout.outputs / ".snapshots").iterdir()
    _let_go(left.name)  # the run's process gone
    published_now = published_files(layout)

    code = kac(["run", MONTH, "--inputs", str(layout.inputs), "--outputs", str(layout.outputs)])
    assert code == 0 and "上次运行被终止" not in capsys.readouterr().out
    assert [v["version"] for v in read_manifest(layout.bulletins(MONTH))["versions"]] == [1, 2]
    assert published_files(layout) == published_now
    assert not any((layout.outputs / ".snapshots").iterdir())
