"""Publication versions of a month: a new version only when the published content changes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from pipeline.core.digest import content_hash
from pipeline.core.files import atomic_write
from pipeline.pay.lines import pay_digest_lines

MANIFEST = "manifest.json"
# Entries hashed by `edition_hash` carry this; older ones were hashed with the file names in.
HASH_SCHEME = 2
# What an edition shows about a submission but must not decide its version by: the file's name,
# when it was received and its sha256 (a rename, or a workbook opened and saved again in Excel or
# WPS with the same figures, corrects nothing). The figures and statuses decide; a new version's
# 更正说明 still names every file that changed since the version before.
DISPLAY_ONLY = ("file", "received_at", "sha256")


def edition_hash(content: dict, quarterly: list[dict], pay_lines: list[dict]) -> str:
    """The version-deciding hash of a month's publications: what they state, without file names."""
    return content_hash(
        {"bulletin": stated(content), "quarterly": quarterly, "pay": pay_digest_lines(pay_lines)}
    )


def stated(content: dict) -> dict:
    """The content without the submissions' display-only fields."""
    submissions = [{k: v for k, v in s.items() if k not in DISPLAY_ONLY} for s in content["submissions"]]
    return {**content, "submissions": submissions}


def read_manifest(folder: Path) -> dict:
    path = folder / MANIFEST
    if not path.exists():
        return {"versions": []}
    return json.loads(path.read_text(encoding="utf-8"))


def version_for(
    folder: Path,
    digest: str,
    legacy_unchanged: Callable[[int], bool] | None = None,
    fields_added: Callable[[int], bool] | None = None,
) -> tuple[int, bool]:
    """(version to publish, whether it is new). Unchanged content keeps its version.

    A latest version stated by an earlier release cannot be compared by hash: hashed the older
    way (file names in), `legacy_unchanged(version)` compares its kept content; stated without
    the fields a later release adds, `fields_added(version)` does. When either holds, the entry
    takes the new hash, so that upgrading does not issue a version that corrects nothing."""
    versions = read_manifest(folder)["versions"]
    if not versions:
        return 1, True
    latest = versions[-1]
    if latest["content_hash"] == digest:
        return latest["version"], False
    legacy = latest.get("hash_scheme") != HASH_SCHEME and legacy_unchanged is not None
    if (legacy and legacy_unchanged(latest["version"])) or (fields_added and fields_added(latest["version"])):
        record_version(folder, read_manifest(folder)["month"], latest["version"], digest, latest["files"])
        return latest["version"], False
    return latest["version"] + 1, True


def record_version(folder: Path, month: str, version: int, digest: str, files: dict[str, str]) -> None:
    manifest = read_manifest(folder)
    manifest["month"] = month
    manifest["versions"] = [v for v in manifest["versions"] if v["version"] != version]
    manifest["versions"].append(
        {"version": version, "content_hash": digest, "hash_scheme": HASH_SCHEME, "files": files}
    )
    manifest["versions"].sort(key=lambda v: v["version"])
    _write_manifest(folder, manifest)


def _write_manifest(folder: Path, manifest: dict) -> None:
    text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    atomic_write(folder / MANIFEST, text.encode("utf-8"))


def add_files(folder: Path, version: int, files: dict[str, str]) -> None:
    """Record the files a publication wrote for `version` (paths relative to `folder`)."""
    manifest = read_manifest(folder)
    for entry in manifest["versions"]:
        if entry["version"] == version:
            entry["files"] = {**entry["files"], **files}
    _write_manifest(folder, manifest)
