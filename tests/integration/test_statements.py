"""Pay statements shared with a helper process: each written once, the same bytes either way;
the helper's errors raised here, and no helper left behind."""

from __future__ import annotations

import multiprocessing
import os
import pickle
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from pipeline.core.layout import REPO
from pipeline.pay import statements
from pipeline.pay.release import DRAFT
from pipeline.render import pdf as render_pdf
from pipeline.render import pool
from pipeline.render.pool import helper_process, share

MONTH = "2025-03"


@pytest.fixture
def helpers_started(monkeypatch) -> list:
    """A second core for a helper (each process of `pytest -n` is given a core of its own, and
    the product then starts none), and the helpers started."""
    started: list = []
    real = pool.helper_process

    def counted(preload):
        started.append(preload)
        return real(preload)

    monkeypatch.setattr(pool, "usable_cores", lambda: 2)
    monkeypatch.setattr(pool, "helper_process", counted)
    monkeypatch.setattr(statements, "helper_process", counted)
    return started


def one_core(monkeypatch) -> None:
    monkeypatch.setattr(pool, "usable_cores", lambda: 1)


def _note_process(folder: Path, item: int) -> None:
    """A task: which process did `item`."""
    (folder / str(item)).write_text(str(os.getpid()))
    time.sleep(0.01)


def test_the_helper_and_this_process_share_tasks_from_both_ends_each_once(tmp_path) -> None:
    count = 200
    with helper_process(int) as helper:
        share(helper, _note_process, [(tmp_path, i) for i in range(count)])
    by = [int((tmp_path / str(i)).read_text()) for i in range(count)]  # none left
    here = [i for i, pid in enumerate(by) if pid == os.getpid()]
    assert len(set(by)) == 2 and 0 < len(here) < count
    assert here == list(range(len(here)))  # this process from the front, the helper from the back
    assert multiprocessing.active_children() == []


def test_work_only_this_process_can_do_comes_first_while_the_helper_begins(tmp_path) -> None:
    done_here_before: list[int] = []

    def meanwhile() -> None:  # a closure: it could not be sent to the helper
        mine = [f for f in tmp_path.iterdir() if f.read_text() == str(os.getpid())]
        done_here_before.append(len(mine))

    with helper_process(int) as helper:
        share(helper, _note_process, [(tmp_path, i) for i in range(100)], meanwhile)
    assert done_here_before == [0]  # once, before this process took any task
    assert len(list(tmp_path.iterdir())) == 100


def test_many_workbooks_shared_with_a_helper_are_those_written_one_by_one(
    tmp_path, monkeypatch, helpers_started
) -> None:
    from pipeline.render import xlsx

    stamp = pd.Timestamp("2000-01-01").to_pydatetime()
    books = {f"b{i}.xlsx": {"表": (["编号", "名称"], [[i, f"=客户{i}"], [i + 1, None]])} for i in range(60)}
    for name, sheets in books.items():
        xlsx.write_sheets(tmp_path / "one" / name, sheets, stamp)
    monkeypatch.setattr(xlsx, "WORKBOOKS_APART_FROM", 10)
    monkeypatch.setattr(xlsx, "WORKBOOKS_PER_TASK", 4)
    (tmp_path / "shared").mkdir()
    # a hard link to another workbook: replaced, not written through
    (tmp_path / "shared" / "b0.xlsx").hardlink_to(tmp_path / "one" / "b1.xlsx")
    pages: list[str] = []
    xlsx.write_workbooks(
        [(tmp_path / "shared" / name, sheets) for name, sheets in books.items()],
        stamp,
        lambda: pages.append("x"),
    )
    assert pages == ["x"] and len(helpers_started) == 1
    for name in books:
        assert (tmp_path / "shared" / name).read_bytes() == (tmp_path / "one" / name).read_bytes(), name
    assert multiprocessing.active_children() == []


def test_an_error_in_the_helper_is_raised_here(tmp_path) -> None:
    tasks = [(tmp_path, i) for i in range(20)] + [(tmp_path / "missing", 20)]  # the helper's first
    with pytest.raises(RuntimeError, match="辅助进程出错:FileNotFoundError"), helper_process(int) as helper:
        share(helper, _note_process, tasks)
    assert multiprocessing.active_children() == []


def test_leaving_early_cancels_what_the_helper_has_not_begun(tmp_path) -> None:
    tasks = [(tmp_path / "missing", 0)] + [(tmp_path, i) for i in range(1, 400)]  # this process's first
    with pytest.raises(FileNotFoundError), helper_process(int) as helper:
        share(helper, _note_process, tasks)
    assert multiprocessing.active_children() == []
    assert len(list(tmp_path.iterdir())) < 100  # not the 399 it was given


def test_the_helper_ends_when_the_process_that_started_it_is_killed() -> None:
    script = (
        "import os, signal, sys, time\n"
        "from pipeline.render.pool import helper_process\n"
        "with helper_process(int) as helper:\n"
        "    print(helper.submit(os.getpid).result(), flush=True)\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    run = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True)
    assert run.returncode == -9, run.stderr
    helper = int(run.stdout)
    for _ in range(100):
        if not _running(helper):
            break
        time.sleep(0.1)
    assert not _running(helper)


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie has ended


def test_statements_shared_with_a_helper_process_are_those_one_process_writes(
    published, tmp_path, monkeypatch, helpers_started
) -> None:
    pay, cards = stored_pay(published)
    summary = enough_to_share(pay["summary"])
    args = (MONTH, 1, published_rules(published), summary, pay["lines"], cards, pd.DataFrame())

    statements.render_statements(*args, tmp_path / "shared")
    assert len(helpers_started) == 1
    one_core(monkeypatch)  # all in this process
    statements.render_statements(*args, tmp_path / "alone")
    assert len(helpers_started) == 1

    shared = sorted((tmp_path / "shared").glob("*.pdf"))
    assert len(shared) == len(summary)
    for pdf in shared:
        assert pdf.read_bytes() == (tmp_path / "alone" / pdf.name).read_bytes(), pdf.name


def stored_pay(layout) -> tuple[dict, pd.DataFrame]:
    """The month's pay and scorecards as the run stored them."""
    stored = layout.storage
    pay = pickle.loads((stored / "pay" / f"{MONTH}-01").read_bytes())
    return pay, pickle.loads((stored / "scorecards_table" / f"{MONTH}-01").read_bytes())


def enough_to_share(summary: pd.DataFrame) -> pd.DataFrame:
    """A few more statements than are ever written in one process alone (each name its own):
    the fewest that exercise the helper, at ≈ 0.4 s a PDF."""
    count = render_pdf.PDFS_APART_FROM + 4
    rows = pd.concat([summary] * (1 + count // len(summary))).head(count)
    return rows.assign(name=[f"{n}{i}" for i, n in enumerate(rows.name)])


def statement_text(folder: Path, manager_id: str) -> str:
    """The text of the manager's statement in `folder`, read back with pdftotext, without spaces."""
    (pdf,) = folder.glob(f"*_{manager_id}_*.pdf")
    out = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return "".join(out.split())


def published_rules(layout):
    from pipeline.ingest.reference import Reference

    return Reference.load(layout.reference).rules.for_month(MONTH)


def test_a_later_version_reissuing_many_statements_shares_them_too(
    published, tmp_path, monkeypatch, helpers_started
) -> None:
    from decimal import Decimal

    pay, cards = stored_pay(published)
    summary = enough_to_share(pay["summary"])
    rules = published_rules(published)
    first = tmp_path / "v1"
    statements.render_statements(MONTH, 1, rules, summary, pay["lines"], cards, pd.DataFrame(), first)
    changed = summary.assign(total=summary.total + Decimal("1.00"))  # every statement changes
    args = (MONTH, 2, rules, changed, pay["lines"], cards, pd.DataFrame())

    versions = statements.render_statements(*args, tmp_path / "v2", previous=first)
    assert len(helpers_started) == 2  # version 1's, and one for the reissue
    one_core(monkeypatch)
    statements.render_statements(*args, tmp_path / "alone", previous=first)
    assert len(helpers_started) == 2

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
    # sections added since a statement was issued change nothing while they are empty
    assert statement_hash({**before, "unused_rows": [], "score_scaled": ""}) == statement_hash(before)
    unused = [
        {"customer_id": "C1", "file": "会东.xlsx", "row": "9", "reason": "业务种类无法识别", "values": "…"}
    ]
    assert statement_hash({**before, "unused_rows": unused}) != statement_hash(before)


def test_a_statement_lists_the_claims_it_did_not_reward_and_why(published, tmp_path) -> None:
    """Issue 15: the manager reads on the statement which 新揽收 rows earned nothing, and why."""
    from pipeline.pay.claims import NOT_IN_POST_REASON

    pay, cards = stored_pay(published)
    summary = pay["summary"].head(2)
    refused, paid = summary.manager_id
    claims = pd.DataFrame(
        {
            "customer_id": ["C9000000001", "C9000000002", "C9000000003"],
            "business_type": ["特快", "函件", "快包"],
            "manager_id": [refused, refused, paid],
            "revenue_fen": [1_234_56, 50_00, 80_00],
            "rewarded": [False, False, True],
            "reason": ["2025-01 已有该业务用邮,非新揽收", NOT_IN_POST_REASON, ""],
        }
    )
    args = (MONTH, 1, published_rules(published), summary, pay["lines"], cards, pd.DataFrame())
    statements.render_statements(*args, tmp_path, claims=claims)

    listed = statement_text(tmp_path, refused)
    assert "未计营销奖励的“新揽收”" in listed and "C9000000001" in listed and "1,234.56" in listed
    assert "已有该业务用邮,非新揽收" in listed and "".join(NOT_IN_POST_REASON.split()) in listed
    assert "未计营销奖励" not in statement_text(tmp_path, paid) and "C9000000003" not in statement_text(
        tmp_path, paid
    )


def test_a_statement_says_how_a_total_without_unmeasurable_items_was_scaled(published, tmp_path) -> None:
    """A manager without key accounts yet: 档案, 联系 and 稳定 (25 points) are left out of the
    possible points, and the statement shows the total put on the scale of 100."""
    from decimal import Decimal

    from pipeline.pay.scorecard import ITEMS

    pay, cards = stored_pay(published)
    summary = pay["summary"].head(1)
    (manager,) = summary.manager_id
    card = cards.set_index("manager_id").loc[manager]
    earned = sum((Decimal(str(card[i])) for i in ("market_survey", "project_plan", "other")), Decimal(0))
    unmeasured = {"archive": Decimal(0), "contact": Decimal(0), "retention": Decimal(0)}
    earned += sum((Decimal(str(card[i])) for i in ("new_accounts", "annual_target")), Decimal(0))
    total = (earned * 100 / 75).quantize(Decimal("0.01"))
    scaled = cards.copy()
    mine = scaled.manager_id == manager
    for item, points in unmeasured.items():
        scaled.loc[mine, item] = points
    scaled.loc[mine, "possible"], scaled.loc[mine, "total"] = Decimal(75), total
    assert set(unmeasured) < set(ITEMS)
    args = (MONTH, 1, published_rules(published), summary, pay["lines"], scaled, pd.DataFrame())
    statements.render_statements(*args, tmp_path)
    text = statement_text(tmp_path, manager)
    assert f"不计分项不计入满分:得分{earned:.2f}÷可得75.00×100" in text and f"{total:.2f}" in text


def test_a_statement_lists_its_customers_rows_not_used_this_month(published, tmp_path) -> None:
    """A 用邮情况 row the reader refused (an unknown 业务种类, say) is not in the revenue nor the
    reward: the manager of its customer reads which row waits for the county's correction."""
    from pipeline.pay.month import unused_rows

    pay, cards = stored_pay(published)
    summary = pay["summary"].head(2)
    mine, other = summary.manager_id
    rejected = pd.DataFrame(
        {
            "county": ["美姑县", "美姑县"],
            "file": ["美姑县_2025年3月.xlsx"] * 2,
            "sheet": ["用邮情况", ""],
            "row": ["88", ""],
            "code": ["business_unknown", "county_rejected"],
            "values": [
                "C9000000001 | 四川永盛农业开发合作社 | 快件 | 13 | 14.99 | 郭志强 | 存量",
                "整表退回",
            ],
            "customer_id": ["C9000000001", ""],
        }
    )
    archive = pd.DataFrame({"customer_id": ["C9000000001"], "manager_id": [mine]})
    unused = unused_rows(rejected, archive)
    assert list(unused.manager_id) == [mine]  # the whole-county line names no customer
    args = (MONTH, 1, published_rules(published), summary, pay["lines"], cards, pd.DataFrame())
    statements.render_statements(*args, tmp_path, unused=unused)

    listed = statement_text(tmp_path, mine)
    assert "未采用的用邮数据(县局更正后补计)" in listed and "C9000000001" in listed
    assert "第88行" in listed and "业务种类无法识别" in listed and "快件" in listed
    assert "未采用的用邮数据" not in statement_text(tmp_path, other)


def test_a_released_version_holds_only_the_statements_in_force(published, tmp_path) -> None:
    """Version 2 is a draft that keeps version 1's draft statements (nothing changed for them);
    released, its statements are issued anew as 第2版: the 第1版 drafts linked into its folder go."""
    pay, cards = stored_pay(published)
    summary = pay["summary"].head(2)
    rules = published_rules(published)
    draft = (DRAFT, "草稿")
    first, second = tmp_path / "v1", tmp_path / "v2"
    args = (rules, summary, pay["lines"], cards, pd.DataFrame())
    statements.render_statements(MONTH, 1, *args, first, release=draft)
    statements.render_statements(MONTH, 2, *args, second, previous=first, release=draft)
    assert sorted(p.name for p in second.glob("*.pdf")) == sorted(p.name for p in first.glob("*.pdf"))
    versions = statements.render_statements(MONTH, 2, *args, second, previous=first)
    assert set(versions.values()) == {2}
    names = sorted(p.name for p in second.glob("*.pdf"))
    assert len(names) == 2 and all(name.endswith("_第2版.pdf") for name in names)
    assert all("草稿" not in statement_text(second, m) for m in summary.manager_id)
