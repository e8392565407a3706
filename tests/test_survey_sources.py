"""A survey wave is read again only when something it is computed from changed."""

from __future__ import annotations

from dagster import RunsFilter

from assets.runner import RunReport, _surveys, instance_for, jobs_for
from pipeline.surveys import fingerprint, wave_sources


def test_fingerprint_follows_contents_and_missing_files(tmp_path) -> None:
    workbook, later = tmp_path / "a.xlsx", tmp_path / "tiers.parquet"
    workbook.write_bytes(b"1")
    first = fingerprint([workbook, later])
    assert fingerprint([workbook, later]) == first
    workbook.write_bytes(b"2")
    second = fingerprint([workbook, later])
    assert second != first
    later.write_bytes(b"")  # the end month computed later: the wave is read again
    assert fingerprint([workbook, later]) != second


def test_wave_sources_name_what_the_wave_reads(tmp_path) -> None:
    sources = wave_sources(tmp_path / "inputs", tmp_path / "outputs", "2026-H1", tmp_path)
    names = {str(p.relative_to(tmp_path)) for p in sources}
    assert {"outputs/tables/2026-06/archive.parquet", "outputs/tables/2026-06/tiers.parquet"} <= names
    assert "outputs/tables/surveys/2025-H2/satisfaction.parquet" in names


def test_unchanged_waves_are_not_run_again(published) -> None:
    instance = instance_for(published)
    before = len(instance.get_runs(RunsFilter(job_name="survey_waves")))
    assert _surveys(published, jobs_for(published, instance), RunReport("2025-03", success=False))
    assert len(instance.get_runs(RunsFilter(job_name="survey_waves"))) == before
