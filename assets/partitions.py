from dagster import MonthlyPartitionsDefinition

FIRST_MONTH = "2025-01"

# keys look like 2026-10-01; people see 2026-10 (pipeline.months converts)
months = MonthlyPartitionsDefinition(start_date=f"{FIRST_MONTH}-01")
