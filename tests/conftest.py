"""Shared fixtures: small real inputs written by the generator, and one month materialised
through Dagster into a temporary outputs folder."""

from __future__ import annotations

import fcntl
import os
import shutil
from pathlib import Path

import pytest

from pipeline.core.layout import REPO, Layout
from pipeline.ingest.reference import Reference
from pipeline.sample.generate import Scale, generate

SMALL = Scale(customers=240, first="2025-01", last="2025-03")
KINDS = ("unit", "integration", "browser")


def pytest_configure(config) -> None:
    """With as many test processes (`pytest -n`) as cores, each is given a core of its own: the
    product then writes its documents without a helper process (pipeline.render.pool), which on
    a busy machine would only take the other test process's core and cost its start."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    processes = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "0"))
    if worker.startswith("gw") and hasattr(os, "sched_setaffinity"):
        cores = sorted(os.sched_getaffinity(0))
        if processes >= len(cores) > 1:
            os.sched_setaffinity(0, {cores[int(worker[2:]) % len(cores)]})


def pytest_collection_modifyitems(items) -> None:
    """Each test is marked by its folder: `pytest -m unit` runs the seconds-long ones (no Dagster).

    Order (each module kept whole, in its own order): the modules that do not read the published
    month, then those that re-run a copy of it (the longest), then those that only read it. The
    tests are split between the processes in two blocks: one builds the month while the other
    runs tests that do not need it, and the run ends on short tests rather than a long one."""
    for item in items:
        kind = next((k for k in KINDS if f"tests/{k}/" in item.nodeid), None)
        if kind:
            item.add_marker(kind)
    reading = {item.module for item in items if "published" in item.fixturenames}
    copying = {i.module for i in items if {"published", "tmp_path"} <= set(i.fixturenames)}
    items.sort(key=lambda item: 0 if item.module not in reading else 1 if item.module in copying else 2)


@pytest.fixture(scope="session")
def reference() -> Reference:
    return Reference.load(REPO / "inputs" / "reference")


def _small_sample(inputs: Path) -> Path:
    shutil.copytree(REPO / "inputs" / "reference", inputs / "reference")
    generate(inputs, scale=SMALL)
    return inputs


@pytest.fixture(scope="session")
def small_inputs(tmp_path_factory) -> Path:
    """Three months of generated county workbooks for 240 customers."""
    return _small_sample(tmp_path_factory.mktemp("inputs"))


@pytest.fixture(scope="session")
def published(tmp_path_factory, worker_id: str) -> Layout:
    """2025-03 run end to end through Dagster (history months built first), from the small
    sample. Built once for every test process (≈ 50 s) and only read: a test that changes or
    re-runs it works on a copy (`copy_of`)."""
    from assets.runner import run_month

    shared = tmp_path_factory.getbasetemp()
    shared = shared.parent if worker_id != "master" else shared  # the processes' common folder
    layout = Layout(shared / "published" / "inputs", shared / "published" / "outputs")
    with (shared / "published.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the first process builds it, the others wait for it
        if not (shared / "published" / ".built").exists():
            shutil.rmtree(shared / "published", ignore_errors=True)
            _small_sample(layout.inputs)
            report = run_month(layout, "2025-03")
            assert report.success, report.error
            assert report.history_months == ["2025-01", "2025-02"]
            (shared / "published" / ".built").touch()
    return layout
