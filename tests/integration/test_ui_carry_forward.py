"""The UI path agrees with `kac`: when the sensor re-runs a corrected month, every later month
already computed is recomputed after it, in order, as `kac run` does. The sensor is evaluated
as the daemon would (build_sensor_context on the real instance) and each run it asks for is
executed with the request's partition, selection and tags."""

from __future__ import annotations

import subprocess

from dagster import AssetKey, DagsterRunStatus, SkipReason, build_sensor_context

from assets.definitions import build_defs
from assets.instance import instance_for
from assets.resources import KacSettings
from assets.runner import run_month
from pipeline.core.layout import Layout
from pipeline.publish.carry_forward import MonthState, next_run
from tests.integration.test_correction import MONTH, copy_of, raise_a_new_collection

FEBRUARY = "2025-02"
PUBLICATIONS = {AssetKey("edition"), AssetKey("bulletin"), AssetKey("site")}


def evaluate(layout: Layout):
    """One tick of `county_files_changed` against the deployment's instance."""
    defs = build_defs(layout.inputs, layout.outputs)
    settings = KacSettings(inputs_dir=str(layout.inputs), outputs_dir=str(layout.outputs))
    with instance_for(layout) as instance:
        context = build_sensor_context(instance=instance, resources={"settings": settings})
        return defs.resolve_sensor_def("county_files_changed")(context)


def launch(layout: Layout, request) -> None:
    """Run a request as the daemon launches it (same partition, selection and tags)."""
    defs = build_defs(layout.inputs, layout.outputs)
    with instance_for(layout) as instance:
        result = defs.resolve_job_def("month").execute_in_process(
            partition_key=request.partition_key,
            asset_selection=request.asset_selection,
            tags={**request.tags, "dagster/sensor_name": "county_files_changed"},
            instance=instance,
        )
    assert result.success


def march_tables(layout: Layout) -> dict[str, bytes]:
    folder = layout.tables(MONTH)
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.csv"))}


def test_a_corrected_month_in_the_ui_recomputes_the_months_after_it_as_kac_does(published, tmp_path):
    ui = copy_of(published, tmp_path / "ui")
    kac = copy_of(published, tmp_path / "kac")
    march_v1 = next((ui.bulletins(MONTH) / "v1").glob("信息简报_*.pdf")).read_bytes()
    for layout in (ui, kac):
        (february,) = layout.month_inputs(FEBRUARY).glob("会东县_*.xlsx")
        raise_a_new_collection(february, 5000.00)

    # tick 1: February, a month computed only as history, is recomputed as history
    (feb,) = evaluate(ui).run_requests
    assert feb.partition_key == f"{FEBRUARY}-01" and "kac/after" not in feb.tags
    assert [k.path[0] for k in feb.asset_selection if k.path[0].startswith("county_")] == ["county_huidong"]
    assert AssetKey("tiers") in feb.asset_selection and not PUBLICATIONS & set(feb.asset_selection)
    launch(ui, feb)

    # tick 2: March follows February (its 环比 and tiers read February), published in full
    (mar,) = evaluate(ui).run_requests
    assert mar.partition_key == f"{MONTH}-01" and mar.tags["kac/after"] == FEBRUARY
    assert mar.tags["kac/counties"] == ""  # no March file is read again
    assert set(mar.asset_selection) >= PUBLICATIONS
    (again,) = evaluate(ui).run_requests
    assert again.run_key == mar.run_key  # asked for once, however many ticks before it runs
    launch(ui, mar)
    assert evaluate(ui).run_requests == []  # every month current

    report = run_month(kac, FEBRUARY)
    assert report.success and report.later_months == [(MONTH, 2, True)]  # March's 环比 uses February
    assert report.counties_read == {FEBRUARY: ["huidong"], MONTH: []}  # no other file read again
    assert evaluate(kac).run_requests == []  # kac carried its months forward itself
    # the same March from both paths: tables, and a second version with its 更正说明
    assert march_tables(ui) == march_tables(kac)
    assert next((ui.bulletins(MONTH) / "v1").glob("信息简报_*.pdf")).read_bytes() == march_v1
    for layout in (ui, kac):
        (v2,) = (layout.bulletins(MONTH) / "v2").glob("信息简报_*第2版.pdf")
        text = subprocess.run(["pdftotext", "-layout", str(v2), "-"], capture_output=True, text=True).stdout
        assert "更正说明(第2版,相对第1版)" in text and "全州收入环比" in text
    again = run_month(kac, FEBRUARY)  # nothing changed since: nothing new anywhere
    assert again.success and again.later_months == [(MONTH, 2, False)]
    assert again.counties_read == {FEBRUARY: [], MONTH: []}


def test_the_sensor_waits_while_a_month_runs(published, tmp_path):
    layout = copy_of(published, tmp_path)
    (february,) = layout.month_inputs(FEBRUARY).glob("会东县_*.xlsx")
    raise_a_new_collection(february, 100.00)
    job = build_defs(layout.inputs, layout.outputs).resolve_job_def("month")
    with instance_for(layout) as instance:
        waiting = instance.create_run_for_job(
            job, status=DagsterRunStatus.NOT_STARTED, tags={"dagster/partition": f"{MONTH}-01"}
        )
    skipped = evaluate(layout)
    assert isinstance(skipped, SkipReason) and waiting.run_id[:8] in skipped.skip_message
    with instance_for(layout) as instance:
        instance.delete_run(waiting.run_id)
    assert [r.partition_key for r in evaluate(layout).run_requests] == [f"{FEBRUARY}-01"]


def state(month: str, start: float, end: float, *, changed: bool = False, by_kac: bool = False) -> MonthState:
    return MonthState(month, changed, f"run-{month}", start, end, by_kac)


def test_next_run_follows_the_earliest_month_recomputed_outside_kac():
    in_order = [state("2025-01", 0, 1), state("2025-02", 2, 3), state("2025-03", 4, 5)]
    assert next_run(in_order) is None
    feb_again = [state("2025-01", 0, 1), state("2025-02", 6, 7), state("2025-03", 4, 5)]
    chosen = next_run(feb_again)
    assert chosen.month == "2025-03" and chosen.after.month == "2025-02"
    # kac recomputes the later months itself: a kac run of February asks for nothing
    by_kac = [state("2025-01", 0, 1), state("2025-02", 6, 7, by_kac=True), state("2025-03", 4, 5)]
    assert next_run(by_kac) is None
    # changed counties come first, earliest month first; later months wait for it
    changed = [
        state("2025-01", 0, 1),
        state("2025-02", 6, 7, changed=True),
        state("2025-03", 4, 5, changed=True),
    ]
    assert next_run(changed).month == "2025-02" and next_run(changed).after is None
    # a month computed while the one before it was still running is behind it too
    overlapping = [state("2025-01", 0, 5), state("2025-02", 3, 6)]
    assert next_run(overlapping).month == "2025-02"


def test_the_definitions_dagster_dev_loads_hold_the_sensor():
    from dagster import Definitions

    from assets.definitions import defs

    Definitions.validate_loadable(defs)
    assert defs.resolve_sensor_def("county_files_changed").job_name == "month"
