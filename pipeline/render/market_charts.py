"""The chart of 叠加使用 (how many business types the key accounts use), in the charts' style."""

from __future__ import annotations

from pipeline.render.charts import PALETTE, _figure, _to_svg

BREADTH_SHARES = {"share_one": "1种", "share_two": "2种", "share_three_plus": "3种及以上"}


def breadth_chart(trend: list[dict], title: str) -> str:
    """The shares of key accounts using 1, 2, 3+ business types, month by month (stacked %); a
    month whose window holds fewer months of data than it spans is marked * (`partial`)."""
    fig, ax = _figure((6.6, 2.3))
    labels = [f"{r['month'][2:4]}/{r['month'][5:]}{'*' if r.get('partial') else ''}" for r in trend]
    bottom = [0.0] * len(trend)
    for share, color in zip(BREADTH_SHARES, PALETTE, strict=False):
        values = [(r[share] or 0.0) * 100 for r in trend]
        ax.bar(labels, values, bottom=bottom, color=color, label=BREADTH_SHARES[share])
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.set_ylim(0, 100)
    ax.set_ylabel("大客户占比(%)")
    ax.set_title(title)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=3, frameon=False, fontsize=8)
    ax.tick_params(axis="x", labelsize=7)
    return _to_svg(fig)
