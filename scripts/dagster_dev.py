"""`make dev`: `dagster dev` with SIGINT at its default, so that SIGINT and SIGTERM stop it.

A shell starts a background job (`make dev &` in a script, a service wrapper) with SIGINT
ignored, and `dagster dev` gives SIGTERM the handler SIGINT has: both are then ignored and
only SIGKILL stops it (README, "make dev")."""

import os
import signal
import sys
from pathlib import Path

from assets.instance import write_instance_config

if __name__ == "__main__":
    write_instance_config(Path(os.environ["DAGSTER_HOME"]))  # the same storage as `kac run`
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # Python then raises KeyboardInterrupt on it
    dagster = str(Path(sys.executable).parent / "dagster")
    os.execv(dagster, [dagster, "dev", *sys.argv[1:]])
