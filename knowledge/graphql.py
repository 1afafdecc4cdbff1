"""The knowledge base's queries for the portal; resolvers only call selectors."""

from __future__ import annotations

import graphene
from grapple.registry import registry

from cms.access import caller_of
from cms.api.errors import ApiError, NotFound, object_id
from cms.api.pagination import page_arguments, page_bounds, page_of, paginated_type
from cms.api.response_cache import side_effect
from cms.api.selection import selected_fields

from . import selectors, services
from .models import ArticlePage, Category, FeedbackReason
from .models.taxonomy import category_tree


def article_type():
    return registry.pages[ArticlePage]


ArticleList = paginated_type("ArticleList", article_type)


def category_type():
    """The one ``Category`` type: grapple's, from :attr:`Category.graphql_fields`."""
    return registry.snippets[Category]


class TagNode(graphene.ObjectType):
    """A tag, with the number of articles the caller may read under it (also what
    an article's ``tags`` serves: grapple's own tag type is not served)."""

    class Meta:
        name = "Tag"

    id = graphene.ID(required=True)
    name = graphene.String(required=True)
    slug = graphene.String(required=True)
    article_count = graphene.Int(required=True)

    @staticmethod
    def resolve_id(tag, info):
        return tag["pk"]

    @staticmethod
    def resolve_name(tag, info):
        return tag["name"]

    @staticmethod
    def resolve_slug(tag, info):
        return tag["slug"]

    @staticmethod
    def resolve_article_count(tag, info):
        if "article_count" in tag:
            return tag["article_count"]
        # An article's tag: counted as in `tags`, once per request, when first asked.
        context = info.context
        counted = getattr(context, "knowledge_tag_counts", None)
        if counted is None:
            rows = selectors.tags_for(caller=caller_of(context))
            counted = {row["pk"]: row["article_count"] for row in rows}
            if context is not None:
                context.knowledge_tag_counts = counted
        return counted.get(tag["pk"], 0)


class KnowledgeQuery(graphene.ObjectType):
    articles = graphene.Field(
        ArticleList,
        required=True,
        **page_arguments(per_page=20),
        category=graphene.String(
            description="Category slug (includes sub-categories)."
        ),
        tag=graphene.String(description="Tag slug."),
        product=graphene.String(description="Product code, e.g. 'revit'."),
        version=graphene.String(description="Product version, e.g. '2026'."),
        order=graphene.String(
            default_value="-publishedAt",
            description=f"One of: {', '.join(sorted(selectors.ORDERINGS))}.",
        ),
    )
    article = graphene.Field(article_type, slug=graphene.String(), id=graphene.ID())
    categories = graphene.List(
        graphene.NonNull(category_type),
        required=True,
        description="The top-level categories; `children` for the rest.",
    )
    tags = graphene.List(graphene.NonNull(TagNode), required=True)

    @staticmethod
    def resolve_articles(root, info, page, per_page, order, **filters):
        offset, limit = page_bounds(page, per_page)
        caller = caller_of(info.context)
        filters = selectors.ArticleFilters(**filters)
        qs = selectors.article_list_for(
            caller=caller,
            filters=filters,
            order=order,
            fields=selected_fields(info, "items"),
        )
        return page_of(
            list(qs[offset : offset + limit]),
            total=selectors.article_count_for(caller=caller, filters=filters),
            page=page,
            per_page=per_page,
        )

    @staticmethod
    def resolve_article(root, info, slug=None, id=None):
        pk = None
        if id is not None:
            pk = object_id(id)
            if pk is None:
                raise NotFound("Article")
        article = selectors.article_detail_for(
            caller=caller_of(info.context), slug=slug, pk=pk
        )
        if article is not None:
            side_effect(services.article_view_record, article_id=article.pk)
        return article

    @staticmethod
    def resolve_categories(root, info):
        roots, _nodes = category_tree(info)
        return [node["category"] for node in roots]

    @staticmethod
    def resolve_tags(root, info):
        return selectors.tags_for(caller=caller_of(info.context))


FeedbackReasonEnum = graphene.Enum(
    "FeedbackReason", [(value.upper(), value) for value in FeedbackReason.values]
)


class RateArticle(graphene.Mutation):
    """A signed-in person's vote on an article; a new vote replaces the old one."""

    class Arguments:
        article_id = graphene.ID(required=True)
        helpful = graphene.Boolean(required=True)
        reason = FeedbackReasonEnum()
        comment = graphene.String()

    ok = graphene.Boolean(required=True)

    @staticmethod
    def mutate(root, info, article_id, helpful, reason=None, comment=None):
        caller = caller_of(info.context)
        if caller.is_anonymous or caller.person is None:
            raise ApiError(
                "Connectez-vous pour donner votre avis.", code="UNAUTHENTICATED"
            )
        pk = object_id(article_id)
        article = (
            None if pk is None else selectors.article_detail_for(caller=caller, pk=pk)
        )
        if article is None:
            raise NotFound("Article")
        services.article_rate(
            user=caller.person,
            article=article,
            helpful=helpful,
            reason=getattr(reason, "value", reason),
            comment=comment,
        )
        return RateArticle(ok=True)


class KnowledgeMutation(graphene.ObjectType):
    rate_article = RateArticle.Field()
