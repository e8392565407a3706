"""What reading a county's workbook of a month depends on, and its fingerprint (the county
asset's data version): the file itself, the reference data, last month's archive names and the
reader's own code. A county is read again only when its fingerprint changed."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline.core.code import package_digest, package_files
from pipeline.ingest.files import county_files, file_sha256
from pipeline.ingest.reference import Reference

# The reader's own code: a change to it re-reads every workbook, as a change of file would.
READER_PACKAGES = ("core", "ingest")
_RECENT = 4  # states of a month's inputs kept worked out


@dataclass(frozen=True)
class CountyInputs:
    files: dict[str, list[Path]]  # county code → its files of the month
    archive_names: dict[str, str]  # customer id → name in last month's archive
    shared: str  # hash of what every county of the month shares

    def version(self, code: str) -> str:
        return hashlib.sha256((file_sha256(self.files.get(code, [])) + self.shared).encode()).hexdigest()


_worked_out: dict[tuple, CountyInputs] = {}


def county_inputs(ref: Reference, month_folder: Path, last_archive: Path) -> CountyInputs:
    """Worked out once per state of the month's files, last month's archive (`last_archive`, its
    parquet table), the reference data and the reader's code: every county step of a run asks for
    the same (at province scale, reading the archive in each of 183 steps cost more than the
    counties' files)."""
    stamp = (
        str(month_folder),
        ref.digest,
        _stamps(sorted(month_folder.iterdir()) if month_folder.is_dir() else []),
        _stamps([last_archive] if last_archive.exists() else []),
        _stamps(package_files(*READER_PACKAGES)),
    )
    if stamp not in _worked_out:
        if len(_worked_out) >= _RECENT:
            del _worked_out[next(iter(_worked_out))]
        _worked_out[stamp] = _work_out(ref, month_folder, last_archive)
    return _worked_out[stamp]


def _work_out(ref: Reference, month_folder: Path, last_archive: Path) -> CountyInputs:
    files, _ = county_files(month_folder, ref)
    names = archived_names(last_archive)
    h = hashlib.sha256(ref.digest.encode())
    h.update(json.dumps(sorted(names.items()), ensure_ascii=False).encode())
    h.update(package_digest(*READER_PACKAGES).encode())
    return CountyInputs(files, names, h.hexdigest())


def _stamps(paths: list[Path]) -> tuple:
    return tuple((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in paths)


def archived_names(path: Path) -> dict[str, str]:
    """Customer names of last month's archive table, to check this month's usage rows against."""
    if not path.exists():
        return {}
    archive = pd.read_parquet(path, columns=["customer_id", "name"])
    return dict(zip(archive.customer_id, archive.name, strict=True))
