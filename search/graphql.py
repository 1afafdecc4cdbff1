"""Search, autocomplete and ticket links for the portal and the ticketing system;
resolvers only call selectors and services."""

from __future__ import annotations

import graphene
from django.conf import settings
from django.urls import reverse
from grapple.registry import registry

from cms.access import caller_of
from cms.api.errors import ApiError, object_id
from cms.api.pagination import page_arguments, page_bounds, page_of, paginated_type
from cms.api.response_cache import side_effect
from cms.api.selection import selected_fields
from knowledge.models import ArticlePage, Audience

from . import gaps, selectors, services
from .models import SearchGapDaily


def article_type():
    return registry.pages[ArticlePage]


def _int_id(value, what: str) -> int:
    pk = object_id(value)
    if pk is None:
        raise ApiError(f"Identifiant {what} invalide.")
    return pk


class SearchItem(graphene.ObjectType):
    article = graphene.Field(graphene.NonNull(article_type))
    score = graphene.Float()
    highlights = graphene.List(graphene.NonNull(graphene.String), required=True)


class ProductFacet(graphene.ObjectType):
    code = graphene.String(required=True)
    name = graphene.String(required=True)
    count = graphene.Int(required=True)


class CategoryFacet(graphene.ObjectType):
    slug = graphene.String(required=True)
    name = graphene.String(required=True)
    count = graphene.Int(required=True)


class SearchFacets(graphene.ObjectType):
    products = graphene.List(graphene.NonNull(ProductFacet), required=True)
    categories = graphene.List(graphene.NonNull(CategoryFacet), required=True)


class ArticleSearchResult(graphene.ObjectType):
    """One page of search results: the shared page fields, and the facets."""

    items = graphene.List(graphene.NonNull(SearchItem), required=True)
    total = graphene.Int(required=True)
    page = graphene.Int(required=True)
    per_page = graphene.Int(required=True)
    pages = graphene.Int(required=True)
    facets = graphene.Field(SearchFacets, required=True)
    did_you_mean = graphene.String(
        description=(
            "La recherche corrigée (fautes de frappe) quand seule elle a trouvé "
            "quelque chose ; null sinon."
        )
    )


class TicketArticleLinkNode(graphene.ObjectType):
    """An article attached to a ticket of the ticketing system."""

    class Meta:
        name = "TicketArticleLink"

    ticket_ref = graphene.String(required=True)
    article = graphene.Field(graphene.NonNull(article_type))
    company_id = graphene.ID(required=True)
    internal = graphene.Boolean(
        required=True, description="Seen by staff and the ticketing system only."
    )
    created_at = graphene.DateTime(required=True)


TicketArticleLinkList = paginated_type(
    "TicketArticleLinkList",
    TicketArticleLinkNode,
    "One page of a ticket's article links, oldest first.",
)


def _facet(cls, rows):
    return [cls(**row) for row in rows]


class SearchQuery(graphene.ObjectType):
    search_articles = graphene.Field(
        ArticleSearchResult,
        required=True,
        query=graphene.String(required=True),
        product=graphene.String(description="Product code, e.g. 'revit'."),
        version=graphene.String(description="Product version, e.g. '2026'."),
        category=graphene.String(description="Category slug (with sub-categories)."),
        **page_arguments(per_page=10),
    )
    suggest_articles = graphene.List(
        graphene.NonNull(article_type),
        required=True,
        prefix=graphene.String(required=True),
    )
    ticket_suggestions = graphene.Field(
        graphene.List(graphene.NonNull(SearchItem)),
        required=True,
        # `description` is also graphene's own keyword: declared through `args`.
        args={"description": graphene.String()},
        subject=graphene.String(required=True),
        product=graphene.String(),
        version=graphene.String(),
        company_id=graphene.ID(),
        limit=graphene.Int(
            default_value=selectors.TICKET_SUGGESTIONS_DEFAULT,
            description="The best N, from 1 to "
            f"{selectors.TICKET_SUGGESTIONS_MAX}: a top, not a list to page through.",
        ),
    )
    ticket_articles = graphene.Field(
        TicketArticleLinkList,
        required=True,
        ticket_ref=graphene.String(required=True),
        **page_arguments(per_page=20),
    )

    @staticmethod
    def resolve_search_articles(root, info, query, page, per_page, **filters):
        offset, limit = page_bounds(page, per_page)
        services.pending_index_updates_replay_if_any()  # the engine may be back
        result = selectors.articles_search_for(
            caller=caller_of(info.context),
            query=query,
            offset=offset,
            limit=limit,
            fields=selected_fields(info, "items", "article"),
            **filters,
        )
        side_effect(
            services.search_query_record,
            query=selectors.clean_query(query),
            results_total=result.total,
        )
        if page == 1:  # a gap? decided off the request path (search.gaps)
            side_effect(
                gaps.search_gap_note,
                source=SearchGapDaily.Source.SEARCH.value,
                query=selectors.clean_query(query),
                product=filters.get("product"),
                results_total=result.total,
                best_article_id=result.items[0].article.pk if result.items else None,
            )
        return ArticleSearchResult(
            **page_of(
                [SearchItem(h.article, h.score, h.highlights) for h in result.items],
                total=result.total,
                page=page,
                per_page=per_page,
            ),
            facets=SearchFacets(
                products=_facet(ProductFacet, result.products),
                categories=_facet(CategoryFacet, result.categories),
            ),
            did_you_mean=result.did_you_mean,
        )

    @staticmethod
    def resolve_suggest_articles(root, info, prefix):
        return selectors.article_suggestions_for(
            caller=caller_of(info.context), prefix=prefix, fields=selected_fields(info)
        )

    @staticmethod
    def resolve_ticket_suggestions(root, info, subject, limit, company_id=None, **kw):
        hits = selectors.ticket_suggestions_for(
            caller=caller_of(info.context),
            subject=subject,
            company_id=None if company_id is None else _int_id(company_id, "société"),
            limit=limit,
            fields=selected_fields(info, "article"),
            **kw,
        )
        if not hits:  # nothing above the relevance floor: a gap (search.gaps)
            side_effect(
                gaps.search_gap_note,
                source=SearchGapDaily.Source.TICKET.value,
                query=subject,
                product=kw.get("product"),
            )
        return [SearchItem(h.article, h.score, h.highlights) for h in hits]

    @staticmethod
    def resolve_ticket_articles(root, info, ticket_ref, page, per_page):
        offset, limit = page_bounds(page, per_page)
        links = selectors.ticket_links_for(
            caller=caller_of(info.context), ticket_ref=ticket_ref
        )
        return page_of(
            list(links[offset : offset + limit]),
            total=links.count(),
            page=page,
            per_page=per_page,
        )


class LinkArticleToTicket(graphene.Mutation):
    """Attach an article to a ticket (staff or the ticketing system)."""

    class Arguments:
        ticket_ref = graphene.String(required=True)
        article_id = graphene.ID(required=True)
        company_id = graphene.ID(required=True)
        internal = graphene.Boolean(
            default_value=False,
            description="An internal link (staff and the ticketing system only): "
            "required for an article the ticket's company may not read.",
        )

    link = graphene.Field(TicketArticleLinkNode, required=True)

    @staticmethod
    def mutate(root, info, ticket_ref, article_id, company_id, internal=False):
        selectors.require_tickets_access(
            caller=caller_of(info.context),
        )
        link = services.ticket_article_link(
            ticket_ref=ticket_ref,
            article_id=_int_id(article_id, "d'article"),
            company_id=_int_id(company_id, "société"),
            internal=internal,
            created_by=info.context.user,
        )
        return LinkArticleToTicket(link=link)


class UnlinkArticleFromTicket(graphene.Mutation):
    """Detach an article from a ticket (staff or the ticketing system)."""

    class Arguments:
        ticket_ref = graphene.String(required=True)
        article_id = graphene.ID(required=True)

    ok = graphene.Boolean(required=True)

    @staticmethod
    def mutate(root, info, ticket_ref, article_id):
        selectors.require_tickets_access(
            caller=caller_of(info.context),
        )
        removed = services.ticket_article_unlink(
            ticket_ref=ticket_ref, article_id=_int_id(article_id, "d'article")
        )
        return UnlinkArticleFromTicket(ok=removed)


ArticleAudience = graphene.Enum(
    "ArticleAudience",
    [(value.upper(), value) for value in Audience.values],
    description="Who reads an article once it is published.",
)


class ArticleDraft(graphene.ObjectType):
    """An article not yet published (written from a ticket, in review)."""

    id = graphene.ID(required=True)
    title = graphene.String(required=True)
    slug = graphene.String(required=True)


class CreateArticleDraftFromTicket(graphene.Mutation):
    """Write a draft article from a solved ticket (KCS): « Problème » and
    « Solution », submitted to the « Relecture technique » workflow and linked to
    the ticket; a lead finishes and approves it in the admin (staff or the
    ticketing system). Never published by this mutation."""

    class Arguments:
        ticket_ref = graphene.String(required=True)
        company_id = graphene.ID(
            description="The ticket's company; by default that of the ticket's "
            "earlier links."
        )
        title = graphene.String(required=True)
        problem = graphene.String(required=True, description="Plain text.")
        solution = graphene.String(required=True, description="Plain text.")
        product = graphene.String(description="Product code, e.g. 'revit'.")
        version = graphene.String(description="A release of the product, e.g. '2026'.")
        audience = graphene.Argument(
            ArticleAudience, default_value=ArticleAudience.CLIENTS.value
        )
        category = graphene.String(
            description="Category slug; by default the usual one of the product."
        )

    article = graphene.Field(ArticleDraft, required=True)
    edit_url = graphene.String(
        required=True, description="Where engineers finish it in the admin."
    )

    @staticmethod
    def mutate(root, info, ticket_ref, title, problem, solution, **kw):
        caller = caller_of(info.context)
        selectors.require_tickets_access(caller=caller)
        company_id = kw.pop("company_id", None)
        if company_id is not None:
            company_id = object_id(company_id)
            if company_id is None:
                raise ApiError("Identifiant de société invalide.", field="companyId")
        audience = kw.pop("audience", None)
        link = services.ticket_article_draft_create(
            ticket_ref=ticket_ref,
            company_id=company_id,
            audience=getattr(audience, "value", audience) or Audience.CLIENTS,
            title=title,
            problem=problem,
            solution=solution,
            created_by=caller.person if caller.is_staff else None,
            **kw,
        )
        article = link.article
        path = reverse("wagtailadmin_pages:edit", args=[article.pk])
        return CreateArticleDraftFromTicket(
            article=ArticleDraft(id=article.pk, title=article.title, slug=article.slug),
            edit_url=settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path,
        )


class SearchMutation(graphene.ObjectType):
    link_article_to_ticket = LinkArticleToTicket.Field()
    create_article_draft_from_ticket = CreateArticleDraftFromTicket.Field()
    unlink_article_from_ticket = UnlinkArticleFromTicket.Field()
