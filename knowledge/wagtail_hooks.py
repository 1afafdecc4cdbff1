from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .graphql import KnowledgeMutation, KnowledgeQuery
from .models import Author, Category


@hooks.register("register_schema_query")
def register_knowledge_query(query_mixins):
    query_mixins.append(KnowledgeQuery)


@hooks.register("register_schema_mutation")
def register_knowledge_mutation(mutation_mixins):
    mutation_mixins.append(KnowledgeMutation)


class CategoryViewSet(SnippetViewSet):
    model = Category
    icon = "folder-open-inverse"
    list_display = ["name", "parent", "slug"]
    list_filter = ["parent"]
    search_fields = ["name"]


class AuthorViewSet(SnippetViewSet):
    model = Author
    icon = "user"
    list_display = ["display_name", "job_title", "user"]


class KnowledgeViewSetGroup(SnippetViewSetGroup):
    items = (CategoryViewSet, AuthorViewSet)
    menu_icon = "help"
    menu_label = _("Base de connaissances")
    menu_name = "knowledge"


register_snippet(KnowledgeViewSetGroup)
