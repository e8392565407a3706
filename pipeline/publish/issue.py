"""Issuing a month's publications: the edition (a new version only when what is published
changed), the content it states, its 更正说明, and each document rendered once per version."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipeline.core.digest import content_hash
from pipeline.pay.lines import pay_digest_lines
from pipeline.publish.corrections import (
    correction_notes,
    legacy_unchanged,
    only_fields_added,
    read_content,
    write_content,
)
from pipeline.publish.editions import (
    add_files,
    edition_hash,
    read_manifest,
    record_version,
    version_for,
)


@dataclass(frozen=True)
class Edition:
    version: int
    new: bool
    folder: Path  # the version's own folder (v1, v2 …)
    digest: str
    corrections: dict | None  # 更正说明 against earlier versions; None for 第1版

    def as_dict(self) -> dict:
        """As the edition asset hands it on (plain values, stored between steps)."""
        return {
            "version": self.version,
            "new": self.new,
            "folder": str(self.folder),
            "corrections": self.corrections,
        }


def issue_edition(
    folder: Path,
    month: str,
    content: dict,
    quarterly: list[dict],
    pay_lines: list[dict],
    reference_files: dict[str, str] | None = None,
) -> Edition:
    """The month's edition in `folder` (outputs/bulletins/YYYY-MM): the version in force when its
    content, quarterly table and pay are unchanged, else a new version with its content kept.
    `reference_files` (file name → sha256) is kept beside the content, not part of it: a new
    version's 更正说明 names the reference files changed since the version before."""
    digest = edition_hash(content, quarterly, pay_lines)
    pay_digest = content_hash(pay_digest_lines(pay_lines))
    version, is_new = version_for(
        folder,
        digest,
        lambda v: legacy_unchanged(folder / f"v{v}", content, pay_lines, pay_digest),
        lambda v: only_fields_added(folder / f"v{v}", content, pay_digest),
    )
    if is_new:
        record_version(folder, month, version, digest, {})
        write_content(folder / f"v{version}", content, pay_digest, reference_files)
    return Edition(version, is_new, folder / f"v{version}", digest, notes_of(folder, version))


def notes_of(folder: Path, version: int) -> dict | None:
    """更正说明 of `version`: against the version before, and from 第3版 on also against 第1版."""
    if version == 1:
        return None
    previous = read_content(folder / f"v{version - 1}")
    if previous is None:
        return None
    first = read_content(folder / "v1") if version > 2 else None
    return correction_notes(previous, read_content(folder / f"v{version}"), version - 1, first)


def with_notes(content: dict, edition: dict) -> dict:
    """The content as published in this edition: with its 更正说明 when it corrects an earlier one."""
    return {**content, "corrections": edition.get("corrections")}


def render_once(
    folder: Path, edition: dict, key: str, render: Callable[[Path], list[Path]]
) -> dict[str, str]:
    """Render a publication (`key`: bulletin, brief …) into the edition's folder unless this
    version already has it; its files are recorded in the month's manifest."""
    recorded = next(v for v in read_manifest(folder)["versions"] if v["version"] == edition["version"])
    existing = {k: v for k, v in recorded["files"].items() if k.startswith(key)}
    if existing and all((folder / v).exists() for v in existing.values()):
        return {k: str(folder / v) for k, v in existing.items()}
    paths = render(Path(edition["folder"]))
    files = {f"{key}_{p.suffix[1:]}" if len(paths) > 1 else key: p for p in paths}
    add_files(folder, edition["version"], {k: str(p.relative_to(folder)) for k, p in files.items()})
    return {k: str(p) for k, p in files.items()}
