def test_liangshan_has_seventeen_counties_with_unique_codes(reference):
    assert len(reference.counties) == 17
    assert reference.counties.code.is_unique and reference.counties.name.is_unique
    assert "木里藏族自治县" in set(reference.counties.name)


def test_county_recognised_from_aliases_in_file_names(reference):
    assert reference.county_of_text("会理市_2026年10月_大客户用邮情况") == "huili"
    assert reference.county_of_text("会东 10月报表") == "huidong"
    assert reference.county_of_text("西昌市邮政分公司") == "xichang"
    assert reference.county_of_text("ＸＸ 木里县 报表") == "muli"
    assert reference.county_of_text("考核评分") is None


def test_business_types_matched_through_aliases(reference):
    assert reference.business_index.match("EMS") == "特快"
    assert reference.business_index.match(" 特快专递 ") == "特快"
    assert reference.business_index.match("帐单") == "账单"
    assert reference.business_index.match("快件") is None


def test_managers_active_in_a_month_respect_join_and_leave_dates(reference):
    june = set(reference.managers_active_in("2026-06").manager_id)
    july = set(reference.managers_active_in("2026-07").manager_id)
    assert "M010" in june and "M010" not in july  # left on 2026-06-20
    assert "M048" in june  # joined on 2026-06-15: employed during June
    assert "M049" not in set(reference.managers_active_in("2025-06").manager_id)
    assert 40 <= len(reference.managers) <= 50


def test_one_manager_resolver_tells_namesakes_apart_by_county_and_never_guesses(reference):
    import dataclasses

    import pandas as pd

    extra = pd.DataFrame(
        [
            ["M901", "钟春燕", "xichang", "客户经理", "2024-01-01", ""],  # M022 钟春燕 is in 会东县
            ["M902", "王敏", "xichang", "客户经理", "2024-01-01", ""],
            ["M903", "王敏", "xichang", "客户经理", "2024-01-01", ""],
        ],
        columns=reference.managers.columns[:6],
    )
    ref = dataclasses.replace(reference, managers=pd.concat([reference.managers, extra], ignore_index=True))
    assert ref.resolve_manager("钟春燕", "huidong") == "M022"
    assert ref.resolve_manager("钟春燕", "xichang") == "M901"
    assert ref.resolve_manager("钟春燕") is None  # the 考核评分 sheet has no county: the 工号 is needed
    assert ref.resolve_manager("王敏", "xichang") is None  # two of one county: never the first of them
    assert ref.resolve_manager("M903") == "M903" and ref.resolve_manager("无此人", "xichang") is None

    # M904 李梅 moved from 西昌市 to 会理市 in 2026-03 (a history row); M905 李梅 was always in 会理市:
    # a 会理市 sheet of any month cannot tell them apart, a 西昌市 sheet can
    moved = pd.DataFrame(
        [
            ["M904", "李梅", "xichang", "客户经理", "2024-01-01", "", ""],
            ["M904", "李梅", "huili", "客户经理", "2024-01-01", "", "2026-03"],
            ["M905", "李梅", "huili", "客户经理", "2024-01-01", "", ""],
        ],
        columns=[*reference.managers.columns[:6], "effective_from"],
    )
    ref = dataclasses.replace(reference, managers=pd.concat([reference.managers, moved], ignore_index=True))
    assert ref.resolve_manager("李梅", "huili") is None
    assert ref.resolve_manager("李梅", "xichang") == "M904"


def test_every_county_centre_has_a_contact_for_the_chase_list(reference):
    contacts = reference.county_contacts
    assert set(contacts) == set(reference.county_names.values())
    assert contacts["甘洛县"].person and contacts["甘洛县"].phone.startswith("0834-")


def test_contacts_file_missing_or_malformed_gives_none_and_leaves_the_digest_alone(tmp_path, reference):
    import shutil

    from pipeline.ingest.reference import CONTACTS_FILE, Reference

    folder = tmp_path / "reference"
    shutil.copytree(reference.folder, folder)
    with_contacts = Reference.load(folder)
    (folder / CONTACTS_FILE).write_text("县,电话\n西昌市,123\n", encoding="utf-8")
    malformed = Reference.load(folder)
    (folder / CONTACTS_FILE).unlink()
    missing = Reference.load(folder)
    assert malformed.county_contacts == {} and missing.county_contacts == {}
    assert with_contacts.digest == malformed.digest == missing.digest  # the reader is not affected


def test_a_target_or_roster_cell_that_cannot_be_read_is_named_with_how_to_write_it(tmp_path):
    """A revenue target typed with thousands separators would fail the month as a program error."""
    import shutil

    import pytest

    from pipeline.core.layout import REPO
    from pipeline.ingest.reference import Reference

    folder = tmp_path / "reference"
    shutil.copytree(REPO / "inputs" / "reference", folder)
    targets = (folder / "targets.csv").read_text(encoding="utf-8").splitlines()
    targets[3] = '2025,M003,5,"180,000.00"'
    (folder / "targets.csv").write_text("\n".join(targets) + "\n", encoding="utf-8")
    with pytest.raises(ValueError) as raised:
        Reference.load(folder)
    assert str(raised.value) == (
        "targets.csv 第4行 revenue_target 为“180,000.00”,应为金额(元),不带千位分隔符,如 180000.00"
    )
    shutil.copy(REPO / "inputs" / "reference" / "targets.csv", folder / "targets.csv")
    roster = (folder / "managers.csv").read_text(encoding="utf-8").replace("2024-01-01", "2024/1/1", 1)
    (folder / "managers.csv").write_text(roster, encoding="utf-8")
    with pytest.raises(ValueError) as raised:
        Reference.load(folder)
    assert str(raised.value) == "managers.csv 第2行 active_from 为“2024/1/1”,应为日期,如 2026-07-01"


def test_a_date_that_does_not_exist_is_refused_and_spaces_around_a_value_are_dropped(tmp_path):
    import shutil

    import pytest

    from pipeline.core.layout import REPO
    from pipeline.ingest.reference import Reference

    folder = tmp_path / "reference"
    shutil.copytree(REPO / "inputs" / "reference", folder)
    roster = (folder / "managers.csv").read_text(encoding="utf-8")
    (folder / "managers.csv").write_text(roster.replace("2024-01-01", "2026-02-30", 1), encoding="utf-8")
    with pytest.raises(ValueError) as raised:
        Reference.load(folder)
    assert "managers.csv 第2行 active_from 为“2026-02-30”" in str(raised.value)
    (folder / "managers.csv").write_text(roster.replace("2024-01-01", "2024-01-01 ", 1), encoding="utf-8")
    targets = (folder / "targets.csv").read_text(encoding="utf-8").replace("2025,M003", "2025 ,M003", 1)
    (folder / "targets.csv").write_text(targets, encoding="utf-8")
    ref = Reference.load(folder)
    assert ref.managers.active_from.iloc[0] == "2024-01-01"
    assert (ref.targets.year[ref.targets.manager_id == "M003"] == "2025").any()  # the target is found


def test_reference_files_saved_by_excel_in_gbk_are_read_as_in_utf8(tmp_path, reference):
    """Excel on Chinese Windows saves CSV in GBK: the roster, the contacts and the holiday
    calendar read the same; a file in neither encoding is named with what to do."""
    import shutil

    import pytest

    from pipeline.ingest.holidays import read_calendar
    from pipeline.ingest.reference import Reference

    folder = tmp_path / "reference"
    shutil.copytree(reference.folder, folder)
    for name in ("managers.csv", "county_contacts.csv", "holidays.csv"):
        path = folder / name
        path.write_bytes(path.read_text(encoding="utf-8-sig").encode("gbk"))
    again = Reference.load(folder)
    assert again.managers.equals(reference.managers)
    assert again.county_contacts == reference.county_contacts and again.county_contacts
    calendar = read_calendar(folder)
    assert calendar.problems == [] and calendar.holidays.equals(read_calendar(reference.folder).holidays)
    (folder / "managers.csv").write_bytes("工号".encode("utf-16"))
    with pytest.raises(ValueError, match=r"managers\.csv:文字编码无法识别"):
        Reference.load(folder)
    shutil.copy(reference.folder / "managers.csv", folder / "managers.csv")
    counties = folder / "counties.csv"
    counties.write_text(counties.read_text(encoding="utf-8") + "x,y,z,w,v,u,t,s\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"counties\.csv:第 \d+ 行的列数多于表头"):
        Reference.load(folder)


def test_an_empty_calendar_is_said_in_chinese(tmp_path):
    from pipeline.ingest.holidays import read_calendar

    (tmp_path / "holidays.csv").write_text("", encoding="utf-8")
    (empty,) = read_calendar(tmp_path).problems
    assert (empty.code, empty.message) == (
        "holiday_unreadable",
        "节日日历无法读取:文件是空的,请按样例填写表头和内容;工作清单本月不列节日问候,请改正后重新运行本月",
    )


def test_a_roster_move_dated_other_than_by_its_month_is_refused(tmp_path):
    """`effective_from` is compared with the month as text: 2026-10-01 would move the manager a
    month late, 2026年10月 never. Both are refused with the cell and how to write it."""
    import shutil

    import pytest

    from pipeline.core.layout import REPO
    from pipeline.ingest.reference import Reference

    folder = tmp_path / "reference"
    shutil.copytree(REPO / "inputs" / "reference", folder)
    roster = (folder / "managers.csv").read_text(encoding="utf-8").splitlines()
    for typed in ("2026-10-01", "2026年10月", "2026-13"):
        lines = [roster[0] + ",effective_from", *(f"{line}," for line in roster[1:])]
        lines.append(f"M019,田明,muli,客户经理,2024-01-01,,{typed}")
        (folder / "managers.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
        with pytest.raises(ValueError) as raised:
            Reference.load(folder)
        assert f"effective_from 为“{typed}”,应为月份,如 2026-10" in str(raised.value)
    lines[-1] = "M019,田明,muli,客户经理,2024-01-01,,2026-10"
    (folder / "managers.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    ref = Reference.load(folder)
    assert ref.managers_active_in("2026-10").set_index("manager_id").loc["M019", "county"] == "muli"
