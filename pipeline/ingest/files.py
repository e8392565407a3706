"""Which files of a month folder belong to which county, and what identifies a submission."""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

from pipeline.core.problems import Problem, problem
from pipeline.core.text import normalise
from pipeline.ingest.grid import (
    HEADER_SCAN_ROWS,
    READABLE_SUFFIXES,
    UnreadableFile,
    cached_grids,
    size_problem,
)
from pipeline.ingest.reference import Reference


def county_files(month_dir: Path, ref: Reference) -> tuple[dict[str, list[Path]], list[Path]]:
    """Spreadsheet files of a month folder by county code, and files of no known county.

    The county is read from the file name, else from the 填报单位 line inside the file.
    The centre's own 考核评分 workbook (`is_assessment_file`) is not a county file.
    """
    by_county: dict[str, list[Path]] = {}
    unknown: list[Path] = []
    if not month_dir.is_dir():
        return by_county, unknown
    for path in sorted(month_dir.iterdir()):
        if not _readable(path) or is_assessment_file(path, ref):
            continue
        code = ref.county_of_text(path.stem) or _county_inside(path, ref)
        if code:
            by_county.setdefault(code, []).append(path)
        else:
            unknown.append(path)
    return by_county, unknown


def _readable(path: Path) -> bool:
    """A spreadsheet file, not the lock file Excel and WPS leave beside an open one."""
    return path.suffix.lower() in READABLE_SUFFIXES and not path.name.startswith(("~$", "."))


def is_assessment_file(path: Path, ref: Reference) -> bool:
    """The centre's 考核评分 workbook: named by a name of the sheet (考核评分.xlsx), or starting
    with one (考核评分_2025年3月.xlsx, 考核评分表.xlsx) when neither its name nor a 填报单位 line
    inside names a county (a county's workbook so named stays the county's)."""
    if ref.sheet_index().match(path.stem) == "assessment":
        return True
    stem = normalise(path.stem)
    names = [normalise(name) for name in ref.aliases["sheets"]["assessment"]]
    if not any(stem.startswith(name) for name in names if name):
        return False
    return ref.county_of_text(path.stem) is None and _county_inside(path, ref) is None


def assessment_files(month_dir: Path, ref: Reference) -> list[Path]:
    """The 考核评分 workbooks of a month folder (one is expected; several are reported, never merged)."""
    if not month_dir.is_dir():
        return []
    return [
        p for p in sorted(month_dir.iterdir()) if p.is_file() and _readable(p) and is_assessment_file(p, ref)
    ]


def _county_inside(path: Path, ref: Reference) -> str | None:
    if size_problem_of(path, ref, None):
        return None
    try:
        grids = cached_grids(path)
    except UnreadableFile:
        return None
    for grid in grids:
        for row in grid.cells[:HEADER_SCAN_ROWS]:
            for cell in row:
                if "填报单位" in normalise(cell) or "报送单位" in normalise(cell):
                    return ref.county_of_text(str(cell))
    return None


def size_problem_of(path: Path, ref: Reference, month: str | None) -> str:
    """The file-size limits of the rules in force (the latest ones when no month is known)."""
    rules = ref.rules.for_month(month) if month else ref.rules.latest()
    limits = rules.get("ingest")
    return size_problem(path, limits["max_file_mb"], limits["max_unpacked_mb"], limits["max_pack_ratio"])


def file_sha256(paths: list[Path]) -> str:
    """Names and bytes: the county asset's data version, so that a renamed file is read again
    and the tables show its current name."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def bytes_sha256(paths: list[Path]) -> str:
    """What identifies a submission: the sha256 of the file (of each file's, for several), not
    its name, so that renaming a file changes nothing that is published; "" for no file."""
    if not paths:
        return ""
    digests = sorted(hashlib.sha256(p.read_bytes()).hexdigest() for p in paths)
    return digests[0] if len(digests) == 1 else hashlib.sha256("".join(digests).encode()).hexdigest()


def received_at(paths: list[Path]) -> str:
    latest = max(p.stat().st_mtime for p in paths)
    return datetime.fromtimestamp(latest).strftime("%Y-%m-%d %H:%M")


def unknown_file_problems(unknown: list[Path]) -> list[Problem]:
    return [problem("county_unknown", file=p.name) for p in unknown]
