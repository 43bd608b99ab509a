"""Transport-level answers in the API's one error body: a body over the size limit (413) and a path that
matches no route (404). Both happen before any DRF view runs, where Django would answer with HTML or a 500."""
from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults

from prs.common.api_errors import error_body

API_PREFIX = "/api/"


def too_large_response(limit: int) -> JsonResponse:
    return JsonResponse(
        error_body("request_too_large", f"The request body is larger than the limit of {limit} bytes."),
        status=413,
    )


def declared_length(request: HttpRequest) -> int | None:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None


class RequestSizeLimitMiddleware:
    """Refuses a body whose declared length is over DATA_UPLOAD_MAX_MEMORY_SIZE before anyone reads it.

    Django raises RequestDataTooBig only when the body is read, deep inside a view (a 500 before this existed).
    This check is the only one needed: under WSGI (PRS's only server interface) a body is never read past its
    declared length, and a body without one is read as empty."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        length = declared_length(request)
        if limit is not None and length is not None and length > limit:
            return too_large_response(limit)
        return self.get_response(request)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler404: under /api/, the API's JSON 404 (e.g. /api/deals/abc/, whose id is not a number); elsewhere
    Django's own page."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse(error_body("not_found", "Not found."), status=404)
    return defaults.page_not_found(request, exception)  # type: ignore[arg-type]
