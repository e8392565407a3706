"""The generator is deterministic and reproduces the committed sample inputs byte for byte."""

from __future__ import annotations

import shutil

from pipeline.core.layout import REPO
from pipeline.sample.generate import generate

COMMITTED = REPO / "inputs"


def test_default_generation_reproduces_the_committed_inputs(tmp_path):
    reference = tmp_path / "reference"
    reference.mkdir()
    for name in ("counties.csv", "managers.csv", "business_types.csv", "rules.toml", "aliases.toml"):
        shutil.copy(COMMITTED / "reference" / name, reference / name)
    generate(tmp_path)
    written = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    committed = sorted(p.relative_to(COMMITTED) for p in COMMITTED.rglob("*") if p.is_file())
    assert written == committed
    different = [p for p in written if (tmp_path / p).read_bytes() != (COMMITTED / p).read_bytes()]
    assert different == []


def test_sample_month_has_every_county_but_the_planned_gap(reference):
    months = sorted(p.name for p in COMMITTED.iterdir() if p.name[:2] == "20")
    assert months[0] == "2025-01" and months[-1] == "2026-10" and len(months) == 22
    march = {p.name.split("_")[0] for p in (COMMITTED / "2026-03").glob("*_大客户用邮情况.xlsx")}
    assert march == set(reference.county_names.values()) - {"布拖县"}
    assert (COMMITTED / "2026-03" / "考核评分.xlsx").exists()
    assert len(list((COMMITTED / "surveys" / "2026-H1").glob("*.xlsx"))) == 17
