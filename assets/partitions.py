from dagster import MonthlyPartitionsDefinition

from pipeline.core.months import FIRST_MONTH, TIMEZONE

__all__ = ["FIRST_MONTH", "months"]

# keys look like 2026-10-01; people see 2026-10 (pipeline.months converts). A month's partition
# (and the schedule built from it) appears at 00:00 on the 1st in Liangshan, not in UTC.
months = MonthlyPartitionsDefinition(start_date=f"{FIRST_MONTH}-01", timezone=TIMEZONE)
