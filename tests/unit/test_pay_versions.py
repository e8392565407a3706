"""Which pay version a run issues (pipeline.pay.issue.pay_version): the one in force while
nothing a manager is paid by or reads changed, else the next; outputs written before
pay_state.json existed are read by their last version."""

from __future__ import annotations

import json

import pytest

from pipeline.pay.issue import pay_version
from pipeline.pay.release import PAY_STATE

pytestmark = pytest.mark.unit
STATEMENTS = {"M001": "a", "M002": "b"}


def issued(root, version: int, statements: dict[str, str], fingerprint: str | None = "fp") -> None:
    folder = root / f"v{version}"
    (folder / "statements").mkdir(parents=True)
    (folder / "pay.csv").write_text("manager_id\n", encoding="utf-8")
    index = {m: {"version": version, "file": f"{m}.pdf", "content_hash": h} for m, h in statements.items()}
    (folder / "statements" / "index.json").write_text(json.dumps(index), encoding="utf-8")
    if fingerprint is not None:
        (root / PAY_STATE).write_text(json.dumps({"version": version, "fingerprint": fingerprint}))


def test_the_first_run_issues_version_1(tmp_path):
    assert pay_version(tmp_path / "pay", "fp", STATEMENTS, edition_new=True) == (1, True)


def test_the_version_in_force_stands_unless_figures_or_statements_changed_with_the_edition(tmp_path):
    issued(tmp_path, 1, STATEMENTS)
    assert pay_version(tmp_path, "fp", STATEMENTS, edition_new=True) == (1, False)  # a correction elsewhere
    assert pay_version(tmp_path, "fp", {**STATEMENTS, "M002": "c"}, edition_new=True) == (2, True)
    assert pay_version(tmp_path, "other", STATEMENTS, edition_new=True) == (2, True)
    # the same edition, a statement worded otherwise by a newer program: nothing is issued
    assert pay_version(tmp_path, "fp", {**STATEMENTS, "M002": "c"}, edition_new=False) == (1, False)


def test_outputs_from_before_the_pay_state_are_read_by_their_last_version(tmp_path):
    issued(tmp_path, 1, STATEMENTS, fingerprint=None)
    issued(tmp_path, 2, {**STATEMENTS, "M002": "c"}, fingerprint=None)
    assert pay_version(tmp_path, "fp", {**STATEMENTS, "M002": "c"}, edition_new=True) == (2, False)
    assert pay_version(tmp_path, "fp", STATEMENTS, edition_new=False) == (2, False)
    assert pay_version(tmp_path, "fp", STATEMENTS, edition_new=True) == (3, True)
