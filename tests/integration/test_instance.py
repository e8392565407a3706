"""The operator's instance: its dagster.yaml names its own folder, events are kept in SQLite files
held open, and a copied outputs folder keeps its history."""

from __future__ import annotations

import shutil
import sqlite3

from dagster import AssetKey, DagsterInstance, asset, materialize

from assets.instance import EventLogOnOpenFiles, instance_for, write_instance_config
from pipeline.core.layout import Layout


@asset
def counted() -> int:
    return 1


def test_events_are_stored_and_read_back_and_a_moved_instance_keeps_them(tmp_path) -> None:
    layout = Layout(tmp_path / "inputs", tmp_path / "outputs")
    with instance_for(layout) as instance:
        assert isinstance(instance.event_log_storage, EventLogOnOpenFiles)
        for _ in range(3):
            assert materialize([counted], instance=instance).success
        runs = instance.get_runs()
        shard = layout.dagster_home / "history" / "runs" / f"{runs[0].run_id}.db"
        with instance.event_log_storage.run_connection(runs[0].run_id) as conn:
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL, in WAL mode
        assert len(instance.fetch_materializations(AssetKey("counted"), limit=10).records) == 3
        events = len(instance.all_logs(runs[0].run_id))
    # every event of the run is in its file, readable by any SQLite client once the files are closed
    with sqlite3.connect(shard) as db:
        kinds = [row[0] for row in db.execute("SELECT dagster_event_type FROM event_logs ORDER BY id")]
    assert len(kinds) == events > 5
    assert {"ASSET_MATERIALIZATION", "STEP_SUCCESS"} <= set(kinds)
    assert kinds[-1] == "PIPELINE_SUCCESS"  # the run's success, under its stored name

    moved = Layout(tmp_path / "inputs", tmp_path / "moved")
    shutil.move(layout.outputs, moved.outputs)
    with instance_for(moved) as instance:
        config = (moved.dagster_home / "dagster.yaml").read_text(encoding="utf-8")
        assert str(moved.dagster_home.resolve() / "history" / "runs") in config
        assert str(tmp_path / "outputs") not in config
        assert len(instance.fetch_materializations(AssetKey("counted"), limit=10).records) == 3
        assert materialize([counted], instance=instance).success
    assert not (tmp_path / "outputs").exists()  # nothing written where the outputs were


def test_an_instance_on_postgresql_is_left_as_configured(tmp_path) -> None:
    layout = Layout(tmp_path / "inputs", tmp_path / "outputs")
    layout.dagster_home.mkdir(parents=True)
    config = layout.dagster_home / "dagster.yaml"
    text = "storage:\n  postgres:\n    postgres_url: {env: KAC_POSTGRES_URL}\n"
    config.write_text(text, encoding="utf-8")
    write_instance_config(layout.dagster_home)
    assert config.read_text(encoding="utf-8") == text


def test_an_instance_written_by_an_earlier_release_moves_to_the_open_files(tmp_path) -> None:
    """Same folder, same files: the earlier run's materialisations are still known."""
    layout = Layout(tmp_path / "inputs", tmp_path / "outputs")
    layout.dagster_home.mkdir(parents=True)
    (layout.dagster_home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    with DagsterInstance.from_config(str(layout.dagster_home)) as stock:
        assert type(stock.event_log_storage) is not EventLogOnOpenFiles
        assert materialize([counted], instance=stock).success
    with instance_for(layout) as instance:
        assert isinstance(instance.event_log_storage, EventLogOnOpenFiles)
        assert instance.get_latest_materialization_event(AssetKey("counted")) is not None
