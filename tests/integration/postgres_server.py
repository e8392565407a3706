"""A throwaway PostgreSQL server from Debian's `postgresql` package, on loopback, in a temp dir.

initdb and postgres refuse to run as root: as root the data directory is given to the
`postgres` user the package creates, and the server runs as that user (runuser).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def server_bin() -> Path | None:
    """The newest installed server's bin folder (/usr/lib/postgresql/N/bin), if any."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parts[-3]))
    return found[-1].parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_server_user(folder: Path) -> list[str]:
    if os.geteuid() != 0:
        return []
    shutil.chown(folder, "postgres", "postgres")
    return ["runuser", "-u", "postgres", "--"]


@contextmanager
def postgres_server() -> Iterator[str]:
    """Start a server with its data in a new temp dir; yield its URL; stop it, remove the dir."""
    bin_dir = server_bin()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL is not installed: apt-get install postgresql")
    # a dir of its own directly under the temp root, so the server user can reach it
    folder = Path(tempfile.mkdtemp(prefix="kac-pg-"))
    user = _as_server_user(folder)
    data, port = folder / "data", _free_port()
    run = lambda *cmd: subprocess.run([*user, *cmd], check=True, capture_output=True, text=True)  # noqa: E731
    try:
        run(str(bin_dir / "initdb"), "-D", str(data), "-U", "kac", "-A", "trust", "-E", "UTF8", "--no-sync")
        options = f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c fsync=off"
        run(str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w", "start")
        try:
            run(str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "kac", "kac")
            # SQLAlchemy 2.1 reads a bare postgresql:// as psycopg 3; dagster-postgres uses psycopg2
            yield f"postgresql+psycopg2://kac@127.0.0.1:{port}/kac"
        finally:
            run(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
