"""Market research (市场研究与分析): the competitors and needs the archive names, normalised.

The archive's 竞争对手 and 潜在需求 are free text. `inputs/reference/market.toml` gives each
competitor its aliases (顺丰 = 顺丰速运, SF, 顺丰快递 …) and each need category its aliases and
the business type that serves it (blank: none does, a candidate for 新业务开发需求). A cell is
split at 、 , , ; ; / | and line breaks; each part is matched after normalisation
(pipeline.core.text.normalise), first exactly, then by containing an alias (longest first).
A part that matches nothing is kept as written, `matched` = no (未归类), so that nobody's words
vanish and the aliases can be completed. 无, 暂无, — and the like name nothing.

Only the month's key accounts are counted. Their revenue is summed over the trailing window
(`market.window_months`, 12): for a county, all their revenue; for a business type, their
revenue of that type among those using it.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipeline.analytics.tiers import key_accounts
from pipeline.analytics.trailing import trailing_usage, used
from pipeline.core.contract import COMPETITOR_MENTIONS, COMPETITORS, NEEDS
from pipeline.core.text import AliasIndex, normalise

MARKET_FILE = "market.toml"
ALL_COUNTIES, ALL_BUSINESS = "全州", "全部"
COMPETITOR, NEED = "competitor", "need"
_PARTS = re.compile(r"[、,,;;/|\n\r]+")
_SPACES = re.compile(r"\s+")  # full-width ones (\u3000) too
NOTHING = {
    normalise(w)
    for w in ("无", "暂无", "没有", "不详", "未知", "-", "—", "——", "/", "无竞争对手", "暂无需求")
}


@dataclass
class MarketAliases:
    competitors: dict[str, list[str]] = field(default_factory=dict)
    needs: dict[str, dict] = field(default_factory=dict)  # category → {served_by, aliases}
    _matched: dict[tuple[str, str], str | None] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def load(cls, reference: Path, business: AliasIndex) -> MarketAliases:
        """The file's names; each need's `served_by` read as a business type (业务种类) through
        its aliases ("EMS" is 特快). One that names none is the file's mistake, said in one line:
        taken as it is, it would list a served need as 新业务开发需求."""
        path = reference / MARKET_FILE
        if not path.exists():
            return cls()
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        needs = {}
        for name, spec in data.get("needs", {}).items():
            written = str(spec.get("served_by", "")).strip()
            served = business.match(written) if written else ""
            if served is None:
                raise ValueError(
                    f'{MARKET_FILE} [needs."{name}"] served_by 为“{written}”,应为业务种类之一'
                    "(business_types.csv 的名称或别名),无现有业务可满足时留空"
                )
            needs[name] = {"served_by": served, "aliases": list(spec.get("aliases", []))}
        return cls({k: list(v) for k, v in data.get("competitors", {}).items()}, needs)

    def _groups(self, kind: str) -> dict[str, list[str]]:
        if kind == COMPETITOR:
            return self.competitors
        return {name: spec["aliases"] for name, spec in self.needs.items()}

    def match(self, kind: str, text: str) -> str | None:
        """The canonical name of `text` (one part of a cell), or None."""
        key = normalise(text)
        if (kind, key) not in self._matched:  # the same few words in thousands of cells
            self._matched[kind, key] = self._match(kind, key)
        return self._matched[kind, key]

    def _match(self, kind: str, key: str) -> str | None:
        pairs = [
            (normalise(a), name) for name, aliases in self._groups(kind).items() for a in [name, *aliases]
        ]
        for alias, name in pairs:
            if alias == key:
                return name
        # the longest alias inside; among equals the one written first (冷链快递 is 冷链寄递, not 快递:
        # the word before names the kind)
        inside = [(len(alias), key.find(alias), name) for alias, name in pairs if alias and alias in key]
        return min(inside, key=lambda found: (-found[0], found[1]))[2] if inside else None

    def spaced_apart(self, kind: str, parts: list[str]) -> list[str]:
        """Parts split at spaces too ("顺丰 京东") where every piece is a known name; a part
        whose pieces are not all known stays whole ("本地货运部 13512349335")."""
        out = []
        for part in parts:
            pieces = _SPACES.split(part)
            known = len(pieces) > 1 and all(self.match(kind, piece) for piece in pieces)
            out.extend(pieces if known else [part])
        return out

    def served_by(self, need: str) -> str:
        return self.needs.get(need, {}).get("served_by", "")


def split_parts(text: object) -> list[str]:
    """The parts of a free-text cell, trimmed; nothing for 无 and the like."""
    if text is None or text != text:
        return []
    parts = [p.strip() for p in _PARTS.split(str(text))]
    return [p for p in parts if p and normalise(p) not in NOTHING]


def mentions(
    archive: pd.DataFrame,
    tiers: pd.DataFrame,
    trailing: pd.DataFrame,
    aliases: MarketAliases,
) -> pd.DataFrame:
    """One row per key account × competitor or need it names (COMPETITOR_MENTIONS)."""
    keys = key_accounts(tiers).set_index("customer_id")
    records = archive[archive.customer_id.isin(keys.index)]
    revenue = trailing.groupby("customer_id").revenue_fen.sum().to_dict()
    managers, counties = keys.manager_id.to_dict(), keys.county.to_dict()
    rows: dict[tuple[str, str, str], dict] = {}
    for r in records.itertuples():
        for kind, text in ((COMPETITOR, r.competitors), (NEED, r.potential)):
            for part in aliases.spaced_apart(kind, split_parts(text)):
                name = aliases.match(kind, part)
                key = (r.customer_id, kind, name or part)
                if key in rows:
                    if part not in rows[key]["written"]:
                        rows[key]["written"].append(part)
                    continue
                manager = managers.get(r.customer_id)
                rows[key] = {
                    "customer_id": r.customer_id,
                    "county": counties[r.customer_id],
                    "manager_id": manager if isinstance(manager, str) else "",
                    "kind": kind,
                    "name": name or part,
                    "matched": "yes" if name else "no",
                    "written": [part],
                    "trailing_revenue_fen": int(revenue.get(r.customer_id, 0)),
                }
    out = pd.DataFrame(list(rows.values()), columns=COMPETITOR_MENTIONS.frame_columns)
    out["written"] = out.written.map("、".join)
    return out.sort_values(["customer_id", "kind", "name"], kind="mergesort").reset_index(drop=True)


def _joined(written) -> str:
    """The distinct ways a name was written, in order, 、-joined."""
    return "、".join(sorted({w for text in written for w in text.split("、")}))


def competitor_table(
    found: pd.DataFrame,
    trailing: pd.DataFrame,
    tiers: pd.DataFrame,
    counties: list[str],
    business_order: list[str],
) -> pd.DataFrame:
    """Per competitor: by county (all business), by business type (全州), and 全州 × 全部 (COMPETITORS).

    Each group is summed once and looked up per competitor: filtering the frames for every
    competitor × county × business type cost a second a month."""
    found = found[found.kind == COMPETITOR].drop_duplicates(["name", "customer_id"])
    accounts = key_accounts(tiers)
    county_of = accounts.set_index("customer_id").county
    key_usage = trailing[trailing.customer_id.isin(set(accounts.customer_id))]
    key_usage = key_usage.assign(home=key_usage.customer_id.map(county_of))
    county_total = key_usage.groupby("home").revenue_fen.sum()
    business_total = key_usage.groupby("business_type").revenue_fen.sum()
    all_total = int(key_usage.revenue_fen.sum())
    theirs = key_usage.merge(found[["name", "customer_id"]], on="customer_id")
    revenue = theirs.groupby("name").revenue_fen.sum()
    revenue_in = theirs.groupby(["name", "home"]).revenue_fen.sum()
    by_business = theirs.groupby(["name", "business_type"]).agg(
        revenue=("revenue_fen", "sum"), ids=("customer_id", lambda c: set(c))
    )
    pairs = zip(found.name, found.customer_id, strict=True)
    written = dict(zip(pairs, found.written, strict=True))  # looked up one by one
    rows = []
    for name, mine in found.groupby("name", sort=False):
        matched = mine.matched.iloc[0]
        scopes = [
            (ALL_COUNTIES, ALL_BUSINESS, mine.customer_id, mine.written, int(revenue.get(name, 0)), all_total)
        ]
        in_county = dict(tuple(mine.groupby("county", sort=False)))
        for county in counties:
            if county in in_county:
                here = in_county[county]
                scopes.append(
                    (
                        county,
                        ALL_BUSINESS,
                        here.customer_id,
                        here.written,
                        int(revenue_in.get((name, county), 0)),
                        int(county_total.get(county, 0)),
                    )
                )
        for business in business_order:
            if (name, business) in by_business.index:
                using = by_business.loc[(name, business)]
                ids = sorted(using.ids)
                scopes.append(
                    (
                        ALL_COUNTIES,
                        business,
                        ids,
                        [written[(name, c)] for c in ids],
                        int(using.revenue),
                        int(business_total.get(business, 0)),
                    )
                )
        for county, business, ids, texts, amount, total in scopes:
            rows.append(
                {
                    "competitor": name,
                    "county": county,
                    "business_type": business,
                    "matched": matched,
                    "key_accounts": len(set(ids)),
                    "revenue_fen": amount,
                    "revenue_share": amount / total if total else None,
                    "written": _joined(texts),
                }
            )
    out = pd.DataFrame(rows, columns=COMPETITORS.frame_columns)
    return _ranked(out, "competitor")


def _ranked(out: pd.DataFrame, name: str) -> pd.DataFrame:
    """Names by their 全州 count (most first), then matched before 未归类, then the name; each
    name's 全州 row first, in the order the rows were made (counties, then business types)."""
    if out.empty:
        return out
    overall = out[(out.county == ALL_COUNTIES) & (out.get("business_type", ALL_BUSINESS) == ALL_BUSINESS)]
    order = overall.sort_values(
        ["key_accounts", "matched", name], ascending=[False, False, True], kind="mergesort"
    )[name].tolist()
    position = {n: i for i, n in enumerate(order)}
    out = out.assign(_o=out[name].map(position), _i=range(len(out)))
    return out.sort_values(["_o", "_i"], kind="mergesort").drop(columns=["_o", "_i"]).reset_index(drop=True)


def need_table(
    found: pd.DataFrame, aliases: MarketAliases, counties: list[str], business_order: list[str]
) -> pd.DataFrame:
    """Per need category and county (and 全州): key accounts naming it and their revenue (NEEDS)."""
    found = found[found.kind == NEED]
    by_name: dict[str, list] = {}  # plain lists: a pandas group per need cost seconds at scale
    for r in found.itertuples(index=False):
        by_name.setdefault(r.name, []).append(r)
    rows = []
    for name, mine in by_name.items():
        matched = mine[0].matched
        served = aliases.served_by(name) if matched == "yes" else ""
        unserved = "unknown" if matched == "no" else ("no" if served in business_order else "yes")
        in_county: dict[str, list] = {}
        for r in mine:
            in_county.setdefault(r.county, []).append(r)
        scopes = [(ALL_COUNTIES, mine)] + [(c, in_county[c]) for c in counties if c in in_county]
        for county, here in scopes:
            revenue_of: dict[str, int] = {}  # each key account once
            for r in here:
                revenue_of.setdefault(r.customer_id, r.trailing_revenue_fen)
            rows.append(
                {
                    "need": name,
                    "county": county,
                    "served_by": served,
                    "unserved": unserved,
                    "matched": matched,
                    "key_accounts": len(revenue_of),
                    "revenue_fen": int(sum(revenue_of.values())),
                    "written": _joined(r.written for r in here),
                }
            )
    out = pd.DataFrame(rows, columns=NEEDS.frame_columns)
    return _ranked(out, "need")


def market_tables(
    usage_by_month: dict[str, pd.DataFrame],
    month: str,
    tiers: pd.DataFrame,
    archive: pd.DataFrame,
    aliases: MarketAliases,
    window: int,
    counties: list[str],
    business_order: list[str],
) -> dict[str, pd.DataFrame]:
    """competitor_mentions, competitors and needs of the month."""
    trailing = used(trailing_usage(usage_by_month, month, window))
    found = mentions(archive, tiers, trailing, aliases)
    return {
        "competitor_mentions": found,
        "competitors": competitor_table(found, trailing, tiers, counties, business_order),
        "needs": need_table(found, aliases, counties, business_order),
    }


def market_section(tables: dict[str, pd.DataFrame], top: int = 8) -> dict:
    """The 信息参考's page: the competitors named most often and the needs no business serves."""
    competitors, needs, found = tables["competitors"], tables["needs"], tables["competitor_mentions"]
    overall = competitors[(competitors.county == ALL_COUNTIES) & (competitors.business_type == ALL_BUSINESS)]
    rows = []
    for r in overall.head(top).itertuples():
        by_county = competitors[
            (competitors.competitor == r.competitor) & (competitors.county != ALL_COUNTIES)
        ]
        by_county = by_county.sort_values(["key_accounts", "revenue_fen"], ascending=False, kind="mergesort")
        rows.append(
            {
                "competitor": r.competitor,
                "matched": r.matched,
                "key_accounts": int(r.key_accounts),
                "revenue_fen": int(r.revenue_fen),
                # four places, as the content has always held it (the edition's hash is over it)
                "revenue_share": None if pd.isna(r.revenue_share) else round(float(r.revenue_share), 4),
                "counties": [f"{c.county} {c.key_accounts}" for c in by_county.head(3).itertuples()],
            }
        )
    all_needs = needs[needs.county == ALL_COUNTIES]
    unserved = all_needs[all_needs.unserved == "yes"]
    comp = found[found.kind == COMPETITOR]
    return {
        "competitors": rows,
        "accounts_naming": int(comp.customer_id.nunique()),
        "unmatched_competitors": int((overall.matched == "no").sum()),
        "unserved_needs": [
            {"need": r.need, "key_accounts": int(r.key_accounts), "revenue_fen": int(r.revenue_fen)}
            for r in unserved.head(top).itertuples()
        ],
        "served_needs": [
            {"need": r.need, "served_by": r.served_by, "key_accounts": int(r.key_accounts)}
            for r in all_needs[all_needs.unserved == "no"].head(top).itertuples()
        ],
        "unmatched_needs": int((all_needs.unserved == "unknown").sum()),
    }
