"""Reference data of `inputs/reference/`: counties, business types, managers, targets, rules."""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path

import pandas as pd

from pipeline.core.rules import RuleBook
from pipeline.core.text import AliasIndex, normalise, read_text_table

PREFECTURE_OFFICE = "zhouju"  # managers of the 州局 centre itself
PREFECTURE_OFFICE_NAME = "州局"
ALL_COUNTIES = "全州"
# Whom the centre calls at each county centre (催报): code, county, contact, phone. Optional;
# not part of the reference's digest, since it changes nothing of how a workbook reads.
CONTACTS_FILE = "county_contacts.csv"
CONTACT_COLUMNS = ["code", "county", "contact", "phone"]
# files that change nothing of how a workbook reads: the holiday calendar (节日日历) only feeds
# the managers' to-do lists (pipeline.ingest.holidays)
UNREAD_FILES = (CONTACTS_FILE, "holidays.csv")


# how a 更正说明 names a reference file that changed between two versions of a month
FILE_LABELS = {
    "managers.csv": "客户经理名册",
    "targets.csv": "年度目标",
    "rules.toml": "考核与预警规则",
    "counties.csv": "县(市)名录",
    "business_types.csv": "业务种类",
    "aliases.toml": "别名表",
    "market.toml": "竞争对手与需求别名",
}

# what a cell of the roster and of the targets must look like, and how to write it
_DATE = (r"\d{4}-\d{2}-\d{2}", "日期,如 2026-07-01")
_MONTH = (r"(\d{4}-(0[1-9]|1[0-2]))?", "月份,如 2026-10(从该月起生效),一直有效留空")
MANAGER_FIELDS = {
    "active_from": _DATE,
    "active_to": (_DATE[0] + "|", _DATE[1] + ",在岗者留空"),
    "effective_from": _MONTH,  # compared as text with YYYY-MM: 2026-10-01 would apply a month late
}
TARGET_FIELDS = {
    "year": (r"\d{4}", "年份,如 2026"),
    "new_key_accounts": (r"\d+", "整数(户),如 4"),
    "revenue_target": (r"\d+(\.\d{1,2})?", "金额(元),不带千位分隔符,如 180000.00"),
    "effective_from": (r"(\d{4}-\d{2})?", "月份,如 2026-07,自年初起留空"),
}


def _check_rows(name: str, frame: pd.DataFrame, fields: dict[str, tuple[str, str]]) -> None:
    """The first cell of `name` that cannot be read, as one line: file, line, column, value and
    how to write it (a reference file is the centre's own: it is fixed, not worked around)."""
    for column, (pattern, how) in fields.items():
        if column not in frame:
            continue
        frame[column] = frame[column].str.strip()  # as read from here on
        readable = frame[column].str.fullmatch(pattern)
        if pattern.startswith(_DATE[0]):  # 2026-02-30 has the shape of a date, and is none
            readable &= frame[column].map(lambda v: v == "" or _is_date(v))
        bad = frame.index[~readable]
        if len(bad):
            value = frame[column][bad[0]]
            raise ValueError(f"{name} 第{bad[0] + 2}行 {column} 为“{value}”,应为{how}")


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Contact:
    person: str  # "" where the file names nobody
    phone: str


@dataclass
class Reference:
    folder: Path
    counties: pd.DataFrame  # code, name, division_code, aliases
    business_types: pd.DataFrame  # code, name, unit, aliases
    managers: pd.DataFrame  # manager_id, name, county, role, active_from, active_to
    targets: pd.DataFrame  # year, manager_id, new_key_accounts, revenue_target
    aliases: dict
    rules: RuleBook

    @classmethod
    def load(cls, folder: Path) -> Reference:
        def csv(name: str) -> pd.DataFrame:
            return read_text_table(folder / name)

        targets_path = folder / "targets.csv"
        targets = (
            csv("targets.csv")
            if targets_path.exists()
            else pd.DataFrame(columns=["year", "manager_id", "new_key_accounts", "revenue_target"])
        )
        with (folder / "aliases.toml").open("rb") as f:
            aliases = tomllib.load(f)
        managers = csv("managers.csv")
        _check_rows("managers.csv", managers, MANAGER_FIELDS)
        _check_rows("targets.csv", targets, TARGET_FIELDS)
        return cls(
            folder=folder,
            counties=csv("counties.csv"),
            business_types=csv("business_types.csv"),
            managers=managers,
            targets=targets,
            aliases=aliases,
            rules=RuleBook.load(folder / "rules.toml"),
        )

    @cached_property
    def digest(self) -> str:
        """Hash of every reference file: a change (an alias, a rule) can change how a workbook reads."""
        h = hashlib.sha256()
        for path in self._read_files:
            h.update(path.name.encode() + b"\0" + path.read_bytes())
        return h.hexdigest()

    @cached_property
    def file_digests(self) -> dict[str, str]:
        """File name → sha256 of each reference file read: what a 更正说明 names when one changed."""
        return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in self._read_files}

    @property
    def _read_files(self) -> list[Path]:
        return sorted(p for p in self.folder.iterdir() if p.is_file() and p.name not in UNREAD_FILES)

    # -- lookups -------------------------------------------------------------------------

    @cached_property
    def county_names(self) -> dict[str, str]:
        """code → canonical Chinese name."""
        return dict(zip(self.counties.code, self.counties.name, strict=True))

    @cached_property
    def business_index(self) -> AliasIndex:
        """Any alias of a business type → its canonical name (特快 …)."""
        return AliasIndex(
            {row.name: [*row.aliases.split("|"), row.code] for row in self.business_types.itertuples()}
        )

    @cached_property
    def business_order(self) -> list[str]:
        return list(self.business_types.name)

    @cached_property
    def business_units(self) -> dict[str, str]:
        return dict(zip(self.business_types.name, self.business_types.unit, strict=True))

    def value_index(self, kind: str) -> AliasIndex:
        return self._indexes[("values", kind)]

    def sheet_index(self) -> AliasIndex:
        return self._indexes[("sheets", "")]

    def column_index(self, sheet_kind: str) -> AliasIndex:
        return self._indexes[("columns", sheet_kind)]

    @cached_property
    def _indexes(self) -> dict[tuple[str, str], AliasIndex]:
        out = {("sheets", ""): AliasIndex(self.aliases["sheets"])}
        for section in ("values", "columns"):
            for kind, groups in self.aliases[section].items():
                if kind != "natures":
                    out[(section, kind)] = AliasIndex(groups)
        return out

    def markers(self, kind: str) -> tuple[str, ...]:
        return tuple(normalise(m) for m in self.aliases["markers"][kind])

    def county_of_text(self, text: str) -> str | None:
        """County code whose name or alias appears in `text` (file name, 填报单位 …).

        The longest alias found wins, so that 会理市 is not taken for 会东 by a shared prefix.
        Each text is resolved once (a system export repeats a few county texts on every row).
        """
        if text not in self._county_of_text:
            haystack = normalise(text)
            found = (code for alias, code in self._aliases_longest_first if alias in haystack)
            self._county_of_text[text] = next(found, None)
        return self._county_of_text[text]

    @cached_property
    def _county_of_text(self) -> dict[str, str | None]:
        return {}

    @cached_property
    def _aliases_longest_first(self) -> list[tuple[str, str]]:
        pairs = {
            (normalise(alias), row.code)
            for row in self.counties.itertuples()
            for alias in [row.name, *row.aliases.split("|")]
            if normalise(alias)
        }
        return sorted(pairs, key=lambda p: (-len(p[0]), p[0]))

    def roster_in_force(self, month: str) -> pd.DataFrame:
        """One row per manager as the roster stood in `month`: the roster keeps history rows
        (a move to another county, a new role) with `effective_from` (YYYY-MM, blank = always);
        a re-run of a past month uses the row in force then."""
        m = self.managers
        if "effective_from" not in m:
            return m
        m = m[m.effective_from <= month]  # blank sorts first: in force from the start
        return m.sort_values(["manager_id", "effective_from"], kind="mergesort").drop_duplicates(
            "manager_id", keep="last"
        )

    def managers_active_in(self, month: str) -> pd.DataFrame:
        """Managers employed at any time during `month` (YYYY-MM), as the roster stood then."""
        start, end = f"{month}-01", f"{month}-31"
        m = self.roster_in_force(month)
        active = (m.active_from <= end) & ((m.active_to == "") | (m.active_to >= start))
        return m[active]

    @cached_property
    def manager_names(self) -> dict[str, str]:
        """Manager id → name, from the id's latest roster row: the roster keeps history rows (a
        move, a new role), so an id may appear more than once."""
        latest = self.managers
        if "effective_from" in latest:
            latest = latest.sort_values("effective_from", kind="mergesort")
        return dict(zip(latest.manager_id, latest.name, strict=True))

    @cached_property
    def manager_by_name(self) -> dict[str, list[str]]:
        """Normalised name → manager ids (names can repeat across counties)."""
        out: dict[str, list[str]] = {}
        for row in self.managers.itertuples():
            ids = out.setdefault(normalise(row.name), [])
            if row.manager_id not in ids:  # history rows of one manager are one person
                ids.append(row.manager_id)
        return out

    def resolve_manager(self, text: str, county: str | None = None, month: str | None = None) -> str | None:
        """A manager id from what a sheet says: the id itself, or a name. Namesakes are told apart
        by the county of the sheet (its own managers and the 州局's), then by who was employed in
        `month` (one 刘勇 left, another joined); a name still shared by two managers is not
        guessed (None: the sheet names the cell and asks for the 工号)."""
        if text in self.manager_counties:
            return text
        ids = self.manager_by_name.get(normalise(text), [])
        if len(ids) > 1 and county is not None:
            ids = [m for m in ids if self.manager_counties[m] & {county, PREFECTURE_OFFICE}]
        if len(ids) > 1 and month is not None:  # namesakes only: rare, not worth a cache
            ids = [m for m in ids if m in set(self.managers_active_in(month).manager_id)]
        return ids[0] if len(ids) == 1 else None

    @cached_property
    def manager_counties(self) -> dict[str, set[str]]:
        """manager id → every county code (or the 州局) of the roster's rows: a manager who moved
        is a namesake in both counties, whichever month a sheet is of."""
        out: dict[str, set[str]] = {}
        for manager_id, county in zip(self.managers.manager_id, self.managers.county, strict=True):
            out.setdefault(manager_id, set()).add(county)
        return out

    @cached_property
    def county_contacts(self) -> dict[str, Contact]:
        """County name → its centre's contact, from `county_contacts.csv`. A missing file, or one
        without the code/contact/phone columns, gives none (the chase list says 未登记)."""
        path = self.folder / CONTACTS_FILE
        try:
            table = read_text_table(path)
        except (OSError, ValueError, pd.errors.ParserError):
            return {}
        if not {"code", "contact", "phone"} <= set(table.columns):
            return {}
        return {
            self.county_names[r.code]: Contact(r.contact.strip(), r.phone.strip())
            for r in table.itertuples()
            if r.code in self.county_names
        }

    def county_display(self, code: str) -> str:
        if code == PREFECTURE_OFFICE:
            return PREFECTURE_OFFICE_NAME
        return self.county_names.get(code, code)
