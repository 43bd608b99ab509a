"""Page-number pagination for every list endpoint: 25 a page by default, ``?page_size=`` from 1 to 100.

A page or page size that is not a plain number in range, or a page past the end, is a bad query parameter:
400 naming it (DRF would answer 404, or silently fall back to the default size)."""
from typing import Any

from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination

from prs.common.inputs import parse_int


class StandardPagination(PageNumberPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> list[Any] | None:
        page = request.query_params.get(self.page_query_param)
        if page is not None and (parse_int(page) is None or parse_int(page) < 1):
            raise ValidationError({self.page_query_param: [f"Must be a page number from 1 (got {page!r})."]})
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound as error:
            raise ValidationError({self.page_query_param: [str(error.detail)]}) from error

    def get_page_size(self, request: Any) -> int:
        given = request.query_params.get(self.page_size_query_param)
        if given is None:
            return self.page_size
        size = parse_int(given)
        if size is None or not 1 <= size <= self.max_page_size:
            raise ValidationError({self.page_size_query_param: [
                f"Must be a number from 1 to {self.max_page_size} (got {given!r})."]})
        return size

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        bounds = {self.page_query_param: {"minimum": 1},
                  self.page_size_query_param: {"minimum": 1, "maximum": self.max_page_size}}
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
        return parameters
