"""Problems found in inputs: one stable code each, its effect, and a Chinese message.

Effect of a code:
- ``county``: the county's submission is rejected for the month (nothing of it is used);
- ``row``: the row is rejected and kept, with its raw values, in the quarantine table;
- ``warning``: reported, the data is used.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from pipeline.core.contract import PROBLEMS

ERROR, WARNING = "error", "warning"

# code → (effect, message template shown to the operator and the county)
CODES: dict[str, tuple[str, str]] = {
    "file_unreadable": ("county", "文件无法打开({detail}),请县局重新另存为 .xlsx 后报送"),
    "file_too_large": ("county", "文件过大或内容异常({detail}),请删除多余内容后另存为 .xlsx 重新报送"),
    "file_empty": ("county", "文件中没有数据,请县局填写后重新报送"),
    "county_unknown": (
        "county",
        "无法识别所属县(市),请按“县名_年月”命名文件或在“填报单位”注明县名"
        "(中心的考核评分表请以“考核评分”开头命名,如 考核评分.xlsx)",
    ),
    "county_duplicate": ("county", "同一县(市)收到两个文件:{detail},请确认保留哪一个并删除另一个"),
    "month_mismatch": ("county", "表中月份为 {detail},与文件夹月份不符,请县局报送本月报表"),
    "county_mismatch": (
        "county",
        "表内填报单位为{detail},与文件名的县(市)不符:可能放错了文件或沿用了别县的报表,"
        "请确认后报送本县(市)的报表(如确属本县,请改正填报单位)",
    ),
    "sheet_missing": ("county", "缺少“{detail}”工作表,请使用中心下发的模板"),
    "column_missing": ("county", "“{detail}”工作表缺少必填列,请使用中心下发的模板"),
    "total_mismatch": ("county", "合计行与明细不符:合计 {detail},请县局核对后重新报送"),
    "column_twins": (
        "warning",
        "有多列都是“{detail}”,本表按所标的一列读取,其余未读;请删去多余的一列后重新报送",
    ),
    "business_unknown": ("row", "业务种类无法识别,请填写规定的业务种类(特快、快包、函件…)"),
    "formula_without_value": (
        "row",
        "单元格是公式,但文件中没有保存计算结果,读取为空白:"
        "请在 Excel 或 WPS 中打开、保存后重新报送,或改填数值",
    ),
    "progress_formula_without_value": (
        "warning",
        "工作进展表中此单元格是公式,但文件中没有保存计算结果,读取为空白,这项内容未能收录:"
        "请在 Excel 或 WPS 中打开、保存后重新报送,或直接填写文字",
    ),
    "manager_unknown": (
        "row",
        "客户经理不在名册中,或名册中有同名的客户经理:请填写名册中的姓名,同名时填写工号",
    ),
    "amount_invalid": ("row", "数值无法识别,请填写数字"),
    "amount_negative": ("row", "{detail}为负数,请按实际填写(不能小于 0)"),
    "amount_unit_unknown": (
        "row",
        "金额单位“{detail}”无法识别(应为元、千元或万元),本行未采用,请改正表头后重新报送",
    ),
    "amount_unit_conflict": (
        "row",
        "{detail}一格写明“元”,而表头的单位不是元,无法确定金额,本行该金额未采用,请统一为表头的单位后重新报送",
    ),
    "amount_too_large": (
        "row",
        "{detail}超出合理范围(每格不超过 {limit}),疑为误填的编号或号码,本行未采用,请核对后填写实际数值",
    ),
    "required_missing": ("row", "必填项为空,请补填"),
    "figure_merged": (
        "row",
        "{detail}为合并单元格({merged}),一个数无法分到各行,本行未采用;请取消合并、逐行填写后重新报送",
    ),
    "collection_unknown": ("row", "揽收类型应为“存量”或“新揽收”"),
    "duplicate_row": ("row", "同一客户、同一业务种类重复填报({detail}),请合并为一行"),
    "row_after_footer": (
        "row",
        "本行在表尾(填表人、审核人)之下,未采用(合计行不含本行);请将本行移到合计行之前并重算合计后重新报送",
    ),
    "block_after_footer": (
        "warning",
        "表尾之下另有一段{detail}的报表(共 {rows} 行),未读取;本月数据请移到合计行之前,"
        "其他月份的数据请删除后重新报送",
    ),
    "sheet_not_read": (
        "warning",
        "工作表未读取({detail}),其中的数据均未采用;如有本月数据,请并入相应工作表后重新报送",
    ),
    "name_mismatch": ("row", "客户编号对应的名称与档案不符(档案为“{detail}”),请核对客户编号"),
    "report_late": ("warning", "报送日期 {detail} 晚于截止日期(次月{deadline}日前)"),
    "report_date_missing": ("warning", "未填写填报日期,无法判断是否按时报送"),
    "sheet_optional_missing": ("warning", "缺少“{detail}”工作表,本月无相应数据"),
    "optional_column_missing": (
        "warning",
        "“{detail}”工作表的表头中找不到“{columns}”列,本表本月未读取(共 {rows} 行),"
        "请按中心下发的模板改正表头后重新报送",
    ),
    "submission_missing": ("warning", "本月未收到该县(市)报表,请催报"),
    "score_out_of_range": (
        "row",
        "分值无法识别或超出范围(应为 0–{detail}),此人本月人工评分与业绩工资暂缓,请中心核对考核评分表",
    ),
    "award_invalid": ("row", "突出贡献奖金额无法识别或为负数,此人本月突出贡献奖暂缓,请中心填写金额(元)"),
    "assessment_missing": (
        "warning",
        "本月未找到考核评分表:市场调查、项目策划、其他三项暂缓计分,业绩工资暂缓发放,请中心补报后重新运行本月",
    ),
    "assessment_file_duplicate": (
        "warning",
        "收到多个考核评分表:{detail},均未采用:市场调查、项目策划、其他三项暂缓计分,业绩工资暂缓发放,"
        "请只保留一个文件(如 考核评分.xlsx)后重新运行本月",
    ),
    "assessment_duplicate": ("warning", "同一客户经理重复填报且分值相同({detail}),按一行计"),
    "assessment_conflict": (
        "row",
        "同一客户经理有多行且分值不一致({detail}),此人本月人工评分暂缓,请中心核对后只保留一行",
    ),
    "visit_date_missing": ("warning", "未填写走访日期,该次走访不计入本月大客户联系考核,请补填日期"),
    "visit_date_outside": ("warning", "走访日期 {detail} 不在本月,该次走访不计入本月大客户联系考核"),
    "visit_plan_outside": (
        "warning",
        "计划日期 {detail} 不在本月:走访计划只在计划所在月份的报表中核对是否走访,请在该月报表中填写",
    ),
    "claim_amount_not_claim": (
        "warning",
        "理赔金额只用于理赔案件,本案类型为{detail},金额未采用(本行其余内容照常采用);如确为理赔,请改正类型",
    ),
    "case_unmatched": (
        "row",
        "受理日期在本月之前,但与此前报送的案件(客户编号、受理日期、类型、邮件号码)均不相符,本行未采用:"
        "如为更新此前的案件,请按首次报送时填写这四项;如为此前漏报的案件,请在受理当月的报表中补报。{nearest}",
    ),
    "claim_manager_not_in_post": (
        "warning",
        "本行“新揽收”所填客户经理({detail})本月不在岗(已离职或未到岗),暂不按新揽收计,"
        "请县局核对本行客户经理后重新报送",
    ),
    "new_collection_not_new": (
        "warning",
        "标为“新揽收”,但该客户的该业务种类在 {detail} 已有用邮,不按新揽收计(本行仍计入用邮量),"
        "请县局核对揽收类型",
    ),
    "new_collection_claimed_twice": (
        "warning",
        "标为“新揽收”,但本月 {detail} 也将该客户的该业务报为新揽收;同一笔新业务只计一次,"
        "各行暂不按新揽收计(用邮量照常计入),请有关县局核对,只由实际揽收的一方保留“新揽收”",
    ),
    "survey_header_missing": (
        "county",
        "未找到问卷表头{detail},本文件未计入统计,请使用中心下发的问卷模板(表头在前 20 行内)后重新报送",
    ),
    "survey_score_invalid": ("row", "评分应为 1–5 的整数,该份问卷不计入统计,请核对问卷后重新报送"),
    "survey_customer_unknown": ("row", "客户编号不在客户档案中,该问卷不计入统计,请核对客户编号"),
    "survey_duplicate": ("row", "同一客户在本轮测评中重复({detail}),均不计入统计,请确认保留哪一份"),
    "value_unrecognised": ("warning", "“{detail}”取值无法识别,已按空白处理,请按模板填写"),
    "case_manager_unknown": (
        "warning",
        "客户经理不在名册中,或名册中有同名的客户经理:本案件记在客户档案中该客户的客户经理名下;"
        "如应由他人跟进,请填写名册中的姓名(同名时填写工号)",
    ),
    "case_type_unknown": ("row", "类型应为“投诉”“查询”或“理赔”,本行未采用,请按模板下拉选择后重新报送"),
    "case_date_invalid": ("row", "{detail}无法识别,本行未采用,请按 2026-10-08 的格式填写日期"),
    "case_date_future": ("row", "{detail} 晚于本月末,本行未采用,请填写已经发生的日期"),
    "case_closed_future": (
        "warning",
        "办结日期 {detail} 晚于本月末,本案件按未办结登记;请在办结当月的报表中填写办结日期",
    ),
    "case_closed_before_opened": (
        "row",
        "办结日期早于受理日期({detail}),本行未采用,请核对两个日期",
    ),
    "claim_amount_missing": (
        "row",
        "本月受理的理赔案件未填写理赔金额(元),本行未采用,请补填金额(无赔付填 0;以后办结时可留空)",
    ),
    "customer_not_in_archive": (
        "warning",
        "客户编号不在客户档案中(上月档案与本表“客户档案”均无),已作为新客户计入;"
        "新客户请在“客户档案”表登记,否则请核对客户编号",
    ),
    "visit_customer_unknown": (
        "warning",
        "走访记录的客户编号不在客户档案中,本次走访不计入任何客户,请核对客户编号(新客户请先在“客户档案”表登记)",
    ),
    "case_customer_unknown": (
        "row",
        "客户编号不在客户档案中,本行未采用,请核对客户编号,新客户请先在“客户档案”表登记",
    ),
    "case_duplicate": (
        "row",
        "同一案件(客户编号、受理日期、类型、邮件号码相同)重复填报({detail}),均未采用,请合并为一行",
    ),
    "birthday_invalid": (
        "warning",
        "关键联系人生日应为月日(如 03-15 或 3月15日),无法识别,已按空白处理,请核对",
    ),
    # no {detail}: problems are published (site, problems.csv), birthdays are not
    "birthday_year_ignored": (
        "warning",
        "关键联系人生日只需填月日,所填(或被 Excel 自动转成日期后带上的)年份已忽略,月日照常采用;"
        "请把该列设为文本格式,按 03-15 或 3月15日 填写",
    ),
    "holiday_unreadable": (
        "warning",
        "节日日历无法读取:{detail};工作清单本月不列节日问候,请改正后重新运行本月",
    ),
    "holiday_invalid": ("row", "节日日历:{detail},本行未采用,请按“年份,日期,节日”填写(日期如 2026-08-06)"),
    "holiday_calendar_missing": (
        "warning",
        "未找到节日日历 {detail},工作清单本月不列节日问候,请补充参照数据",
    ),
    # the project register (项目登记, inputs/projects/): the centre's own workbook
    "project_lead_unknown": ("row", "牵头单位应为“州局”或县(市)名称,本项目未采用,请改正后重新运行本月"),
    "project_month_invalid": ("row", "月份无法识别,本项目未采用,请按 2026-03 的格式填写"),
    "project_cycle_invalid": ("row", "项目周期 {detail};本项目未采用"),
    "project_rule_invalid": (
        "row",
        "目标客户无法识别:{detail}。请填写客户编号(以“、”分隔)或条件,如 企业性质=党政军机关;县=会理市",
    ),
    "project_customer_unknown": (
        "warning",
        "目标客户 {detail} 不在客户档案中(潜在客户可以保留),其用邮在建档并报送后计入项目结果",
    ),
    "project_status_unknown": (
        "row",
        "状态应为 {detail} 之一;写错的状态(如“取消”)可能指已取消的项目,本行未采用,请改正后重新运行",
    ),
    "project_duplicate": (
        "row",
        "项目编号与 {detail} 重复,本行未采用:如是新项目请改用新编号,如是更正请改在原行并删去本行",
    ),
    "project_target_blank": (
        "warning",
        "目标收入为空,本项目按未设收入目标计(不考核收入);如有收入目标请补填,无目标请填 0",
    ),
    "agreed_band_unreadable": (
        "warning",
        "协议档次无法识别:{detail}(本行其余内容照常采用,浮动定价中标为“协议档次无法识别”)",
    ),
}

# code → the short Chinese name people see in place of the code (问题清单.xlsx, the site)
LABELS: dict[str, str] = {
    "file_unreadable": "文件无法打开",
    "file_too_large": "文件过大",
    "file_empty": "文件无数据",
    "county_unknown": "无法识别县(市)",
    "county_duplicate": "同一县(市)多个文件",
    "month_mismatch": "月份不符",
    "county_mismatch": "填报单位与文件名不符",
    "sheet_missing": "缺少工作表",
    "column_missing": "缺少必填列",
    "total_mismatch": "合计与明细不符",
    "column_twins": "列名重复",
    "business_unknown": "业务种类无法识别",
    "manager_unknown": "客户经理不在名册",
    "amount_invalid": "数值无法识别",
    "amount_negative": "数值为负",
    "amount_unit_conflict": "金额单位与表头不一致",
    "amount_too_large": "数值过大",
    "amount_unit_unknown": "金额单位无法识别",
    "required_missing": "必填项为空",
    "formula_without_value": "公式未保存结果",
    "progress_formula_without_value": "工作进展公式未保存结果",
    "collection_unknown": "揽收类型无法识别",
    "duplicate_row": "重复填报",
    "row_after_footer": "表尾之下的数据行",
    "figure_merged": "数字单元格合并",
    "block_after_footer": "表尾之下另一月份的报表",
    "sheet_not_read": "工作表未读取",
    "name_mismatch": "客户名称与档案不符",
    "report_late": "逾期报送",
    "report_date_missing": "未填填报日期",
    "sheet_optional_missing": "缺少可选工作表",
    "optional_column_missing": "可选工作表缺少必填列",
    "submission_missing": "未报送",
    "score_out_of_range": "分值超出范围",
    "claim_manager_not_in_post": "新揽收客户经理不在岗",
    "case_unmatched": "案件与此前报送不符",
    "award_invalid": "突出贡献奖金额无效",
    "assessment_missing": "缺少考核评分表",
    "assessment_file_duplicate": "多个考核评分表",
    "assessment_duplicate": "考核评分重复(相同)",
    "assessment_conflict": "考核评分重复且不一致",
    "visit_date_missing": "走访日期未填",
    "visit_date_outside": "走访日期不在本月",
    "visit_plan_outside": "走访计划日期不在本月",
    "claim_amount_not_claim": "非理赔案件填了理赔金额",
    "new_collection_not_new": "新揽收非新业务",
    "new_collection_claimed_twice": "新揽收重复申报",
    "survey_header_missing": "问卷表头无法识别",
    "survey_score_invalid": "评分无效",
    "survey_customer_unknown": "问卷客户编号不在档案",
    "survey_duplicate": "问卷重复",
    "value_unrecognised": "取值无法识别",
    "case_manager_unknown": "案件客户经理不在名册",
    "case_type_unknown": "案件类型无法识别",
    "case_date_invalid": "案件日期无法识别",
    "case_date_future": "案件日期晚于本月",
    "case_closed_future": "办结日期晚于本月",
    "case_closed_before_opened": "办结早于受理",
    "claim_amount_missing": "理赔未填金额",
    "case_customer_unknown": "案件客户编号不在档案",
    "visit_customer_unknown": "走访客户编号不在档案",
    "customer_not_in_archive": "客户编号不在档案",
    "case_duplicate": "案件重复填报",
    "birthday_invalid": "生日无法识别",
    "birthday_year_ignored": "生日年份已忽略",
    "holiday_invalid": "节日日历行无效",
    "holiday_unreadable": "节日日历无法读取",
    "holiday_calendar_missing": "缺少节日日历",
    "county_rejected": "整表退回",  # the quarantine's note for every row of a rejected county
    "project_lead_unknown": "牵头单位无法识别",
    "project_month_invalid": "项目月份无法识别",
    "project_cycle_invalid": "项目周期无效",
    "project_rule_invalid": "目标客户无法识别",
    "project_customer_unknown": "目标客户不在档案",
    "project_status_unknown": "项目状态无法识别",
    "project_duplicate": "项目编号重复",
    "project_target_blank": "目标收入为空",
    "agreed_band_unreadable": "协议档次无法识别",
}
SEVERITY_LABELS = {ERROR: "错误", WARNING: "提示"}


def label(code: str) -> str:
    """The Chinese name of a problem code (the code itself where none is known)."""
    return LABELS.get(code, code)


@dataclass(frozen=True)
class Problem:
    """A row of problems.csv: its fields are contract.PROBLEMS's columns, in order."""

    severity: str
    code: str
    county: str
    file: str
    sheet: str
    cell: str
    value: str
    message: str


def effect(code: str) -> str:
    return CODES[code][0]


# found in a county's workbook only when the month is computed, against earlier months, the
# 量收系统 or the roster: `kac status`, which only reads the workbooks, cannot find them again
COMPUTED = frozenset({"new_collection_not_new", "new_collection_claimed_twice", "claim_manager_not_in_post"})


def found_when_computed(code: str) -> bool:
    return code in COMPUTED or code == "case_unmatched" or code.startswith("reconcile_")


def problem(
    code: str,
    *,
    county: str = "",
    file: str = "",
    sheet: str = "",
    cell: str = "",
    value: object = "",
    **details: object,
) -> Problem:
    """A problem with its Chinese message filled in from the codes table."""
    kind, template = CODES[code]
    severity = WARNING if kind == "warning" else ERROR
    message = template.format(
        detail=details.get("detail", ""), **{k: v for k, v in details.items() if k != "detail"}
    )
    return Problem(severity, code, county, file, sheet, cell, "" if value is None else str(value), message)


def to_frame(problems: list[Problem]) -> pd.DataFrame:
    """Problems as a table; every field is text."""
    return pd.DataFrame(
        {c: [str(getattr(p, c)) for p in problems] for c in PROBLEMS.names}, columns=PROBLEMS.names
    )


# 对账 (reconciliation with the 量收系统 export, inputs/YYYY-MM/系统数据/): effect ``system`` — the
# export's file or row is not used for the comparison; the counties' figures are not touched.
CODES.update(
    {
        "system_file_unreadable": (
            "system",
            "量收系统导出文件无法打开({detail}),本月未用该文件对账,请重新导出为 .xlsx 或 .csv",
        ),
        "system_column_missing": (
            "system",
            "量收系统导出缺少“{detail}”列,该文件未用于对账,请按接口约定导出(客户编号或协议号、业务种类、用邮量、收入)",
        ),
        "system_file_duplicate": (
            "warning",
            "“{copy}”与“{kept}”的数据行相同,是同一份导出的副本,前者未用于对账(以免系统数字加倍);"
            "请删除多余的副本",
        ),
        "system_sheet_not_read": (
            "system",
            "该工作表有内容但找不到“{detail}”列,未用于对账(本文件其余工作表照常对账);如属导出的一部分,请按接口约定导出",
        ),
        "system_value_invalid": ("system", "{detail},该行未用于对账,请核对系统导出"),
        "system_county_unknown": (
            "system",
            "无法确定客户所属县(市)({detail},县(市)报表和客户档案中也没有该客户),该行未用于对账",
        ),
        "system_column_twins": (
            "warning",
            "{detail},对账按“{chosen}”读取;如不对,请导出时只保留正确的一列",
        ),
        "reconcile_system_only": (
            "warning",
            "量收系统有该客户本月{detail},县(市)报表未填报,请县局核实是否漏报",
        ),
        "reconcile_county_only": (
            "warning",
            "县(市)报表填报了该客户的{detail},量收系统中没有,请县局核实客户编号与业务种类",
        ),
        "reconcile_amount_differs": ("warning", "与量收系统不符:{detail},请县局核实"),
        "reconcile_source_unsupported": (
            "warning",
            "规则指定以“{detail}”为收入来源,本版本尚不支持;本月收入仍以县(市)报表为准,对账差异照常列出",
        ),
    }
)
LABELS.update(
    {
        "system_file_unreadable": "系统数据无法打开",
        "system_column_missing": "系统数据缺列",
        "system_file_duplicate": "系统数据文件重复",
        "system_sheet_not_read": "系统数据工作表未读",
        "system_value_invalid": "系统数据取值无效",
        "system_county_unknown": "系统数据县(市)不明",
        "system_column_twins": "系统数据列名重复",
        "reconcile_system_only": "对账:县报表漏报",
        "reconcile_county_only": "对账:系统中没有",
        "reconcile_amount_differs": "对账:金额不符",
        "reconcile_source_unsupported": "收入来源设置暂不支持",
    }
)
