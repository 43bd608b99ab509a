"""Money is Decimal with two places, rounded half-up — never float — and always fits its column."""
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.db import models

CENT = Decimal("0.01")
MAX_DEAL_VALUE = Decimal("999999999.99")
MONEY_DIGITS = 14
CURRENCY_PATTERN = r"^[A-Z]{3}$"  # ISO 4217: three capital letters


def to_money(value: Decimal | int | str) -> Decimal:
    """Round to the cent, half-up. Floats are refused: they cannot represent cents exactly."""
    if isinstance(value, float):
        raise TypeError("money must not be a float")
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def column_limit(model: type[models.Model], field_name: str) -> Decimal:
    """The largest absolute value the decimal column holds, read from the model field (max_digits and
    decimal_places), so the check never drifts from the schema: 14 digits, 2 places -> 999999999999.99."""
    field = model._meta.get_field(field_name)
    if not isinstance(field, models.DecimalField):
        raise TypeError(f"{model._meta.label}.{field_name} is not a DecimalField")
    places = field.decimal_places
    return Decimal(10) ** (field.max_digits - places) - Decimal(1).scaleb(-places)


def out_of_column_range(obj: models.Model, field_names: Iterable[str]) -> dict[str, Decimal]:
    """The computed values of obj that their columns cannot hold, by field name, with each column's limit.

    Written anyway they would overflow on PostgreSQL (an error at write time) and, on SQLite, be stored and
    break every later read of the row."""
    limits = {name: column_limit(type(obj), name) for name in field_names}
    return {name: limit for name, limit in limits.items()
            if getattr(obj, name) is not None and abs(getattr(obj, name)) > limit}
