"""Folder mistakes on a published month (issue 21 items 1, 2, 9), on the generated workbooks and
real runs into a temp dir: a county the published version used is not dropped without the
operator's word; a renamed file changes nothing; the 更正说明 says what changed and against what."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook

from assets.cli import main
from assets.definitions import build_defs
from assets.instance import instance_for
from assets.runner import run_month
from pipeline.core.layout import Layout
from pipeline.ingest.guards import ACCEPT_LOSS_TAG
from pipeline.publish.editions import read_manifest
from pipeline.publish.snapshot import restore_snapshot
from tests.integration.test_correction import MONTH, copy_of, raise_a_new_collection
from tests.integration.test_ui_carry_forward import evaluate


def published_files(layout: Layout) -> dict[str, bytes]:
    """Every file a reader or a tool may see: tables, problems, bulletins, site, pay (not
    Dagster's stored values, which a failed run may leave newer: they are not published)."""
    out = {}
    for top in ("tables", "problems", "bulletins", "site", "restricted"):
        for path in sorted((layout.outputs / top).rglob("*")):
            if path.is_file() and not path.is_relative_to(layout.storage):
                out[str(path.relative_to(layout.outputs))] = path.read_bytes()
    return out


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True).stdout


def latest_bulletin(layout: Layout) -> Path:
    version = read_manifest(layout.bulletins(MONTH))["versions"][-1]["version"]
    return next((layout.bulletins(MONTH) / f"v{version}").glob("信息简报_*.pdf"))


def county_file(layout: Layout, county: str) -> Path:
    (path,) = layout.month_inputs(MONTH).glob(f"{county}_*.xlsx")
    return path


def add_volume(path: Path, business: str, units: int) -> None:
    """Add `units` to the first row of `business` and to the 合计 row, as a county would."""
    wb = load_workbook(path)
    ws = wb["用邮情况"]
    header = [str(c.value) for c in ws[3]]
    volume = next(i for i, name in enumerate(header) if name.startswith("用邮量"))
    kind = header.index("业务种类")
    rows = list(ws.iter_rows(min_row=4))
    first = next(r for r in rows if r[kind].value == business)
    first[volume].value = int(first[volume].value) + units
    total = next(r for r in rows if r[0].value == "合计")
    total[volume].value = int(total[volume].value) + units
    wb.save(path)


def test_a_corrected_file_put_beside_the_old_one_stops_the_month_until_the_loss_is_accepted(
    published, tmp_path, capsys
):
    layout = copy_of(published, tmp_path)
    before = published_files(layout)
    old = county_file(layout, "会东县")
    beside = old.with_name(old.stem + "(更正).xlsx")
    shutil.copy(old, beside)
    raise_a_new_collection(beside, 1000.00)
    folders = ["--inputs", str(layout.inputs), "--outputs", str(layout.outputs)]

    assert main(["run", MONTH, *folders]) == 1
    error = capsys.readouterr().err.strip()
    assert "\n" not in error and "会东县" in error and "两个文件" in error
    assert "移走多余的文件" in error and "--accept-loss" in error and ACCEPT_LOSS_TAG in error
    assert published_files(layout) == before  # nothing published, not even a table

    assert main(["run", MONTH, *folders, "--accept-loss"]) == 0
    assert read_manifest(layout.bulletins(MONTH))["versions"][-1]["version"] == 2
    note = "会东县 第1版已采用的报表本版未采用(两个文件),经操作员确认发布"
    assert note in pdf_text(latest_bulletin(layout))
    assert note in (layout.site / "months" / f"{MONTH}.html").read_text(encoding="utf-8")


def test_a_half_copied_workbook_fails_the_ui_run_unless_the_run_is_tagged(published, tmp_path):
    layout = copy_of(published, tmp_path)
    before = published_files(layout)
    path = county_file(layout, "会理市")
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    job = build_defs(layout.inputs, layout.outputs).resolve_job_def("month")

    with instance_for(layout) as instance:
        refused = job.execute_in_process(partition_key=f"{MONTH}-01", instance=instance, raise_on_error=False)
        assert not refused.success
        failure = next(e for e in refused.all_events if e.is_step_failure)
        assert failure.step_key == "month_intake"
        message = failure.step_failure_data.error.cause.message
        assert "会理市" in message and "文件无法打开" in message and "重新完整复制该文件" in message
        assert published_files(layout) == before

        accepted = job.execute_in_process(
            partition_key=f"{MONTH}-01", instance=instance, tags={ACCEPT_LOSS_TAG: "true"}
        )
        assert accepted.success
    assert read_manifest(layout.bulletins(MONTH))["versions"][-1]["version"] == 2
    page = (layout.site / "months" / f"{MONTH}.html").read_text(encoding="utf-8")
    assert "会理市 第1版已采用的报表本版未采用(文件无法打开),经操作员确认发布" in page


def test_a_sensor_run_refused_by_the_files_is_asked_for_once_with_a_reason_and_again_when_cut_short(
    published, tmp_path
):
    """The UI's sensor asks for the run once per state of the files: refused (a half-copied file),
    the next ticks say why nothing runs. A run cut short (dagster dev stopped) read the county
    but published nothing: the change is still to publish, and it is asked for again."""
    layout = copy_of(published, tmp_path)
    path = county_file(layout, "会理市")
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2])
    (request,) = evaluate(layout).run_requests
    job = build_defs(layout.inputs, layout.outputs).resolve_job_def("month")
    with instance_for(layout) as instance:
        refused = job.execute_in_process(
            partition_key=request.partition_key,
            asset_selection=request.asset_selection,
            instance=instance,
            tags={**request.tags, "dagster/run_key": request.run_key},
            raise_on_error=False,
        )
    assert not refused.success
    # until the failure sensor has put the month back, nothing is asked for (a run now would copy
    # aside a half-written month)
    assert "等待恢复运行" in evaluate(layout).skip_message
    restore_snapshot(layout, refused.run_id)  # as restore_published_on_failure does
    waiting = evaluate(layout)
    assert refused.run_id[:8] in waiting.skip_message and "改正报表后自动重新运行" in waiting.skip_message
    with instance_for(layout) as instance:  # as Dagster marks a run whose process was stopped
        instance.add_run_tags(refused.run_id, {"dagster/failure_reason": "UNEXPECTED_TERMINATION"})
    (again,) = evaluate(layout).run_requests
    assert again.run_key != request.run_key and again.partition_key == request.partition_key
    assert "county_huili" in {k.path[0] for k in again.asset_selection}
    # the whole file back: what the published month read, but the refused run stored the half
    # file's result, so 会理市 is read again (by the sensor as by kac), not taken from storage
    path.write_bytes(whole)
    (back,) = evaluate(layout).run_requests
    assert "county_huili" in {k.path[0] for k in back.asset_selection}


def test_a_renamed_file_with_the_same_bytes_keeps_the_published_version(published, tmp_path):
    layout = copy_of(published, tmp_path)
    bulletins = {k: v for k, v in published_files(layout).items() if k.startswith("bulletins")}
    manifest = read_manifest(layout.bulletins(MONTH))
    path = county_file(layout, "会理市")
    renamed = path.rename(path.with_name("会理.xlsx"))

    report = run_month(layout, MONTH)
    assert report.success, report.error
    assert report.counties_read[MONTH] == ["huili"]  # read again, so the tables show the new name
    assert read_manifest(layout.bulletins(MONTH)) == manifest  # no 第2版
    assert {k: v for k, v in published_files(layout).items() if k.startswith("bulletins")} == bulletins
    submissions = {
        line.split(",")[0]: line.split(",")
        for line in (layout.tables(MONTH) / "submissions.csv").read_text(encoding="utf-8").splitlines()
    }
    assert submissions["会理市"][2] == "会理.xlsx"
    assert submissions["会理市"][3] == hashlib.sha256(renamed.read_bytes()).hexdigest()  # as sha256sum shows


def test_a_version_hashed_with_file_names_is_kept_when_its_content_is_unchanged(published, tmp_path):
    """Months published before the hash left file names out keep their version on the next run."""
    layout = copy_of(published, tmp_path)
    folder = layout.bulletins(MONTH)
    manifest = read_manifest(folder)
    entry = manifest["versions"][-1]
    entry.pop("hash_scheme")
    entry["content_hash"] = "hashed-the-older-way"
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    content = json.loads((folder / "v1" / "content.json").read_text(encoding="utf-8"))
    for s in content["submissions"]:
        s["sha256"] = hashlib.sha256(s["sha256"].encode()).hexdigest()  # names and bytes, formerly
        s.pop("received_at")
    content["pay_digest"] = legacy_pay_digest(layout)
    (folder / "v1" / "content.json").write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")

    assert run_month(layout, MONTH).success
    versions = read_manifest(folder)["versions"]
    assert [v["version"] for v in versions] == [1] and versions[0]["hash_scheme"] == 2
    (huidong,) = layout.month_inputs(MONTH).glob("会东县_*.xlsx")
    raise_a_new_collection(huidong, 1000.00)
    assert run_month(layout, MONTH).success
    page = (layout.site / "months" / f"{MONTH}.html").read_text(encoding="utf-8")
    assert page.count("· sha256 ") == 2  # only 会东县's two files: the others compare like with like


def legacy_pay_digest(layout: Layout) -> str:
    """The pay digest as versions before this change computed it (file names in `source`)."""
    import pickle

    from pipeline.core.digest import content_hash

    pay = pickle.loads((layout.storage / "pay" / f"{MONTH}-01").read_bytes())
    return content_hash(pay["lines"].astype(str).to_dict("records"))


def test_successive_corrections_note_volumes_files_and_the_change_since_the_first_version(
    published, tmp_path
):
    """Two corrections of the month: each 更正说明 says what changed, in which file, against the
    version before and the first; each reissues only the statements it changes."""
    layout = copy_of(published, tmp_path)
    huidong = county_file(layout, "会东县")
    first_sha = hashlib.sha256(huidong.read_bytes()).hexdigest()[:8]
    add_volume(huidong, "特快", 120)
    _, first_name, _ = raise_a_new_collection(huidong, 1000.00)  # the 会东县 manager's statement
    received = datetime(2025, 4, 5, 9, 30).timestamp()
    os.utime(huidong, (received, received))
    assert run_month(layout, MONTH).success  # 第2版: 特快 +120 件
    second_sha = hashlib.sha256(huidong.read_bytes()).hexdigest()[:8]
    v2 = pdf_text(latest_bulletin(layout))
    assert "特快 用邮量(件)" in v2 and "+120" in v2 and first_sha in v2 and second_sha in v2
    assert "与第1版" not in v2
    page = (layout.site / "months" / f"{MONTH}.html").read_text(encoding="utf-8")
    assert f"<td>2025-04-05 09:30 · sha256 {second_sha}</td>" in page and f"sha256 {first_sha}" in page
    assert page.count(huidong.name) == 2  # the file name once in the note, once under 报送情况

    _, second_name, _ = raise_a_new_collection(county_file(layout, "西昌市"), 1000.00)
    assert run_month(layout, MONTH).success  # 第3版: a revenue correction of 西昌市
    v3 = pdf_text(latest_bulletin(layout))
    assert "更正说明(第3版,相对第2版)" in v3
    against_second, against_first = v3.split("与第1版(最初发布)相比")
    assert "西昌市 收入(万元)" in against_second and "特快 用邮量(件)" not in against_second
    assert "西昌市 收入(万元)" in against_first and "特快 用邮量(件)" in against_first
    page = (layout.site / "months" / f"{MONTH}.html").read_text(encoding="utf-8")
    assert "与第1版(最初发布)相比" in page and "+120" in page

    # statements: each manager's stays at the version that last changed it, the same file
    pay = pd.read_csv(layout.restricted_pay(MONTH) / "pay.csv", dtype=str).set_index("name")
    assert first_name != second_name
    assert pay.version[first_name] == "2" and pay.version[second_name] == "3"
    assert set(pay.version.drop([first_name, second_name])) == {"1"}
    (kept,) = (layout.restricted_pay(MONTH) / "v3" / "statements").glob(f"薪酬明细_*_{first_name}_*.pdf")
    assert kept.name.endswith("第2版.pdf")
    assert kept.read_bytes() == (layout.restricted_pay(MONTH) / "v2" / "statements" / kept.name).read_bytes()


def test_a_published_correction_whose_later_month_is_refused_says_both(published, tmp_path, capsys):
    """A correction of February publishes February; March, published and now holding a folder
    mistake, is refused: `kac run` says February went out, March was not recomputed and still
    rests on February as it was, and what to run once the folder is put right."""
    layout = copy_of(published, tmp_path)
    march = county_file(layout, "会东县")
    shutil.copy(march, march.with_name(march.stem + "(更正).xlsx"))  # a mistake in March's folder
    before = published_files(layout)
    folders = ["--inputs", str(layout.inputs), "--outputs", str(layout.outputs)]

    assert main(["run", "2025-02", *folders]) == 1
    out, error = capsys.readouterr()
    assert "完成 2025年2月" in out and "信息简报" in out  # February is published, and said to be
    assert read_manifest(layout.bulletins("2025-02"))["versions"][-1]["version"] == 1
    assert "\n" not in error.strip()
    assert "2025年2月已发布,但后续月份2025年3月未能随之重算" in error and "两个文件" in error
    assert "2025年3月仍是按更正前数据发布的版本;处理后运行 kac run 2025-03" in error
    assert {k: v for k, v in published_files(layout).items() if MONTH in k} == {
        k: v for k, v in before.items() if MONTH in k
    }  # March as it was published


def test_a_later_months_new_version_names_its_own_changed_files(published, tmp_path, capsys):
    """February corrected while March's folder also holds a corrected file: March's new version
    is not February's doing alone, and the summary says which of March's files changed."""
    import json

    from assets.cli import _print_done
    from assets.runner import RunReport

    layout = copy_of(published, tmp_path)
    folder = layout.bulletins(MONTH)
    shutil.copytree(folder / "v1", folder / "v2")
    content = json.loads((folder / "v2" / "content.json").read_text(encoding="utf-8"))
    huidong = next(s for s in content["submissions"] if s["county"] == "会东县")
    huidong["sha256"] = "e" * 64  # March's 会东县 file changed as well
    (folder / "v2" / "content.json").write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
    manifest = read_manifest(folder)
    manifest["versions"].append({**manifest["versions"][-1], "version": 2})
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    report = RunReport("2025-02", True, later_months=[(MONTH, 2, True)])
    _print_done(layout, "2025-02", report, 1.0)
    out = capsys.readouterr().out
    assert "后续月份 2025年3月:出第2版(内容随本月更正而变);该月本身也有更新的报表:会东县" in out
    _print_done(layout, "2025-02", RunReport("2025-02", True, later_months=[(MONTH, 1, False)]), 1.0)
    assert "后续月份 2025年3月:内容未变,仍为第1版\n" in capsys.readouterr().out
