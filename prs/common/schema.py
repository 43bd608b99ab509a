"""What the OpenAPI description says beyond drf-spectacular's defaults, so that it agrees with the API.

* ``PlainDecimalField`` is described by a pattern of plain ASCII digits that states its digits, places, sign and
  (for an upper bound that is a power of ten, such as a 0-100 rate) its maximum: spectacular's own pattern
  (``\\d``, empty allowed) admits values the API refuses.
* ``no_null_characters``, a postprocessing hook: request strings never carry NUL (DRF refuses them), a
  required text is never only whitespace (DRF trims it and then finds it blank), and a path parameter is
  described only on the routes that have it.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_basic_type
from drf_spectacular.types import OpenApiTypes

from prs.common.api import PlainDecimalField

ANY_TEXT = r"^[^\x00]*$"
NON_BLANK_TEXT = r"^[^\x00]*[^\s\x00][^\x00]*$"


def decimal_pattern(field: PlainDecimalField) -> str:
    places = field.decimal_places or 0
    whole = (field.max_digits or 28) - places
    fraction = rf"(?:\.[0-9]{{1,{places}}})?" if places else ""
    number = rf"[0-9]{{1,{whole}}}{fraction}"
    maximum = field.max_value
    if maximum is not None and maximum >= 1 and Decimal(maximum).log10() % 1 == 0:  # 10, 100, 1000...
        zeros = rf"(?:\.0{{1,{places}}})?" if places else ""
        number = rf"(?:{int(maximum)}{zeros}|[0-9]{{1,{int(Decimal(maximum).log10())}}}{fraction})"
    minimum = field.min_value
    if minimum is not None and minimum > 0:
        return rf"^(?=[0-9.]*[1-9]){number}$"
    if minimum is not None and minimum >= 0:
        return rf"^{number}$"
    return rf"^-?{number}$"


class PlainDecimalFieldExtension(OpenApiSerializerFieldExtension):
    target_class = PlainDecimalField

    def map_serializer_field(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        schema = build_basic_type(OpenApiTypes.STR)
        schema.update(format="decimal", pattern=decimal_pattern(self.target))
        return schema


def no_null_characters(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """Adds the text patterns to every free-text string a request may carry (bodies and query parameters), and
    drops the ``id`` path parameter a viewset declares for all its actions from the routes that have none."""
    for route, operations in result.get("paths", {}).items():
        for operation in operations.values():
            operation["parameters"] = [
                parameter for parameter in operation.get("parameters", [])
                if parameter.get("in") != "path" or f"{{{parameter['name']}}}" in route
            ]
            if not operation["parameters"]:
                del operation["parameters"]
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Request"):
            for prop in component.get("properties", {}).values():
                _constrain_text(prop)
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query":
                    _constrain_text(parameter.get("schema", {}))
    return result


def _constrain_text(schema: dict[str, Any]) -> None:
    if schema.get("type") != "string" or {"format", "pattern", "enum", "$ref"} & set(schema):
        return
    schema["pattern"] = NON_BLANK_TEXT if schema.get("minLength", 0) >= 1 else ANY_TEXT
