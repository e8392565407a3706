"""Running months through Dagster, as `kac run` does (and tests do): in-process, or with a
process per step where the rules choose the multiprocess executor."""

from __future__ import annotations

from collections.abc import Callable, Collection
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from dagster import (
    AssetKey,
    DagsterInstance,
    DagsterRunStatus,
    Definitions,
    RunsFilter,
    TimeWindowPartitionMapping,
    execute_job,
)
from dagster._core.definitions.reconstruct import ReconstructableRepository

from assets.counties import changed_counties, is_county, succeeded_runs
from assets.definitions import build_defs
from assets.instance import instance_for
from assets.partitions import FIRST_MONTH, months
from pipeline.core.contract import SATISFACTION
from pipeline.core.execution import IN_PROCESS, choose_executor
from pipeline.core.layout import REPO, Layout
from pipeline.core.months import (
    chinese_month,
    from_partition_key,
    month_range,
    shift,
    to_partition_key,
    why_not_available,
)
from pipeline.core.progress import progress, silenced
from pipeline.ingest.guards import ACCEPT_LOSS_TAG, REFUSALS
from pipeline.publish.carry_forward import BY_KAC_TAG
from pipeline.publish.editions import read_manifest
from pipeline.publish.snapshot import abandoned, discard_snapshot, restore_snapshot
from pipeline.render.pool import helper_process, worth_a_helper
from pipeline.surveys.survey import fingerprint, wave_sources, wave_workbooks

# a run stopped by Ctrl-C or a signal (the CLI turns SIGHUP into Ctrl-C too): not a fault
INTERRUPTIONS = {"DagsterExecutionInterruptedError", "KeyboardInterrupt"}
QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}
# What a step process imports to rebuild this deployment's definitions (a process per step
# cannot be handed the Definitions object; it reloads them from a file).
LOCATION_FILE = "kac_definitions.py"
LOCATION_CODE = """\
# Written by `kac run`: the definitions of this deployment, for step processes to load.
from assets.definitions import build_defs

defs = build_defs({inputs!r}, {outputs!r}, executor={executor!r})
"""


WAVE_SOURCES_TAG = "kac/wave_sources"  # fingerprint of what a survey wave's run read
HISTORY_JOB = "month_analytics"
HISTORY_LINE = "补齐历史月份 %s(同比、趋势需要)"
BEFORE_GO_LIVE_LINE = "补齐历史月份 %s(本中心的报表自%s起,此前的月份按无数据计,不催报)"
# History months from which the second core takes a share (its process starts in ≈ 3 s; a
# history month is ≈ 5 s of work, a little more than half of it in the share)
SHARED_HISTORY_FROM = 3


class MonthNotAvailable(ValueError):
    """The month is outside the partitions (before the first month or not yet closed)."""


@dataclass
class RunReport:
    month: str
    success: bool
    history_months: list[str] = field(default_factory=list)
    later_months: list[tuple[str, int, bool]] = field(default_factory=list)  # (month, version, new)
    counties_read: dict[str, list[str]] = field(default_factory=dict)  # month -> county codes read
    failed_step: str = ""
    error: str = ""
    refused: str = ""  # the folder guard's one line (pipeline.guards): nothing was published
    restored: list[str] = field(default_factory=list)  # months put back as published after a failure
    recovered: list[str] = field(default_factory=list)  # months put back from a run killed earlier
    interrupted: bool = False  # stopped by Ctrl-C or a signal, not by a fault
    published: bool = False  # the month itself was published (a later month may still have failed)
    later_failed: str = ""  # the later month whose recompute failed or was refused
    failed_checks: list[str] = field(default_factory=list)  # non-blocking checks that failed (assets.checks)


def check_month(month: str) -> None:
    reason = why_not_available(month, from_partition_key(months.get_partition_keys()[-1]))
    if reason:
        raise MonthNotAvailable(reason)


@dataclass
class Jobs:
    """The jobs of a deployment and how they run: in this process, or (`location` set) through
    `execute_job` with a process per step, the definitions reloaded from that file."""

    defs: Definitions
    instance: DagsterInstance
    location: Path | None = None

    def run(
        self,
        job: str,
        partition_key: str | None,
        asset_selection: list[AssetKey] | None = None,
        tags: dict[str, str] | None = None,
        run_id: str | None = None,
    ):
        """`run_id` (in-process only): the run's id chosen beforehand (a snapshot taken for it)."""
        tags = {**(tags or {}), BY_KAC_TAG: "true"}  # kac carries its months forward itself
        if self.location is None:
            return self.defs.resolve_job_def(job).execute_in_process(
                partition_key=partition_key,
                instance=self.instance,
                run_config=QUIET,
                raise_on_error=False,
                asset_selection=asset_selection,
                tags=tags,
                run_id=run_id,
            )
        repository = ReconstructableRepository.for_file(str(self.location), "defs", str(REPO))
        tags = {**tags, **({"dagster/partition": partition_key} if partition_key else {})}
        return execute_job(
            repository.get_reconstructable_job(job),
            self.instance,
            run_config=QUIET,
            tags=tags,
            asset_selection=asset_selection,
        )


def jobs_for(
    layout: Layout,
    instance: DagsterInstance,
    defs: Definitions | None = None,
    executor: str | None = None,
) -> Jobs:
    """In-process unless the rules (or `executor`, KAC_EXECUTOR) choose multiprocess; `defs`
    replaces the deployment's definitions in-process only."""
    from pipeline.ingest.reference import Reference

    ref = Reference.load(layout.reference)
    chosen = choose_executor(len(ref.counties), ref.rules.latest(), executor)
    if chosen == IN_PROCESS:
        return Jobs(defs or build_defs(layout.inputs, layout.outputs, chosen), instance)
    location = layout.dagster_home / LOCATION_FILE
    code = LOCATION_CODE.format(inputs=str(layout.inputs), outputs=str(layout.outputs), executor=chosen)
    if not location.exists() or location.read_text(encoding="utf-8") != code:
        location.write_text(code, encoding="utf-8")
    return Jobs(build_defs(layout.inputs, layout.outputs, chosen), instance, location)


def run_month(
    layout: Layout,
    month: str,
    instance: DagsterInstance | None = None,
    defs: Definitions | None = None,
    executor: str | None = None,
    accept_loss: bool = False,
) -> RunReport:
    """Materialise `month` (counties → tables → bulletin → site), building missing history first.

    `accept_loss`: publish `month` even where it drops a county its published version used
    (the operator's explicit word, `kac run --accept-loss`); later months keep the guard."""
    check_month(month)
    instance = instance or instance_for(layout)
    jobs = jobs_for(layout, instance, defs, executor)
    report = RunReport(month, success=False)
    report.recovered = recover_killed_runs(layout, instance)
    shareable = defs is None and _instance_of(layout, instance)  # a helper process can rebuild both
    surveys = partial(_surveys, layout, jobs, report)  # they read only what a later month reads too
    if not compute_history(layout, jobs, missing_history(jobs, month), report, shareable, surveys):
        return report
    progress.info("处理 %s", month)
    tags = {ACCEPT_LOSS_TAG: "true"} if accept_loss else None
    report.success = report.published = execute(jobs, "month", month, report, tags)
    if report.success:
        report.success = _later_months(layout, jobs, month, report)
    return report


def missing_history(jobs: Jobs, month: str) -> list[str]:
    """The months before `month` to compute: without what the month needs of them (usage, and
    the key persons' birthdays the to-do lists carry on), or, never published, with an asset of
    the history job missing (its helper's part failed, or computed before the asset existed). A
    published month is not computed again here: its tables move with its bulletins."""
    keys = [k for k in history_keys(jobs.defs) if not is_county(k)]
    done = {k: set(jobs.instance.get_materialized_partitions(k)) for k in keys}
    needed = done[AssetKey("usage")] & done[AssetKey("key_person_birthdays")]
    whole = set.intersection(*done.values())
    layout = jobs.defs.resources["settings"].layout

    def missing(m: str) -> bool:
        key = to_partition_key(m)
        return key not in needed or (key not in whole and not read_manifest(layout.bulletins(m))["versions"])

    return [m for m in month_range(FIRST_MONTH, shift(month, -1)) if missing(m)]


def history_keys(defs: Definitions) -> frozenset[AssetKey]:
    """The assets a history month computes (the history job's)."""
    return frozenset(defs.resolve_job_def(HISTORY_JOB).asset_layer.executable_asset_keys)


def carried_keys(defs: Definitions) -> frozenset[AssetKey]:
    """The assets of the history job that a later month reads (usage, archive, cases, tiers…),
    with what they are computed from in their own month: the part of a history month that the
    next one waits for. The rest (market, reconciliation, scorecards…) nothing later reads."""
    graph = defs.resolve_asset_graph()
    in_job = history_keys(defs)
    read_later = {
        parent
        for node in graph.asset_nodes
        for parent in node.parent_keys
        if parent in in_job and not _same_month(graph.get_partition_mapping(node.key, parent))
    }
    carried: set[AssetKey] = set()
    todo = list(read_later)
    while todo:
        key = todo.pop()
        if key in carried:
            continue
        carried.add(key)
        together = graph.get_execution_set_asset_and_check_keys(key)  # outputs of one step
        todo += [k for k in together if isinstance(k, AssetKey)]
        todo += [p for p in graph.get(key).parent_keys if p in in_job]
    return frozenset(carried)


def _same_month(mapping) -> bool:
    return isinstance(mapping, TimeWindowPartitionMapping) and mapping.start_offset >= 0


def _instance_of(layout: Layout, instance: DagsterInstance) -> bool:
    """`instance` is the layout's own (another process opening that folder finds the same)."""
    return instance.is_persistent and Path(instance.root_directory).resolve() == layout.dagster_home.resolve()


def compute_history(
    layout: Layout,
    jobs: Jobs,
    history: list[str],
    report: RunReport,
    shareable: bool,
    then: Callable[[], bool] = lambda: True,
) -> bool:
    """Compute the `history` months in order, then `then()` (work that reads only what a later
    month reads); False at the first failure. Each month is one run of the history job; with
    many months, a second core and this process running the steps, each month's part that the
    next month reads is computed here and the rest one month behind in a helper process
    (assets.history_helper), `then()` while the helper finishes. Months before the centre's
    first month of inputs are computed first as months without data, in one line."""
    first = layout.first_month_received()
    before = [m for m in history if first is None or m < first]
    if before and not _before_go_live(jobs, before, first, report):
        return False
    history = history[len(before) :]
    if not (shareable and jobs.location is None and worth_a_helper(len(history), SHARED_HISTORY_FROM)):
        for earlier in history:
            progress.info(HISTORY_LINE, earlier)
            if not execute(jobs, HISTORY_JOB, earlier, report):
                return False
            report.history_months.append(earlier)
        return then()
    from assets.history_helper import rest_of_month, start  # (it imports this module)

    carried = carried_keys(jobs.defs)
    rest = sorted(k.to_user_string() for k in history_keys(jobs.defs) - carried)
    with helper_process(partial(start, str(layout.inputs), str(layout.outputs))) as helper:
        behind: list[tuple[str, Future]] = []
        for earlier in history:
            progress.info(HISTORY_LINE, earlier)
            if not execute(jobs, HISTORY_JOB, earlier, report, only=carried):
                return False
            report.history_months.append(earlier)
            try:
                behind.append((earlier, helper.submit(rest_of_month, earlier, rest)))
            except BrokenProcessPool as error:  # found dead before its month was done
                return _helper_died(report, error)
            if not _finished(behind, report, wait=False):
                return False
        return then() and _finished(behind, report, wait=True)


def _before_go_live(jobs: Jobs, before: list[str], first: str | None, report: RunReport) -> bool:
    """Months before the centre's go-live (`first`, its first month of inputs): no county
    reported, nothing to chase; computed so that later months' windows hold them (empty),
    without a line for each county."""
    span = before[0] if len(before) == 1 else f"{before[0]} 至 {before[-1]}"
    progress.info(BEFORE_GO_LIVE_LINE, span, chinese_month(first) if first else "本月")
    for earlier in before:
        with silenced():
            if not execute(jobs, HISTORY_JOB, earlier, report):
                return False
        report.history_months.append(earlier)
    return True


def _finished(behind: list[tuple[str, Future]], report: RunReport, wait: bool) -> bool:
    """Take the helper's months done (all of them when `wait`), oldest first: their progress
    lines said here, under their month; False at the first that failed, its failure reported."""
    while behind and (wait or behind[0][1].done()):
        month, future = behind.pop(0)
        try:
            success, theirs, lines = future.result()
        except BrokenProcessPool as error:
            return _helper_died(report, error)
        except Exception as error:  # raised there outside the run (setting its snapshot aside)
            report.failed_step, report.error = HISTORY_JOB, f"{month}:{type(error).__name__}: {error}"
            return False
        for level, line in lines:
            progress.log(level, "  %s %s", month, line.strip())
        report.failed_checks += theirs.failed_checks
        report.restored += theirs.restored
        if not success:
            report.failed_step, report.error = theirs.failed_step, theirs.error
            report.refused, report.interrupted = theirs.refused, theirs.interrupted
            return False
    return True


def _helper_died(report: RunReport, error: BaseException) -> bool:
    """The helper process ended in the middle (killed, out of memory): the months it had not
    finished stay missing, and the next run computes them."""
    report.failed_step, report.error = HISTORY_JOB, f"辅助进程出错({type(error).__name__}),请重新运行"
    return False


IN_PROGRESS = {
    DagsterRunStatus.QUEUED,
    DagsterRunStatus.NOT_STARTED,
    DagsterRunStatus.STARTING,
    DagsterRunStatus.STARTED,
    DagsterRunStatus.CANCELING,
}


def recover_killed_runs(layout: Layout, instance: DagsterInstance) -> list[str]:
    """Months a killed run left half-written (SIGKILL, a power cut: no failure handler ran),
    put back as they were published before it; its run, still "started", is marked failed."""

    def in_progress(run_id: str) -> bool:
        run = instance.get_run_by_id(run_id)
        return run is not None and run.status in IN_PROGRESS

    months = []
    for run_id in abandoned(layout, in_progress):
        run = instance.get_run_by_id(run_id)
        if run is not None and run.status == DagsterRunStatus.SUCCESS and run.tags.get(BY_KAC_TAG) != "true":
            # a UI run that ended well after `dagster dev` stopped (no sensor left to drop the
            # copy): what it wrote is the publication. A `kac run` killed after its run, before it
            # carried the later months forward, is put back: the operator runs it again.
            discard_snapshot(layout, run_id)
            continue
        month = restore_snapshot(layout, run_id)
        if run is not None and run.status in IN_PROGRESS:
            instance.report_run_failed(run, "进程已终止,本次运行写入的内容已恢复为运行前的状态")
        if month:
            months.append(month)
            progress.warning("上次运行被终止,%s 已恢复为该次运行前已发布的内容", month)
    return months


def _later_months(layout: Layout, jobs: Jobs, month: str, report: RunReport) -> bool:
    """Months after `month` already computed use it (trailing tier window, last month's tiers,
    year-on-year, year to date): recompute them in order; a published one gets a new version
    only where its content changes."""
    done = jobs.instance.get_materialized_partitions(AssetKey("usage"))
    last = from_partition_key(months.get_partition_keys()[-1])
    later = [m for m in month_range(shift(month, 1), last) if to_partition_key(m) in done]
    for other in later:
        before = read_manifest(layout.bulletins(other))["versions"]
        progress.info("重算后续月份 %s(引用了 %s 的数据)", other, month)
        if not execute(jobs, "month" if before else HISTORY_JOB, other, report):
            report.later_failed = other
            return False
        if before:
            after = read_manifest(layout.bulletins(other))["versions"][-1]["version"]
            report.later_months.append((other, after, after > before[-1]["version"]))
    return True


def _surveys(layout: Layout, jobs: Jobs, report: RunReport) -> bool:
    """Every survey wave whose sources changed since it was last materialised (a wave re-read
    at every run cost ≈ 80 s at province scale), then the headlines the bulletins quote unless
    they already follow the latest wave; in-process whatever the executor."""
    from assets.surveys import waves

    in_process = Jobs(jobs.defs, jobs.instance)
    for wave in waves.get_partition_keys():
        sources = fingerprint(wave_sources(layout.inputs, layout.outputs, wave, REPO))
        if _wave_current(layout, jobs.instance, wave, sources):
            continue
        result = in_process.run("survey_waves", wave, tags={WAVE_SOURCES_TAG: sources})
        _failed_checks(result, report)
        if not result.success:
            return _failed(result, report)
    if _summary_current(layout, jobs.instance):
        return True
    result = in_process.run("survey_summary", None)
    return result.success or _failed(result, report)


def _summary_current(layout: Layout, instance: DagsterInstance) -> bool:
    """The headlines were materialised after the last wave was, and their stored value is there."""
    summary = instance.get_latest_materialization_event(AssetKey("survey_headlines"))
    if summary is None or not (layout.storage / "survey_headlines").exists():
        return False
    last_wave = instance.fetch_materializations(AssetKey("survey_wave"), limit=1).records
    return not last_wave or last_wave[0].timestamp <= summary.timestamp


def _wave_current(layout: Layout, instance: DagsterInstance, wave: str, sources: str) -> bool:
    """The wave's last successful run read these very sources, and its tables are there."""
    last = instance.get_runs(
        RunsFilter(
            job_name="survey_waves", statuses=[DagsterRunStatus.SUCCESS], tags={"dagster/partition": wave}
        ),
        limit=1,
    )
    if not (wave_workbooks(layout.inputs / "surveys" / wave) or layout.survey_tables(wave).exists()):
        return bool(last)  # no workbooks, nothing of it published: whatever else changed, it stays empty
    written = SATISFACTION.path(layout, wave).exists()
    return written and bool(last) and last[0].tags.get(WAVE_SOURCES_TAG) == sources


def execute(
    jobs: Jobs,
    job: str,
    month: str,
    report: RunReport,
    tags: dict[str, str] | None = None,
    only: Collection[AssetKey] | None = None,
    run_id: str | None = None,
) -> bool:
    """Run `job` for `month` (`only` those of its assets, when given); a county whose inputs are
    as last read is not read again (its stored result is used), everything downstream is
    recomputed."""
    keys = [
        k
        for k in jobs.defs.resolve_job_def(job).asset_layer.executable_asset_keys
        if only is None or k in only
    ]
    settings = jobs.defs.resources["settings"]
    changed = (
        changed_counties(settings, month, jobs.instance, succeeded_runs(jobs.instance))
        if any(is_county(k) for k in keys)
        else {}
    )
    selection = [k for k in keys if not is_county(k) or k in changed]
    result = jobs.run(job, to_partition_key(month), selection, tags, run_id)
    report.counties_read[month] = sorted(k.path[0].removeprefix("county_") for k in changed)
    _failed_checks(result, report)
    layout = jobs.defs.resources["settings"].layout
    if result.success:
        discard_snapshot(layout, result.run_id)
        return True
    if restore_snapshot(layout, result.run_id):  # what was published stays as it was
        report.restored.append(month)
    return _failed(result, report)


def _failed_checks(result, report: RunReport) -> None:
    """Name the run's failed checks: a non-blocking one lets the month publish, so it is said here."""
    for check in result.get_asset_check_evaluations():
        if not check.passed:
            where = f"{check.asset_key.to_user_string()}:{check.check_name}({check.partition or '—'})"
            report.failed_checks.append(f"{where} {check.description or ''}".strip())
            progress.warning("  检查未通过 %s:%s(程序的问题,请转告维护人员)", where, check.description or "")


def _failed(result, report: RunReport) -> bool:
    """Record the failing step and the user code's own message; False."""
    failure = next((e for e in result.all_events if e.is_step_failure), None)
    report.failed_step = failure.step_key if failure else ""
    data = failure.step_failure_data if failure else None
    error = data.error if data else None
    while error is not None and error.cause is not None:  # the user code's own exception
        error = error.cause
    report.error = error.message.strip().splitlines()[-1] if error else "运行失败"
    report.interrupted = error is not None and error.cls_name in INTERRUPTIONS
    if error is not None and error.cls_name in REFUSALS:
        report.refused = report.error.split(": ", 1)[-1]
    return False
