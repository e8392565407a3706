"""Where everything lives under `inputs/` and `outputs/` (SPEC §2)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.core.months import is_month

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Layout:
    inputs: Path
    outputs: Path

    @property
    def reference(self) -> Path:
        return self.inputs / "reference"

    def month_inputs(self, month: str) -> Path:
        return self.inputs / month

    def first_month_received(self) -> str | None:
        """The first month whose folder under inputs/ holds a file: the centre's go-live."""
        folders = self.inputs.iterdir() if self.inputs.is_dir() else ()
        received = [p.name for p in folders if is_month(p.name) and p.is_dir() and any(p.iterdir())]
        return min(received, default=None)

    def tables(self, month: str) -> Path:
        return self.outputs / "tables" / month

    def survey_tables(self, wave: str) -> Path:
        return self.outputs / "tables" / "surveys" / wave

    def problems(self, month: str) -> Path:
        return self.outputs / "problems" / month

    def feedback(self, month: str) -> Path:
        """The county workbooks returned with their problems marked, and the chase notices."""
        return self.outputs / "feedback" / month

    def bulletins(self, month: str) -> Path:
        return self.outputs / "bulletins" / month

    @property
    def site(self) -> Path:
        return self.outputs / "site"

    def confirmation(self, month: str) -> Path:
        """The director's confirmation of a month's scorecards and pay (`kac confirm`)."""
        return self.inputs / "confirmations" / f"考核确认_{month}.toml"

    def restricted_pay(self, month: str) -> Path:
        return self.outputs / "restricted" / "pay" / month

    def managers(self, month: str) -> Path:
        """Each manager's own to-do list (工作清单) of the month: restricted, never linked from the site."""
        return self.outputs / "managers" / month

    def restricted_todo(self, month: str) -> Path:
        """Every manager's to-do items of the month in one table: it holds key persons' birthdays,
        which are shown only in each manager's own list, so it is kept with the pay."""
        return self.outputs / "restricted" / "todo" / month

    @property
    def dagster_home(self) -> Path:
        return self.outputs / ".dagster"

    @property
    def storage(self) -> Path:
        """Dagster's stored asset values (pickles): pay and exact scores among them, so under
        restricted/ like the pay they are (`old_storage` is where versions before kept them)."""
        return self.outputs / "restricted" / "storage"

    @property
    def old_storage(self) -> Path:
        return self.dagster_home / "storage"
