"""Page-number pagination shared by the API's list fields."""

from __future__ import annotations

from django.conf import settings

from .errors import ApiError

# Far past any real list; keeps offsets within what every database takes.
MAX_PAGE = 100_000


def page_bounds(page: int, per_page: int) -> tuple[int, int]:
    """(offset, limit) for a 1-based page, or a clear error."""
    limit = settings.GRAPHQL_MAX_PAGE_SIZE
    if not 1 <= per_page <= limit:
        raise ApiError(
            f"« perPage » doit être compris entre 1 et {limit} (reçu : {per_page}).",
            field="perPage",
        )
    if not 1 <= page <= MAX_PAGE:
        raise ApiError(
            f"« page » doit être compris entre 1 et {MAX_PAGE} (reçu : {page}).",
            field="page",
        )
    return (page - 1) * per_page, per_page


def page_arguments(*, per_page: int = 20) -> dict:
    """The ``page`` and ``perPage`` arguments of every list: optional, never null."""
    import graphene

    return {
        "page": graphene.Int(required=True, default_value=1, description="From 1."),
        "per_page": graphene.Int(
            required=True,
            default_value=per_page,
            description=f"From 1 to {settings.GRAPHQL_MAX_PAGE_SIZE}.",
        ),
    }


def paginated_type(name: str, item_type, description: str = ""):
    """A GraphQL object type for one page of ``item_type`` (a type or a callable
    returning one), with the total and the page arithmetic."""
    import graphene

    return type(
        name,
        (graphene.ObjectType,),
        {
            "__doc__": description or f"One page of {name.removesuffix('List')}s.",
            # The schema allowlist (cms.api.schema) knows the project's types by module.
            "__module__": __name__,
            "items": graphene.List(graphene.NonNull(item_type), required=True),
            "total": graphene.Int(required=True),
            "page": graphene.Int(required=True),
            "per_page": graphene.Int(required=True),
            "pages": graphene.Int(required=True),
        },
    )


def page_of(items, *, total: int, page: int, per_page: int) -> dict:
    """The value of a :func:`paginated_type` field."""
    return {
        "items": items,
        "total": total,
        "page": page,
        "per_page": per_page,
        "pages": -(-total // per_page),
    }
