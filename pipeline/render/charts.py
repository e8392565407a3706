"""Charts as SVG with matplotlib: text kept as text, CJK font, reproducible bytes."""

from __future__ import annotations

import io
import re

import pandas as pd

from pipeline.render.fonts import cjk_family

PALETTE = ["#1f5f8b", "#2e8b57", "#c0392b", "#d68910", "#7d3c98", "#5d6d7e"]
_XML_PROLOGUE = re.compile(r"^.*?(?=<svg)", re.S)


def _figure(size: tuple[float, float]):
    """A new figure and its axes in the charts' style. matplotlib is imported here, not with the
    module: ≈ 0.3 s that a run drawing no chart (a history month, `kac status`) does not pay."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update(
        {
            "font.family": [cjk_family(), "DejaVu Sans"],
            "svg.fonttype": "none",  # text stays text: searchable in the PDF and the site
            "svg.hashsalt": "kac",  # fixed ids: same data, same bytes
            "axes.unicode_minus": False,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "font.size": 9,
        }
    )
    return plt.subplots(figsize=size)


def _to_svg(fig) -> str:
    buffer = io.StringIO()
    fig.set_layout_engine("tight")  # laid out in the one draw (bbox_inches="tight" draws twice)
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    import matplotlib.pyplot as plt

    plt.close(fig)
    return _XML_PROLOGUE.sub("", buffer.getvalue(), count=1)


def trend_chart(totals: pd.DataFrame, title: str) -> str:
    """13-month trend of 收入 (万元) and 用邮量 (万件) for 全州."""
    fig, ax = _figure((6.6, 2.6))
    labels = [f"{m[2:4]}/{m[5:]}" for m in totals.month]
    ax.bar(labels, totals.revenue_fen / 100 / 10000, color=PALETTE[0], label="收入(万元)")
    ax.set_ylabel("收入(万元)")
    ax2 = ax.twinx()
    ax2.plot(labels, totals.volume / 10000, color=PALETTE[2], marker="o", label="用邮量(万)")
    ax2.set_ylabel("用邮量(万)")
    ax2.spines["top"].set_visible(False)
    ax.set_title(title)
    handles = ax.get_legend_handles_labels()[0] + ax2.get_legend_handles_labels()[0]
    ax.legend(
        handles,
        ["收入(万元)", "用邮量(万)"],
        loc="upper center",
        bbox_to_anchor=(0.5, -0.15),
        ncol=2,
        frameon=False,
        fontsize=8,
    )
    ax.tick_params(axis="x", labelsize=7)
    return _to_svg(fig)


def bar_chart(labels: list[str], values: list[float], title: str, unit: str) -> str:
    """Horizontal bars, largest on top."""
    fig, ax = _figure((6.6, 0.19 * len(labels) + 0.7))
    ax.barh(labels[::-1], values[::-1], color=PALETTE[0])
    ax.set_xlabel(unit)
    ax.set_title(title)
    return _to_svg(fig)


def pareto_chart(curve: list[dict], title: str) -> str:
    """Cumulative share of revenue against share of customers, with the 80 % line."""
    fig, ax = _figure((6.6, 2.6))
    xs = [0.0] + [p["customers_share"] * 100 for p in curve]
    ys = [0.0] + [p["revenue_share"] * 100 for p in curve]
    ax.plot(xs, ys, color=PALETTE[0], linewidth=2)
    ax.axhline(80, color=PALETTE[2], linestyle="--", linewidth=1)
    ax.set_xlabel("客户占比(%,按收入从高到低)")
    ax.set_ylabel("累计收入占比(%)")
    ax.set_ylim(0, 100)
    ax.set_xlim(0, 100)
    ax.set_title(title)
    return _to_svg(fig)


def importance_performance_chart(drivers: list[dict], title: str) -> str:
    """Importance (correlation with overall) against performance (mean), four quadrants."""
    fig, ax = _figure((6.6, 3.4))
    xs = [d["performance"] for d in drivers]
    ys = [d["importance"] for d in drivers]
    ax.scatter(xs, ys, color=PALETTE[0], s=30)
    for d, x, y in zip(drivers, xs, ys, strict=True):
        ax.annotate(d["dimension"], (x, y), textcoords="offset points", xytext=(4, 4), fontsize=8)
    if xs:
        ax.axvline(sum(xs) / len(xs), color=PALETTE[5], linestyle="--", linewidth=1)
        ax.axhline(sum(ys) / len(ys), color=PALETTE[5], linestyle="--", linewidth=1)
    ax.set_xlabel("表现(平均分)")
    ax.set_ylabel("重要性(与总体满意度的相关)")
    ax.set_title(title)
    return _to_svg(fig)


def baseline_chart(
    labels: list[str], values: list[float], baseline: list[float], title: str, unit: str
) -> str:
    """A project's months: its values as bars against the baseline as a line (评估绩效项目效果)."""
    fig, ax = _figure((6.6, 2.6))
    ax.bar(labels, values, color=PALETTE[0], label="本周期")
    ax.plot(labels, baseline, color=PALETTE[2], marker="o", label="基线(周期前同长度)")
    ax.set_ylabel(unit)
    ax.set_title(title)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=2, frameon=False, fontsize=8)
    ax.tick_params(axis="x", labelsize=7)
    return _to_svg(fig)
