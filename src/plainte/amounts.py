"""Exact money amounts: Decimal values checked (finite, at least zero, below 10^15) and rounded to the cent."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from plainte.errors import FieldError
from plainte.i18n import _

ZERO = Decimal("0")
CENT = Decimal("0.01")
_LIMIT = Decimal("1e15")  # keeps every product well inside Decimal's 28 digits


def to_cents(amount: Decimal) -> Decimal:
    """`amount` rounded to the cent, halves away from zero (as the law's worked examples do)."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def _decimal(name: str, value: object) -> Decimal:
    """`value` as a finite Decimal (Decimal, int or numeric string; never a float or a bool)."""
    if isinstance(value, bool) or isinstance(value, float):
        raise FieldError(name, _("must be an exact amount (a decimal number), got {value}").format(value=value))
    if isinstance(value, (int, str)):
        try:
            value = Decimal(str(value).strip())
        except InvalidOperation:
            raise FieldError(name, _("must be a number, got {value}").format(value=value)) from None
    if not isinstance(value, Decimal):
        raise FieldError(name, _("must be a number, got {value}").format(value=value))
    if not value.is_finite():
        raise FieldError(name, _("must be a number, got {value}").format(value=value))
    return value


def _amount(name: str, value: object) -> Decimal:
    """`value` as a Decimal amount >= 0 and < 10^15, else FieldError naming `name`."""
    amount = _decimal(name, value)
    if amount < 0:
        raise FieldError(name, _("must be zero or more, got {value}").format(value=amount))
    if amount >= _LIMIT:
        raise FieldError(name, _("must be less than {limit}, got {value}").format(limit="1 000 000 000 000 000", value=amount))
    return amount


def _count(name: str, value: object) -> int:
    """`value` if it is a whole number >= 0 (bool excluded), else FieldError naming `name`."""
    if type(value) is not int:
        raise FieldError(name, _("must be a whole number, got {value}").format(value=value))
    if value < 0:
        raise FieldError(name, _("must be zero or more, got {value}").format(value=value))
    return value
