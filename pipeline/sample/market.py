"""Sample archive texts for market research and pricing: 竞争对手 and 潜在需求 as county staff
write them (顺丰 / 顺丰速运 / SF …, needs in their own words, some blank or 无), and the 协议档次
agreed with some accounts. Drawn from a random stream of their own, so that every other cell of
the sample stays as it was."""

from __future__ import annotations

import numpy as np
import pandas as pd

STREAM = 18  # np.random.default_rng([seed, STREAM])

# competitor → the ways staff write it (the first is the most frequent)
COMPETITOR_VARIANTS = {
    "顺丰": ["顺丰", "顺丰速运", "SF", "顺丰快递", "顺丰速运有限公司"],
    "京东": ["京东物流", "京东", "京东快递"],
    "中通": ["中通", "中通快递"],
    "圆通": ["圆通", "圆通速递"],
    "韵达": ["韵达", "韵达快递"],
    "极兔": ["极兔", "极兔速递", "J&T"],
    "申通": ["申通", "申通快递"],
    "德邦": ["德邦物流", "德邦"],
    "本地": ["本地货运部", "县城物流公司", "个体货车"],  # not in the aliases: 未归类
}
COMPETITOR_WEIGHTS = [0.28, 0.18, 0.14, 0.1, 0.09, 0.08, 0.05, 0.05, 0.03]
NEED_TEXTS = [
    "冷链寄递",
    "生鲜冷链",
    "农产品冷链运输",
    "同城配送",
    "当日达",
    "国际快递",
    "跨境电商寄递",
    "电商发货",
    "网店发货",
    "仓储配送",
    "仓配一体",
    "代收货款",
    "对账单寄递",
    "宣传品投递",
    "党报党刊",
    "大件家具配送",
    "上门揽收",  # not in the aliases: 未归类
    "发票寄递",
]
NONE_WRITTEN = ["", "", "", "无", "暂无"]
SEPARATORS = ["、", "、", ",", ";", "/"]
AGREED_BUSINESS = {"特快": ["特快", "EMS"], "快包": ["快包", "快递包裹"]}
BAND_NAMES = ["基础档", "一档", "二档", "三档"]


def with_market_texts(customers: pd.DataFrame, seed: int) -> pd.DataFrame:
    """`customers` with columns `competitors`, `potential` and `agreed_band` (archive texts)."""
    rng = np.random.default_rng([seed, STREAM])
    n = len(customers)
    size = customers.weight.to_numpy() if "weight" in customers else np.ones(n)
    names = list(COMPETITOR_VARIANTS)
    competitors, needs, agreed = [], [], []
    for i in range(n):
        big = size[i] > 1.0
        if rng.random() < (0.6 if big else 0.3):
            k = int(rng.choice([1, 1, 2, 2, 3]))
            picked = rng.choice(len(names), size=k, replace=False, p=COMPETITOR_WEIGHTS)
            parts = []
            for j in sorted(picked):
                variants = COMPETITOR_VARIANTS[names[j]]
                parts.append(variants[0] if rng.random() < 0.5 else str(rng.choice(variants)))
            competitors.append(str(rng.choice(SEPARATORS)).join(parts))
        else:
            competitors.append(str(rng.choice(NONE_WRITTEN)))
        if rng.random() < 0.35:
            k = int(rng.choice([1, 1, 2]))
            parts = [str(p) for p in rng.choice(NEED_TEXTS, size=k, replace=False)]
            needs.append(str(rng.choice(SEPARATORS)).join(parts))
        else:
            needs.append(str(rng.choice(NONE_WRITTEN)))
        if big and rng.random() < 0.3:
            parts = []
            for business, written in AGREED_BUSINESS.items():
                if business == "特快" or rng.random() < 0.4:
                    band = BAND_NAMES[int(rng.integers(0, 3))]
                    parts.append(f"{rng.choice(written)}{rng.choice([':', ':'])}{band}")
            agreed.append(";".join(parts))
        else:
            agreed.append("")
    return customers.assign(competitors=competitors, potential=needs, agreed_band=agreed)
