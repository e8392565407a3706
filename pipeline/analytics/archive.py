"""The customer archive (客户档案) as of each month: last month's records with this month's new
and changed records laid over them. Each month's snapshot is kept, so what a customer's record
said in any past month can be read back."""

from __future__ import annotations

import pandas as pd

from pipeline.core.contract import ARCHIVE
from pipeline.ingest.county import ARCHIVE_COLUMNS

RECORD_FIELDS = [
    c for c in ARCHIVE_COLUMNS if c not in ("customer_id", "county", "source_file", "source_row")
]


def archive_as_of(
    previous: pd.DataFrame | None, updates: pd.DataFrame, usage: pd.DataFrame, month: str
) -> pd.DataFrame:
    """Archive records of every known customer as of `month`.

    A field left blank in an update keeps its earlier value. A customer with usage but no
    record yet gets one from its usage rows (name, county, manager), marked as such.
    """
    base = previous.copy() if previous is not None else pd.DataFrame(columns=ARCHIVE.names)
    base = base.reindex(columns=ARCHIVE.names, fill_value="")  # a field added later starts blank
    base = base.set_index("customer_id")
    latest = updates.sort_values(["updated", "source_row"], kind="mergesort").drop_duplicates(
        "customer_id", keep="last"
    )
    latest = latest.set_index("customer_id")
    changed = latest.index
    prior = base.reindex(changed)  # the records as they stood (NA where new)
    merged = (
        latest[RECORD_FIELDS]
        .replace("", pd.NA)
        .combine_first(prior[RECORD_FIELDS].replace("", pd.NA))
        .fillna("")
    )
    merged["county"] = latest.county
    merged["first_month"] = prior.first_month.fillna(month)
    merged["changed_month"] = month
    merged["source"] = latest.source_file
    # a record sent again as it stood (a county pasting its whole archive) is not an update:
    # it keeps the month it last changed, which the refresh list and the scorecard read
    same = (_as_text(merged) == _as_text(prior)).all(axis=1) & changed.isin(base.index)
    merged.loc[same] = prior[same][merged.columns]
    out = pd.concat([base.drop(index=changed, errors="ignore"), merged])
    stubs = _records_from_usage(usage[~usage.customer_id.isin(out.index)], month)
    out = pd.concat([out, stubs]).reset_index(names="customer_id")
    return out[ARCHIVE.names].sort_values("customer_id", kind="mergesort").reset_index(drop=True)


def _as_text(records: pd.DataFrame) -> pd.DataFrame:
    """The fields that make a record, compared as text (blank for none)."""
    return records[[*RECORD_FIELDS, "county"]].astype("string").fillna("")


def _records_from_usage(usage: pd.DataFrame, month: str) -> pd.DataFrame:
    if usage.empty:
        return pd.DataFrame(columns=ARCHIVE.names).set_index("customer_id")
    first = usage.sort_values("source_row").groupby("customer_id").first()
    stubs = pd.DataFrame(index=first.index, columns=[c for c in ARCHIVE.names if c != "customer_id"]).fillna(
        ""
    )
    stubs["name"] = first.customer_name
    stubs["county"] = first.county
    stubs["manager_id"] = first.manager_id
    stubs["partner"] = stubs["county_designated"] = "否"
    stubs["first_month"] = stubs["changed_month"] = month
    stubs["source"] = "用邮情况(无档案记录)"
    return stubs
