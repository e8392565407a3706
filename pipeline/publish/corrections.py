"""更正说明: what a new version of a month's publications changes against the version before.

Each version keeps the content it stated (content.json beside its PDFs); the note compares two
of them: which county files changed (when received, sha256), reports accepted before and no
longer used, and the figures, volumes, tiers and alerts that differ (old → new, and the change).
Pay appears only as "statements updated": amounts stay in the restricted folder.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from pipeline.core.code import package_digest
from pipeline.core.digest import content_hash
from pipeline.core.files import atomic_write
from pipeline.core.money import format_wan, percent
from pipeline.ingest.guards import losses
from pipeline.ingest.reference import FILE_LABELS
from pipeline.publish.editions import DISPLAY_ONLY, read_manifest, stated

CONTENT = "content.json"


# in content.json, not in what the edition hashes; `code`: the release that stated the content
KEPT_BESIDE = ("pay_digest", "reference_files", "code")
# the code that decides what a month's content states (the site and the drawing code do not)
CONTENT_PACKAGES = ("analytics", "core", "feedback", "ingest", "pay", "publish", "surveys")


def write_content(
    folder: Path, content: dict, pay_digest: str, reference_files: dict[str, str] | None = None
) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    data = {**content, "pay_digest": pay_digest, "reference_files": reference_files or {}}
    data["code"] = package_digest(*CONTENT_PACKAGES)
    atomic_write(
        folder / CONTENT, json.dumps(data, ensure_ascii=False, sort_keys=True, default=str).encode("utf-8")
    )


def read_content(folder: Path) -> dict | None:
    path = folder / CONTENT
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def legacy_unchanged(folder: Path, content: dict, pay_lines: list[dict], pay_digest: str) -> bool:
    """Whether a version hashed the older way (file names in) states what `content` states:
    its kept content equal but for the submissions' file fields, its pay digest equal to the
    older one of these pay lines. When so, its content.json takes the new form (sha256 of the
    file alone), so that the next 更正说明 compares like with like."""
    kept = read_content(folder)
    if kept is None or kept.get("pay_digest") != content_hash(pay_lines):
        return False
    fresh = json.loads(json.dumps(content, ensure_ascii=False, default=str))
    if content_hash(_figures_only(kept)) != content_hash(_figures_only(fresh)):
        return False
    write_content(folder, content, pay_digest, kept.get("reference_files"))
    return True


def only_fields_added(folder: Path, content: dict, pay_digest: str) -> bool:
    """Whether the version kept in `folder`, stated by an earlier release, states what `content`
    states but for the fields this release adds (叠加使用's window_months): every value it has is
    in `content` as it was, lists as long, pay the same. When so, its content.json takes the
    new form, as `legacy_unchanged` does: an upgrade issues no version that corrects nothing.
    Content stated by this very release is decided by its hash alone."""
    kept = read_content(folder)
    if kept is None or kept.get("pay_digest") != pay_digest:
        return False
    if kept.get("code") == package_digest(*CONTENT_PACKAGES):
        return False
    fresh = json.loads(json.dumps(content, ensure_ascii=False, default=str))
    if not _within(stated({k: v for k, v in kept.items() if k not in KEPT_BESIDE}), stated(fresh)):
        return False
    write_content(folder, content, pay_digest, kept.get("reference_files"))
    return True


def _within(old: object, new: object) -> bool:
    """`new` holds everything `old` holds: the same values, dicts with perhaps more keys."""
    if isinstance(old, dict):
        return isinstance(new, dict) and all(k in new and _within(v, new[k]) for k, v in old.items())
    if isinstance(old, list):
        return isinstance(new, list) and len(old) == len(new) and all(map(_within, old, new))
    return old == new


def _figures_only(content: dict) -> dict:
    fields = (*DISPLAY_ONLY, "reject_code")
    submissions = [{k: v for k, v in s.items() if k not in fields} for s in content["submissions"]]
    return {**{k: v for k, v in content.items() if k not in KEPT_BESIDE}, "submissions": submissions}


def published_content(folder: Path) -> tuple[int, dict] | None:
    """(version, content) of the month's latest published version, if any."""
    versions = read_manifest(folder)["versions"]
    if not versions:
        return None
    latest = versions[-1]["version"]
    content = read_content(folder / f"v{latest}")
    return (latest, content) if content is not None else None


def correction_notes(old: dict, new: dict, old_version: int, first: dict | None = None) -> dict:
    """The differences a reader must know about, as plain data for the templates: against the
    version before and, from 第3版 on, against 第1版 (`first`), which is what readers saw first."""
    return {
        "previous_version": old_version,
        "files": _files(old, new),
        "figures": _figures(old, new),
        "since_first": _figures(first, new) if first is not None else [],
        # only reached past the folder guard, i.e. with the operator's word (pipeline.guards)
        "losses": [x.note() for x in losses(old_version, old["submissions"], new["submissions"])],
        "pay_updated": old.get("pay_digest") != new.get("pay_digest"),
        "reference": _reference(old.get("reference_files"), new.get("reference_files")),
        # 对账 with the 量收系统 (数据质量说明): a new export changes no figure of the counties
        "reconciliation_updated": old.get("reconciliation") != new.get("reconciliation"),
    }


def _reference(old: dict | None, new: dict | None) -> list[str]:
    """The reference files (roster, targets, rules …) that changed: a version kept before they
    were recorded compares with nothing."""
    if not old or not new:
        return []
    changed = sorted(name for name in old.keys() | new.keys() if old.get(name) != new.get(name))
    return [f"{FILE_LABELS.get(name, name)}({name})" for name in changed]


def _files(old: dict, new: dict) -> list[dict]:
    """Counties whose file changed: the file received and what tells the two apart (when it
    was received, the first 8 hex digits of its sha256), as the names may well be the same."""
    before = {s["county"]: s for s in old["submissions"]}
    out = []
    for s in new["submissions"]:
        was = before.get(s["county"], {})
        if was.get("sha256") == s["sha256"]:
            continue
        names = dict.fromkeys(n for n in (was.get("file"), s["file"]) if n)
        out.append(
            {
                "county": s["county"],
                "file": " → ".join(names) or "—",
                "old_file": _received(was),
                "new_file": _received(s),
                "old_status": was.get("status_label", "—"),
                "new_status": s["status_label"],
            }
        )
    return out


def _received(submission: dict) -> str:
    if not submission.get("sha256"):
        return "—"
    when = submission.get("received_at") or "收到时间未记录"
    return f"{when} · sha256 {submission['sha256'][:8]}"


def _figures(old: dict, new: dict) -> list[dict]:
    figures: list[dict] = []
    _compare(
        figures, "全州收入(万元)", old["total"].get("revenue_fen"), new["total"].get("revenue_fen"), MONEY
    )
    for key, label in (("revenue_mom", "全州收入环比"), ("revenue_yoy", "全州收入同比")):
        _compare(figures, label, old["total"].get(key), new["total"].get(key), PCT)
    _compare(figures, "州级大客户(户)", old["tiers"]["prefecture"], new["tiers"]["prefecture"])
    _compare(figures, "县级大客户(户)", old["tiers"]["county"], new["tiers"]["county"])
    _compare(figures, "流失预警(户)", old["alerts"]["loss"], new["alerts"]["loss"])
    _compare(figures, "下降预警(户)", old["alerts"]["decline"], new["alerts"]["decline"])
    # volumes by business type only: each has one unit (件, 份, 笔); a county's sum would mix them
    volumes = {r["business_type"]: r.get("volume") for r in old["by_business"]}
    for r in new["by_business"]:
        label = f"{r['business_type']} 用邮量({r.get('unit') or '件'})"
        _compare(figures, label, volumes.get(r["business_type"]), r.get("volume"), VOLUME)
    for section, key in (("by_county", "county"), ("by_business", "business_type")):
        before_rows = {r[key]: r.get("revenue_fen") for r in old[section]}
        for r in new[section]:
            label = f"{r[key]} 收入(万元)"
            _compare(figures, label, before_rows.get(r[key]), r.get("revenue_fen"), MONEY)
    _case_figures(figures, old.get("cases") or {}, new.get("cases") or {})
    _county_rows(figures, old.get("submissions", []), new.get("submissions", []), SUBMISSION_FIGURES)
    centres = [(o.get("centres") or {}).get("rows", []) for o in (old, new)]
    _county_rows(figures, *centres, CENTRE_FIGURES)
    return figures


MONEY, PCT, VOLUME, COUNT, SCORE = "money", "pct", "volume", "count", "score"
CASE_FIGURES = {"open": "未办结案件(件)", "overdue": "超时未办结案件(件)", "closed": "本月办结案件(件)"}
SUBMISSION_FIGURES = {"errors": "报表错误(条)", "warnings": "报表提示(条)"}
CENTRE_FIGURES = {"total": ("县级中心考核得分", SCORE), "rank": "县级中心考核名次"}


def _case_figures(figures: list[dict], old: dict, new: dict) -> None:
    """The cases of the prefecture, then of each county: a case closed by a correction shows."""
    for key, label in CASE_FIGURES.items():
        _compare(figures, f"全州{label}", old.get(key), new.get(key))
    _county_rows(figures, old.get("by_county", []), new.get("by_county", []), CASE_FIGURES)


def _county_rows(figures: list[dict], old: list[dict], new: list[dict], fields: dict) -> None:
    """Each county's `fields` (key → label, or (label, kind)) that differ between two lists of
    county rows."""
    before = {r["county"]: r for r in old}
    for r in new:
        was = before.get(r["county"], {})
        for key, field in fields.items():
            label, kind = field if isinstance(field, tuple) else (field, COUNT)
            _compare(figures, f"{r['county']} {label}", was.get(key), r.get(key), kind)


def _shown(value, kind: str) -> str:
    if value is None:
        return "—"
    if kind == MONEY:
        return format_wan(value)
    if kind == PCT:
        return f"{percent(value):+}%"
    if kind == SCORE:
        return f"{value:.2f}"
    return f"{int(value):,}" if kind == VOLUME else f"{value}"


def _change(old, new, kind: str) -> str:
    """new − old, as the pay deltas are; blank where one side is unknown or for ratios."""
    if old is None or new is None or kind == PCT:
        return ""
    if kind == MONEY:
        return format_wan(new - old, sign=True)
    if kind == SCORE:
        return f"{Decimal(str(new)) - Decimal(str(old)):+.2f}"
    return f"{int(new) - int(old):+,}"


def _compare(out: list[dict], label: str, old, new, kind: str = COUNT) -> None:
    if _shown(old, kind) != _shown(new, kind):
        out.append(
            {
                "label": label,
                "old": _shown(old, kind),
                "new": _shown(new, kind),
                "change": _change(old, new, kind),
            }
        )
