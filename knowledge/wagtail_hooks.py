from django.http import Http404
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from cms.access import caller_of
from cms.admin_permissions import ViewPermissionMenuItem

from .graphql import KnowledgeMutation, KnowledgeQuery
from .models import Author, Category
from .selectors import document_readable_by


@hooks.register("before_serve_document")
def serve_documents_of_readable_articles_only(document, request):
    """Article attachments follow the article's audience (ids are guessable): 404
    for anyone who may not read an article using the file."""
    if not document_readable_by(document, caller=caller_of(request)):
        raise Http404("Document introuvable.")


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


# Editorial set-up and reports (knowledge.workflow, knowledge.reports).
@hooks.register("after_create_page")
def attach_editorial_workflow(request, page):
    from .models import KnowledgeIndexPage
    from .workflow import editorial_setup_ensure

    if isinstance(page.specific, KnowledgeIndexPage):
        editorial_setup_ensure(index_page=page)


@hooks.register("register_admin_urls")
def register_knowledge_report_urls():
    from .reports import admin_urls

    return admin_urls


@hooks.register("register_reports_menu_item")
def register_stale_articles_report_menu_item():
    from django.urls import reverse

    from .reports import StaleArticlesReportView

    return ViewPermissionMenuItem(
        _("Articles à relire"),
        reverse("knowledge_reports:stale_articles"),
        view_class=StaleArticlesReportView,
        name="knowledge-stale-articles",
        icon_name="time",
        order=800,
    )


@hooks.register("register_reports_menu_item")
def register_feedback_report_menu_item():
    from django.urls import reverse

    from .reports import FeedbackReportView

    return ViewPermissionMenuItem(
        _("Avis des lecteurs"),
        reverse("knowledge_reports:feedback"),
        view_class=FeedbackReportView,
        name="knowledge-feedback",
        icon_name="comment",
        order=810,
    )
