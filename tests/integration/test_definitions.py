"""The definitions pinned: an asset, check, job, schedule or sensor renamed, regrouped or dropped
is a change someone must mean (the operator's UI, the runner and the sensors name them)."""

from __future__ import annotations

import pytest
from dagster import MonthlyPartitionsDefinition, StaticPartitionsDefinition

from assets.definitions import build_defs
from pipeline.core.layout import REPO

COUNTIES = [
    "butuo",
    "dechang",
    "ganluo",
    "huidong",
    "huili",
    "jinyang",
    "leibo",
    "meigu",
    "mianning",
    "muli",
    "ningnan",
    "puge",
    "xichang",
    "xide",
    "yanyuan",
    "yuexi",
    "zhaojue",
]
GROUPS = {
    "counties": {f"county_{c}" for c in COUNTIES},
    "month": {
        "usage",
        "submissions",
        "problems",
        "archive_updates",
        "rejected_rows",
        "visits",
        "case_updates",
        "progress_reports",
        "customer_archive",
        "cases",
        "tiers",
        "alerts",
        "visit_coverage",
        "quarterly_usage",
        "volumes",
        "assessment",
        "scorecards_table",
        "reconciliation",
        "market",
        "key_person_birthdays",
        "projects",
        "centre_scorecards",
    },
    "pay": {"pay", "pay_confirmation", "pay_statements"},
    "publications": {
        "month_content_data",
        "edition",
        "bulletin",
        "brief",
        "quarterly_report",
        "feedback",
        "site",
        "todo_lists",
        "project_evaluations",
    },
    "surveys": {"survey_wave", "survey_headlines"},
    # observed, never materialised: what the steps read that no step writes for the same partition
    "sources": {
        "reference_data",
        "month_workbooks",
        "computed_tables",
        "survey_workbooks",
        "system_exports",
        "project_register",
    },
}

NOT_MONTH = ("surveys", "sources")  # groups outside a month's run

# asset → its checks: each county's own (in its step), and one per contract table it writes
CHECKS = {
    **{f"county_{c}": {"rows_accounted"} for c in COUNTIES},
    "usage": {"usage_contract"},
    "submissions": {"submissions_contract"},
    "problems": {"problems_contract"},
    "rejected_rows": {"rejected_rows_contract"},
    "customer_archive": {"archive_contract"},
    "volumes": {"volumes_contract"},
    "tiers": {"tiers_contract"},
    "alerts": {"alerts_contract"},
    "cases": {"cases_contract"},
    "progress_reports": {"progress_contract"},
    "visit_coverage": {"visits_contract"},
    "scorecards_table": {"scorecards_contract"},
    "pay": {"problems_contract"},
    "pay_statements": {"pay_contract"},
    "reconciliation": {"reconciliation_contract"},
    "survey_wave": {"satisfaction_contract"},
    "market": {
        f"{t}_contract"
        for t in (
            "cross_sell",
            "cross_sell_by_manager",
            "business_breadth",
            "pricing_bands",
            "competitor_mentions",
            "competitors",
            "needs",
        )
    },
    "todo_lists": {"todo_items_contract"},
    "projects": {"projects_contract"},
    "centre_scorecards": {"half_year_visits_contract", "county_scorecards_contract"},
}


@pytest.fixture(scope="module")
def defs():
    return build_defs(REPO / "inputs", REPO / "outputs")


def test_asset_keys_and_groups(defs):
    graph = defs.resolve_asset_graph()
    found: dict[str, set[str]] = {}
    for key in graph.get_all_asset_keys():
        found.setdefault(graph.get(key).group_name, set()).add(key.to_user_string())
    assert found == GROUPS


def test_partitions_months_from_2025_01_and_survey_waves(defs):
    graph = defs.resolve_asset_graph()
    for group, keys in GROUPS.items():
        for name in keys:
            key = next(k for k in graph.get_all_asset_keys() if k.to_user_string() == name)
            partitions = graph.get(key).partitions_def
            if group == "sources":
                continue  # below
            if group == "surveys":
                assert partitions is None or isinstance(partitions, StaticPartitionsDefinition), name
            else:
                assert isinstance(partitions, MonthlyPartitionsDefinition), name
                assert partitions.get_partition_keys()[0] == "2025-01-01", name


def test_sources_and_what_reads_them(defs):
    graph = defs.resolve_asset_graph()

    def node(name):
        return graph.get(next(k for k in graph.get_all_asset_keys() if k.to_user_string() == name))

    assert all(not node(name).is_materializable for name in GROUPS["sources"])
    assert node("reference_data").partitions_def is None
    assert isinstance(node("month_workbooks").partitions_def, MonthlyPartitionsDefinition)
    assert isinstance(node("survey_workbooks").partitions_def, StaticPartitionsDefinition)
    parents = {
        name: {k.to_user_string() for k in node(name).parent_keys} for name in ("county_huili", "site")
    }
    assert {"reference_data", "month_workbooks", "computed_tables"} <= parents["county_huili"]
    assert {"computed_tables", "feedback", "project_evaluations"} <= parents["site"]  # what it links
    # the county centres' scorecard reads the latest survey wave: its workbooks and its tables
    assert {"survey_workbooks", "survey_wave", "computed_tables"} <= {
        k.to_user_string() for k in node("centre_scorecards").parent_keys
    }
    assert {"reference_data", "survey_workbooks", "computed_tables"} <= {
        k.to_user_string() for k in node("survey_wave").parent_keys
    }
    assert node("county_huili").code_version  # the reader's code: a change shows as stale
    # a new 量收系统 export makes the month's reconciliation stale, never a county's workbook
    assert "system_exports" not in parents["county_huili"]
    assert {"system_exports", "reference_data"} <= {
        k.to_user_string() for k in node("reconciliation").parent_keys
    }
    assert isinstance(node("project_register").partitions_def, MonthlyPartitionsDefinition)
    assert "project_register" in {k.to_user_string() for k in node("projects").parent_keys}


def test_jobs_schedule_and_sensors(defs):
    jobs = {job.name for job in defs.resolve_all_job_defs() if not job.name.startswith("__")}
    assert jobs == {
        "month",
        "month_analytics",
        "survey_waves",
        "survey_summary",
        "observe_sources",
        "observe_survey_sources",
    }
    assert [s.name for s in defs.schedules] == ["month_on_the_4th"]
    schedule = defs.resolve_schedule_def("month_on_the_4th")
    assert schedule.cron_schedule == "0 6 4 * *" and schedule.job_name == "month"
    assert {s.name for s in defs.sensors} == {
        "county_files_changed",
        "sources_changed",
        "restore_published_on_failure",
        "drop_snapshot_on_success",
    }


def test_the_month_job_holds_every_month_asset_and_the_analytics_job_no_publication(defs):
    month = {k.to_user_string() for k in defs.resolve_job_def("month").asset_layer.executable_asset_keys}
    analytics = {
        k.to_user_string() for k in defs.resolve_job_def("month_analytics").asset_layer.executable_asset_keys
    }
    assert month == set().union(
        *(keys for group, keys in GROUPS.items() if group not in ("surveys", "sources"))
    )
    assert analytics == GROUPS["counties"] | GROUPS["month"]


def check_keys(keys) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for key in keys:
        found.setdefault(key.asset_key.to_user_string(), set()).add(key.name)
    return found


def test_asset_checks_non_blocking_per_partition_of_their_asset(defs):
    graph = defs.resolve_asset_graph()
    assert check_keys(graph.asset_check_keys) == CHECKS
    for key in graph.asset_check_keys:
        spec = graph.get_check_spec(key)
        if key.name.endswith("_contract"):
            assert not spec.blocking, key  # a broken contract is recorded, the month still published
            assert spec.partitions_def == graph.get(key.asset_key).partitions_def, key
        else:
            assert spec.blocking, key  # a county's rows all used or quarantined, or nothing follows


def test_the_jobs_run_the_checks_of_their_assets(defs):
    def checks_of(job: str) -> dict[str, set[str]]:
        return check_keys(defs.resolve_job_def(job).asset_layer.asset_graph.asset_check_keys)

    month_assets = set().union(
        *(keys for group, keys in GROUPS.items() if group not in ("surveys", "sources"))
    )
    analytics_assets = GROUPS["counties"] | GROUPS["month"]
    assert checks_of("month") == {a: c for a, c in CHECKS.items() if a in month_assets}
    assert checks_of("month_analytics") == {a: c for a, c in CHECKS.items() if a in analytics_assets}
    assert checks_of("survey_waves") == {"survey_wave": {"satisfaction_contract"}}
    assert checks_of("survey_summary") == {}
