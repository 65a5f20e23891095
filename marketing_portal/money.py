"""Amounts as users read them (SPEC X-1): ``¥1,234,567.89`` and capital numerals for printed documents."""

from __future__ import annotations

import warnings
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import cn2an
from django.core.exceptions import ValidationError
from django.db.models import DecimalField
from django.utils.translation import gettext as _

CENT = Decimal("0.01")
# The output field of a money sum or cast in a query (Sum, Cast, Subquery of amounts).
MONEY_FIELD = DecimalField(max_digits=16, decimal_places=2)
MAX_AMOUNT = Decimal("1e12")  # a trillion yuan: more is a typing error (and overflows max_digits=14)
_NOISE = (",", "，", "¥", "￥", "元", " ", "\u3000")


class AmountError(ValidationError):
    """Input that is not an amount in yuan; ``code`` says why (required, invalid, too_precise, zero,
    negative, too_large) so callers and tests can tell the cases apart in either language."""


def to_amount(value) -> Decimal:
    """A Decimal rounded to the fen; floats are refused because they are not exact."""
    if isinstance(value, float):
        raise TypeError("amounts are Decimal, never float")
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def parse_amount(value, *, label: str = "", allow_zero: bool = False, allow_negative: bool = False,
                 exact: bool = False) -> Decimal:
    """An amount in yuan from what a person typed or a spreadsheet held, as a Decimal to the fen.

    Accepts ``125000``, ``"125,000.00"``, ``"¥125,000"``, ``"12.5万"`` is refused (say it in figures).
    ``exact``: refuse more than two decimals instead of rounding (imports, where 12.345 is a wrong
    column rather than a rounding). A float (from Excel) is read as its shortest exact text. ``label``
    names the field in the message ("主合同金额：…").
    """

    def fail(message: str, code: str, **params):
        text = message % {"label": label, "value": value, **params}
        raise AmountError(text, code=code)

    if isinstance(value, bool):
        fail(_("%(label)s: “%(value)s” is not an amount; enter a number such as 125000.00.") if label
             else _("“%(value)s” is not an amount; enter a number such as 125000.00."), "invalid")
    text = repr(value) if isinstance(value, float) else ("" if value is None else str(value))
    for noise in _NOISE:
        text = text.replace(noise, "")
    text = text.strip()
    if not text:
        fail(_("%(label)s: enter an amount in yuan.") if label else _("Enter an amount in yuan."), "required")
    try:
        amount = Decimal(text)
        if not amount.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        fail(_("%(label)s: “%(value)s” is not an amount; enter a number such as 125000.00.") if label
             else _("“%(value)s” is not an amount; enter a number such as 125000.00."), "invalid")
    if abs(amount) >= MAX_AMOUNT:  # before rounding: 1e400 cannot even be rounded to the fen
        fail(_("%(label)s is too large.") if label else _("The amount is too large."), "too_large")
    if exact and amount != amount.quantize(CENT):
        fail(_("%(label)s: “%(value)s” has more than two decimals; amounts are in yuan and fen.") if label
             else _("“%(value)s” has more than two decimals; amounts are in yuan and fen."), "too_precise")
    amount = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    if amount < 0 and not allow_negative:
        fail(_("%(label)s cannot be negative.") if label else _("The amount cannot be negative."), "negative")
    if amount == 0 and not allow_zero:
        fail(_("%(label)s must be greater than zero.") if label else _("The amount must be greater than zero."),
             "zero")
    if abs(amount) >= MAX_AMOUNT:  # 999999999999.995 rounds up to a trillion
        fail(_("%(label)s is too large.") if label else _("The amount is too large."), "too_large")
    return amount


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
