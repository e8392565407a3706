"""The same definitions on PostgreSQL storage with the multiprocess executor (`make test-postgres`).

Starts a real server from Debian's packages on loopback; not part of the default suite."""

from __future__ import annotations

import pandas as pd
import pytest
from dagster import AssetKey, DagsterInstance, DagsterRunStatus, RunsFilter

from assets.instance import instance_config
from assets.runner import run_month
from pipeline.core.layout import Layout
from pipeline.sample.generate import Scale, generate
from tests.integration.postgres_server import postgres_server, server_bin

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        server_bin() is None, reason="PostgreSQL not installed (make test-postgres installs it)"
    ),
]


def test_month_on_postgres_with_a_process_per_step(tmp_path_factory) -> None:
    pytest.importorskip("dagster_postgres")
    inputs = tmp_path_factory.mktemp("inputs")
    # three generated counties: few steps and pay statements, the test stays under a minute
    generate(inputs, scale=Scale(customers=120, counties=3, first="2025-01", last="2025-02"))
    layout = Layout(inputs, tmp_path_factory.mktemp("outputs"))
    with postgres_server() as url:
        layout.dagster_home.mkdir(parents=True)
        config = instance_config(layout.dagster_home, url)
        (layout.dagster_home / "dagster.yaml").write_text(config, encoding="utf-8")

        report = run_month(layout, "2025-01", executor="multiprocess")

        assert report.success, (report.failed_step, report.error)
        instance = DagsterInstance.from_config(str(layout.dagster_home))
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        month_runs = instance.get_runs(RunsFilter(job_name="month"))
        assert [r.status for r in month_runs] == [DagsterRunStatus.SUCCESS]
        assert month_runs[0].tags["dagster/partition"] == "2025-01-01"
        assert "2025-01-01" in instance.get_materialized_partitions(AssetKey("county_c0001"))
        # every step ran in its own process
        events = [e.dagster_event for e in instance.all_logs(month_runs[0].run_id) if e.dagster_event]
        pids = {e.pid for e in events if e.is_step_start}
        assert len(pids) > 10
    usage = pd.read_csv(layout.tables("2025-01") / "usage.csv")
    assert len(usage) > 0 and set(usage.month) == {"2025-01"}
    assert (layout.bulletins("2025-01") / "manifest.json").exists()
    assert (layout.site / "index.html").exists()
