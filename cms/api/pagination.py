"""Page-number pagination shared by the API's list fields."""

from __future__ import annotations

from django.conf import settings

from .errors import ApiError


def page_bounds(page: int, per_page: int) -> tuple[int, int]:
    """(offset, limit) for a 1-based page, or a clear error."""
    limit = settings.GRAPHQL_MAX_PAGE_SIZE
    if not 1 <= per_page <= limit:
        raise ApiError(f"'perPage' must be between 1 and {limit} (got {per_page}).")
    if page < 1:
        raise ApiError(f"'page' starts at 1 (got {page}).")
    return (page - 1) * per_page, per_page
