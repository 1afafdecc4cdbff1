"""The engine's reader keys state the same read rule as the SQL audience filter."""

from __future__ import annotations

import pytest

from catalog import selectors as catalog_selectors
from cms.access import ANONYMOUS, Caller, CallerKind, answering
from knowledge.models import Audience
from knowledge.readers import article_reader_keys, reader_keys_for
from knowledge.selectors import articles_visible_to
from tests.catalog.factories import ProductFactory, SubscriptionFactory
from tests.factories import CompanyFactory, UserFactory
from tests.knowledge import factories as kb


@pytest.fixture
def articles(company_a, company_b):
    revit = ProductFactory(code="revit", name="Revit")
    vault = ProductFactory(code="vault", name="Vault")
    SubscriptionFactory(company=company_a, product=revit)
    return {
        "public": kb.article(audience=Audience.PUBLIC),
        "clients": kb.article(audience=Audience.CLIENTS),
        "companies_a": kb.article(audience=Audience.COMPANIES, companies=[company_a]),
        "companies_none": kb.article(audience=Audience.COMPANIES),
        "owners_revit_or_b": kb.article(
            audience=Audience.PRODUCT_OWNERS, products=[revit], companies=[company_b]
        ),
        "owners_vault": kb.article(audience=Audience.PRODUCT_OWNERS, products=[vault]),
        "internal": kb.article(audience=Audience.INTERNAL),
    }


def test_reader_keys_agree_with_the_sql_rule(articles, member_a, member_b, staff):
    outsider = UserFactory(email="member@c.example", company=CompanyFactory())
    closed = UserFactory(
        email="member@closed.example", company=CompanyFactory(is_active=False)
    )
    service = Caller(CallerKind.SERVICE, scopes=frozenset({"tickets"}))
    callers = {
        "anonymous": ANONYMOUS,
        "member_a": Caller.of_user(member_a),
        "member_b": Caller.of_user(member_b),
        "outsider": Caller.of_user(outsider),
        "person of a deactivated company": Caller.of_user(closed),
        "staff": Caller.of_user(staff),
        "service acting for company A": service.acting_for(member_a.company_id),
        "service without a company": service,
        "any member of company B": Caller.member_of(member_b.company_id),
    }
    for caller_name, caller in callers.items():
        keys = reader_keys_for(caller)
        readable = set(articles_visible_to(caller).values_list("pk", flat=True))
        for article_name, article in articles.items():
            admitted = set(article_reader_keys(article))
            by_keys = keys is None or bool(set(keys) & admitted)
            assert by_keys == (article.pk in readable), (caller_name, article_name)


def test_what_each_caller_reads(articles, member_a, member_b):
    def names(caller):
        keys = set(reader_keys_for(caller))
        return {n for n, a in articles.items() if keys & set(article_reader_keys(a))}

    assert names(ANONYMOUS) == {"public"}
    assert names(Caller.of_user(member_a)) == {
        "public",
        "clients",
        "companies_a",
        "owners_revit_or_b",
    }
    assert names(Caller.of_user(member_b)) == {"public", "clients", "owners_revit_or_b"}


def test_internal_articles_have_no_reader_key(articles):
    assert article_reader_keys(articles["internal"]) == []
    assert article_reader_keys(articles["companies_none"]) == []


def test_a_request_builds_the_company_holdings_once(db, member_a, monkeypatch):
    """The engine's reader keys and the SQL rule of one request share the company's
    holdings; the next request builds them again (a holdings change shows at once)."""
    real, built = catalog_selectors.products_held_by, []

    def spy(**kwargs):
        built.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(catalog_selectors, "products_held_by", spy)
    caller = Caller.of_user(member_a)
    for _ in range(2):
        with answering(caller):
            reader_keys_for(caller)
            list(articles_visible_to(caller))
    assert built == [{"company_id": member_a.company_id}] * 2
