from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.tables import BooleanColumn
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .graphql import AccountsMutation, AccountsQuery
from .models import Company
from .views import ServiceTokenViewSet


@hooks.register("register_schema_query")
def register_accounts_query(query_mixins):
    query_mixins.append(AccountsQuery)


@hooks.register("register_schema_mutation")
def register_accounts_mutation(mutation_mixins):
    mutation_mixins.append(AccountsMutation)


class CompanyViewSet(SnippetViewSet):
    model = Company
    icon = "group"
    menu_label = _("Sociétés clientes")
    menu_order = 200
    add_to_admin_menu = True
    list_display = [
        "name",
        "customer_number",
        BooleanColumn("is_active", label=_("En activité")),
    ]
    list_filter = ["is_active"]
    search_fields = ["name", "customer_number"]


register_snippet(CompanyViewSet)


@hooks.register("register_admin_viewset")
def register_service_token_viewset():
    return ServiceTokenViewSet("service_tokens")
