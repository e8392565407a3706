"""Issuing an edition, as a plain function on a month's published content (no Dagster run)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from pipeline.publish.corrections import read_content
from pipeline.publish.editions import read_manifest
from pipeline.publish.issue import issue_edition, render_once


def _content(published) -> dict:
    content = read_content(published.bulletins("2025-03") / "v1")
    for kept_beside in ("pay_digest", "reference_files", "code"):
        content.pop(kept_beside)
    return content


def test_an_edition_is_new_only_when_what_it_states_changed(published, tmp_path) -> None:
    content = _content(published)
    pay = [{"manager_id": "M001", "amount_fen": "80000", "source_file": "会理市.xlsx", "line": "1"}]
    first = issue_edition(tmp_path, "2025-03", content, [], pay)
    assert (first.version, first.new, first.corrections) == (1, True, None)
    assert read_content(tmp_path / "v1")["total"] == content["total"]

    renamed = [{**pay[0], "source_file": "会理.xlsx"}]  # a file renamed states nothing new
    again = issue_edition(tmp_path, "2025-03", content, [], renamed)
    assert (again.version, again.new) == (1, False)
    resaved = copy.deepcopy(content)  # opened and saved again in WPS: other bytes, same figures
    resaved["submissions"][0] |= {"sha256": "f" * 64, "received_at": "2025-04-02 09:00"}
    assert issue_edition(tmp_path, "2025-03", resaved, [], renamed).version == 1

    corrected = copy.deepcopy(content)
    corrected["total"]["revenue_fen"] += 12_345
    second = issue_edition(tmp_path, "2025-03", corrected, [], renamed)
    assert (second.version, second.new, second.folder) == (2, True, tmp_path / "v2")
    assert second.corrections["previous_version"] == 1
    assert second.corrections["figures"], "the corrected revenue is listed in the 更正说明"
    assert not second.corrections["pay_updated"]
    assert [v["version"] for v in read_manifest(tmp_path)["versions"]] == [1, 2]


def test_a_document_is_rendered_once_per_version(published, tmp_path) -> None:
    edition = issue_edition(tmp_path, "2025-03", _content(published), [], []).as_dict()
    calls: list[Path] = []

    def render(folder: Path) -> list[Path]:
        calls.append(folder)
        out = folder / "信息简报.pdf"
        out.write_bytes(b"%PDF-1.7 test")
        return [out]

    files = render_once(tmp_path, edition, "bulletin", render)
    assert files == {"bulletin": str(tmp_path / "v1" / "信息简报.pdf")}
    assert render_once(tmp_path, edition, "bulletin", render) == files
    assert len(calls) == 1
    (tmp_path / "v1" / "信息简报.pdf").unlink()  # a file gone is rendered again
    render_once(tmp_path, edition, "bulletin", render)
    assert len(calls) == 2


def test_the_correction_names_the_reference_files_changed_since_the_version_before(
    published, tmp_path
) -> None:
    content = _content(published)
    files = {"managers.csv": "a" * 64, "rules.toml": "b" * 64}
    first = issue_edition(tmp_path, "2025-03", content, [], [], files)
    moved = {**files, "managers.csv": "c" * 64}  # a manager moved county: the roster changed
    # a changed reference file alone states nothing new: the version stays
    assert issue_edition(tmp_path, "2025-03", content, [], [], moved).version == first.version == 1
    pay = [{"manager_id": "M022", "amount_fen": "18000", "source_file": "", "line": "4"}]
    second = issue_edition(tmp_path, "2025-03", content, [], pay, moved)
    assert second.version == 2 and second.corrections["pay_updated"]
    assert second.corrections["reference"] == ["客户经理名册(managers.csv)"]
    third = issue_edition(tmp_path, "2025-03", content, [], [], moved)  # back to the first pay
    assert third.version == 3 and third.corrections["reference"] == []


def _as_an_earlier_release_kept_it(folder: Path) -> None:
    """v1 stated by a release before 叠加使用 counted the months of data: its trend rows without
    window_months and partial, its hash of that content, and that release's code digest."""
    kept = read_content(folder / "v1")
    for row in kept["market"]["cross_sell"]["trend"]:
        del row["window_months"], row["partial"]
    kept["code"] = "an earlier release"
    (folder / "v1" / "content.json").write_text(json.dumps(kept, ensure_ascii=False), encoding="utf-8")
    manifest = read_manifest(folder)
    manifest["versions"][-1]["content_hash"] = "0" * 64
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")


def test_an_upgrade_that_only_adds_fields_issues_no_version(published, tmp_path) -> None:
    content = _content(published)
    assert content["market"]["cross_sell"]["trend"], "the sample month has a breadth trend"
    issue_edition(tmp_path, "2025-03", content, [], [])
    _as_an_earlier_release_kept_it(tmp_path)
    again = issue_edition(tmp_path, "2025-03", content, [], [])
    assert (again.version, again.new) == (1, False)
    # the kept content takes the new form: the next correction compares like with like
    assert "window_months" in read_content(tmp_path / "v1")["market"]["cross_sell"]["trend"][0]
    assert issue_edition(tmp_path, "2025-03", content, [], []).version == 1  # now by its hash

    _as_an_earlier_release_kept_it(tmp_path)
    corrected = copy.deepcopy(content)
    corrected["total"]["revenue_fen"] += 100  # an upgrade does not hide a corrected figure
    assert issue_edition(tmp_path, "2025-03", corrected, [], []).version == 2


def test_content_stated_by_this_release_is_decided_by_its_hash(published, tmp_path) -> None:
    """Fields missing from content this very release stated are a change, not an upgrade."""
    content = _content(published)
    issue_edition(tmp_path, "2025-03", content, [], [])
    kept = read_content(tmp_path / "v1")
    del kept["market"]["cross_sell"]["trend"][0]["partial"]
    (tmp_path / "v1" / "content.json").write_text(json.dumps(kept, ensure_ascii=False), encoding="utf-8")
    manifest = read_manifest(tmp_path)
    manifest["versions"][-1]["content_hash"] = "0" * 64
    (tmp_path / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    assert issue_edition(tmp_path, "2025-03", content, [], []).version == 2
