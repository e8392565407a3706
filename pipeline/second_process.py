"""Work handed to other processes while this one goes on: the machine has a second core.

`python -m <module>` reads its share of the work, pickled, on stdin (each such module ends
with `if __name__ == "__main__": ...`). Used where documents or workbooks are many.
"""

from __future__ import annotations

import contextlib
import ctypes
import pickle
import signal
import subprocess
import sys

PR_SET_PDEATHSIG = 1


class SecondProcesses:
    """`shares` of work, one process each; `wait()` raises if any of them failed. Leaving the
    `with` block early (an error here) stops them."""

    def __init__(self, module: str, shares: list[object]):
        self.processes = []
        for share in shares:
            process = subprocess.Popen(
                [sys.executable, "-m", module],
                stdin=subprocess.PIPE,
                stderr=subprocess.PIPE,
                preexec_fn=_die_with_parent,
            )
            process.stdin.write(pickle.dumps(share))
            process.stdin.close()
            self.processes.append(process)

    def wait(self) -> None:
        for process in self.processes:
            error = process.stderr.read().decode("utf-8", "replace")
            if process.wait() != 0:
                raise RuntimeError(f"后台进程失败:{error.strip()[-500:]}")

    def __enter__(self) -> SecondProcesses:
        return self

    def __exit__(self, *exc) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.kill()
                process.wait()


def _die_with_parent() -> None:
    """Linux: the helper is killed when this process dies (a stopped run leaves no writer behind)."""
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def read_share() -> object:
    return pickle.loads(sys.stdin.buffer.read())
