"""Steps on Celery workers (dagster-celery): the executor a month runs with when `celery` is
chosen, and the configuration its workers start with. Both come from here, so that the run and
the workers agree on the broker and on how a step is acknowledged.

A step's message is acknowledged only once the step has finished (`task_acks_late`), and a
worker whose step process dies gives the message back (`task_reject_on_worker_lost`). A worker
that is killed, or whose machine is lost, leaves its step unacknowledged: the broker (RabbitMQ)
hands it to another worker as soon as the dead worker's connection closes, and the run goes on.
Without this the message is acknowledged on receipt and lost with the worker, and the run
waits for its result for ever. Each worker holds one step at a time (prefetch 1), so a dead
worker takes no queued step with it. A step may therefore run twice; every step writes its
files whole (atomic_write), so the second run replaces what the first left.

A worker runs its step in a thread of its own process (`worker_pool = "threads"`, one at a
time), not in Celery's default pool of daemonic processes, which may not start processes of
their own as a step that renders many PDFs does (a helper process on the second core). Start
one worker per core.
"""

from __future__ import annotations

import os

import yaml
from dagster import ExecutorDefinition

BROKER_ENV = "KAC_CELERY_BROKER"  # e.g. pyamqp://kac:password@broker.internal//
BACKEND_ENV = "KAC_CELERY_BACKEND"  # where results go back to the run; rpc:// uses the broker
DEFAULT_BROKER = "pyamqp://guest@localhost//"
DEFAULT_BACKEND = "rpc://"
CELERY_SETTINGS = {
    "task_acks_late": True,
    "task_reject_on_worker_lost": True,
    "worker_prefetch_multiplier": 1,
    "worker_pool": "threads",
    "worker_concurrency": 1,
}


def celery_config(broker: str | None = None, backend: str | None = None) -> dict:
    """The Celery executor's config: broker and backend as given, else KAC_CELERY_BROKER and
    KAC_CELERY_BACKEND, else RabbitMQ on this machine with results over it."""
    return {
        "broker": broker or os.environ.get(BROKER_ENV) or DEFAULT_BROKER,
        "backend": backend or os.environ.get(BACKEND_ENV) or DEFAULT_BACKEND,
        "config_source": dict(CELERY_SETTINGS),
    }


def celery_executor_def() -> ExecutorDefinition:
    """dagster-celery's executor with this deployment's broker and settings."""
    from dagster_celery import celery_executor

    return celery_executor.configured(celery_config(), name="celery")


def worker_config_yaml(broker: str | None = None, backend: str | None = None) -> str:
    """The file for `dagster-celery worker start -A dagster_celery.app -y FILE`: the same
    broker, backend and settings as the run's executor."""
    return yaml.safe_dump({"execution": {"config": celery_config(broker, backend)}}, sort_keys=False)
