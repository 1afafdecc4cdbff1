"""From ticket to article (KCS): ``createArticleDraftFromTicket`` writes a draft in
the « Relecture technique » workflow, linked to the ticket, that nobody but staff
reads until a lead publishes it."""

from __future__ import annotations

import pytest
from wagtail.models import WorkflowState

from accounts.models import ServiceToken
from catalog.models import ProductRelease
from knowledge.models import ArticlePage
from knowledge.workflow import WORKFLOW_NAME, editorial_setup_ensure
from search.models import TicketArticleLink
from tests.knowledge import factories as kb

CREATE = """
mutation($ticketRef: String!, $companyId: ID, $title: String!, $problem: String!,
         $solution: String!, $product: String, $version: String,
         $audience: ArticleAudience) {
  createArticleDraftFromTicket(ticketRef: $ticketRef, companyId: $companyId,
      title: $title, problem: $problem, solution: $solution, product: $product,
      version: $version, audience: $audience) {
    article { id title slug }
    editUrl
  }
}
"""


@pytest.fixture
def kb_ready(db):
    index = kb.knowledge_index()
    editorial_setup_ensure(index_page=index)
    kb.category("licences")
    revit = kb.product("revit")
    ProductRelease.objects.create(product=revit, version="2026")
    return index


@pytest.fixture
def tickets_token(db):
    return ServiceToken.generate(name="GLPI", scopes=["tickets"])[1]


def variables(company, **overrides):
    return {
        "ticketRef": "GLPI-4242",
        "companyId": str(company.pk),
        "title": "Revit 2026 : la licence réseau n'est pas trouvée",
        "problem": "Au démarrage, Revit affiche l'erreur -15.570.0.\n"
        "Le serveur répond au ping.",
        "solution": "Ouvrir le port 27000 <script>alert(1)</script> & redémarrer.",
        "product": "revit",
        "version": "2026",
        **overrides,
    }


def create(gql, company, *, token=None, user=None, **overrides):
    return gql(CREATE, variables(company, **overrides), token=token, user=user)


def test_service_token_creates_a_draft_in_review_linked_to_the_ticket(
    gql, kb_ready, company_a, tickets_token
):
    result = create(gql, company_a, token=tickets_token)

    assert result.errors is None
    payload = result.data["createArticleDraftFromTicket"]
    page = ArticlePage.objects.get(pk=payload["article"]["id"])
    assert payload["article"]["title"] == page.title
    assert payload["editUrl"] == f"http://testserver/admin/pages/{page.pk}/edit/"
    # A draft under the knowledge index, never published.
    assert not page.live and page.first_published_at is None
    assert page.get_parent().pk == kb_ready.pk
    assert page.audience == "clients"
    assert [p.code for p in page.products.all()] == ["revit"]
    assert [r.version for r in page.versions.all()] == ["2026"]
    # « Problème » then « Solution », the input escaped: no markup of the ticket.
    blocks = [(b.block_type, b.value) for b in page.body]
    assert [t for t, _v in blocks] == [
        "heading",
        "paragraph",
        "heading",
        "paragraph",
    ]
    assert blocks[0][1]["text"] == "Problème" and blocks[2][1]["text"] == "Solution"
    assert "<br/>" in blocks[1][1].source
    solution_html = blocks[3][1].source
    assert "<script>" not in solution_html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; redémarrer" in solution_html
    # In the workflow, at its first task, requested by nobody (the ticketing system).
    state = WorkflowState.objects.get(object_id=str(page.pk))
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.workflow.name == WORKFLOW_NAME
    assert state.requested_by is None
    assert state.current_task_state.task.name == "Relecture par un responsable"
    assert page.get_latest_revision().user is None
    # Linked to the ticket, for the ticket's company.
    link = TicketArticleLink.objects.get(ticket_ref="GLPI-4242")
    assert (link.article_id, link.company_id, link.internal) == (
        page.pk,
        company_a.pk,
        False,
    )


def test_staff_draft_is_theirs_and_internal_audience_makes_an_internal_link(
    gql, kb_ready, company_a, staff
):
    result = create(gql, company_a, user=staff, audience="INTERNAL", version=None)

    assert result.errors is None
    page = ArticlePage.objects.get(
        pk=result.data["createArticleDraftFromTicket"]["article"]["id"]
    )
    assert page.audience == "internal"
    assert page.get_latest_revision().user == staff
    assert page.owner == staff
    assert WorkflowState.objects.get(object_id=str(page.pk)).requested_by == staff
    assert TicketArticleLink.objects.get(article=page).internal is True


def test_company_defaults_to_the_ticket_s_earlier_links(
    gql, kb_ready, company_a, tickets_token
):
    published = kb.article("Déjà lié", audience="clients")
    TicketArticleLink.objects.create(
        ticket_ref="GLPI-4242", article=published, company=company_a
    )

    result = create(gql, company_a, token=tickets_token, companyId=None)

    assert result.errors is None
    draft = result.data["createArticleDraftFromTicket"]["article"]["id"]
    assert TicketArticleLink.objects.get(article_id=draft).company == company_a


@pytest.mark.parametrize(
    "who, code", [("member", "FORBIDDEN"), ("anonymous", "UNAUTHENTICATED")]
)
def test_client_and_anonymous_are_refused_and_nothing_is_created(
    gql, kb_ready, company_a, member_a, who, code
):
    pages = ArticlePage.objects.count()
    result = create(gql, company_a, user=member_a if who == "member" else None)

    assert result.data["createArticleDraftFromTicket"] is None
    assert result.errors[0]["extensions"]["code"] == code
    assert ArticlePage.objects.count() == pages
    assert not TicketArticleLink.objects.exists()


def test_service_token_without_the_tickets_scope_is_refused(gql, kb_ready, company_a):
    token = ServiceToken.generate(name="autre", scopes=[])[1]
    result = create(gql, company_a, token=token)
    assert result.errors[0]["extensions"]["code"] == "FORBIDDEN"
    assert not TicketArticleLink.objects.exists()


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"title": "   "}, "title"),
        ({"title": "x" * 256}, "title"),
        ({"problem": ""}, "problem"),
        ({"solution": "s" * 10_001}, "solution"),
        ({"problem": "a\x00b"}, "problem"),
        ({"product": "zorglub"}, "product"),
        ({"version": "1999"}, "version"),
        ({"product": None, "version": "2026"}, "version"),
        ({"companyId": "999999"}, "companyId"),
        ({"companyId": "abc"}, "companyId"),
        ({"companyId": None}, "companyId"),  # a new ticket: no earlier link
        ({"ticketRef": "T" * 65}, "ticketRef"),
    ],
)
def test_bad_input_is_coded_in_french_and_leaves_nothing(
    gql, kb_ready, company_a, tickets_token, overrides, field
):
    pages = ArticlePage.objects.count()
    states = WorkflowState.objects.count()

    result = create(gql, company_a, token=tickets_token, **overrides)

    assert result.data is None or result.data["createArticleDraftFromTicket"] is None
    error = result.errors[0]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}, error
    assert ArticlePage.objects.count() == pages
    assert WorkflowState.objects.count() == states
    assert not TicketArticleLink.objects.exists()


def test_unknown_product_message_is_french(gql, kb_ready, company_a, tickets_token):
    result = create(gql, company_a, token=tickets_token, product="zorglub")
    assert result.error_messages == ["Produit inconnu « zorglub »."]


def test_two_drafts_of_one_title_get_two_slugs(gql, kb_ready, company_a, tickets_token):
    first = create(gql, company_a, token=tickets_token)
    second = create(gql, company_a, token=tickets_token, ticketRef="GLPI-4243")
    slugs = {
        r.data["createArticleDraftFromTicket"]["article"]["slug"]
        for r in (first, second)
    }
    assert len(slugs) == 2


READS = """
query($slug: String!, $id: ID!, $ticket: String!) {
  articles(perPage: 100) { items { id } }
  bySlug: article(slug: $slug) { id }
  byId: article(id: $id) { id }
  searchArticles(query: "licence réseau revit") { items { article { id } } }
  ticketArticles(ticketRef: $ticket) { items { article { id } } }
}
"""


def test_draft_is_read_by_nobody_through_any_path_until_published(
    gql, kb_ready, company_a, member_a, staff, tickets_token, search_backend
):
    created = create(gql, company_a, token=tickets_token).data
    draft = created["createArticleDraftFromTicket"]["article"]
    asked = {"slug": draft["slug"], "id": draft["id"], "ticket": "GLPI-4242"}
    search_backend.refresh()  # the draft is in the engine's index too

    for who in ({"user": None}, {"user": member_a}, {"user": staff}):
        data = gql(READS, asked, **who).data
        assert data["articles"]["items"] == []
        assert data["bySlug"] is None and data["byId"] is None
        assert data["searchArticles"]["items"] == []
        assert data["ticketArticles"]["items"] == []
    # The ticketing system sees no link to a page that is not served either.
    data = gql(READS, asked, token=tickets_token).data
    assert data["ticketArticles"]["items"] == [] and data["bySlug"] is None

    # A lead publishes it: the ticket's company now sees the article and the link.
    ArticlePage.objects.get(pk=draft["id"]).get_latest_revision().publish()
    search_backend.refresh()
    data = gql(READS, asked, user=member_a).data
    assert data["bySlug"] == {"id": draft["id"]}
    assert data["searchArticles"]["items"] == [{"article": {"id": draft["id"]}}]
    assert data["ticketArticles"]["items"] == [{"article": {"id": draft["id"]}}]
