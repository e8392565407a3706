"""The site's downloads: each page's tables as CSV and xlsx, with Chinese headers and exact 元."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from pipeline.core.money import fen_to_yuan
from pipeline.core.problems import SEVERITY_LABELS, label

CENT = Decimal("0.01")


@dataclass
class Table:
    """A table offered for download: Chinese headers, rows of plain values."""

    key: str
    title: str
    headers: list[str]
    rows: list[list]


DOWNLOAD_LABELS = {
    "bulletin": "信息简报 PDF",
    "brief": "信息参考 PDF",
    "quarterly_pdf": "大客户用邮情况表 PDF",
    "quarterly_xlsx": "大客户用邮情况表 Excel",
}


def labelled(frame: pd.DataFrame) -> pd.DataFrame:
    """Problems or rejected rows with the Chinese names of their code and severity beside them."""
    if "code" not in frame:
        return frame
    out = frame.assign(label=frame.code.map(label))
    if "severity" in frame:
        out["severity_label"] = frame.severity.map(lambda s: SEVERITY_LABELS.get(s, s))
    return out


def download_label(key: str, filename: str) -> str:
    return DOWNLOAD_LABELS.get(key, filename)


def month_tables(content: dict) -> list[Table]:
    return [
        Table(
            "by_business",
            "分业务种类",
            ["业务种类", "单位", "用邮量", "收入(元)", "环比", "同比", "大客户收入占比"],
            [
                [
                    r["business_type"],
                    r["unit"],
                    r["volume"],
                    exact_yuan(r["revenue_fen"]),
                    r["revenue_mom"],
                    r["revenue_yoy"],
                    r["key_revenue_share"],
                ]
                for r in content["by_business"]
            ],
        ),
        Table(
            "by_county",
            "分县(市)",
            ["县(市)", "报送", "客户数", "收入(元)", "环比", "同比", "大客户", "走访覆盖"],
            [
                [
                    r["county"],
                    r["status_label"],
                    r["customers"],
                    exact_yuan(r["revenue_fen"]),
                    r["revenue_mom"],
                    r["revenue_yoy"],
                    r["key_accounts"],
                    r["coverage"],
                ]
                for r in content["by_county"]
            ],
        ),
        Table(
            "trend",
            "全州近13个月",
            ["月份", "收入(元)", "用邮量"],
            [[r["month"], exact_yuan(r["revenue_fen"]), r["volume"]] for r in content["trend"]],
        ),
        Table(
            "top_customers",
            "前十大客户",
            ["客户编号", "客户名称", "县(市)", "级别", "收入(元)", "环比", "同比"],
            [
                [
                    r["customer_id"],
                    r["name"],
                    r["county"],
                    r["tier_label"],
                    exact_yuan(r["revenue_fen"]),
                    r["revenue_mom"],
                    r["revenue_yoy"],
                ]
                for r in content["top_customers"]
            ],
        ),
        Table(
            "alerts",
            "流失与下降预警",
            [
                "客户编号",
                "客户名称",
                "县(市)",
                "客户经理",
                "预警",
                "本月(元)",
                "参照(元)",
                "比值",
                "参照口径",
            ],
            [
                [
                    r["customer_id"],
                    r["name"],
                    r["county"],
                    r["manager_id"],
                    r["kind_label"],
                    exact_yuan(r["this_month_fen"]),
                    exact_yuan(r["reference_fen"]),
                    r["ratio"],
                    r["basis"],
                ]
                for r in content["alerts"]["rows"]
            ],
        ),
        Table(
            "submissions",
            "报送情况",
            ["县(市)", "状态", "文件", "行数", "错误", "提示"],
            [
                [s["county"], s["status_label"], s["file"], s["rows"], s["errors"], s["warnings"]]
                for s in content["submissions"]
            ],
        ),
    ]


def exact_yuan(fen: int | None) -> Decimal | None:
    """Money in downloads: exact 元 with two decimals (Decimal), never a float."""
    return None if fen is None else fen_to_yuan(int(fen)).quantize(CENT)
