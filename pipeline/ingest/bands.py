"""The pricing bands of the rules and the archive's 协议档次, read once: by the county reader (an
unreadable cell is a warning at its cell) and by the pricing-band analysis (pipeline/analytics/
pricing.py), so the rule of what a readable 协议档次 is lives here only.

协议档次 names the bands agreed, e.g. "特快:一档;快包:基础档": parts separated by ; ; , , 、 or
spaces; business type and band by : or :. A part is readable when its business type (any alias)
has bands in the rules and its band is one of that type's band names.
"""

from __future__ import annotations

import re
from decimal import Decimal

from pipeline.core.money import to_fen
from pipeline.core.text import AliasIndex, normalise

_PARTS = re.compile(r"[;;,,、\s]+")
_PAIR = re.compile(r"[::]")


def band_scheme(rules_values: dict) -> dict[str, dict]:
    """Business type → {measure, thresholds (fen or units, ints), names} from the rules."""
    out = {}
    for business, spec in rules_values.get("pricing", {}).get("bands", {}).items():
        measure = spec["measure"]
        if measure not in ("volume", "revenue"):
            raise ValueError(f"pricing.bands.{business}.measure must be volume or revenue, not {measure!r}")
        thresholds = [to_fen(Decimal(str(t))) if measure == "revenue" else int(t) for t in spec["thresholds"]]
        names = list(spec.get("names") or [f"{i}档" for i in range(len(thresholds) + 1)])
        if len(names) != len(thresholds) + 1 or thresholds != sorted(set(thresholds)):
            raise ValueError(f"pricing.bands.{business}: thresholds must increase and names be one more")
        out[business] = {"measure": measure, "thresholds": thresholds, "names": names}
    return out


def agreed_parts(
    text: str, scheme: dict[str, dict], business: AliasIndex
) -> tuple[dict[str, int], list[str]]:
    """协议档次 → ({business type: agreed band}, the parts that could not be read, as written)."""
    agreed, unread = {}, []
    text = re.sub(r"\s*([::])\s*", r"\1", str(text or "").strip())  # "EMS : 一档" is one part
    for part in (p for p in _PARTS.split(text) if p):
        pieces = _PAIR.split(part, maxsplit=1)
        name = business.match(pieces[0]) if len(pieces) == 2 else None
        spec = scheme.get(name) if name else None
        names = [normalise(n) for n in spec["names"]] if spec else []
        label = normalise(pieces[1]) if len(pieces) == 2 else ""
        if spec is None or label not in names:
            unread.append(part)
            continue
        agreed[name] = names.index(label)
    return agreed, unread


def parse_agreed(text: str, scheme: dict[str, dict], business: AliasIndex) -> tuple[dict[str, int], bool]:
    """协议档次 → ({business type: agreed band}, whether every part could be read)."""
    agreed, unread = agreed_parts(text, scheme, business)
    return agreed, not unread


def agreed_example(scheme: dict[str, dict]) -> str:
    """A well-written 协议档次 from the rules' own names (特快:一档;快包:基础档), for the advice."""
    items = list(scheme.items())[:2]
    return ";".join(
        f"{b}:{spec['names'][min(i ^ 1, len(spec['names']) - 1)]}" for i, (b, spec) in enumerate(items)
    )


def agreed_problem_detail(unread: list[str], scheme: dict[str, dict]) -> str:
    """What the problem says: the parts not understood, the types with bands and their names."""
    known = "、".join(scheme)
    names = list(dict.fromkeys(n for spec in scheme.values() for n in spec["names"]))  # the rules' order
    return (
        f"未能识别“{'、'.join(unread)}”(有档次的业务种类:{known};档次:{'、'.join(names)})。"
        f"请写成“{agreed_example(scheme)}”"
    )
