"""Work handed to other processes while this one goes on: the machine has a second core.

`python -m <module>` reads its share of the work, pickled, on stdin (each such module ends
with `if __name__ == "__main__": ...`). Used where documents or workbooks are many.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import pickle
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

PR_SET_PDEATHSIG = 1


class SecondProcesses:
    """Processes running `python -m module`, each given one share of work: now (`shares`), or
    later by `send` (`processes` started at once load their modules while this one prepares the
    work). `wait()` raises if any of them failed. Leaving the `with` block early (an error
    here) stops them."""

    def __init__(self, module: str, shares: list[object] | None = None, processes: int = 0):
        self.processes = [
            subprocess.Popen(
                [sys.executable, "-m", module],
                stdin=subprocess.PIPE,
                stderr=subprocess.PIPE,
                preexec_fn=_die_with_parent,
            )
            for _ in range(len(shares) if shares is not None else processes)
        ]
        if shares is not None:
            self.send(shares)

    def send(self, shares: list[object]) -> None:
        for process, share in zip(self.processes, shares, strict=True):
            process.stdin.write(pickle.dumps(share))
            process.stdin.close()

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


class Claims:
    """Items of one list shared by this process, taking them from the front, and a second process,
    from the back: an item is taken by creating its claim file, so each is done exactly once and
    neither stops while work remains (with fixed halves, the process started later, or given the
    longer documents, leaves the other idle at the end). The first item found taken means the two
    have met."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)

    def take(self, item: int) -> bool:
        try:
            os.close(os.open(self.folder / str(item), os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            return False
        return True

    def front(self, count: int) -> Iterator[int]:
        """Items 0, 1, … each claimed before it is yielded, until one is found taken."""
        return self._until_taken(range(count))

    def back(self, count: int) -> Iterator[int]:
        """Items count − 1, count − 2, … likewise."""
        return self._until_taken(range(count - 1, -1, -1))

    def _until_taken(self, order: range) -> Iterator[int]:
        for item in order:
            if not self.take(item):
                return
            yield item


def _die_with_parent() -> None:
    """Linux: the helper is killed when this process dies (a stopped run leaves no writer behind)."""
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def read_share() -> object:
    """This process's share of the work (called first by the module run as a second process)."""
    from pipeline.core.runtime import settle_heap

    share = pickle.loads(sys.stdin.buffer.read())
    settle_heap()
    return share
