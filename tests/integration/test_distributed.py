"""A month on two Celery workers (`make test-distributed`): a RabbitMQ broker and a PostgreSQL
server from Debian's packages on loopback, two `dagster-celery` workers on this machine, and
`kac run --executor celery` for a generated month of 40 counties.

The run's tables and PDFs must be byte-identical to the same month run in-process, both workers
must have taken steps, and the worker running the bulletin is killed as the step starts (its
processes, pool included, by SIGKILL, as a crash would): the broker hands
the step to the other worker (assets/workers.py) and the run finishes, correct, within a time
limit — a hung run fails the test. Not part of the default suite (marker `distributed`)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from pipeline.core.layout import REPO, Layout
from pipeline.sample.generate import Scale, generate
from tests.integration import rabbitmq_server as rabbitmq
from tests.integration.postgres_server import postgres_server, server_bin

pytestmark = [
    pytest.mark.distributed,
    pytest.mark.skipif(
        server_bin() is None or not rabbitmq.installed(),
        reason="PostgreSQL or RabbitMQ not installed (make test-distributed installs them)",
    ),
]

MONTH = "2025-01"
# 40 generated counties (two managers each: 87 pay statements), few customers: a quick month
SCALE = Scale(customers=200, counties=40, first="2025-01", last="2025-02")
WORKERS = ("w1", "w2")
KILLED_STEP = "bulletin"  # several seconds long: the kill lands while it runs
RUN_TIMEOUT = 900  # seconds for the Celery run; longer is a hung run (≈ 2 min on an idle machine)
WORKER_START_TIMEOUT = 120
# what the month publishes: its tables and its PDFs (bulletin, brief, pay statements)
COMPARED = ("*.csv", "*.parquet", "*.xlsx", "*.pdf")


def _kac(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    """`kac` from this checkout (python -m: the code beside the test, whatever is installed)."""
    return subprocess.Popen(
        [sys.executable, "-m", "assets.cli", *args],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@contextmanager
def _workers(names, config: Path, env: dict[str, str], logs: Path):
    """`dagster-celery worker start` for each name (one step at a time each, in a thread: the
    config file says so); killed at the end."""
    bin_dir = Path(sys.executable).parent
    env = {**env, "PATH": f"{bin_dir}{os.pathsep}{env.get('PATH', '')}", "PYTHONPATH": str(REPO)}
    started = {}
    try:
        for name in names:
            log = (logs / f"{name}.log").open("wb")
            started[name] = subprocess.Popen(
                [
                    *(str(bin_dir / "dagster-celery"), "worker", "start", "-A", "dagster_celery.app"),
                    *("-y", str(config), "-n", name),
                ],
                cwd=REPO,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: killed whole, pool included
            )
        deadline = time.monotonic() + WORKER_START_TIMEOUT
        while not all(" ready." in (logs / f"{n}.log").read_text(errors="replace") for n in names):
            dead = [n for n, p in started.items() if p.poll() is not None]
            assert not dead and time.monotonic() < deadline, _tails(logs, names)
            time.sleep(0.5)
        yield started
    finally:
        for process in started.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


def _tails(logs: Path, names) -> str:
    return "\n".join(f"--- {n}\n{(logs / f'{n}.log').read_text(errors='replace')[-3000:]}" for n in names)


def _worker_events(instance, run_id: str, cursor: str | None = None):
    """(step, worker) of each "Executing steps … in celery worker" event, and the next cursor."""
    from dagster import DagsterEventType

    connection = instance.get_records_for_run(run_id, cursor, of_type=DagsterEventType.ENGINE_EVENT)
    found = []
    for record in connection.records:
        event = record.event_log_entry.dagster_event
        worker = event.engine_event_data.metadata.get("Celery worker") if event else None
        if worker is not None:
            found.append((event.step_key, worker.value))
    return found, connection.cursor


def _kill_during(step: str, instance, workers, run: subprocess.Popen) -> str:
    """Wait for the month's run to hand `step` to a worker and for the step to start there;
    then SIGKILL that worker's processes. Returns the killed worker's name."""
    from dagster import DagsterEventType, RunsFilter

    cursor, run_id, name = None, None, None
    deadline = time.monotonic() + RUN_TIMEOUT
    while time.monotonic() < deadline and run.poll() is None:
        if run_id is None:
            runs = instance.get_runs(RunsFilter(job_name="month"), limit=1)
            run_id = runs[0].run_id if runs else None
        elif name is None:
            found, cursor = _worker_events(instance, run_id, cursor)
            name = next((worker.split("@")[0] for key, worker in found if key == step), None)
        else:
            starts = instance.get_records_for_run(run_id, of_type=DagsterEventType.STEP_START).records
            if any(r.event_log_entry.step_key == step for r in starts):
                os.killpg(workers[name].pid, signal.SIGKILL)
                return name
        time.sleep(0.1)
    pytest.fail(f"the run ended or timed out before step {step} started on a worker")


def _published(outputs: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(outputs)): path.read_bytes()
        for pattern in COMPARED
        for path in outputs.rglob(pattern)
        if ".dagster" not in path.relative_to(outputs).parts
    }


def test_a_month_on_two_celery_workers_survives_a_killed_worker(tmp_path, monkeypatch) -> None:
    pytest.importorskip("dagster_celery")
    from dagster import DagsterEventType, DagsterInstance, DagsterRunStatus, RunsFilter

    from assets.instance import POSTGRES_ENV, instance_for
    from assets.workers import BROKER_ENV, worker_config_yaml

    inputs = tmp_path / "inputs"
    generate(inputs, scale=SCALE)
    local, distributed = Layout(inputs, tmp_path / "in_process"), Layout(inputs, tmp_path / "celery")
    logs = tmp_path / "logs"
    logs.mkdir()

    started = time.monotonic()
    reference = _kac(
        "run", MONTH, "--inputs", str(inputs), "--outputs", str(local.outputs), "--executor", "in_process"
    )
    out, _ = reference.communicate(timeout=RUN_TIMEOUT)
    assert reference.returncode == 0, out
    in_process_seconds = time.monotonic() - started

    with ExitStack() as stack:
        postgres = stack.enter_context(postgres_server())
        broker = stack.enter_context(rabbitmq.rabbitmq_server())
        monkeypatch.setenv(POSTGRES_ENV, postgres)
        monkeypatch.setenv(BROKER_ENV, broker)
        instance = instance_for(distributed)  # dagster.yaml: storage in PostgreSQL
        env = {**os.environ, "DAGSTER_HOME": str(distributed.dagster_home)}
        config = distributed.dagster_home / "celery-worker.yaml"  # as the README has it written
        written, _ = _kac("celery-config", env=env).communicate(timeout=60)
        assert written == worker_config_yaml()
        config.write_text(written, encoding="utf-8")
        workers = stack.enter_context(_workers(WORKERS, config, env, logs))

        started = time.monotonic()
        run = _kac(
            *("run", MONTH, "--inputs", str(inputs), "--outputs", str(distributed.outputs)),
            *("--executor", "celery"),
            env=env,
        )
        killed = _kill_during(KILLED_STEP, instance, workers, run)
        try:
            out, _ = run.communicate(timeout=max(1, RUN_TIMEOUT - (time.monotonic() - started)))
        except subprocess.TimeoutExpired:
            run.kill()
            pytest.fail(f"the run hung after worker {killed} was killed\n{_tails(logs, WORKERS)}")
        celery_seconds = time.monotonic() - started
        assert run.returncode == 0, f"{out}\n{_tails(logs, WORKERS)}"

        instance = DagsterInstance.from_config(str(distributed.dagster_home))
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        [month_run] = instance.get_runs(RunsFilter(job_name="month"))
        assert month_run.status == DagsterRunStatus.SUCCESS
        handed, _ = _worker_events(instance, month_run.run_id)
        by_worker = Counter(worker.split("@")[0] for _, worker in handed)
        # both workers took steps: the 40 counties' steps alone are shared between them
        assert set(by_worker) == set(WORKERS), by_worker
        # the killed step was handed out twice: to the killed worker, then to the other one
        tries = [worker.split("@")[0] for key, worker in handed if key == KILLED_STEP]
        survivor = next(w for w in WORKERS if w != killed)
        assert tries == [killed, survivor], tries
        successes = instance.get_records_for_run(
            month_run.run_id, of_type=DagsterEventType.STEP_SUCCESS
        ).records
        done = Counter(r.event_log_entry.step_key for r in successes)
        assert done[KILLED_STEP] == 1 and max(done.values()) == 1, done

    expected, got = _published(local.outputs), _published(distributed.outputs)
    assert any(name.endswith(".pdf") for name in expected) and len(expected) > 100
    assert sorted(got) == sorted(expected)
    assert [name for name in expected if got[name] != expected[name]] == []
    print(
        f"\n{MONTH}, {SCALE.counties} counties: in-process {in_process_seconds:.0f} s; "
        f"Celery on {len(WORKERS)} workers {celery_seconds:.0f} s, steps per worker {dict(by_worker)}, "
        f"{KILLED_STEP} retried on {survivor} after {killed} was killed; {len(expected)} files identical"
    )
