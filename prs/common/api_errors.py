"""One error shape for every API failure, and the DRF exception handler that produces it.

Every error body is ``{"error_code": str, "detail": str, "errors": {field: [message, ...]}}``:
``errors`` names the offending fields (``non_field_errors`` when no single field is to blame).

Status codes: 400 validation_error / parse_error, 401 not_authenticated / authentication_failed,
403 forbidden, 404 not_found, 405 method_not_allowed, 409 conflict, 413 request_too_large (see
prs.common.transport), 415 unsupported_media_type,
429 locked (login lockout, with ``Retry-After``), 503 dependency_unavailable, 500 server_error
(a genuine bug: logged with its traceback, the transaction rolled back, no details leaked).
"""
from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from prs.common.results import ErrorCode

logger = logging.getLogger("prs.api")

# ServiceResult error codes -> HTTP status.
STATUS_BY_ERROR_CODE: dict[ErrorCode, int] = {
    ErrorCode.VALIDATION: status.HTTP_400_BAD_REQUEST,
    ErrorCode.NOT_FOUND: status.HTTP_404_NOT_FOUND,
    ErrorCode.FORBIDDEN: status.HTTP_403_FORBIDDEN,
    ErrorCode.CONFLICT: status.HTTP_409_CONFLICT,
    ErrorCode.UNAVAILABLE: status.HTTP_503_SERVICE_UNAVAILABLE,
    # Lockout is "too many attempts": 429 tells clients to back off rather than retry other credentials.
    ErrorCode.LOCKED: status.HTTP_429_TOO_MANY_REQUESTS,
}

# DRF's own exception codes -> ours, where they differ.
_CODE_BY_DRF_CODE = {"permission_denied": ErrorCode.FORBIDDEN.value}


class ServiceError(exceptions.APIException):
    """A failed ServiceResult on its way out as a response (raised by ``prs.common.api.unwrap``)."""

    def __init__(self, code: ErrorCode, errors: Mapping[str, list[str]]) -> None:
        self.status_code = STATUS_BY_ERROR_CODE[code]  # every code has its status
        self.error_code = code
        self.errors = dict(errors)
        super().__init__(detail=_first_message(self.errors))


def lockout_retry_after_seconds() -> int:
    return settings.PRS_LOGIN_FAILURE_WINDOW_MINUTES * 60


def error_body(error_code: str, detail: str, errors: Mapping[str, Any] | None = None) -> dict[str, Any]:
    return {"error_code": error_code, "detail": detail, "errors": dict(errors or {})}


def _first_message(errors: Mapping[str, list[Any]]) -> str:
    """The first message of field errors, for the human-readable ``detail``: PRS never refuses without one."""
    return str(next(iter(errors.values()))[0])


def _response_for_api_exception(exc: exceptions.APIException) -> Response:
    headers: dict[str, str] = {}
    if getattr(exc, "auth_header", None):  # set by DRF on a 401: the challenge (Token)
        headers["WWW-Authenticate"] = exc.auth_header  # type: ignore[attr-defined]

    if isinstance(exc, ServiceError):
        if exc.error_code == ErrorCode.LOCKED:
            headers["Retry-After"] = str(lockout_retry_after_seconds())
        body = error_body(exc.error_code.value, str(exc.detail), exc.errors)
    elif isinstance(exc, exceptions.ValidationError):  # DRF's own normal form: a sentence alone is non_field_errors
        errors = {field: [str(message) for message in messages]
                  for field, messages in serializers.as_serializer_error(exc).items()}
        body = error_body(ErrorCode.VALIDATION.value, _first_message(errors), errors)
    else:  # DRF's own refusals (authentication, the API's door, parsing, media types, methods, pages): one sentence
        body = error_body(_CODE_BY_DRF_CODE.get(exc.default_code, exc.default_code), str(exc.detail))
    return Response(body, status=exc.status_code, headers=headers)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    """Every API failure in the one error body. An exception that is not an APIException is a bug: PRS's
    services answer every expected failure (a duplicate the database refused included) as a ServiceResult."""
    set_rollback()
    if isinstance(exc, exceptions.APIException):
        return _response_for_api_exception(exc)
    # DRF calls its handler inside its `except` block: the traceback logged is that of `exc`.
    logger.exception("unhandled error in %s", type(context["view"]).__name__)
    return Response(
        error_body("server_error", "Internal server error."), status=status.HTTP_500_INTERNAL_SERVER_ERROR
    )
