"""Pay statements shared between two processes: each written once, the same bytes either way."""

from __future__ import annotations

import pickle
import subprocess
import sys

import pandas as pd

from pipeline.core.layout import REPO
from pipeline.pay import statements
from pipeline.render.second_process import Claims

MONTH = "2025-03"


def test_two_processes_claiming_from_both_ends_take_every_item_once(tmp_path) -> None:
    count = 400
    other = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from pipeline.render.second_process import Claims;"
            f" print(*Claims(sys.argv[1]).back({count}))",
            str(tmp_path),
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    here = list(Claims(tmp_path).front(count))
    there = [int(item) for item in other.communicate()[0].split()]
    assert other.returncode == 0
    assert sorted(here + there) == list(range(count))  # none twice, none left
    assert here == list(range(len(here))) and there == list(range(count - 1, len(here) - 1, -1))


def test_statements_shared_with_a_second_process_are_those_one_process_writes(
    published, tmp_path, monkeypatch
) -> None:
    stored = published.dagster_home / "storage"
    pay = pickle.loads((stored / "pay" / f"{MONTH}-01").read_bytes())
    cards = pickle.loads((stored / "scorecards_table" / f"{MONTH}-01").read_bytes())
    rules = published_rules(published)
    summary = pd.concat([pay["summary"]] * (1 + 20 // len(pay["summary"])))  # enough to share
    summary = summary.assign(name=[f"{n}{i}" for i, n in enumerate(summary.name)])
    args = (MONTH, 1, rules, summary, pay["lines"], cards, pd.DataFrame())

    assert len(summary) >= statements.STATEMENTS_APART_FROM
    statements.render_statements(*args, tmp_path / "shared")
    monkeypatch.setattr(statements, "STATEMENTS_APART_FROM", 10**6)  # all in this process
    statements.render_statements(*args, tmp_path / "alone")

    shared = sorted((tmp_path / "shared").glob("*.pdf"))
    assert len(shared) == len(summary)
    for pdf in shared:
        assert pdf.read_bytes() == (tmp_path / "alone" / pdf.name).read_bytes(), pdf.name


def published_rules(layout):
    from pipeline.ingest.reference import Reference

    return Reference.load(layout.reference).rules.for_month(MONTH)


def test_a_later_version_reissuing_many_statements_shares_them_too(published, tmp_path, monkeypatch) -> None:
    from decimal import Decimal

    stored = published.dagster_home / "storage"
    pay = pickle.loads((stored / "pay" / f"{MONTH}-01").read_bytes())
    cards = pickle.loads((stored / "scorecards_table" / f"{MONTH}-01").read_bytes())
    summary = pd.concat([pay["summary"]] * (1 + 20 // len(pay["summary"])))
    summary = summary.assign(name=[f"{n}{i}" for i, n in enumerate(summary.name)])
    rules = published_rules(published)
    first = tmp_path / "v1"
    statements.render_statements(MONTH, 1, rules, summary, pay["lines"], cards, pd.DataFrame(), first)
    changed = summary.assign(total=summary.total + Decimal("1.00"))  # every statement changes
    args = (MONTH, 2, rules, changed, pay["lines"], cards, pd.DataFrame())

    versions = statements.render_statements(*args, tmp_path / "v2", previous=first)
    monkeypatch.setattr(statements, "STATEMENTS_APART_FROM", 10**6)
    statements.render_statements(*args, tmp_path / "alone", previous=first)

    assert set(versions.values()) == {2}
    shared = sorted((tmp_path / "v2").glob("*第2版.pdf"))
    assert len(shared) == len(changed)
    for pdf in shared:
        assert pdf.read_bytes() == (tmp_path / "alone" / pdf.name).read_bytes(), pdf.name


def test_a_renamed_source_file_is_not_a_change_of_the_statement() -> None:
    from pipeline.pay.statements import statement_hash

    line = {"line": 2, "kind": "marketing", "amount": "50.00", "source": "用邮情况 第7行"}
    before = {
        "manager_id": "M022",
        "total": "1000.00",
        "lines": [{**line, "source_file": "会东县_2025年3月.xlsx"}],
    }
    renamed = {**before, "lines": [{**line, "source_file": "会东.xlsx"}]}
    more = {**before, "lines": [{**line, "source_file": "会东.xlsx", "amount": "55.00"}]}
    assert statement_hash(renamed) == statement_hash(before)
    assert statement_hash(more) != statement_hash(before)  # an amount changed: issued anew
