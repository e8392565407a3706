"""Publication versions of a month: a new version only when the published content changes."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

MANIFEST = "manifest.json"


def content_hash(content: object) -> str:
    """Hash of the data a publication states (not of its bytes): same data, same hash."""
    text = json.dumps(content, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_manifest(folder: Path) -> dict:
    path = folder / MANIFEST
    if not path.exists():
        return {"versions": []}
    return json.loads(path.read_text(encoding="utf-8"))


def version_for(folder: Path, digest: str) -> tuple[int, bool]:
    """(version to publish, whether it is new). Unchanged content keeps its version."""
    versions = read_manifest(folder)["versions"]
    if versions and versions[-1]["content_hash"] == digest:
        return versions[-1]["version"], False
    return (versions[-1]["version"] + 1 if versions else 1), True


def record_version(folder: Path, month: str, version: int, digest: str, files: dict[str, str]) -> None:
    manifest = read_manifest(folder)
    manifest["month"] = month
    manifest["versions"] = [v for v in manifest["versions"] if v["version"] != version]
    manifest["versions"].append({"version": version, "content_hash": digest, "files": files})
    manifest["versions"].sort(key=lambda v: v["version"])
    _write_manifest(folder, manifest)


def _write_manifest(folder: Path, manifest: dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{MANIFEST}.tmp"
    tmp.write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    tmp.replace(folder / MANIFEST)


def add_files(folder: Path, version: int, files: dict[str, str]) -> None:
    """Record the files a publication wrote for `version` (paths relative to `folder`)."""
    manifest = read_manifest(folder)
    for entry in manifest["versions"]:
        if entry["version"] == version:
            entry["files"] = {**entry["files"], **files}
    _write_manifest(folder, manifest)
