"""Effective-dated rules: every threshold and rate, looked up for the month it applies to."""

from __future__ import annotations

import copy
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

# What a rules file written before these keys existed is read with: a rules file is the centre's
# own copy, and an upgrade must not stop its months. The shipped rules.toml sets every one of them
# (tests/unit/test_rules.py); any period of a file overrides them.
DEFAULTS_FOR_OLDER_FILES: dict[str, Any] = {
    "archive": {"refresh_months": 3},
    "ingest": {"max_amount": 1_000_000_000},  # 元 or 件 in one cell: beyond is an id or a phone number
    "tier": {"returning_months": 12},
    "projects": {"cadence_centre": [2, 4], "cadence_county": [1, 2], "cadence_due_month": 3},
    "execution": {"max_processes": 0},
}


@dataclass(frozen=True)
class Rules:
    """The rules in force for one month, with the period they come from."""

    version: str  # the `from` month of the latest period applied, e.g. "2026-07"
    title: str
    values: dict[str, Any]

    def get(self, dotted: str) -> Any:
        node: Any = self.values
        for part in dotted.split("."):
            node = node[part]
        return node

    def money(self, dotted: str) -> Decimal:
        return Decimal(str(self.get(dotted)))

    def rate(self, dotted: str) -> Decimal:
        return Decimal(str(self.get(dotted)))


class RuleBook:
    """All periods of the rules file, applied in order of their `from` month."""

    def __init__(self, periods: list[dict[str, Any]]):
        self.periods = sorted(periods, key=lambda p: p["from"])
        self._cache: dict[str, Rules] = {}

    @classmethod
    def load(cls, path: Path) -> RuleBook:
        with path.open("rb") as f:
            return cls(tomllib.load(f)["period"])

    def for_month(self, month: str) -> Rules:
        """Rules in force in `month` (YYYY-MM): each earlier period laid over the one before."""
        if month not in self._cache:
            self._cache[month] = self._merge(month)
        return self._cache[month]

    def latest(self) -> Rules:
        return self.for_month(self.periods[-1]["from"])

    def _merge(self, month: str) -> Rules:
        merged: dict[str, Any] = copy.deepcopy(DEFAULTS_FOR_OLDER_FILES)
        version, title = "", ""
        for period in self.periods:
            if period["from"] > month:
                break
            body = {k: v for k, v in period.items() if k not in ("from", "title")}
            _overlay(merged, copy.deepcopy(body))
            version, title = period["from"], period.get("title", "")
        if not version:
            raise LookupError(f"no rules in force for {month}")
        return Rules(version=version, title=title, values=merged)


def _overlay(base: dict[str, Any], top: dict[str, Any]) -> None:
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _overlay(base[key], value)
        else:
            base[key] = value
