"""The folder guard's one line: which county, what happened, what to do."""

from __future__ import annotations

from pipeline.ingest.guards import losses, refusal

PUBLISHED = [{"county": "会东县", "status": "on_time"}, {"county": "西昌市", "status": "on_time"}]


def test_a_rejected_county_is_named_with_its_reason_and_where_to_read_it() -> None:
    """A refused run writes no 问题清单: the line names the check that failed and sends the
    operator to `kac status`, which lists the county's problems."""
    current = [
        {"county": "会东县", "status": "rejected", "reject_code": "total_mismatch", "file": "会东县.xlsx"},
        {"county": "西昌市", "status": "on_time"},
    ]
    line = refusal("2026-10", losses(6, PUBLISHED, current))
    assert "会东县 第6版已采用的报表本次不能采用(报表被退回:合计与明细不符:会东县.xlsx)" in line
    assert "运行 kac status 查看该县的问题" in line and "问题清单" not in line
    assert "kac run 2026-10 --accept-loss" in line


def test_a_folder_mistake_keeps_its_own_advice() -> None:
    current = [
        {"county": "会东县", "status": "rejected", "reject_code": "county_duplicate", "file": ""},
        {"county": "西昌市", "status": "missing", "reject_code": "submission_missing", "file": ""},
    ]
    line = refusal("2026-10", losses(2, PUBLISHED, current))
    assert "会东县 第2版已采用的报表本次不能采用(两个文件);西昌市" in line
    assert "西昌市 第2版已采用的报表本次不能采用(文件不在文件夹中)" in line
    assert "请移走多余的文件、把该县文件放回文件夹后重新运行" in line
