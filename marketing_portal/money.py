"""Amounts as users read them (SPEC X-1): ``¥1,234,567.89`` and capital numerals for printed documents."""

from __future__ import annotations

import warnings
from decimal import ROUND_HALF_UP, Decimal

import cn2an

CENT = Decimal("0.01")


def to_amount(value) -> Decimal:
    """A Decimal rounded to the fen; floats are refused because they are not exact."""
    if isinstance(value, float):
        raise TypeError("amounts are Decimal, never float")
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def format_yuan(value, *, symbol: bool = True) -> str:
    """``Decimal("1234567.891")`` -> ``"¥1,234,567.89"``; negative amounts as ``-¥12.00``."""
    if value is None or value == "":
        return ""
    amount = to_amount(value)
    text = f"{abs(amount):,.2f}"
    prefix = "-" if amount < 0 else ""
    return f"{prefix}{'¥' if symbol else ''}{text}"


def capital_yuan(value) -> str:
    """Capital numerals (大写金额): ``1234567.89`` -> ``壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分``."""
    amount = to_amount(value)
    if amount == 0:
        return "零元整"
    prefix = "负" if amount < 0 else ""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # cn2an truncates past the fen: give it a string already quantized to 0.01.
        text = cn2an.an2cn(str(abs(amount)), "rmb")
    return prefix + text
