"""The sheets the centre asks for, as `kac template` writes them and the sample data fills them:
each sheet's column headers, in order. The reader accepts these and the aliases in
inputs/reference/aliases.toml (the first alias of a column is its canonical name)."""

LISTS_SHEET = "下拉选项"  # the template's hidden sheet of dropdown lists too long to write inline
USAGE_HEADER = ["客户编号", "客户名称", "业务种类", "用邮量", "收入(元)", "客户经理", "揽收类型"]
# the plan's archive fields (大客户档案), then the optional columns added since
PLAN_ARCHIVE_HEADER = [
    "客户编号",
    "企业全称",
    "通信地址",
    "联系人",
    "联系电话",
    "企业性质",
    "行业合作伙伴",
    "主要业务及产品",
    "用邮种类",
    "潜在需求",
    "竞争对手",
    "客户经理",
    "县级重点客户",
    "更新日期",
]
ARCHIVE_OPTIONAL = [
    "协议档次",  # optional: the pricing bands agreed (浮动定价), e.g. 特快:一档
    "关键联系人生日",  # optional: month and day only (工作清单's greetings; never published)
]
ARCHIVE_HEADER = [*PLAN_ARCHIVE_HEADER, *ARCHIVE_OPTIONAL]
VISIT_HEADER = [
    "走访日期",
    "客户编号",
    "客户经理",
    "方式",
    "内容",
    "客户意见",
    "计划日期",
]  # 计划日期 optional
CASE_HEADER = [
    "受理日期",
    "客户编号",
    "类型",
    "业务种类",
    "内容",
    "邮件号码",
    "理赔金额(元)",
    "办结日期",
    "处理结果",
    "客户经理",
]
ASSESSMENT_HEADER = ["工号", "客户经理", "市场调查", "项目策划", "其他", "突出贡献奖", "奖励事由"]
SURVEY_DIMENSIONS = [
    "服务态度",
    "业务时限",
    "投递质量",
    "资费价格",
    "投诉处理",
    "客户经理服务",
    "总体满意度",
]
SURVEY_HEADER = ["客户编号", "客户名称", "测评日期", *SURVEY_DIMENSIONS, "意见建议"]
# 工作进展 (optional): one row per item, the item's label and the county's text beside it
PROGRESS_HEADER = ["项目", "内容"]
PROGRESS_ITEMS = ["工作进展", "存在问题", "需协调事项"]
