"""Imported first by the forkserver of the multiprocess executor: step processes report through
the run's events, as `kac` does, so library notices and per-step debug lines stay off stderr."""

import logging
import warnings

warnings.filterwarnings("ignore")
logging.getLogger("dagster").setLevel(logging.ERROR)
