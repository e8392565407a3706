"""更正说明 by hand: what a correction changed beyond the volumes — cases, problems, the county
centres' assessment — listed old → new, and nothing that did not change."""

from __future__ import annotations

import copy

from pipeline.publish.corrections import correction_notes


def _content() -> dict:
    county = {"county": "德昌县", "status": "on_time", "status_label": "按时", "sha256": "a" * 64}
    county |= {"file": "德昌县.xlsx", "received_at": "2026-12-02 11:41"}
    return {
        "total": {"revenue_fen": 100_000_00},
        "tiers": {"prefecture": 10, "county": 20},
        "alerts": {"loss": 1, "decline": 2},
        "by_business": [],
        "by_county": [],
        "cases": {
            "open": 44,
            "overdue": 35,
            "closed": 27,
            "by_county": [{"county": "德昌县", "open": 4, "overdue": 2, "closed": 1}],
        },
        "submissions": [{**county, "errors": 1, "warnings": 0}],
        "centres": {
            "rows": [
                {"county": "德昌县", "total": 80.09, "rank": 10},
                {"county": "西昌市", "total": 87.92, "rank": 1},
            ]
        },
    }


def test_a_case_closed_by_a_correction_and_its_consequences_are_listed():
    old = _content()
    new = copy.deepcopy(old)
    new["submissions"][0] |= {"errors": 0, "sha256": "b" * 64}
    new["cases"] |= {"open": 43, "overdue": 34, "closed": 28}
    new["cases"]["by_county"][0] |= {"open": 3, "overdue": 1, "closed": 2}
    new["centres"]["rows"][0] |= {"total": 82.86, "rank": 3}
    notes = correction_notes(old, new, 1)
    shown = {f["label"]: (f["old"], f["new"], f["change"]) for f in notes["figures"]}
    assert shown == {
        "全州未办结案件(件)": ("44", "43", "-1"),
        "全州超时未办结案件(件)": ("35", "34", "-1"),
        "全州本月办结案件(件)": ("27", "28", "+1"),
        "德昌县 未办结案件(件)": ("4", "3", "-1"),
        "德昌县 超时未办结案件(件)": ("2", "1", "-1"),
        "德昌县 本月办结案件(件)": ("1", "2", "+1"),
        "德昌县 报表错误(条)": ("1", "0", "-1"),
        "德昌县 县级中心考核得分": ("80.09", "82.86", "+2.77"),
        "德昌县 县级中心考核名次": ("10", "3", "-7"),
    }
    assert [f["county"] for f in notes["files"]] == ["德昌县"]


def test_nothing_changed_lists_nothing():
    assert correction_notes(_content(), _content(), 1)["figures"] == []
