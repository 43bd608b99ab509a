"""Turning a JSON-like payload into typed values, collecting errors by field.

Services accept plain values (strings, ints, Decimals, ISO dates) as a JSON body would give them;
every problem is reported under the name of the field it concerns, never raised.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models

_MISSING = object()
# Above every money and rate column; keeps quantize() inside Decimal's default 28-digit precision.
_DECIMAL_LIMIT = Decimal(10) ** 15


class FieldErrors:
    """Errors by field name, in the shape of ServiceResult.errors."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)

    def __bool__(self) -> bool:
        return bool(self.errors)


class Payload:
    """Reads typed fields from a mapping; a missing required field or a bad value becomes a field error."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        """The API hands every service an object of fields (``prs.common.api.parse`` refuses anything else)."""
        self.errors = FieldErrors()
        self.data = data

    def has(self, name: str) -> bool:
        return name in self.data

    def given(self, name: str) -> bool:
        """Whether the field is set to something: absent, null and blank set nothing (as for any reader)."""
        return self._raw(name, required=False) is not _MISSING

    def _raw(self, name: str, required: bool) -> Any:
        """The field's value, or _MISSING when it is absent, null or blank (an error if it is required)."""
        # A None or 0 here is a slip of PRS's own code, not "optional": no request reaches this error, so its
        # message's mutants cannot show through the API (tests/prs/test_hardening.py checks it).
        if not isinstance(required, bool):
            raise TypeError(f"required must be True or False, got {required!r}")  # pragma: no mutate — see above
        value = self.data.get(name)
        if value is None or (isinstance(value, str) and value.strip() == ""):
            if required:
                self.errors.add(name, "This field is required.")
            return _MISSING
        return value

    def string(self, name: str, *, max_length: int, required: bool = True, default: str = "") -> str | None:
        """Every text field states its own limit: there is no default one to fall back on unnoticed. Text is taken
        as given: the API's serializers trim it (all but a password, which is taken as typed)."""
        value = self._raw(name, required)
        if value is _MISSING:
            return default  # when required, the field's error is already recorded: nobody reads this value
        if not isinstance(value, str):
            self.errors.add(name, "Must be a string.")  # as the API says it (prs.common.api.parse)
            return None
        if len(value) > max_length:
            self.errors.add(name, f"At most {max_length} characters (got {len(value)}).")
            return None
        return value

    def email(self, name: str) -> str | None:
        """A required email address, in lower case."""
        value = self.string(name, max_length=254)
        if not value:
            return value
        try:
            validate_email(value)
        except ValidationError:
            self.errors.add(name, f"Enter a valid email address (got {value!r}).")
            return None
        return value.lower()

    def choice(
        self, name: str, choices: Iterable[str], *, required: bool = True, default: str | None = None
    ) -> str | None:
        allowed = list(choices)
        value = self._raw(name, required)
        if value is _MISSING:
            return default
        if value not in allowed:
            self.errors.add(name, f"{value!r} is not one of {', '.join(allowed)}.")
            return None
        return str(value)

    def decimal(
        self,
        name: str,
        *,
        required: bool = True,
        places: int = 2,
        min_value: Decimal | None = None,
        max_value: Decimal | None = None,
        min_exclusive: bool = False,
        default: Decimal | None = None,
    ) -> Decimal | None:
        value = self._raw(name, required)
        if value is _MISSING:
            return default
        number = parse_decimal(value)
        if number is not None and abs(number) >= _DECIMAL_LIMIT:
            self.errors.add(name, f"Must be less than {_DECIMAL_LIMIT} in absolute value.")
            return None
        if number is None:
            self.errors.add(name, f"Must be a decimal number given as a string or Decimal, not {value!r}.")
            return None
        quantum = Decimal(10) ** -places  # 0.01 for cents
        if number != number.quantize(quantum):  # trailing zeros past `places` (12.500) change nothing
            self.errors.add(name, f"At most {places} decimal places (got {value}).")
            return None
        if min_value is not None and (number <= min_value if min_exclusive else number < min_value):
            self.errors.add(name, f"Must be {'greater than' if min_exclusive else 'at least'} {min_value}.")
            return None
        if max_value is not None and number > max_value:
            self.errors.add(name, f"Must be at most {max_value}.")
            return None
        return number.quantize(quantum)

    def date(self, name: str, *, required: bool = True) -> dt.date | None:
        value = self._raw(name, required)
        if value is _MISSING:
            return None
        if isinstance(value, dt.date):  # from the API's DateField: never a date and time
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.errors.add(name, f"Must be an ISO date YYYY-MM-DD (got {value!r}).")
        return None

    def reference(self, name: str, *, required: bool = True) -> int | None:
        """The primary key of a related object, given as an id or as the object itself."""
        value = self._raw(name, required)
        if value is _MISSING:
            return None
        if isinstance(value, models.Model):
            return value.pk
        number = parse_int(value)
        if number is None or number < 1:
            self.errors.add(name, f"Must be the id of an existing object (got {value!r}).")
            return None
        return number


# The one spelling of a number PRS accepts: ASCII digits, an optional minus sign and, for decimals, a point
# followed by digits. Python's Decimal() and int() also take "1_000", full-width or Arabic-Indic digits,
# exponents and surrounding whitespace; a client sending those has made a mistake we should not guess about.
_INTEGER_TEXT = re.compile(r"-?[0-9]+")
_DECIMAL_TEXT = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


def parse_decimal(value: Any) -> Decimal | None:
    """A Decimal from a Decimal, int or plain decimal string (``-12.50``); floats are refused (not exact). The API
    hands the services only plain strings' Decimals, so none is ever infinite or NaN."""
    if isinstance(value, bool | float):
        return None
    if isinstance(value, Decimal | int) or (isinstance(value, str) and _DECIMAL_TEXT.fullmatch(value)):
        return Decimal(value)
    return None


def parse_int(value: Any) -> int | None:
    """An int from an int or a plain integer string (``-12``); anything else (bools included) is None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and _INTEGER_TEXT.fullmatch(value):
        return int(value)
    return None
