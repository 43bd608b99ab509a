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
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError
from django.http import Http404
from rest_framework import exceptions, status
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
_CODE_BY_DRF_CODE = {
    "invalid": ErrorCode.VALIDATION.value,
    "permission_denied": ErrorCode.FORBIDDEN.value,
    "not_found": ErrorCode.NOT_FOUND.value,
}


class ServiceError(exceptions.APIException):
    """A failed ServiceResult on its way out as a response (raised by ``prs.common.api.unwrap``)."""

    def __init__(self, code: ErrorCode, errors: Mapping[str, list[str]]) -> None:
        self.status_code = STATUS_BY_ERROR_CODE[code]  # every code has its status
        self.error_code = code
        self.errors = dict(errors)
        super().__init__(detail=_first_message(self.errors), code=code.value)


def lockout_retry_after_seconds() -> int:
    return int(getattr(settings, "PRS_LOGIN_FAILURE_WINDOW_MINUTES", 15)) * 60


def error_body(error_code: str, detail: str, errors: Mapping[str, Any] | None = None) -> dict[str, Any]:
    return {"error_code": error_code, "detail": detail, "errors": dict(errors or {})}


def _first_message(errors: Any) -> str:
    """The first message of a (possibly nested) error structure, for the human-readable ``detail``."""
    if isinstance(errors, Mapping):
        for value in errors.values():
            message = _first_message(value)
            if message:
                return message
        return ""
    if isinstance(errors, list | tuple):
        for value in errors:
            message = _first_message(value)
            if message:
                return message
        return ""
    return str(errors)


def _as_field_errors(detail: Any) -> dict[str, Any]:
    """DRF's validation detail (dict, list or string) as a mapping of field -> messages."""
    if isinstance(detail, Mapping):
        return {key: _plain(value) for key, value in detail.items()}
    if isinstance(detail, list | tuple):
        return {"non_field_errors": [str(item) for item in detail]}
    return {"non_field_errors": [str(detail)]}


def _plain(value: Any) -> Any:
    """ErrorDetail strings and nested structures as plain JSON values."""
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return str(value)


def _response_for_api_exception(exc: exceptions.APIException) -> Response:
    headers: dict[str, str] = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header  # type: ignore[attr-defined]
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))  # type: ignore[attr-defined]

    if isinstance(exc, ServiceError):
        if exc.error_code == ErrorCode.LOCKED:
            headers["Retry-After"] = str(lockout_retry_after_seconds())
        body = error_body(exc.error_code.value, str(exc.detail), exc.errors)
    elif isinstance(exc, exceptions.ValidationError):
        errors = _as_field_errors(exc.detail)
        body = error_body(ErrorCode.VALIDATION.value, _first_message(errors) or "Invalid input.", errors)
    else:
        code = getattr(exc.detail, "code", None) or exc.default_code
        body = error_body(_CODE_BY_DRF_CODE.get(code, code), _first_message(_plain(exc.detail)))
    return Response(body, status=exc.status_code, headers=headers)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, RequestDataTooBig):  # a body without a declared length, read past the limit
        set_rollback()
        return Response(error_body("request_too_large", f"The request body is larger than the limit of "
                                   f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes."), status=413)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    if isinstance(exc, exceptions.APIException):
        set_rollback()
        return _response_for_api_exception(exc)

    set_rollback()
    if isinstance(exc, IntegrityError):
        # A database constraint caught what validation could not (e.g. two simultaneous requests
        # creating the same unique value): the request conflicts with the current state.
        logger.warning("integrity error turned into 409: %s", exc)
        return Response(
            error_body(ErrorCode.CONFLICT.value, "The request conflicts with the current state of the data."),
            status=status.HTTP_409_CONFLICT,
        )
    view = context.get("view")
    logger.exception("unhandled error in %s", type(view).__name__ if view else "API", exc_info=exc)
    return Response(
        error_body("server_error", "Internal server error."), status=status.HTTP_500_INTERNAL_SERVER_ERROR
    )
