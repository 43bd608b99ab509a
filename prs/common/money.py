"""Money is Decimal with two places, rounded half-up — never float."""
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
MAX_DEAL_VALUE = Decimal("999999999.99")
MONEY_DIGITS = 14


def to_money(value: Decimal | int | str) -> Decimal:
    """Round to the cent, half-up. Floats are refused: they cannot represent cents exactly."""
    if isinstance(value, float):
        raise TypeError("money must not be a float")
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
