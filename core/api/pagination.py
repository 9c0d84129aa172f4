"""API v1's pagination: `?page=` and `?page_size=` (up to 500), named by REST_FRAMEWORK."""

from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """`?page=` and `?page_size=` (up to 500)."""

    page_size_query_param = "page_size"
    max_page_size = 500
