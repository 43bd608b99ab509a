"""Shared plumbing of the thin API views: parse input, call a service, turn its ServiceResult into a response.

A failed ServiceResult becomes a ``ServiceError`` (see ``prs.common.api_errors`` for the status of each
error code and the body shape), so views read top to bottom without branching on results.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from django.core.validators import (
    EmailValidator,
    MaxLengthValidator,
    MaxValueValidator,
    MinLengthValidator,
    MinValueValidator,
    RegexValidator,
)
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import exceptions, parsers, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from prs.common.api_errors import ServiceError
from prs.common.inputs import parse_decimal, parse_int
from prs.common.pagination import StandardPagination
from prs.common.permissions import IsOrganizationMember
from prs.common.results import ServiceResult

T = TypeVar("T")


def unwrap(result: ServiceResult[T]) -> T:
    """The result's data, or a ``ServiceError`` carrying its error code and field errors. A refusal without a code
    is a bug in the service: ServiceError has no status for it, so it is answered as a bug (500), never guessed."""
    if result.success:
        return result.data  # type: ignore[return-value]
    raise ServiceError(result.error_code, result.errors)  # type: ignore[arg-type]


# The largest primary key a 64-bit integer column holds: bigger ids are refused before reaching the database.
MAX_OBJECT_ID = 2**63 - 1


class PlainIntegerField(serializers.IntegerField):
    """An integer as PRS spells numbers (``prs.common.inputs.parse_int``): "1_000" or full-width digits, which
    Python's int() would take, are invalid."""

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, str) and parse_int(data) is None:
            self.fail("invalid")
        return super().to_internal_value(data)


class PlainDecimalField(serializers.DecimalField):
    """A decimal as PRS spells numbers (``prs.common.inputs.parse_decimal``), given as a JSON string: "1_000",
    full-width digits and exponents, which Python's Decimal() would take, are invalid, and so is a JSON number,
    which JSON parsers read as a binary float (the services refuse floats for the same reason).

    Its digits, places and range describe the service's rule in the OpenAPI schema; the service enforces them
    (see ServiceOwnsTheRules)."""

    default_error_messages = {"not_a_string": 'Must be a decimal number written as a string, such as "12.50".'}

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str):
            self.fail("not_a_string")
        number = parse_decimal(data)
        if number is None:
            self.fail("invalid")
        return number


# The serializers call it at import, before any mutant can be active: its mutants could never run.
def object_id_field(**kwargs: Any) -> serializers.IntegerField:  # pragma: no mutate block — see above
    """A reference to another object by id."""
    return PlainIntegerField(min_value=1, max_value=MAX_OBJECT_ID, **kwargs)


class ServiceOwnsTheRules:
    """Mixin of a write's input serializer: it describes the body (the OpenAPI schema states every field's
    type, format, length, pattern, range and choices) but checks only its shape — JSON types, dates, ids,
    plain decimal strings (PlainDecimalField) — and drops the fields it does not declare. Required fields,
    blanks, lengths, patterns, ranges and choices are the service's rules, checked there alone: a rule also
    enforced here would answer in the service's place, and a broken service rule would go unseen through the
    API (and by the acceptance suite). Ids stay checked here: an id is a shape, nothing else looks at a stray
    one."""

    RULES = (MaxLengthValidator, MinLengthValidator, RegexValidator, EmailValidator, MinValueValidator,
             MaxValueValidator)

    def check_shape_only(self) -> None:
        """Called by parse(), never for the schema, which keeps stating the rules."""
        for field in self.fields.values():  # type: ignore[attr-defined]
            if isinstance(field, serializers.IntegerField):
                continue
            field.required = False  # pragma: no mutate — DRF reads it as a truth value: None would do the same
            field.validators = [v for v in field.validators if not isinstance(v, self.RULES)]
            if isinstance(field, serializers.CharField):
                field.allow_blank, field.max_length, field.min_length = True, None, None
            if isinstance(field, serializers.ChoiceField):
                field.to_internal_value = _any_text  # the service names the choices it takes


def _any_text(data: Any) -> Any:
    if not isinstance(data, str):
        raise serializers.ValidationError("Must be a string.")
    return data


def parse(serializer_class: type[serializers.Serializer], data: Any) -> dict[str, Any]:
    """Validated input data, or a 400 naming each bad field. Non-object bodies are refused too."""
    if not isinstance(data, Mapping):
        raise serializers.ValidationError({"non_field_errors": ["Expected a JSON object."]})
    serializer = serializer_class(data=data)
    if isinstance(serializer, ServiceOwnsTheRules):
        serializer.check_shape_only()
    # DRF's CharField turns a JSON number or boolean into text; a text field takes a JSON string only.
    not_text = {name: ["Must be a string."] for name, field in serializer.fields.items()
                if isinstance(field, serializers.CharField) and data.get(name) is not None
                and not isinstance(data.get(name), str)}
    if not serializer.is_valid() or not_text:
        raise serializers.ValidationError({**serializer.errors, **not_text})
    return dict(serializer.validated_data)


class SafeJSONParser(parsers.JSONParser):
    """JSON nested deeper than Python's recursion limit is a malformed body (400), not a crash."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream)  # JSON is UTF-8 (RFC 8259): neither media type nor charset is read
        except RecursionError as error:
            raise exceptions.ParseError("JSON parse error - nested too deeply.") from error


# A JSON API: form bodies are not accepted, and the schema says so.
PARSER_CLASSES = (SafeJSONParser,)


class ServiceViewSet(viewsets.ViewSet):
    """Base of PRS's viewsets: members only, standard pagination, service results unwrapped."""

    permission_classes = (IsOrganizationMember,)
    pagination_class = StandardPagination
    parser_classes = PARSER_CLASSES
    # Key of this viewset's service in prs.services.build_services().
    service_name: str = ""
    # Path ids are up to 18 digits (fits a 64-bit key): anything else answers 404 from the router.
    lookup_value_regex = "[0-9]{1,18}"

    def service(self, name: str = "") -> Any:
        from prs.services import build_services  # the composition root, built per request: services are cheap

        return build_services()[name or self.service_name]

    def filters(self, serializer_class: type[serializers.Serializer]) -> dict[str, Any]:
        """The query-string filters this list understands, validated (an empty value is refused like any bad
        value: the description says what each filter takes); unset ones left out."""
        validated = parse(serializer_class, self.request.query_params.dict())
        return {key: value for key, value in validated.items() if value is not None}

    def paginated(self, items: Iterable[Any], output_class: type[serializers.Serializer]) -> Response:
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(items, self.request)  # DRF's page-number pagination reads no view
        return paginator.get_paginated_response(output_class(page, many=True).data)

    def respond(
        self, data: Any, output_class: type[serializers.Serializer], status_code: int = status.HTTP_200_OK
    ) -> Response:
        return Response(output_class(data).data, status=status_code)

    def permission_denied(self, request: Request, message: str | None = None, code: str | None = None) -> None:
        """A 403 at the API's door is a security event, like the services' own denials: its object is the door
        ("api") and the reason it stayed shut (IsOrganizationMember's message, the 403's detail)."""
        if request.user and request.user.is_authenticated:
            from prs.accounts.services import security_service

            security_service.permission_denied(request.user, f"{request.method} {request.path}", "api", message)
        super().permission_denied(request, message=message)  # the error body's code is the exception's own


# --- OpenAPI: the error body every endpoint may answer with ------------------------------------------

ErrorSerializer = inline_serializer(
    name="Error",
    fields={
        "error_code": serializers.CharField(),
        "detail": serializers.CharField(),
        "errors": serializers.DictField(child=serializers.ListField(child=serializers.CharField())),
    },
)

_ERROR_DESCRIPTIONS = {
    400: "Invalid input: `errors` names each bad field.",
    401: "No valid token (`Authorization: Token <key>`).",
    403: "Your role may not perform this action.",
    404: "No such object in your organization.",
    409: "Conflict: a stale `version`, a second decision, or a duplicate.",
    429: "Too many failed logins: the account is locked for a while (see `Retry-After`).",
    503: "A dependency (e.g. the exchange-rate provider) is unavailable.",
}


# The views' schema decorators call it at import, before any mutant can be active: its mutants could never run.
def error_responses(*codes: int) -> dict[int, OpenApiResponse]:  # pragma: no mutate block — see above
    """OpenAPI responses for these error statuses, all with the one error body. 401 is always included."""
    return {
        code: OpenApiResponse(ErrorSerializer, description=_ERROR_DESCRIPTIONS[code])
        for code in sorted({401, *codes})
    }
