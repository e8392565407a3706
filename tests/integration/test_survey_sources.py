"""A survey wave is read again only when something it is computed from changed."""

from __future__ import annotations

from dagster import AssetKey, RunsFilter

from assets.runner import RunReport, _surveys, instance_for, jobs_for
from pipeline.surveys.survey import fingerprint, wave_sources
from tests.integration.test_correction import copy_of


def test_fingerprint_follows_contents_and_missing_files(tmp_path) -> None:
    workbook, later = tmp_path / "a.xlsx", tmp_path / "tiers.parquet"
    workbook.write_bytes(b"1")
    sources = {"inputs/a.xlsx": workbook, "outputs/tiers.parquet": later}
    first = fingerprint(sources)
    assert fingerprint(sources) == first
    workbook.write_bytes(b"2")
    second = fingerprint(sources)
    assert second != first
    later.write_bytes(b"")  # the end month computed later: the wave is read again
    assert fingerprint(sources) != second


def test_wave_sources_name_what_the_wave_reads(tmp_path) -> None:
    sources = wave_sources(tmp_path / "inputs", tmp_path / "outputs", "2026-H1", tmp_path)
    paths = {str(p.relative_to(tmp_path)) for p in sources.values()}
    assert {"outputs/tables/2026-06/archive.parquet", "outputs/tables/2026-06/tiers.parquet"} <= paths
    assert "outputs/tables/surveys/2025-H2/satisfaction.parquet" in paths
    assert "outputs/tables/2026-06/tiers.parquet" in sources


def test_fingerprint_survives_moving_the_folders(tmp_path) -> None:
    """A copied or moved outputs folder (a backup restored, a new disk) re-reads no wave."""
    import shutil

    first = tmp_path / "first"
    for folder, name in [("inputs/surveys/2026-H1", "w.xlsx"), ("outputs/tables/2026-06", "tiers.parquet")]:
        (first / folder).mkdir(parents=True)
        (first / folder / name).write_bytes(folder.encode())
    shutil.copytree(first, tmp_path / "moved")

    def of(root):
        return fingerprint(wave_sources(root / "inputs", root / "outputs", "2026-H1", root))

    assert of(tmp_path / "moved") == of(first)
    (tmp_path / "moved" / "outputs/tables/2026-06/tiers.parquet").write_bytes(b"changed")
    assert of(tmp_path / "moved") != of(first)


def runs_of(instance, job: str) -> int:
    return len(instance.get_runs(RunsFilter(job_name=job)))


def test_unchanged_waves_and_their_headlines_are_not_run_again(published, tmp_path) -> None:
    published = copy_of(published, tmp_path)  # runs would be written into its instance
    instance = instance_for(published)
    waves, summaries = runs_of(instance, "survey_waves"), runs_of(instance, "survey_summary")
    assert _surveys(published, jobs_for(published, instance), RunReport("2025-03", success=False))
    assert runs_of(instance, "survey_waves") == waves
    assert runs_of(instance, "survey_summary") == summaries


def test_headlines_follow_a_wave_materialised_again(published, tmp_path) -> None:
    published = copy_of(published, tmp_path)  # a run is written into its instance
    instance = instance_for(published)
    jobs = jobs_for(published, instance)
    wave = instance.fetch_materializations(AssetKey("survey_wave"), limit=1).records[0].partition_key
    assert jobs.run("survey_waves", wave).success  # as from the Dagster UI
    summaries = runs_of(instance, "survey_summary")
    assert _surveys(published, jobs, RunReport("2025-03", success=False))
    assert runs_of(instance, "survey_summary") == summaries + 1
    assert _surveys(published, jobs, RunReport("2025-03", success=False))
    assert runs_of(instance, "survey_summary") == summaries + 1
