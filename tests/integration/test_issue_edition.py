"""Issuing an edition, as a plain function on a month's published content (no Dagster run)."""

from __future__ import annotations

import copy
from pathlib import Path

from pipeline.publish.corrections import read_content
from pipeline.publish.editions import read_manifest
from pipeline.publish.issue import issue_edition, render_once


def _content(published) -> dict:
    content = read_content(published.bulletins("2025-03") / "v1")
    content.pop("pay_digest")
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
