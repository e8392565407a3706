"""The director's sign-off (大客户中心主任:确认客户经理考核结果).

A month's statements are drafts (草稿) until the director confirms that month's scorecards and
pay: a confirmation file in `inputs/confirmations/` names the month and the fingerprint of what
was confirmed (`kac confirm` writes it after showing the totals). A confirmation whose
fingerprint matches the pay computed now releases it; one that no longer matches (the figures
changed since) is reported and not applied. A released version is frozen: its statements are
never rewritten, and a later correction is a new version with deltas against it.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pandas as pd

from pipeline.core.digest import content_hash
from pipeline.core.files import atomic_write
from pipeline.ingest.reference import PREFECTURE_OFFICE
from pipeline.pay.lines import MONEY_COLUMNS
from pipeline.pay.scorecard import ITEMS

DRAFT, RELEASED = "draft", "released"
# who may confirm: the centre's director, or a deputy director signing in the director's stead
CONFIRMING_ROLES = ("主任", "副主任")
AWAITING = "待主任确认(kac confirm)"  # a draft's note before anyone confirmed
RELEASES = "releases.json"
PAY_STATE = "pay_state.json"


def pay_fingerprint(scorecards: pd.DataFrame, summary: pd.DataFrame) -> str:
    """What the director confirms: every manager's item points, total and held items, and every
    amount of the pay (never file names: a renamed file changes nothing confirmed)."""
    cards = scorecards.sort_values("manager_id")[["manager_id", *ITEMS, "total", "held"]]
    pay = summary.sort_values("manager_id")[["manager_id", *MONEY_COLUMNS, "held"]]
    return content_hash(
        {"scorecards": cards.astype(str).values.tolist(), "pay": pay.astype(str).values.tolist()}
    )


@dataclass(frozen=True)
class Confirmation:
    month: str
    fingerprint: str
    confirmed_by: str
    confirmed_at: str


def read_confirmation(path: Path) -> Confirmation | str | None:
    """The confirmation, None without a file, or a Chinese line saying why it cannot be read."""
    if not path.exists():
        return None
    try:
        with path.open("rb") as f:
            data = tomllib.load(f)
        return Confirmation(
            str(data["month"]),
            str(data["fingerprint"]),
            str(data.get("confirmed_by", "")),
            str(data.get("confirmed_at", "")),
        )
    except (tomllib.TOMLDecodeError, KeyError, UnicodeDecodeError) as exc:
        return f"确认文件 {path.name} 无法读取({type(exc).__name__}),请用 kac confirm 重新生成"


def confirmers(roster: pd.DataFrame) -> pd.DataFrame:
    """The centre's (州局's) 主任 and 副主任 in `roster`: the managers active in the month, as the
    roster stood then (a county centre's 主任 confirms nothing of the prefecture's pay)."""
    return roster[(roster.county == PREFECTURE_OFFICE) & roster.role.isin(CONFIRMING_ROLES)]


def _named(by: str, roster: pd.DataFrame) -> pd.DataFrame:
    """The rows of `roster` that `by` names: a name, or a manager id in any case."""
    by = by.strip()
    return roster[(roster.name == by) | (roster.manager_id.str.upper() == by.upper())]


def confirmer_named(by: str, allowed: pd.DataFrame) -> str | None:
    """The name of the confirmer `by` (a name or a manager id) among `allowed`, None if not one."""
    found = _named(by, allowed)
    return str(found.name.iloc[0]) if len(found) else None


def not_a_confirmer(
    by: str, allowed: pd.DataFrame, roster: pd.DataFrame | None = None, month: str = ""
) -> str:
    """Why `by` may not confirm the month's pay, in Chinese; "" when they may. `roster`: the
    roster as it stood in `month`, to say that a director named there had left by then or had
    not yet started."""
    if confirmer_named(by, allowed) is not None:
        return ""
    if not by.strip():
        return "确认文件未写确认人(confirmed_by)"
    if allowed.empty:
        return "本月名册中州局没有在职的主任或副主任,无人可以确认:请先在名册中补录中心主任"
    named = "、".join(f"{r.name}({r.role})" for r in allowed.itertuples())
    other = _named(by, confirmers(roster)) if roster is not None else roster
    if other is not None and len(other):  # a director on the roster, but not in this month
        r = other.iloc[-1]
        served = f"任职 {r.active_from} 至 {r.active_to or '—'}"
        when = "尚未到任" if r.active_from > f"{month}-31" else "已不在任"
        return f"{r['name']}({r.role})本月{when}({served}),本月可确认的为:{named}"
    return f"确认人“{by.strip()}”不是本月名册中的大客户中心主任或副主任(名册中为:{named})"


def write_confirmation(path: Path, month: str, fingerprint: str, by: str, totals: dict[str, Decimal]) -> None:
    lines = [
        "# 大客户中心主任确认客户经理考核结果(kac confirm 生成;指纹与本月考核、薪酬一致时生效)",
        f'month = "{month}"',
        f'fingerprint = "{fingerprint}"',
        f"confirmed_by = {json.dumps(by, ensure_ascii=False)}",
        f'confirmed_at = "{datetime.now().isoformat(timespec="seconds")}"',
        "",
        "[totals]  # 确认时所见合计(元),仅供查阅",
        *[f'"{k}" = "{v:.2f}"' for k, v in totals.items()],
        "",
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, "\n".join(lines).encode("utf-8"))


def release_state(
    month: str,
    fingerprint: str,
    confirmation: Confirmation | str | None,
    blocked: str = "",
    allowed: pd.DataFrame | None = None,
) -> tuple[str, str]:
    """(draft or released, a note for the operator: why still a draft, or who confirmed).
    `blocked`: why this month's pay cannot be released whatever is confirmed (no 考核评分).
    `allowed`: who may confirm (`confirmers` of the month's roster); a confirmation file written
    by hand in another name is reported, not applied."""
    if blocked:
        return DRAFT, blocked
    if confirmation is None:
        return DRAFT, AWAITING
    if isinstance(confirmation, str):
        return DRAFT, confirmation
    if confirmation.month != month:
        return DRAFT, f"确认文件所写月份 {confirmation.month} 与本月不符,未予采用"
    if confirmation.fingerprint != fingerprint:
        return DRAFT, (
            f"此前确认的考核结果(指纹 {confirmation.fingerprint[:12]})与现在的结果(指纹 {fingerprint[:12]})"
            "不一致:确认后数据有变,未予采用,请主任重新确认"
        )
    if allowed is not None and (why := not_a_confirmer(confirmation.confirmed_by, allowed)):
        return DRAFT, f"{why},确认未予采用"
    by = confirmation.confirmed_by or "主任"  # blank only in a version released before the roster's word
    if allowed is not None:  # a manager id written by hand: the name; a deputy signing says so
        found = _named(by, allowed)
        by = str(found.name.iloc[0]) + ("(副主任)" if found.role.iloc[0] == "副主任" else "")
    return RELEASED, f"已由{by}于 {confirmation.confirmed_at} 确认"


def read_releases(root: Path) -> list[dict]:
    path = root / RELEASES
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else []


def record_release(root: Path, version: int, fingerprint: str, note: str) -> None:
    """Remember that `version` was released: from now on it is frozen."""
    releases = [r for r in read_releases(root) if r["version"] != version]
    releases.append({"version": version, "fingerprint": fingerprint, "note": note})
    text = json.dumps(sorted(releases, key=lambda r: r["version"]), ensure_ascii=False, indent=1)
    atomic_write(root / RELEASES, text.encode("utf-8"))


def last_released(root: Path, before: int) -> int | None:
    """The latest released version before `before` (what managers were last paid by)."""
    versions = [r["version"] for r in read_releases(root) if r["version"] < before]
    return max(versions) if versions else None
