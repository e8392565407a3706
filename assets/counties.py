"""One asset per county workbook: the operator sees every county's state of a month."""

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd
from dagster import (
    AssetCheckResult,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetRecordsFilter,
    AssetsDefinition,
    DataVersion,
    MetadataValue,
    Output,
    asset,
)
from dagster._core.definitions.data_version import DATA_VERSION_TAG

from assets.partitions import months
from assets.resources import KacSettings
from assets.sources import COUNTY_DEPS
from pipeline.core.code import package_digest, package_files
from pipeline.core.months import from_partition_key, shift
from pipeline.core.progress import progress
from pipeline.ingest.county import CountyIntake, ingest_county
from pipeline.ingest.files import county_files, file_sha256
from pipeline.ingest.submissions import STATUS_LABELS

COUNTIES_GROUP = "counties"


def county_key(code: str) -> AssetKey:
    return AssetKey(f"county_{code}")


def is_county(key: AssetKey) -> bool:
    return key.path[0].startswith("county_")


def rows_accounted(intake: CountyIntake) -> bool:
    """Every row read is either used or quarantined: nothing vanishes."""
    if intake.status == "rejected":
        return intake.rows_read == 0 or bool(intake.quarantine)
    return intake.rows_read == len(intake.usage_rows) + intake.rows_quarantined


def county_asset(code: str, name: str) -> AssetsDefinition:
    key = county_key(code)

    @asset(
        key=key,
        group_name=COUNTIES_GROUP,
        partitions_def=months,
        deps=COUNTY_DEPS,
        code_version=package_digest(*_READER_PACKAGES),
        description=f"{name}报送的月度大客户用邮情况表:校验后的明细、问题清单与报送状态。",
        check_specs=[
            AssetCheckSpec(
                "rows_accounted",
                asset=key,
                blocking=True,
                description="读入的每一行都已采用或隔离,没有行被静默丢弃",
            ),
        ],
        kinds={"excel"},
    )
    def county_workbook(context: AssetExecutionContext, settings: KacSettings):
        month = from_partition_key(context.partition_key)
        ref = settings.reference()
        inputs = CountyInputs.of(settings, month)
        version = inputs.version(code)  # of the file before it is read: a copy still under way
        # shows as changed again once finished, never as the version that was read
        intake = ingest_county(code, month, inputs.files.get(code, []), ref, inputs.archive_names)
        progress.info(
            "  %s:%s,%d 行,问题 %d 条",
            name,
            STATUS_LABELS[intake.status],
            intake.rows_read,
            len(intake.problems),
        )
        yield Output(
            intake,
            data_version=DataVersion(version),
            metadata={
                "status": STATUS_LABELS[intake.status],
                "files": "、".join(intake.files) or "—",
                "sha256": intake.sha256 or "—",
                "rows_read": intake.rows_read,
                "rows_used": len(intake.usage_rows),
                "problems": MetadataValue.md(_problems_md(intake)),
            },
        )
        yield AssetCheckResult(
            check_name="rows_accounted",
            passed=rows_accounted(intake),
            metadata={
                "rows_read": intake.rows_read,
                "rows_used": len(intake.usage_rows),
                "rows_quarantined": intake.rows_quarantined,
            },
        )

    return county_workbook


# The reader's own code: a change to it re-reads every workbook, as a change of file would.
_READER_PACKAGES = ("core", "ingest")


@dataclass(frozen=True)
class CountyInputs:
    """What reading a county's workbook of a month depends on, and its fingerprint (the county
    asset's data version): the file itself, the reference data, last month's archive names and
    the reader's code. `kac run` re-reads a county only when its fingerprint changed."""

    files: dict[str, list[Path]]
    archive_names: dict[str, str]
    shared: str  # hash of what every county of the month shares

    @classmethod
    def of(cls, settings: KacSettings, month: str) -> "CountyInputs":
        """Worked out once per state of the month's files, last month's archive, the reference
        data and the reader's code: every county step of a run asks for the same (at province
        scale, reading the archive in each of 183 steps cost more than the counties' files)."""
        ref = settings.reference()
        folder = settings.layout.month_inputs(month)
        archive = settings.layout.tables(shift(month, -1)) / "archive.parquet"
        stamp = (
            ref.digest,
            _stamps(sorted(folder.iterdir()) if folder.is_dir() else []),
            _stamps([archive] if archive.exists() else []),
            _stamps(package_files(*_READER_PACKAGES)),
        )
        return _county_inputs(settings, month, stamp)

    def version(self, code: str) -> str:
        return hashlib.sha256((file_sha256(self.files.get(code, [])) + self.shared).encode()).hexdigest()


def _stamps(paths: list[Path]) -> tuple:
    return tuple((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in paths)


@lru_cache(maxsize=4)
def _county_inputs(settings: KacSettings, month: str, stamp: tuple) -> CountyInputs:
    ref = settings.reference()
    files, _ = county_files(settings.layout.month_inputs(month), ref)
    names = _archived_names(settings, month)
    h = hashlib.sha256(ref.digest.encode())
    h.update(json.dumps(sorted(names.items()), ensure_ascii=False).encode())
    h.update(package_digest(*_READER_PACKAGES).encode())
    return CountyInputs(files, names, h.hexdigest())


def changed_counties(settings: KacSettings, month: str, instance) -> dict[AssetKey, str]:
    """County assets of `month` to read again — inputs changed since last read, or never read —
    with their new fingerprints. The others' stored results are used as they are."""
    inputs = CountyInputs.of(settings, month)
    partition = f"{month}-01"
    out = {}
    for code in settings.reference().counties.code:
        key, version = county_key(code), inputs.version(code)
        stored = settings.layout.storage / key.path[0] / partition
        if not stored.exists() or recorded_version(instance, key, partition) != version:
            out[key] = version
    return out


def recorded_version(instance, key: AssetKey, partition: str) -> str | None:
    """The data version of the last materialisation of `key` for `partition`."""
    records = instance.fetch_materializations(
        AssetRecordsFilter(asset_key=key, asset_partitions=[partition]), limit=1
    ).records
    return records[0].asset_materialization.tags.get(DATA_VERSION_TAG) if records else None


def _archived_names(settings: KacSettings, month: str) -> dict[str, str]:
    """Customer names of last month's archive table, to check this month's usage rows against.

    Read from the table customer_archive wrote, declared as the source `computed_tables` (of
    the month before), not as an input: an input would close a loop (county → archive → next
    month's county) that an asset graph cannot hold.
    """
    path = settings.layout.tables(shift(month, -1)) / "archive.parquet"
    if not path.exists():
        return {}
    archive = pd.read_parquet(path, columns=["customer_id", "name"])
    return dict(zip(archive.customer_id, archive.name, strict=True))


def _problems_md(intake: CountyIntake) -> str:
    if not intake.problems:
        return "无问题"
    head = "| 级别 | 代码 | 工作表 | 单元格 | 原值 | 说明 |\n|---|---|---|---|---|---|\n"
    rows = [
        f"| {p.severity} | {p.code} | {p.sheet} | {p.cell} | {_md(p.value)} | {_md(p.message)} |"
        for p in intake.problems[:50]
    ]
    more = f"\n\n另有 {len(intake.problems) - 50} 条,见 problems.csv" if len(intake.problems) > 50 else ""
    return head + "\n".join(rows) + more


def _md(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")
