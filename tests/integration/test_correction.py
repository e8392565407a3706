"""A county corrects a revenue cell: the month is re-run and republished as version 2, with pay
deltas; version 1 stays as it was. (A past month corrected, and the months after it carried
forward by `kac` and by the UI alike: tests/integration/test_ui_carry_forward.py; a second
correction, which reissues only the statements it changes: tests/integration/test_folder_guards.py.)"""

from __future__ import annotations

import re
import shutil
from decimal import Decimal
from pathlib import Path

import pandas as pd
from dagster import AssetRecordsFilter, build_sensor_context
from openpyxl import load_workbook

from assets.cli import main as kac
from assets.counties import county_key
from assets.definitions import build_defs
from assets.instance import instance_for
from assets.resources import KacSettings
from pipeline.core.layout import Layout
from pipeline.ingest.reference import Reference

MONTH = "2025-03"


def raise_a_new_collection(path, by_yuan: float) -> tuple[str, str, float]:
    """Add `by_yuan` to the first 新揽收 row (特快 where there is one) and to the 合计 row;
    (customer, manager, old revenue). The sample labels 新揽收 only on a first collection."""
    wb = load_workbook(path)
    ws = wb["用邮情况"]
    header = [c.value for c in ws[3]]
    col = {name: i for i, name in enumerate(header)}
    revenue_col = next(i for n, i in col.items() if str(n).startswith("收入"))
    claims = [row for row in ws.iter_rows(min_row=4) if row[col["揽收类型"]].value == "新揽收"]
    assert claims, f"{path.name} has no 新揽收 row"
    row = next((r for r in claims if r[col["业务种类"]].value == "特快"), claims[0])
    old = float(row[revenue_col].value)
    row[revenue_col].value = round(old + by_yuan, 2)
    found = (row[col["客户编号"]].value, row[col["客户经理"]].value, old)
    for row in ws.iter_rows(min_row=4):
        if row[0].value == "合计":
            row[revenue_col].value = round(float(row[revenue_col].value) + by_yuan, 2)
    wb.save(path)
    return found


def add_an_unmatched_case(path, customer: str, manager: str) -> None:
    """A case received last month that no earlier workbook reported: rejected as unmatched."""
    wb = load_workbook(path)
    ws = wb["投诉查询理赔"]
    row = next(r for r in range(2, ws.max_row + 2) if ws.cell(r, 1).value is None)
    values = [
        "2025-02-03",
        customer,
        "投诉",
        "特快",
        "补报上月投诉",
        None,
        None,
        "2025-03-04",
        "已处理",
        manager,
    ]
    for column, value in enumerate(values, start=1):
        ws.cell(row, column).value = value
    wb.save(path)


def materialisations(layout: Layout, month: str) -> dict[str, int]:
    """How many times each county asset of `month` was materialised, from Dagster's records."""
    counts = {}
    with instance_for(layout) as instance:
        for code in Reference.load(layout.reference).counties.code:
            records = instance.fetch_materializations(
                AssetRecordsFilter(asset_key=county_key(code), asset_partitions=[f"{month}-01"]), limit=10
            ).records
            counts[code] = len(records)
    return counts


def sensor_requests(layout: Layout) -> list:
    defs = build_defs(layout.inputs, layout.outputs)
    settings = KacSettings(inputs_dir=str(layout.inputs), outputs_dir=str(layout.outputs))
    with instance_for(layout) as instance:
        context = build_sensor_context(instance=instance, resources={"settings": settings})
        return list(defs.resolve_sensor_def("county_files_changed")(context).run_requests)


def copy_of(published: Layout, tmp_path: Path) -> Layout:
    """The published test month (2025-03, with its history) in a folder of this test's own."""
    shutil.copytree(published.inputs, tmp_path / "inputs")
    shutil.copytree(published.outputs, tmp_path / "outputs", symlinks=True)
    return Layout(tmp_path / "inputs", tmp_path / "outputs")


def test_correction_gives_version_2_with_pay_deltas_and_keeps_version_1(published, tmp_path, capsys):
    layout = copy_of(published, tmp_path)
    before = materialisations(layout, MONTH)
    v1 = layout.bulletins(MONTH) / "v1"
    v1_bytes = {p.name: p.read_bytes() for p in v1.iterdir()}
    old_pay = pd.read_csv(layout.restricted_pay(MONTH) / "pay.csv", dtype=str).set_index("manager_id")

    (workbook,) = layout.month_inputs(MONTH).glob("会东县_*.xlsx")
    customer, manager_name, old = raise_a_new_collection(workbook, 1000.00)
    add_an_unmatched_case(workbook, customer, manager_name)
    scored = pd.read_csv(layout.tables(MONTH) / "county_scorecards.csv", dtype=str).set_index("county")
    errors, rows = map(int, scored.loc["会东县", "data_quality_value"].split("/"))
    # while `dagster dev` runs, the sensor notices the corrected file: one run, that county only
    (request,) = sensor_requests(layout)
    assert request.partition_key == f"{MONTH}-01"
    assert [k.path[0] for k in request.asset_selection if k.path[0].startswith("county_")] == [
        "county_huidong"
    ]
    defs = build_defs(layout.inputs, layout.outputs)
    with instance_for(layout) as instance:
        run = defs.resolve_job_def("month").execute_in_process(
            partition_key=request.partition_key, asset_selection=request.asset_selection, instance=instance
        )
    assert run.success
    assert sensor_requests(layout) == []  # nothing left to do
    after = materialisations(layout, MONTH)
    assert {code: after[code] - before[code] for code in after} == {
        code: 1 if code == "huidong" else 0 for code in after
    }

    # the unmatched case row, rejected after the intake, is one more error of the county's data
    problems = pd.read_csv(layout.tables(MONTH) / "problems.csv", dtype=str)
    assert list(problems.code[problems.county == "会东县"]).count("case_unmatched") == 1
    # and submissions.csv counts it, as the problems list, the bulletin and `kac status` do
    submissions = pd.read_csv(layout.tables(MONTH) / "submissions.csv", dtype=str).set_index("county")
    counted = problems.groupby(["county", "severity"]).size()
    for county, row in submissions.iterrows():
        assert int(row.errors) == counted.get((county, "error"), 0), county
        assert int(row.warnings) == counted.get((county, "warning"), 0), county
    scored = pd.read_csv(layout.tables(MONTH) / "county_scorecards.csv", dtype=str).set_index("county")
    assert scored.loc["会东县", "data_quality_value"] == f"{errors + 1}/{rows}"  # rows: 用邮情况
    # `kac status` reads the workbooks again, which cannot match a case against earlier months: the
    # run's refusal stands for the file it read, so 会东县 is to be called, and chased, for that row
    capsys.readouterr()
    assert kac(["status", MONTH, "--inputs", str(layout.inputs), "--outputs", str(layout.outputs)]) == 0
    said = capsys.readouterr().out
    contact, chase = said.split("需要联系的县(市):")[1].split("催报清单(需报送或重新报送的县(市)):")
    assert re.search(r"会东县\s+\S+\s+未采用 1 行\s+.*案件与此前报送不符", contact)
    assert re.search(r"会东县\s+未采用 1 行\s+案件与此前报送不符", chase)

    assert {p.name: p.read_bytes() for p in v1.iterdir()} == v1_bytes  # version 1 untouched
    assert any(p.name.endswith("第2版.pdf") for p in (layout.bulletins(MONTH) / "v2").iterdir())
    new_pay = pd.read_csv(layout.restricted_pay(MONTH) / "pay.csv", dtype=str).set_index("manager_id")
    deltas = pd.read_csv(layout.restricted_pay(MONTH) / "v2" / "pay_deltas.csv", dtype=str)
    manager = new_pay.index[new_pay.name == manager_name][0]
    # only the statements whose figures changed are issued anew; the others stay as issued
    changed = set(deltas.manager_id)
    assert manager in changed and len(changed) < len(new_pay) / 2
    assert dict(new_pay.version) == {m: "2" if m in changed else "1" for m in new_pay.index}
    v1_statements = layout.restricted_pay(MONTH) / "v1" / "statements"
    v2_statements = layout.restricted_pay(MONTH) / "v2" / "statements"
    assert len(list(v2_statements.glob("*.pdf"))) == len(new_pay)
    for m in set(new_pay.index) - changed:
        (kept,) = v2_statements.glob(f"薪酬明细_{m}_*.pdf")
        assert (
            kept.name.endswith("第1版.pdf") and kept.read_bytes() == (v1_statements / kept.name).read_bytes()
        )
    mine = deltas[deltas.manager_id == manager].set_index("item")
    reward = Decimal(new_pay.loc[manager, "marketing_reward"]) - Decimal(
        old_pay.loc[manager, "marketing_reward"]
    )
    assert Decimal(mine.loc["marketing_reward", "delta"]) == reward
    assert Decimal("49.99") <= reward <= Decimal("50.01")  # 1,000.00 元 more at 特快 5 %, each line rounded
    total = Decimal(new_pay.loc[manager, "total"]) - Decimal(old_pay.loc[manager, "total"])
    assert Decimal(mine.loc["total", "delta"]) == total
    assert (layout.restricted_pay(MONTH) / "v1" / "pay.csv").exists()
    usage = pd.read_csv(layout.tables(MONTH) / "usage.csv", dtype=str)
    row = usage[(usage.customer_id == customer) & (usage.business_type == "特快")].iloc[0]
    assert Decimal(row.revenue) == (Decimal(str(old)) + 1000).quantize(Decimal("0.01"))
    import subprocess

    (statement,) = (layout.restricted_pay(MONTH) / "v2" / "statements").glob(f"薪酬明细_{manager}_*第2版.pdf")
    text = subprocess.run(
        ["pdftotext", "-layout", str(statement), "-"], capture_output=True, text=True
    ).stdout
    assert "更正说明(与第1版相比)" in text and f"{reward:+.2f}" in text
    # and the lines behind it: the reward line on the corrected customer as it was and as it is
    changed = text.split("变动的明细行")[1].split("本明细仅限本人")[0]
    rows = [line.split() for line in changed.splitlines() if line.split()[:1] in (["原"], ["现"])]
    assert [r[0] for r in rows] == ["原", "现"] and changed.count(customer) == 2, changed
    assert Decimal(rows[1][-1]) - Decimal(rows[0][-1]) == reward  # 现 − 原: the line's delta

    bulletin_v2 = next((layout.bulletins(MONTH) / "v2").glob("信息简报_*第2版.pdf"))
    notes = subprocess.run(
        ["pdftotext", "-layout", str(bulletin_v2), "-"], capture_output=True, text=True
    ).stdout
    assert "更正说明(第2版,相对第1版)" in notes
    assert workbook.name in notes and "会东县 收入(万元)" in notes
    assert "会东县报表错误(条)" in "".join(notes.split())  # the unmatched case row: one error more
    assert "薪酬明细已同步出新版本" in notes and f"{reward:+.2f}" not in notes  # no pay amounts in a bulletin
    page = (layout.site / "months" / f"{MONTH}.html").read_text(encoding="utf-8")
    assert "更正说明" in page and "第2版" in page and f'href="{MONTH}-v1.html"' in page
    earlier = (layout.site / "months" / f"{MONTH}-v1.html").read_text(encoding="utf-8")
    assert "这是第1版,已被第2版更正" in earlier
    links = re.findall(r'href="(\.\./files/[^"]+)"', earlier)
    assert len(links) >= 2
    for link in links:  # version 1's PDFs, still there
        assert (layout.site / "months" / link).resolve().read_bytes() == v1_bytes[Path(link).name]


def test_a_manager_moved_on_the_roster_from_this_month_is_paid_as_moved_in_a_new_version(published, tmp_path):
    """The roster keeps history: 廖永福 (M023) moves from 会东县 to 木里 from March, a row added
    with `effective_from`. Re-run, March's pay follows the row in force (木里's field allowance,
    200.00 against 150.00), as a second version whose 更正说明 says the roster changed."""
    import subprocess

    from assets.runner import run_month

    layout = copy_of(published, tmp_path)
    roster = pd.read_csv(layout.reference / "managers.csv", dtype=str, keep_default_na=False)
    moved = roster[roster.manager_id == "M023"].assign(county="muli", effective_from=MONTH)
    pd.concat([roster.assign(effective_from=""), moved]).to_csv(
        layout.reference / "managers.csv", index=False
    )

    report = run_month(layout, MONTH)
    assert report.success, report.error
    pay = pd.read_csv(layout.restricted_pay(MONTH) / "pay.csv", dtype=str).set_index("manager_id")
    assert pay.loc["M023", "county"] == "木里藏族自治县" and pay.loc["M023", "allowance"] == "200.00"
    assert pay.loc["M022", "allowance"] == "150.00"  # 会东县's other manager stays
    deltas = pd.read_csv(layout.restricted_pay(MONTH) / "v2" / "pay_deltas.csv", dtype=str)
    allowance = deltas[(deltas.manager_id == "M023") & (deltas["item"] == "allowance")]
    assert allowance[["old", "new", "delta"]].values.tolist() == [["150.00", "200.00", "50.00"]]
    (bulletin,) = (layout.bulletins(MONTH) / "v2").glob("信息简报_*第2版.pdf")
    text = "".join(
        subprocess.run(["pdftotext", str(bulletin), "-"], capture_output=True, text=True).stdout.split()
    )
    assert "本版依据更新后的参考数据重新计算:客户经理名册(managers.csv)。" in text
