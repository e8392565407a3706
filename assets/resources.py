"""Resources: where the inputs and outputs are, and the reference data read from them."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from dagster import ConfigurableResource

from pipeline.core.layout import REPO, Layout
from pipeline.ingest.reference import Reference


def default_inputs() -> str:
    return os.environ.get("KAC_INPUTS", str(REPO / "inputs"))


def default_outputs() -> str:
    return os.environ.get("KAC_OUTPUTS", str(REPO / "outputs"))


@lru_cache(maxsize=8)
def _reference(folder: str, stamp: float) -> Reference:
    return Reference.load(Path(folder))


class KacSettings(ConfigurableResource):
    """Folders of one deployment (flags of `kac`, or KAC_INPUTS / KAC_OUTPUTS)."""

    inputs_dir: str
    outputs_dir: str

    @property
    def layout(self) -> Layout:
        return Layout(Path(self.inputs_dir), Path(self.outputs_dir))

    def reference(self) -> Reference:
        folder = self.layout.reference
        stamp = max(p.stat().st_mtime for p in folder.iterdir())
        return _reference(str(folder), stamp)
