"""A throwaway RabbitMQ broker from Debian's `rabbitmq-server` package, on loopback, in a temp dir.

Started as its own Erlang node with every port on 127.0.0.1 and free (AMQP, the distribution
port and the port mapper, epmd, which it starts and this stops), its data and logs in the temp
dir, so that it neither needs nor disturbs a system broker. The `guest` user may connect from
loopback only, which is all the test needs.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SERVER = Path("/usr/lib/rabbitmq/bin/rabbitmq-server")  # the script itself, not the wrapper that su's
START_TIMEOUT = 120  # seconds; ≈ 8 s on an idle 2-core machine


def installed() -> bool:
    return SERVER.exists() and shutil.which("epmd") is not None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


@contextmanager
def rabbitmq_server() -> Iterator[str]:
    """Start a broker with its data in a new temp dir; yield its AMQP URL; stop it, remove the dir."""
    if not installed():
        raise RuntimeError("RabbitMQ is not installed: apt-get install rabbitmq-server")
    folder = Path(tempfile.mkdtemp(prefix="kac-rabbitmq-"))
    port, dist_port, epmd_port = _free_port(), _free_port(), _free_port()
    (folder / "env.conf").write_text("", encoding="utf-8")  # not /etc/rabbitmq/rabbitmq-env.conf
    (folder / "enabled_plugins").write_text("[].\n", encoding="utf-8")
    env = {
        **os.environ,
        "HOME": str(folder),  # the Erlang cookie
        "RABBITMQ_CONF_ENV_FILE": str(folder / "env.conf"),
        "RABBITMQ_NODENAME": f"kac{port}@localhost",
        "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
        "RABBITMQ_NODE_PORT": str(port),
        "RABBITMQ_DIST_PORT": str(dist_port),
        "ERL_EPMD_PORT": str(epmd_port),
        "ERL_EPMD_ADDRESS": "127.0.0.1",
        "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": "-kernel inet_dist_use_interface {127,0,0,1}",
        "RABBITMQ_MNESIA_BASE": str(folder / "mnesia"),
        "RABBITMQ_LOG_BASE": str(folder / "log"),
        "RABBITMQ_ENABLED_PLUGINS_FILE": str(folder / "enabled_plugins"),
        "RABBITMQ_CONFIG_FILE": str(folder / "rabbitmq"),
        "RABBITMQ_ADVANCED_CONFIG_FILE": str(folder / "advanced.config"),
        "RABBITMQ_PID_FILE": str(folder / "pid"),
    }
    log = (folder / "server.log").open("wb")
    server = subprocess.Popen(
        [str(SERVER)], env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _listening(port):
            if server.poll() is not None or time.monotonic() > deadline:
                tail = (folder / "server.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"RabbitMQ did not start on 127.0.0.1:{port}:\n{tail}")
            time.sleep(0.25)
        yield f"pyamqp://guest@127.0.0.1:{port}//"
    finally:
        _stop(server)
        # epmd is started by the node as a daemon of its own; it answers on its port only
        subprocess.run(["epmd", "-kill"], env=env, capture_output=True, timeout=30)
        log.close()
        shutil.rmtree(folder, ignore_errors=True)


def _stop(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=30)
