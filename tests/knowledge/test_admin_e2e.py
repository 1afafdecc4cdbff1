"""End to end, in a real headless Chromium: an engineer writes and publishes an article
in the Wagtail admin, and the GraphQL API lists it."""

from __future__ import annotations

import json
import os
import re
import shutil
import urllib.request

import pytest
from django.contrib.auth.models import Group

from downloads.groups import SUPPORT_GROUP, support_setup_ensure
from knowledge.workflow import editorial_setup_ensure
from tests.catalog.factories import ProductFactory, SubscriptionFactory
from tests.conftest import require_service
from tests.downloads.helpers import download_index
from tests.factories import PASSWORD, CompanyFactory, StaffFactory
from tests.knowledge import factories as kb

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 15_000

pytestmark = [
    pytest.mark.browser,
    # live_server needs real commits; serialized_rollback restores Wagtail's root page
    # and groups (created by migrations) for the tests that run after this one.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def browser_page():
    available = os.path.exists(CHROMIUM) or bool(shutil.which("chromium"))
    require_service("Chromium", available, f"apt-get install -y chromium ({CHROMIUM})")
    playwright_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls in
    # fixtures are still synchronous and safe here.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="fr-FR")
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        yield page
        context.close()
        browser.close()


def graphql(url: str, query: str) -> dict:
    request = urllib.request.Request(
        f"{url}/graphql/",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return json.loads(response.read())


def add_block(page, label: str) -> None:
    """Open the StreamField's last "+" and pick a block type by its label."""
    page.locator("button.c-sf-add-button").last.click()
    page.get_by_role("option", name=label, exact=True).click()


def test_engineer_publishes_an_article_that_graphql_lists(live_server, browser_page):
    index = kb.knowledge_index()
    editorial_setup_ensure(index_page=index)
    category = kb.category("licences-serveur")
    engineer = StaffFactory(email="julien@aplicit.example")
    engineer.groups.add(Group.objects.get(name="Editors"))
    page = browser_page

    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", engineer.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")

    page.goto(f"{live_server.url}/admin/pages/add/knowledge/articlepage/{index.pk}/")
    page.fill("#id_title", "Erreur -15.570.0 après migration du serveur")
    page.fill("#id_summary", "Le poste ne joint plus le serveur de licences.")
    # The category is a snippet chooser (a modal); set its hidden input directly.
    page.eval_on_selector("#id_category", "(el, pk) => el.value = pk", str(category.pk))

    add_block(page, "Code")
    page.select_option("select[name='body-0-value-language']", "powershell")
    page.fill(
        "textarea[name='body-0-value-code']", "Test-NetConnection srv -Port 27000"
    )
    add_block(page, "Encadré")
    page.fill("input[name='body-1-value-title']", "Pare-feu")
    callout_text = page.locator(
        "[data-contentpath='body'] [data-contentpath='text'] [contenteditable=true]"
    ).last
    callout_text.click()
    callout_text.type("Ouvrez aussi le port 2080.")
    # Draftail writes its hidden input asynchronously: publish only once it holds the
    # text (on a loaded machine the form could otherwise go without it).
    page.wait_for_function(
        "() => (document.querySelector(\"input[name='body-1-value-text']\") || {})"
        ".value?.includes('2080')"
    )
    page.wait_for_function("() => document.querySelector('#id_category').value !== ''")

    page.locator(
        "footer .dropdown-toggle, [data-w-dropdown-target=toggle]"
    ).last.click()
    page.locator("button[name='action-publish']").click()
    # Wagtail goes back to the explorer or to the page's edit view, with a message.
    page.wait_for_url(re.compile(r"/admin/pages/\d+/(edit/)?$"))
    message = page.locator(".messages").inner_text()
    errors = page.locator(".error-message, .help-critical").all_inner_texts()
    assert "publiée" in message or "published" in message, (message, errors)

    data = graphql(
        live_server.url, "{ articles { items { title body { blockType } } } }"
    )

    items = data["data"]["articles"]["items"]
    assert {
        "title": "Erreur -15.570.0 après migration du serveur",
        "body": [{"blockType": "CodeBlock"}, {"blockType": "CalloutBlock"}],
    } in items


IMPORT_WITH_ERRORS = (
    "Subscription ID;Offering Name;Seats;Start Date;End Date\n"
    "1;Revit;3000000000;2026-01-01;2027-02-31\n"
    "2;Inconnu;1;2026-01-01;2026-12-31\n"
)


def test_support_engineer_reads_subscriptions_and_an_import_report(
    live_server, browser_page
):
    """A catalogue page in French, and the import's report of a file with errors,
    in the admin's own layout (header bar and breadcrumbs)."""
    index = download_index()
    support_setup_ensure(index_page=index)
    company = CompanyFactory(name="Atelier Durand Architectes")
    SubscriptionFactory(company=company, product=ProductFactory(code="revit"))
    engineer = StaffFactory(email="support@aplicit.example")
    engineer.groups.add(Group.objects.get(name=SUPPORT_GROUP))
    page = browser_page

    page.goto(f"{live_server.url}/admin/login/")
    assert page.get_by_label("Mot de passe").count() == 1
    page.fill("input[name=username]", engineer.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")

    page.goto(f"{live_server.url}/admin/catalog/subscriptions/")
    heads = page.locator("table.listing thead th").all_inner_texts()
    assert "Statut" in " ".join(heads), heads
    assert "Atelier Durand Architectes" in page.locator("table.listing").inner_text()

    page.goto(f"{live_server.url}/admin/catalog/import/")
    page.select_option("select[name=company]", str(company.pk))
    page.set_input_files(
        "input[name=file]",
        files=[
            {
                "name": "export.csv",
                "mimeType": "text/csv",
                "buffer": IMPORT_WITH_ERRORS.encode(),
            }
        ],
    )
    page.locator("form button[type=submit]", has_text="Importer").click()
    page.wait_for_selector("#import-report-title")

    header = page.locator("header.w-slim-header").inner_text()
    assert "Importer un export Autodesk Account" in header
    report = page.locator("section[aria-labelledby=import-report-title]").inner_text()
    assert "Simulation : rien n'a été enregistré" in report  # dry run by default
    assert "ligne 2, colonne « Seats »" in report
    assert "2027-02-31 n'existe pas" in report
    assert "ligne 3, colonne « Offering Name » : offre inconnue « Inconnu »" in report
