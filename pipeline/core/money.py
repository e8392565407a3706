"""Money: amounts are integer fen inside the pipeline; one rounding rule, written once."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

FEN = Decimal("0.01")
# the units a money column's header may carry (收入(万元)), as multiples of 元; any other is
# refused, never guessed
YUAN_UNITS = {"": 1, "元": 1, "千元": 1000, "万元": 10000}


def round_yuan(amount: Decimal) -> Decimal:
    """Half-up to the fen: the only rounding of money anywhere in the product."""
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


def to_fen(amount: Decimal) -> int:
    return int(round_yuan(amount) * 100)


def fen_to_yuan(fen: int) -> Decimal:
    return Decimal(int(fen)) / 100


def format_yuan(fen: int | None, separators: bool = False) -> str:
    """Integer fen → 元 with two decimals, exactly: '1234.50' in tables, '1,234.50' with
    `separators` in documents; '—' where there is no figure."""
    if fen is None or fen != fen:
        return "—"
    return f"{fen_to_yuan(fen):,.2f}" if separators else f"{fen_to_yuan(fen):.2f}"


def format_wan(fen: int | None, sign: bool = False) -> str:
    """Integer fen → 万元 with two decimals and separators, half-up like every amount ('+' before
    a change with `sign`); '—' where there is no figure."""
    if fen is None or fen != fen:
        return "—"
    wan = (Decimal(int(fen)) / 1_000_000).quantize(FEN, rounding=ROUND_HALF_UP)
    return f"{wan:+,.2f}" if sign else f"{wan:,.2f}"


def percent(share: float, digits: int = 1) -> Decimal:
    """A share (0.5015) as percent points (50.2), half-up like money: from the float as written
    (repr), so that 0.5015 is 50.15 and rounds up, where binary arithmetic would give 50.1."""
    return (Decimal(repr(float(share))) * 100).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def decimal_or_none(text: str) -> Decimal | None:
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None
