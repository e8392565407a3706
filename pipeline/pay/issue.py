"""Issuing a month's pay: statements per manager, the centre's summary workbook and pay.csv, as
drafts until the director confirms the figures; a released version is never rewritten, and a
later version states its changes against the last released one."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline.core.contract import read_csv
from pipeline.core.files import atomic_write
from pipeline.core.rules import Rules
from pipeline.core.tables import csv_bytes, text_kept_as_text
from pipeline.pay.lines import line_changes, pay_deltas
from pipeline.pay.release import (
    DRAFT,
    PAY_STATE,
    RELEASED,
    last_released,
    pay_fingerprint,
    read_releases,
    record_release,
    release_state,
)
from pipeline.pay.statements import (
    STATEMENTS_INDEX,
    read_pay_summary,
    render_statements,
    statement_hash,
    statements_of,
    write_pay_tables,
    write_summary_workbook,
)


@dataclass(frozen=True)
class PayIssue:
    folder: Path  # outputs/restricted/pay/YYYY-MM/v<version>
    version: int
    released: bool
    note: str  # why it is still a draft, or who confirmed it
    issued_now: int  # statements first issued in this version
    managers: int
    written: bool = True  # False: this run left the version's files as they were
    warning: str = ""  # a released version whose confirmation file no longer matches it

    @property
    def said(self) -> str:
        """What the run did with the statements, for `kac run`."""
        if not self.written:
            return f"本次未重新出具,{self.managers} 人的明细均为已出具的版本"
        return f"本版新出 {self.issued_now} 份,共 {self.managers} 人"

    @property
    def state_label(self) -> str:
        return "已确认" if self.released else "草稿"


def issue_pay(
    root: Path,
    month: str,
    edition: dict,
    pay: dict,
    cards: pd.DataFrame,
    confirmation: dict | None,
    rules: Rules,
    allowed: pd.DataFrame | None = None,
) -> PayIssue:
    """The month's pay in `root` (outputs/restricted/pay/YYYY-MM) for the edition in force: the
    pay version in force while its figures stand, else a new one (`pay_version`). `allowed`: who
    may confirm it (release.confirmers of the month's roster)."""
    fingerprint = pay_fingerprint(cards, pay["summary"])
    # what each statement states decides only with a new edition (pay_version)
    stated = statements_of(month, rules, pay, cards) if edition["new"] else None
    statements = {m: statement_hash(s) for m, s in (stated or {}).items()}
    version, new = pay_version(root, fingerprint, statements, edition["new"])
    folder = root / f"v{version}"
    recorded = next((r for r in read_releases(root) if r["version"] == version), None)
    frozen = recorded is not None
    # a version released stays so: the roster's word on who confirms applies to what is not yet
    allowed = None if frozen else allowed
    state, note = release_state(month, fingerprint, confirmation, pay.get("release_blocked", ""), allowed)
    note, warning = released_note(version, recorded, state, note) if frozen else (note, "")
    written = not frozen and (new or _stale(folder, state))
    if written:
        _issue(root, month, version, pay, cards, (state, note), rules, stated)
    if state == RELEASED and not frozen:
        record_release(root, version, fingerprint, note)
    issued = read_pay_summary(folder)  # each manager's statement in force in this version
    versions = dict(zip(issued.manager_id, issued.version.astype(int), strict=True))
    released = frozen or state == RELEASED
    # the latest version, as the contract says, and whether it may be paid from
    write_pay_tables(root, pay["summary"], pay["lines"], versions, _released_versions(root))
    blocked = pay.get("release_blocked", "")
    state = RELEASED if frozen else state
    _write_state(root, month, version, fingerprint, state, note, blocked, pay.get("assessment_sha256"))
    changed = sum(v == version for v in versions.values())
    return PayIssue(folder, version, released, note, changed, len(versions), written, warning)


def released_note(version: int, recorded: dict, state: str, note: str) -> tuple[str, str]:
    """(the note, a warning) of a version released before: it stays released by whom it was, and
    a confirmation file that no longer matches it (edited by hand) is said to be the file's
    fault, not a reason to confirm again."""
    if state == RELEASED:
        return note, ""
    warning = (
        f"inputs/confirmations 中本月的确认文件与已发放的第{version}版不符,"
        f"已发放的第{version}版不受影响;请核对确认文件是否被改动"
    )
    return recorded["note"], warning


def pay_version(
    root: Path, fingerprint: str, statements: dict[str, str], edition_new: bool
) -> tuple[int, bool]:
    """(the pay version to issue, whether it is new). Pay has versions of its own. The version in
    force stands while the month's edition stands (a program upgrade that words a statement
    otherwise issues nothing, as it publishes nothing), and through a new edition (a correction
    elsewhere) that leaves every score and amount (`fingerprint`) and every statement
    (`statements`: manager → `statement_hash`) as they were: the director never confirms, nor
    does a manager receive, a version that changes nothing. Otherwise the next version."""
    issued = sorted(int(p.name[1:]) for p in root.glob("v*") if p.name[1:].isdigit()) if root.is_dir() else []
    state = read_pay_state(root)
    in_force = int(state["version"]) if state else (issued[-1] if issued else None)  # older: no state
    folder = root / f"v{in_force}"
    if in_force is not None and _issued(folder):
        if not edition_new:
            return in_force, False
        index = folder / "statements" / STATEMENTS_INDEX
        kept = json.loads(index.read_text(encoding="utf-8")) if index.exists() else {}
        same = {m: e["content_hash"] for m, e in kept.items()} == statements
        if same and (state is None or state["fingerprint"] == fingerprint):
            return in_force, False
    return (issued[-1] if issued else 0) + 1, True


def _issued(folder: Path) -> bool:
    return (folder / "pay.csv").exists()


def read_pay_state(root: Path) -> dict | None:
    """The month's pay_state.json (`_write_state`), None before its first run."""
    path = root / PAY_STATE
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def _stale(folder: Path, state: str) -> bool:
    """The version's statements are missing, or were drafts and are released now."""
    index = folder / "statements" / STATEMENTS_INDEX
    if not (folder / "pay.csv").exists() or not index.exists():
        return True
    return state == RELEASED and any(e.get("state") == DRAFT for e in json.loads(index.read_text()).values())


def _issue(
    root: Path,
    month: str,
    version: int,
    pay: dict,
    cards: pd.DataFrame,
    release,
    rules: Rules,
    stated: dict[str, dict] | None = None,
) -> None:
    folder = root / f"v{version}"
    compared = last_released(root, version) or (version - 1 if version > 1 else None)
    previous_pay = read_pay_summary(root / f"v{compared}") if compared else None
    deltas = pay_deltas(pay["summary"], previous_pay) if previous_pay is not None else pd.DataFrame()
    previous_lines = root / f"v{compared}" / "pay_lines.csv"
    changes = (
        line_changes(pay["lines"], read_csv(previous_lines)) if compared and previous_lines.exists() else None
    )
    # each manager's statement in that version (第1版 for one unchanged since): what they were paid by
    statements_then = (
        dict(zip(previous_pay.manager_id, previous_pay.version.astype(int), strict=True))
        if previous_pay is not None and "version" in previous_pay
        else {}
    )
    versions = render_statements(
        month,
        version,
        rules,
        pay["summary"],
        pay["lines"],
        cards,
        deltas,
        folder / "statements",
        changes=changes,
        previous=root / f"v{version - 1}" / "statements" if version > 1 else None,
        release=release,
        claims=pay.get("claims"),
        unused=pay.get("unused_rows"),
        compared_with=compared,
        compared_statements=statements_then,
        stated=stated,
    )
    path = folder / f"薪酬汇总_{month}_第{version}版.xlsx"
    write_summary_workbook(path, month, version, pay["summary"], pay["lines"], cards, release[0] == DRAFT)
    now = {version} if release[0] == RELEASED else set()
    write_pay_tables(folder, pay["summary"], pay["lines"], versions, _released_versions(root) | now)
    if not deltas.empty:
        atomic_write(folder / "pay_deltas.csv", csv_bytes(text_kept_as_text(deltas)))


def _write_state(
    root: Path,
    month: str,
    version: int,
    fingerprint: str,
    state: str,
    note: str,
    blocked: str,
    assessment_sha256: str | None = None,
) -> None:
    """What `kac confirm` shows and confirms: the fingerprint of the version in force, and why it
    cannot be confirmed yet (`blocked`); the bytes of the 考核评分 it was computed from ("" when
    none came; `kac status` tells when the sheet changed since)."""
    data = {
        "month": month,
        "version": version,
        "fingerprint": fingerprint,
        "state": state,
        "note": note,
        "blocked": blocked,
    }
    if assessment_sha256 is not None:  # a value stored before the pay recorded it has none
        data["assessment_sha256"] = assessment_sha256
    atomic_write(root / PAY_STATE, json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"))


def _released_versions(root: Path) -> set[int]:
    """The pay versions of the month the director confirmed (releases.json)."""
    return {int(r["version"]) for r in read_releases(root)}
