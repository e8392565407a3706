"""更正说明: what a new version of a month's publications changes against the version before.

Each version keeps the content it stated (content.json beside its PDFs); the note compares two
of them: which county files changed, and the figures, tiers and alerts that differ (old → new).
Pay appears only as "statements updated": amounts stay in the restricted folder.
"""

from __future__ import annotations

import json
from pathlib import Path

CONTENT = "content.json"


def write_content(folder: Path, content: dict, pay_digest: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    data = {**content, "pay_digest": pay_digest}
    (folder / CONTENT).write_text(
        json.dumps(data, ensure_ascii=False, sort_keys=True, default=str), encoding="utf-8"
    )


def read_content(folder: Path) -> dict | None:
    path = folder / CONTENT
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def correction_notes(old: dict, new: dict) -> dict:
    """The differences a reader must know about, as plain data for the templates."""
    before = {s["county"]: s for s in old["submissions"]}
    files = [
        {
            "county": s["county"],
            "old_file": before.get(s["county"], {}).get("file") or "—",
            "new_file": s["file"] or "—",
            "old_status": before.get(s["county"], {}).get("status_label", "—"),
            "new_status": s["status_label"],
        }
        for s in new["submissions"]
        if before.get(s["county"], {}).get("sha256") != s["sha256"]
    ]
    figures = []
    _compare(
        figures,
        "全州收入(万元)",
        old["total"].get("revenue_fen"),
        new["total"].get("revenue_fen"),
        money=True,
    )
    for key, label in (("revenue_mom", "全州收入环比"), ("revenue_yoy", "全州收入同比")):
        _compare(figures, label, old["total"].get(key), new["total"].get(key), pct=True)
    _compare(figures, "州级大客户(户)", old["tiers"]["prefecture"], new["tiers"]["prefecture"])
    _compare(figures, "县级大客户(户)", old["tiers"]["county"], new["tiers"]["county"])
    _compare(figures, "流失预警(户)", old["alerts"]["loss"], new["alerts"]["loss"])
    _compare(figures, "下降预警(户)", old["alerts"]["decline"], new["alerts"]["decline"])
    for section, key in (("by_county", "county"), ("by_business", "business_type")):
        before_rows = {r[key]: r.get("revenue_fen") for r in old[section]}
        for r in new[section]:
            label = f"{r[key]} 收入(万元)"
            _compare(figures, label, before_rows.get(r[key]), r.get("revenue_fen"), money=True)
    return {
        "previous_version": _version(old),
        "files": files,
        "figures": figures,
        "pay_updated": old.get("pay_digest") != new.get("pay_digest"),
    }


def _version(content: dict) -> int | None:
    return content.get("version")


def _compare(out: list[dict], label: str, old, new, money: bool = False, pct: bool = False) -> None:
    def shown(value) -> str:
        if value is None:
            return "—"
        if money:
            return f"{value / 1e6:,.2f}"
        return f"{value * 100:+.1f}%" if pct else f"{value}"

    if shown(old) != shown(new):
        out.append({"label": label, "old": shown(old), "new": shown(new)})
