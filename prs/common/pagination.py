"""Page-number pagination for every list endpoint: 25 a page by default, ``?page_size=`` up to 100."""
from rest_framework.pagination import PageNumberPagination


class StandardPagination(PageNumberPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100
