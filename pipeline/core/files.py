"""Writing files so that a reader (the site, a second run, a county opening its feedback) sees
the old file or the new one, never half of one: write beside, then one rename."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A temporary path beside `path` to write to; it replaces `path` in one rename when the
    block ends, and is removed if the block fails (the old file then stays as it was)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        yield tmp
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def atomic_write(path: Path, data: bytes) -> None:
    """`data` into `path` in one rename."""
    with replacing(path) as tmp:
        tmp.write_bytes(data)


def point_link(link: Path, target: Path) -> None:
    """Make the symlink `link` point at `target` in one rename (a reader follows the old link or
    the new one); the link is relative, so the folder can move."""
    tmp = link.with_name(
        f".{link.name}.{os.getpid()}.link"
    )  # a run's own: a restore and a build never share it
    tmp.unlink(missing_ok=True)
    try:
        tmp.symlink_to(os.path.relpath(target, link.parent.resolve()))
        tmp.replace(link)
    finally:
        tmp.unlink(missing_ok=True)
