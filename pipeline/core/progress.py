"""Progress lines for the operator. `kac` shows them; under `dagster dev` they stay in the UI log."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager

progress = logging.getLogger("kac.progress")
progress.propagate = False
progress.addHandler(logging.NullHandler())


@contextmanager
def silenced() -> Iterator[None]:
    """No progress lines inside the block (work the operator is told of in one line instead).
    A filter, not `disabled`: Dagster's logging set-up enables the loggers that exist again."""

    def none(record: logging.LogRecord) -> bool:
        return False

    progress.addFilter(none)
    try:
        yield
    finally:
        progress.removeFilter(none)
