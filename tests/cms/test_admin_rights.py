"""Who may open which admin page: every project admin view checks the permission its
menu item checks, and « Support technique » maintains the catalogue and downloads.

Driven by a table of every admin URL the project registers (named with ``reverse``)
with who may open it — checked against the URL resolver, so a new project URL must
enter the table — and by a walk of every admin menu item the superuser sees (Wagtail's
included): a person sees a menu item exactly when its page opens for them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from html import unescape

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.contrib.messages import get_messages
from django.test import Client, RequestFactory
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone
from wagtail.admin.menu import SubmenuMenuItem, admin_menu

from accounts.models import ServiceToken
from catalog.models import RenewalReminder
from downloads.groups import SUPPORT_GROUP, support_setup_ensure
from downloads.models import DownloadEvent
from knowledge.models import Author
from search.models import SearchQueryDaily, SearchSynonym
from tests.catalog.factories import (
    LicenceFactory,
    ProductFactory,
    SubscriptionFactory,
    SupportContractFactory,
)
from tests.downloads.helpers import download_index, download_page
from tests.factories import StaffFactory, UserFactory
from tests.knowledge import factories as kb

SUPERUSER, SUPPORT, EDITOR = "superuser", "support", "editor"
PROJECT_PACKAGES = {"accounts", "catalog", "cms", "downloads", "knowledge", "search"}
PROJECT_APPS = {"accounts", "catalog", "downloads", "knowledge", "kbsearch"}
DENIED_MESSAGE = "Désolé, vous n'avez pas les autorisations pour accéder à cette zone."


@dataclass(frozen=True)
class AdminUrl:
    name: str
    obj: str | None = None  # key of the object in ``world`` the URL is about
    query: str = ""
    opens_for: frozenset[str] = frozenset()  # besides superusers

    def url(self, world) -> str:
        args = [world[self.obj].pk] if self.obj else []
        url = reverse(self.name, args=args)
        return f"{url}?{self.query}" if self.query else url

    def __str__(self) -> str:
        return f"{self.name}{'?' + self.query if self.query else ''}"


def listing(
    namespace,
    obj,
    *,
    index="index",
    read=(),
    add=(),
    change=(),
    delete=(),
    inspect=False,
    copy=True,
):
    """The URLs of one model's viewset, with Wagtail's rules: history opens to anyone
    who may add, change or delete, usage to editors, copy to adders, inspect to
    readers."""
    read, add, change, delete = map(frozenset, (read, add, change, delete))
    rows = [
        AdminUrl(f"{namespace}:{index}", opens_for=read),
        AdminUrl(f"{namespace}:{index}", query="export=csv", opens_for=read),
        AdminUrl(f"{namespace}:{index}_results", opens_for=read),
        AdminUrl(f"{namespace}:add", opens_for=add),
        AdminUrl(f"{namespace}:edit", obj, opens_for=change),
        AdminUrl(f"{namespace}:usage", obj, opens_for=change),
        AdminUrl(f"{namespace}:history", obj, opens_for=add | change | delete),
        AdminUrl(f"{namespace}:history_results", obj, opens_for=add | change | delete),
        AdminUrl(f"{namespace}:delete", obj, opens_for=delete),
    ]
    if inspect:
        rows.append(AdminUrl(f"{namespace}:inspect", obj, opens_for=read))
    if copy:
        rows.append(AdminUrl(f"{namespace}:copy", obj, opens_for=add))
    return rows


def report(index, results, *, opens_for, exports=("csv", "xlsx")):
    """A report's page, its export and its results fragment (filters, paging)."""
    opens_for = frozenset(opens_for)
    return [
        AdminUrl(index, opens_for=opens_for),
        *(AdminUrl(index, query=f"export={f}", opens_for=opens_for) for f in exports),
        AdminUrl(results, opens_for=opens_for),
    ]


S = {SUPPORT}
WRITERS_AND_SUPPORT = frozenset({SUPPORT, EDITOR})
MAINTAIN = {"read": S, "add": S, "change": S, "delete": S}

ADMIN_URLS = [
    # Search analytics: every client's searches (kbsearch.view_searchquerydaily).
    *report("kbsearch_report", "kbsearch_report_results", opens_for=S),
    *report("kbsearch_report_zero", "kbsearch_report_zero_results", opens_for=S),
    # Knowledge gaps by product (kbsearch.view_searchgapdaily): the article writers
    # and the support engineers.
    *report("kbsearch_gaps", "kbsearch_gaps_results", opens_for=WRITERS_AND_SUPPORT),
    AdminUrl("kbsearch_gaps", query="period=90", opens_for=WRITERS_AND_SUPPORT),
    # Knowledge reports: whoever may write pages.
    *report(
        "knowledge_reports:stale_articles",
        "knowledge_reports:stale_articles_results",
        opens_for={EDITOR, SUPPORT},
    ),
    *report(
        "knowledge_reports:feedback",
        "knowledge_reports:feedback_results",
        opens_for={EDITOR, SUPPORT},
    ),
    # The catalogue.
    *listing(
        "catalog_subscriptions", "subscription", **MAINTAIN, inspect=True, copy=False
    ),
    *listing("catalog_licences", "licence", **MAINTAIN, inspect=True),
    *listing("catalog_support_contracts", "contract", **MAINTAIN, inspect=True),
    *listing("wagtailsnippets_catalog_product", "product", index="list", **MAINTAIN),
    *listing("catalog_renewal_reminders", "reminder", read=S, inspect=True),
    AdminUrl("catalog_import:index", opens_for=frozenset(S)),
    # Downloads: the history is read only.
    *listing("catalog_download_events", "event", read=S, inspect=True, copy=False),
    *report(
        "catalog_download_counts:index", "catalog_download_counts:results", opens_for=S
    ),
    # Companies: support edits them, nobody but superusers adds or deletes one.
    *listing(
        "wagtailsnippets_accounts_company", "company", index="list", read=S, change=S
    ),
    # Superusers only.
    *listing("service_tokens", "token", inspect=True),
    *listing("wagtailusers_users", "person"),
    *listing("wagtailsnippets_knowledge_category", "category", index="list"),
    *listing("wagtailsnippets_knowledge_author", "author", index="list"),
    # Search synonyms: engineers who write articles and the support team.
    *listing(
        "wagtailsnippets_kbsearch_searchsynonym",
        "synonym",
        index="list",
        **{right: {SUPPORT, EDITOR} for right in ("read", "add", "change", "delete")},
    ),
]  # fmt: skip


@pytest.fixture
def world(db, company_a):
    index = download_index()
    support_setup_ensure(index_page=index)
    product = ProductFactory(code="revit", name="Revit")
    subscription = SubscriptionFactory(company=company_a, product=product)
    page = download_page(title="Revit correctif", product=product)
    token, _raw = ServiceToken.generate(name="ticketing", scopes=["tickets"])
    SearchQueryDaily.objects.create(
        day=timezone.localdate(), normalised_query="licence", searches=3
    )
    return {
        "company": company_a,
        "product": product,
        "subscription": subscription,
        "licence": LicenceFactory(subscription=subscription),
        "contract": SupportContractFactory(company=company_a),
        "reminder": RenewalReminder.objects.create(
            subscription=subscription,
            end_date=subscription.end_date,
            days_before=30,
            recipients="admin@a.example",
        ),
        "download_index": index,
        "download_page": page,
        "event": DownloadEvent.objects.create(
            file=page.files.first(), company=company_a
        ),
        "token": token,
        "person": UserFactory(email="alice@a.example", company=company_a),
        "category": kb.category("autocad"),
        "author": Author.objects.create(display_name="Julien Lefèvre"),
        "synonym": SearchSynonym.objects.create(terms="acad, autocad"),
    }


@pytest.fixture
def people(db):
    editor = StaffFactory(email="editor@aplicit.example")
    editor.groups.add(Group.objects.get(name="Editors"))
    support = StaffFactory(email="support@aplicit.example")
    support.groups.add(Group.objects.get(name=SUPPORT_GROUP))
    return {
        SUPERUSER: StaffFactory(email="root@aplicit.example", is_superuser=True),
        SUPPORT: support,
        EDITOR: editor,
    }


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def refusal(response) -> str | None:
    """Why ``response`` is not Wagtail's refusal (403, or back to the dashboard with
    the permission-denied message), or None if it is one."""
    if response.status_code == 403:
        return None
    if response.status_code == 302 and response.url == reverse("wagtailadmin_home"):
        messages = [
            unescape(str(m)).strip() for m in get_messages(response.wsgi_request)
        ]
        if DENIED_MESSAGE in messages:
            return None
        return f"redirected home without the refusal message ({messages})"
    return f"answered {response.status_code}"


def sidebar_urls(client: Client) -> set[str]:
    """The URLs of the admin menu as rendered on the dashboard."""
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    start = html.index('<script id="wagtail-sidebar-props"')
    start = html.index(">", start) + 1
    props = json.loads(html[start : html.index("</script>", start)])
    urls = set()

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("url"), str):
                urls.add(node["url"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(props)
    return urls


def menu_items(user) -> dict[str, str]:
    """Every admin page reachable from the menu ``user`` is shown (submenus and
    viewset groups included): URL → label."""
    request = RequestFactory().get(reverse("wagtailadmin_home"))
    request.user = user
    found = {}

    def walk(menu):
        for item in menu.menu_items_for_request(request):
            if isinstance(item, SubmenuMenuItem):
                walk(item.menu)
            elif item.url.startswith("/admin/"):
                found[item.url] = str(item.label)

    walk(admin_menu)
    return found


def project_admin_url_names() -> set[str]:
    """The names of every admin URL served by a project view or about a project
    model, except Wagtail's choosers: those answer any admin user (editors choose
    the companies and products an article is for)."""
    admin = next(p for p in get_resolver().url_patterns if str(p.pattern) == "admin/")
    names = set()

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{pattern.namespace}:" if pattern.namespace else ""
                walk(pattern.url_patterns, namespace + inner)
                continue
            view = getattr(pattern.callback, "view_class", pattern.callback)
            model = getattr(pattern.callback, "view_initkwargs", {}).get("model")
            if isinstance(model, str):
                model = apps.get_model(model)
            if view.__module__.split(".")[0] in PROJECT_PACKAGES or (
                model is not None and model._meta.app_label in PROJECT_APPS
            ):
                names.add(namespace + pattern.name)

    walk(admin.url_patterns)
    return {n for n in names if not n.startswith("wagtailsnippetchoosers_")}


def test_the_table_names_every_project_admin_url():
    assert project_admin_url_names() - {row.name for row in ADMIN_URLS} == set()


def test_superuser_opens_every_project_admin_page(world, people):
    client = client_for(people[SUPERUSER])
    failures = [
        f"{row}: {status}"
        for row in ADMIN_URLS
        if (status := client.get(row.url(world)).status_code) != 200
    ]
    assert failures == []


@pytest.mark.parametrize("role", [SUPPORT, EDITOR])
def test_each_project_admin_page_opens_only_for_whom_it_is_granted(world, people, role):
    client = client_for(people[role])
    failures = []
    for row in ADMIN_URLS:
        response = client.get(row.url(world))
        if role in row.opens_for:
            if response.status_code != 200:
                failures.append(f"{row}: {response.status_code}, expected 200")
        elif reason := refusal(response):
            failures.append(f"{row}: {reason}, expected a refusal")
    assert failures == []


@pytest.mark.parametrize("role", [SUPERUSER, SUPPORT, EDITOR])
def test_a_menu_item_is_shown_exactly_when_its_page_opens(world, people, role):
    every_item = menu_items(people[SUPERUSER])
    assert {"Abonnements", "Recherches", "Articles à relire"} <= set(
        every_item.values()
    )
    client = client_for(people[role])
    shown = sidebar_urls(client)
    assert set(menu_items(people[role])) <= shown
    failures = []
    for url, label in sorted(every_item.items()):
        response = client.get(url)
        if response.status_code == 302 and response.url != reverse("wagtailadmin_home"):
            response = client.get(response.url)  # Pages: to the person's section
        if url in shown and response.status_code != 200:
            failures.append(f"{label} ({url}): shown, answers {response.status_code}")
        if url not in shown and (reason := refusal(response)):
            failures.append(f"{label} ({url}): not shown, {reason}")
    assert failures == []


def test_editor_sees_no_catalogue_nor_search_analytics_in_the_menu(world, people):
    shown = sidebar_urls(client_for(people[EDITOR]))

    assert reverse("kbsearch_report") not in shown
    assert reverse("kbsearch_gaps") in shown
    assert reverse("catalog_subscriptions:index") not in shown
    assert reverse("catalog_download_counts:index") not in shown
    assert reverse("knowledge_reports:stale_articles") in shown


def test_support_engineer_writes_and_publishes_download_pages_not_articles(
    world, people
):
    support = people[SUPPORT]
    client = client_for(support)
    index, page = world["download_index"], world["download_page"]
    article = kb.article("Erreur de licence")

    assert (
        client.get(reverse("wagtailadmin_pages:edit", args=[page.pk])).status_code
        == 200
    )
    add = reverse(
        "wagtailadmin_pages:add", args=["downloads", "downloadpage", index.pk]
    )
    assert client.get(add).status_code == 200
    assert page.permissions_for_user(support).can_publish()
    assert not article.permissions_for_user(support).can_edit()


def test_import_is_refused_and_hidden_without_change_subscription(world, people):
    """The import upserts: adding without changing is not enough, for the page
    and for its menu item alike."""
    person = StaffFactory(email="saisie@aplicit.example")
    person.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["access_admin", "add_subscription", "view_subscription"]
        )
    )
    client = client_for(person)

    assert refusal(client.get(reverse("catalog_import:index"))) is None
    assert reverse("catalog_import:index") not in sidebar_urls(client)
    assert reverse("catalog_subscriptions:index") in sidebar_urls(client)


def test_search_analytics_open_with_their_view_permission_alone(world, people):
    person = StaffFactory(email="analyste@aplicit.example")
    person.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["access_admin", "view_searchquerydaily"]
        )
    )
    client = client_for(person)

    response = client.get(reverse("kbsearch_report"))

    assert response.status_code == 200
    assert "licence" in response.content.decode()
    assert reverse("kbsearch_report") in sidebar_urls(client)
