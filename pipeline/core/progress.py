"""Progress lines for the operator. `kac` shows them; under `dagster dev` they stay in the UI log."""

import logging

progress = logging.getLogger("kac.progress")
progress.propagate = False
progress.addHandler(logging.NullHandler())
