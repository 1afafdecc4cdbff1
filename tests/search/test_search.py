"""Article search, autocomplete and ticket suggestions, on every backend."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from accounts.models import ServiceToken
from knowledge.models import ArticlePage, Audience
from search.models import SearchQueryDaily, TicketArticleLink
from tests.knowledge import factories as kb

SEARCH = """
query($q: String!, $product: String, $category: String, $page: Int, $perPage: Int) {
  searchArticles(query: $q, product: $product, category: $category, page: $page,
                 perPage: $perPage) {
    total
    items { article { id title } score highlights }
    facets { products { code name count } categories { slug name count } }
  }
}
"""
SUGGEST = "query($p: String!) { suggestArticles(prefix: $p) { id title } }"
TICKET_SUGGEST = """
query($s: String!, $d: String, $product: String, $companyId: ID) {
  ticketSuggestions(subject: $s, description: $d, product: $product,
                    companyId: $companyId) { article { id title } score }
}
"""
TICKET_ARTICLES = (
    "query($t: String!) { ticketArticles(ticketRef: $t) { items { article { id } } } }"
)
LINK = """
mutation($t: String!, $a: ID!, $c: ID!) {
  linkArticleToTicket(ticketRef: $t, articleId: $a, companyId: $c) {
    link { ticketRef }
  }
}
"""
LINK_INTERNAL = """
mutation($t: String!, $a: ID!, $c: ID!) {
  linkArticleToTicket(ticketRef: $t, articleId: $a, companyId: $c, internal: true) {
    link { ticketRef internal }
  }
}
"""


def body(text: str) -> list[dict]:
    return [{"type": "paragraph", "value": f"<p>{text}</p>"}]


def search(gql, q, **kwargs):
    user = kwargs.pop("user", None)
    result = gql(SEARCH, {"q": q, **kwargs}, user=user)
    assert result.errors is None, result.errors
    return result.data["searchArticles"]


def titles(data) -> list[str]:
    return [item["article"]["title"] for item in data["items"]]


@pytest.fixture
def tickets_token(db):
    return ServiceToken.generate(name="GLPI", scopes=["tickets"])[1]


def test_title_match_ranks_above_body_only_match(gql, search_backend):
    kb.article("Procédure générale", body=body("Activer la licence réseau."))
    kb.article("Licence réseau introuvable", body=body("Vérifier le serveur."))
    search_backend.refresh()
    found = titles(search(gql, "licence"))
    assert found == ["Licence réseau introuvable", "Procédure générale"]


def test_exact_error_code_is_found(gql, search_backend):
    kb.article("Erreur de licence")  # the default body shows -15.570.0
    kb.article("Installer Revit", body=body("Télécharger l'installeur 2026."))
    search_backend.refresh()
    data = search(gql, "-15.570.0")
    assert titles(data) == ["Erreur de licence"]
    assert data["total"] == 1


def test_accents_are_ignored(gql, search_backend):
    kb.article("Message gênant au démarrage", body=body("Rien."))
    search_backend.refresh()
    assert titles(search(gql, "genant")) == ["Message gênant au démarrage"]
    assert titles(search(gql, "GÊNANT")) == ["Message gênant au démarrage"]


def test_filters_and_facets(gql, search_backend):
    revit, acad = kb.product("revit"), kb.product("autocad")
    install = kb.category("installation")
    kb.article("Plantage Revit", products=[revit], body=body("plantage"))
    kb.article("Plantage AutoCAD", products=[acad], cat=install, body=body("x"))
    kb.article("Plantage Revit install", products=[revit], cat=install)
    search_backend.refresh()
    data = search(gql, "plantage")
    assert data["total"] == 3
    assert {(p["code"], p["count"]) for p in data["facets"]["products"]} == {
        ("revit", 2),
        ("autocad", 1),
    }
    assert {(c["slug"], c["count"]) for c in data["facets"]["categories"]} == {
        ("autocad", 1),
        ("installation", 2),
    }
    assert set(titles(search(gql, "plantage", product="revit"))) == {
        "Plantage Revit",
        "Plantage Revit install",
    }
    filtered = search(gql, "plantage", product="revit", category="installation")
    assert titles(filtered) == ["Plantage Revit install"]
    assert filtered["total"] == 1


def test_pagination_and_highlights(gql, search_backend):
    for n in range(3):
        kb.article(f"Licence flottante {n}")
    search_backend.refresh()
    data = search(gql, "flottante", page=2, perPage=2)
    assert data["total"] == 3
    assert len(data["items"]) == 1
    assert "<mark>flottante</mark>" in data["items"][0]["highlights"][0]
    assert data["items"][0]["score"] is not None


@pytest.fixture(params=["exact ids", "audience prefilter"])
def id_mode(request, monkeypatch):
    """Both ways the backend is told what the caller may read (see search.selectors):
    the exact readable ids, or the audience prefilter of a large knowledge base."""
    if request.param == "audience prefilter":
        monkeypatch.setattr("search.selectors.EXACT_ID_LIMIT", 0)
    return request.param


def test_restricted_article_never_reaches_a_caller_who_may_not_read_it(
    gql, search_backend, id_mode, company_a, member_a, member_b, tickets_token
):
    secret_product = kb.product("vault")
    secret_cat = kb.category("secret")
    kb.article("Zorglub public", body=body("zorglub"))
    restricted = kb.article(
        "Zorglub réservé",
        audience=Audience.COMPANIES,
        companies=[company_a],
        products=[secret_product],
        cat=secret_cat,
    )
    internal = kb.article("Zorglub interne", audience=Audience.INTERNAL)
    search_backend.refresh()

    for caller in (None, member_b):
        data = search(gql, "zorglub", user=caller)
        assert titles(data) == ["Zorglub public"]
        assert data["total"] == 1
        assert data["facets"]["products"] == []
        assert [c["slug"] for c in data["facets"]["categories"]] == ["autocad"]
        suggested = gql(SUGGEST, {"p": "zorg"}, user=caller).data["suggestArticles"]
        assert [s["title"] for s in suggested] == ["Zorglub public"]

    readable = search(gql, "zorglub", user=member_a)
    assert set(titles(readable)) == {"Zorglub public", "Zorglub réservé"}
    assert readable["total"] == 2

    def suggested_ids(**variables):
        result = gql(TICKET_SUGGEST, {"s": "zorglub", **variables}, token=tickets_token)
        assert result.errors is None, result.errors
        return {int(i["article"]["id"]) for i in result.data["ticketSuggestions"]}

    assert restricted.pk not in suggested_ids()
    assert restricted.pk not in suggested_ids(companyId=str(member_b.company_id))
    assert restricted.pk in suggested_ids(companyId=str(company_a.pk))
    assert internal.pk not in suggested_ids(companyId=str(company_a.pk))


def test_suggestions_complete_a_prefix(gql, search_backend):
    kb.article("Licence réseau introuvable")
    kb.article("Installer Revit")
    search_backend.refresh()
    found = gql(SUGGEST, {"p": "lice"}).data["suggestArticles"]
    assert [s["title"] for s in found] == ["Licence réseau introuvable"]


def test_suggestions_fold_accents_and_put_titles_starting_with_the_prefix_first(
    gql, search_backend
):
    kb.article("Outil de désinstallation : les options")
    kb.article("Désinstaller complètement AutoCAD")
    search_backend.refresh()
    for prefix in ("désinst", "desinst"):
        found = gql(SUGGEST, {"p": prefix}).data["suggestArticles"]
        assert [s["title"] for s in found] == [
            "Désinstaller complètement AutoCAD",
            "Outil de désinstallation : les options",
        ]


def test_search_box_needs_most_words_not_all_of_them(gql, search_backend):
    kb.article("AutoCAD : serveur de licences introuvable", body=body("Le DNS."))
    kb.article("Installer Revit", body=body("Télécharger l'installeur."))
    search_backend.refresh()
    found = titles(search(gql, "autocad ne trouve pas le serveur de licences"))
    assert found == ["AutoCAD : serveur de licences introuvable"]


def test_plural_finds_the_singular(gql, search_backend):
    kb.article("Licence réseau introuvable", body=body("Vérifier le DNS."))
    kb.article("Installer Revit", body=body("Télécharger l'installeur."))
    search_backend.refresh()
    assert titles(search(gql, "licences introuvables")) == [
        "Licence réseau introuvable"
    ]


def test_ticket_nobody_can_answer_gets_no_suggestion(
    gql, search_backend, tickets_token
):
    kb.article("Erreur de licence")
    kb.article("Installer Revit", body=body("Télécharger l'installeur 2026."))
    search_backend.refresh()
    result = gql(
        TICKET_SUGGEST,
        {
            "s": "Demande de facture",
            "d": "Bonjour,\nPourriez-vous renvoyer la facture de nos abonnements "
            "AutoCAD ?\nCordialement,\nComptabilité",
        },
        token=tickets_token,
    )
    assert result.data["ticketSuggestions"] == []


def test_ticket_is_read_past_the_greeting_and_without_the_signature(
    gql, search_backend, tickets_token
):
    kb.article("Erreur de licence")  # the default body shows -15.570.0
    kb.article("Installer Revit", body=body("Télécharger l'installeur 2026."))
    search_backend.refresh()
    result = gql(
        TICKET_SUGGEST,
        {
            "s": "Problème au lancement",
            "d": "Bonjour à tous,\n\nLe message indique -15.570.0 depuis ce matin."
            "\n\nCordialement,\nMarc\nInstaller Revit 2026 : service informatique",
        },
        token=tickets_token,
    )
    found = [s["article"]["title"] for s in result.data["ticketSuggestions"]]
    assert found == ["Erreur de licence"]
    assert result.data["ticketSuggestions"][0]["score"] == 1.0


@pytest.mark.search_engine
def test_engine_suggestions_tolerate_a_typo(gql, search_backend):
    if search_backend.name != "engine":
        pytest.skip("fuzzy matching is an engine feature")
    kb.article("Licence réseau introuvable")
    search_backend.refresh()
    found = gql(SUGGEST, {"p": "licnece"}).data["suggestArticles"]
    assert [s["title"] for s in found] == ["Licence réseau introuvable"]


def test_ticket_suggestions_boost_product_and_linked_articles(
    gql, search_backend, company_a, tickets_token
):
    revit = kb.product("revit")
    plain = kb.article("Plantage au démarrage", body=body("plantage"))
    on_revit = kb.article("Plantage au lancement", products=[revit])
    search_backend.refresh()

    def first(**variables):
        result = gql(
            TICKET_SUGGEST, {"s": "plantage", **variables}, token=tickets_token
        )
        assert result.errors is None, result.errors
        return int(result.data["ticketSuggestions"][0]["article"]["id"])

    assert first(product="revit") == on_revit.pk
    for n in range(5):
        TicketArticleLink.objects.create(
            ticket_ref=f"T-{n}", article=plain, company=company_a
        )
    assert first() == plain.pk


def test_ticket_links_are_scoped_to_the_callers_company(
    gql, search_backend, company_a, company_b, member_a, member_b, staff, tickets_token
):
    article = kb.article("Licence")
    link = gql(LINK, {"t": "T-1", "a": str(article.pk), "c": str(company_a.pk)})
    assert link.errors[0]["extensions"]["code"] == "UNAUTHENTICATED"
    link = gql(
        LINK,
        {"t": "T-1", "a": str(article.pk), "c": str(company_a.pk)},
        token=tickets_token,
    )
    assert link.errors is None, link.errors

    def seen(**caller):
        result = gql(TICKET_ARTICLES, {"t": "T-1"}, **caller)
        assert result.errors is None, result.errors
        return [int(i["article"]["id"]) for i in result.data["ticketArticles"]["items"]]

    assert seen(user=member_a) == [article.pk]
    assert seen(user=member_b) == []
    assert seen(user=staff) == [article.pk]
    assert seen(token=tickets_token) == [article.pk]
    assert seen() == []

    unlink = """mutation($t: String!, $a: ID!) {
      unlinkArticleFromTicket(ticketRef: $t, articleId: $a) { ok } }"""
    assert gql(unlink, {"t": "T-1", "a": str(article.pk)}, user=member_a).errors
    ok = gql(unlink, {"t": "T-1", "a": str(article.pk)}, user=staff)
    assert ok.data["unlinkArticleFromTicket"]["ok"] is True
    assert not TicketArticleLink.objects.exists()


def test_client_does_not_see_links_to_articles_it_may_not_read(
    gql, db, company_a, member_a, staff
):
    internal = kb.article("Interne", audience=Audience.INTERNAL)
    TicketArticleLink.objects.create(
        ticket_ref="T-9", article=internal, company=company_a
    )
    result = gql(TICKET_ARTICLES, {"t": "T-9"}, user=member_a)
    assert result.data["ticketArticles"]["items"] == []


def test_service_token_without_tickets_scope_is_refused(gql, db, company_a, member_a):
    raw = ServiceToken.generate(name="autre", scopes=[])[1]
    article = kb.article("Licence")
    result = gql(TICKET_SUGGEST, {"s": "licence"}, token=raw)
    assert result.errors[0]["extensions"]["code"] == "FORBIDDEN"
    result = gql(
        LINK, {"t": "T", "a": str(article.pk), "c": str(company_a.pk)}, token=raw
    )
    assert result.errors[0]["extensions"]["code"] == "FORBIDDEN"
    result = gql(TICKET_SUGGEST, {"s": "licence"}, user=member_a)
    assert result.errors[0]["extensions"]["code"] == "FORBIDDEN"
    assert not TicketArticleLink.objects.exists()


@pytest.mark.parametrize(
    ("query", "message"),
    [("   ", "La recherche est vide"), ("x" * 201, "query too long")],
)
def test_invalid_queries_get_a_clear_error(gql, db, query, message):
    result = gql(SEARCH, {"q": query})
    assert message in result.error_messages[0]
    assert result.errors[0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_control_characters_are_stripped(gql, db):
    kb.article("Licence réseau")
    assert titles(search(gql, "licence\x1b\x07")) == ["Licence réseau"]


def test_a_nul_character_is_a_clear_input_error(gql, db):
    result = gql(
        "query($q: String!) { searchArticles(query: $q) { total } }",
        {"q": "licence\x00"},
    )
    assert result.errors[0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "q"}


def test_searches_are_counted_per_day_and_query(gql, db):
    kb.article("Licence réseau")
    search(gql, "Licence")
    search(gql, "licence ")
    search(gql, "introuvable")
    rows = {r.normalised_query: r for r in SearchQueryDaily.objects.all()}
    assert (rows["licence"].searches, rows["licence"].results_total) == (2, 2)
    assert rows["licence"].zero_result_searches == 0
    assert rows["introuvable"].zero_result_searches == 1


def test_search_report_lists_top_and_zero_result_queries(client, db, gql):
    from tests.factories import StaffFactory

    admin = StaffFactory(is_superuser=True)
    search(gql, "introuvable")
    client.force_login(admin)
    top = client.get("/admin/reports/recherches/")
    assert top.status_code == 200
    assert "introuvable" in top.content.decode()
    zero = client.get("/admin/reports/recherches-sans-resultat/")
    assert "introuvable" in zero.content.decode()


DEAD_ENGINE = "http://127.0.0.1:9"


def test_engine_down_falls_back_to_the_database_backend(gql, db):
    from cms.settings.base import search_engine_backend

    kb.article("Licence réseau")
    backends = {
        "default": search_engine_backend(DEAD_ENGINE, "dead"),
        "database": settings.DATABASE_SEARCH_BACKEND,
    }
    with override_settings(WAGTAILSEARCH_BACKENDS=backends):
        assert titles(search(gql, "licence")) == ["Licence réseau"]


def test_engine_down_without_fallback_is_a_clear_error(gql, db):
    from cms.settings.base import search_engine_backend

    backends = {"default": search_engine_backend(DEAD_ENGINE, "dead")}
    kb.article("Licence réseau")
    with override_settings(WAGTAILSEARCH_BACKENDS=backends):
        result = gql(SEARCH, {"q": "licence"})
    assert result.errors[0]["extensions"]["code"] == "SEARCH_UNAVAILABLE"
    assert result.error_messages == ["La recherche est momentanément indisponible."]


def test_health_reports_the_search_backend(client, db):
    from cms.settings.base import search_engine_backend

    assert client.get("/health/").json()["search"] == {
        "ok": True,
        "backend": "database",
    }
    backends = {"default": search_engine_backend(DEAD_ENGINE, "dead")}
    with override_settings(WAGTAILSEARCH_BACKENDS=backends):
        body = client.get("/health/").json()
    assert body["search"]["ok"] is False
    assert body["search"]["backend"] == "opensearch2"
    assert body["status"] == "degraded"


def test_ticketing_links_an_article_the_company_may_not_read_as_internal_only(
    gql, db, company_a, member_a, tickets_token
):
    internal = kb.article("Interne", audience=Audience.INTERNAL)
    variables = {"t": "T-7", "a": str(internal.pk), "c": str(company_a.pk)}
    refused = gql(LINK, variables, token=tickets_token)
    assert refused.errors[0]["extensions"]["code"] == "BAD_USER_INPUT"
    linked = gql(LINK_INTERNAL, variables, token=tickets_token)
    assert linked.errors is None, linked.errors
    assert linked.data["linkArticleToTicket"]["link"]["internal"] is True
    result = gql(TICKET_ARTICLES, {"t": "T-7"}, user=member_a)
    assert result.data["ticketArticles"]["items"] == []


def test_ticketing_cannot_link_or_read_back_an_article_no_longer_served(
    gql, db, company_a, tickets_token
):
    expired = kb.article("Périmé")
    ArticlePage.objects.filter(pk=expired.pk).update(
        expire_at=timezone.now() - datetime.timedelta(hours=1)
    )
    variables = {"t": "T-8", "a": str(expired.pk), "c": str(company_a.pk)}
    result = gql(LINK_INTERNAL, variables, token=tickets_token)
    assert result.errors[0]["extensions"]["code"] == "NOT_FOUND"
    TicketArticleLink.objects.create(
        ticket_ref="T-8", article=expired, company=company_a
    )
    result = gql(TICKET_ARTICLES, {"t": "T-8"}, token=tickets_token)
    assert result.data["ticketArticles"]["items"] == []


def test_search_results_are_one_page_of_the_shared_page_type(gql, db):
    for n in range(3):
        kb.article(f"Licence réseau {n}")
    result = gql(
        '{ searchArticles(query: "licence", page: 2, perPage: 2) '
        "{ total page perPage pages items { article { id } } } }"
    ).data["searchArticles"]
    assert {k: result[k] for k in ("total", "page", "perPage", "pages")} == {
        "total": 3,
        "page": 2,
        "perPage": 2,
        "pages": 2,
    }
    assert len(result["items"]) == 1
