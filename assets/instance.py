"""The operator's Dagster instance under outputs/.dagster: its dagster.yaml, and the SQLite event
log that a month's run writes about 400 events a month into."""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dagster import DagsterInstance
from dagster._core.storage.event_log import SqliteEventLogStorage
from dagster._core.storage.sql import create_engine
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from pipeline.core.layout import Layout

# No telemetry, no per-step stdout capture (≈10 % of a month's run), and no per-step debug
# lines from step processes on the console (events are still stored).
COMMON_CONFIG = """\
telemetry:
  enabled: false
compute_logs:
  module: dagster._core.storage.noop_compute_log_manager
  class: NoOpComputeLogManager
python_logs:
  python_log_level: INFO
"""
# Events in SQLite files under the instance, written through EventLogOnOpenFiles (below).
SQLITE_STORAGE = """\
event_log_storage:
  module: assets.instance
  class: EventLogOnOpenFiles
  config:
    base_dir: {events}
"""
# Runs, events and schedules in PostgreSQL (dagster-postgres) instead of SQLite files: for
# several machines or many step processes writing events at once. The URL is read from the
# environment where the file says `{env: KAC_POSTGRES_URL}`.
POSTGRES_ENV = "KAC_POSTGRES_URL"
POSTGRES_STORAGE = """\
storage:
  postgres:
    postgres_url: {url}
"""
OPEN_SHARDS = 8  # the index and the runs being written; more only for `dagster dev` reading old runs


class EventLogOnOpenFiles(SqliteEventLogStorage):
    """Dagster's SQLite event log, with each file's connection kept open and commits not synced
    to disk one by one.

    The stock storage opens a new engine and connection for every event and syncs every commit:
    ≈ 16 ms an event here, 5 of a history month's 12 s (benchmarks/RESULTS.md). In WAL mode,
    `synchronous=NORMAL` still never corrupts the file; a power cut may lose the last events,
    and then the month is simply computed again (the tables are written atomically apart)."""

    def __init__(self, base_dir: str, inst_data=None):
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._engines_lock = threading.Lock()
        self._tables_found: set[str] = set()
        super().__init__(base_dir, inst_data)

    @classmethod
    def from_config_value(cls, inst_data, config_value) -> EventLogOnOpenFiles:
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str) -> Engine:
        with self._engines_lock:
            engine = self._engines.pop(shard, None)
            if engine is None:
                engine = create_engine(self.conn_string_for_shard(shard), connect_args={"timeout": 30})
                event.listen(engine, "connect", _unsynced_commits)
            self._engines[shard] = engine  # most recently used last
            while len(self._engines) > OPEN_SHARDS:
                self._engines.popitem(last=False)[1].dispose()
            return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def has_table(self, table_name: str) -> bool:
        """Asked before every asset-check event, and answered each time through a new engine:
        a table once found stays (until `wipe`), so the answer is kept."""
        if table_name not in self._tables_found and super().has_table(table_name):
            self._tables_found.add(table_name)
        return table_name in self._tables_found

    def close_files(self) -> None:
        with self._engines_lock:
            while self._engines:
                self._engines.popitem()[1].dispose()

    def wipe(self) -> None:
        self.close_files()
        self._tables_found.clear()
        super().wipe()

    def delete_events(self, run_id: str) -> None:
        super().delete_events(run_id)
        self.close_files()

    def dispose(self) -> None:
        self.close_files()
        super().dispose()


def _unsynced_commits(connection, _record) -> None:
    connection.execute("PRAGMA synchronous=NORMAL")


def instance_config(home: Path, postgres_url: str | None = None) -> str:
    """dagster.yaml of the instance at `home`: SQLite files under it, or PostgreSQL at
    `postgres_url` (written as given; pass "{env: KAC_POSTGRES_URL}" to keep it out of the file)."""
    if postgres_url:
        return COMMON_CONFIG + POSTGRES_STORAGE.format(url=postgres_url)
    return COMMON_CONFIG + SQLITE_STORAGE.format(events=home.resolve() / "history" / "runs")


def write_instance_config(home: Path) -> None:
    """A new instance uses PostgreSQL where KAC_POSTGRES_URL is set. One on SQLite names its own
    folder: rewritten when the outputs were copied or moved, and when written by an earlier
    release (same storage, same files)."""
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    current = config.read_text(encoding="utf-8") if config.exists() else None
    if current is not None and "postgres" in current:
        return
    if current is None and os.environ.get(POSTGRES_ENV):
        wanted = instance_config(home, f"{{env: {POSTGRES_ENV}}}")
    else:
        wanted = instance_config(home)
    if current != wanted:
        config.write_text(wanted, encoding="utf-8")


def instance_for(layout: Layout) -> DagsterInstance:
    """The persistent instance under outputs/.dagster (shared with `dagster dev` via DAGSTER_HOME)."""
    write_instance_config(layout.dagster_home)
    return DagsterInstance.from_config(str(layout.dagster_home))
