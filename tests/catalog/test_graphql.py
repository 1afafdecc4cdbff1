"""The catalogue over GraphQL: a client sees its own company only, members see
licence secrets masked, and the cost does not grow with the catalogue."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import PortalToken
from catalog.models import LicenceType
from tests.catalog.factories import (
    LicenceFactory,
    ProductFactory,
    SubscriptionFactory,
    SupportContractFactory,
)
from tests.factories import UserFactory

CATALOGUE = """
fragment Catalogue on Company {
  id name customerNumber
  supportContract { level startDate endDate slaTargets { criticality responseMinutes } }
  subscriptions(perPage: 100) { total items {
    id autodeskId seats status endDate product { code includes { code } }
    licences { serialNumber productKey } } }
  licences { total items {
    id licenceType serialNumber productKey serverHost product { code } } }
  heldProducts { code }
}
"""
MY_COMPANY = CATALOGUE + "query { myCompany { ...Catalogue } }"
COMPANY = CATALOGUE + "query($id: ID!) { company(id: $id) { ...Catalogue } }"


@pytest.fixture
def catalogue(company_a, company_b):
    revit = ProductFactory(code="revit", name="Revit")
    autocad = ProductFactory(code="autocad", name="AutoCAD")
    sub_a = SubscriptionFactory(company=company_a, product=revit, autodesk_id="A-1")
    LicenceFactory(
        subscription=sub_a, serial_number="562-11112222", product_key="829R1"
    )
    sub_b = SubscriptionFactory(company=company_b, product=autocad, autodesk_id="B-1")
    LicenceFactory(
        subscription=sub_b,
        serial_number="400-99998888",
        product_key="001R1",
        licence_type=LicenceType.NETWORK,
        server_host="lic.b.example",
    )
    SupportContractFactory(company=company_a, bloquant_minutes=15)
    SupportContractFactory(company=company_b)
    return {"a": sub_a, "b": sub_b}


def test_client_sees_only_its_own_catalogue(gql, catalogue, member_b):
    result = gql(MY_COMPANY, user=member_b)
    assert result.errors is None
    company = result.data["myCompany"]
    assert company["name"] == "Bureau B"
    assert [s["autodeskId"] for s in company["subscriptions"]["items"]] == ["B-1"]
    assert [lic["product"]["code"] for lic in company["licences"]["items"]] == [
        "autocad"
    ]
    assert [p["code"] for p in company["heldProducts"]] == ["autocad"]
    assert company["supportContract"]["slaTargets"][0] == {
        "criticality": "BLOQUANT",
        "responseMinutes": 30,
    }


def test_client_cannot_reach_other_company_by_id(gql, catalogue, member_a, company_b):
    by_id = gql(COMPANY, {"id": str(company_b.pk)}, user=member_a)
    unknown = gql(COMPANY, {"id": "987654"}, user=member_a)
    own = gql(COMPANY, {"id": str(member_a.company_id)}, user=member_a)
    # Another company, an unknown id and even one's own: the same null, no error.
    assert by_id.data == unknown.data == own.data == {"company": None}
    assert by_id.errors is None and unknown.errors is None


def test_staff_reach_any_company_by_id(gql, catalogue, staff, company_b):
    result = gql(COMPANY, {"id": str(company_b.pk)}, user=staff)
    company = result.data["company"]
    assert company["customerNumber"] == "CLI-B"
    # Staff see licence secrets in clear.
    assert company["licences"]["items"][0]["serialNumber"] == "400-99998888"


def test_staff_without_company_and_anonymous_have_no_my_company(gql, staff, catalogue):
    assert gql(MY_COMPANY, user=staff).data == {"myCompany": None}
    assert gql(MY_COMPANY).data == {"myCompany": None}
    assert gql(COMPANY, {"id": str(catalogue["a"].company_id)}).data == {
        "company": None
    }


def test_filters_cannot_count_other_companies_subscriptions(gql, catalogue, member_a):
    query = """query { myCompany {
        expired: subscriptions(status: EXPIRED) { total items { id } }
        active: subscriptions(status: ACTIVE) { total items { id } }
        other: subscriptions(product: "autocad") { total items { id } }
        otherLicences: licences(product: "autocad") { total items { id } } } }"""
    data = gql(query, user=member_a).data["myCompany"]
    # B's AutoCAD subscription is active: it is neither listed nor counted for A.
    none = {"total": 0, "items": []}
    assert data == {"expired": none,
                    "active": {"total": 1, "items": [{"id": str(catalogue["a"].pk)}]},
                    "other": none, "otherLicences": none}  # fmt: skip


def test_grapple_generic_queries_do_not_list_client_data(gql, catalogue, member_a):
    result = gql("{ snippets { __typename } }", user=member_a)
    typenames = {s["__typename"] for s in (result.data or {}).get("snippets") or []}
    assert not typenames & {"Subscription", "Licence", "SupportContract"}


def test_admin_sees_licence_secrets_member_sees_them_masked(
    gql, catalogue, admin_a, member_a
):
    admin = gql(MY_COMPANY, user=admin_a).data["myCompany"]
    member = gql(MY_COMPANY, user=member_a).data["myCompany"]
    assert admin["licences"]["items"][0]["serialNumber"] == "562-11112222"
    assert admin["licences"]["items"][0]["productKey"] == "829R1"
    assert member["licences"]["items"][0]["serialNumber"] == "••••-2222"
    assert member["licences"]["items"][0]["productKey"] == "••••-1"
    # The same masking through the subscription's licences.
    nested = member["subscriptions"]["items"][0]["licences"][0]
    assert nested == {"serialNumber": "••••-2222", "productKey": "••••-1"}
    assert (
        admin["subscriptions"]["items"][0]["licences"][0]["serialNumber"]
        == "562-11112222"
    )


def test_subscription_status_and_collection_products(gql, company_a, member_a):
    autocad = ProductFactory(code="autocad")
    revit = ProductFactory(code="revit")
    aec = ProductFactory(code="aec-collection", is_collection=True)
    aec.includes.set([autocad, revit])
    today = timezone.localdate()
    SubscriptionFactory(
        company=company_a, product=aec, end_date=today + datetime.timedelta(days=20)
    )
    SubscriptionFactory(
        company=company_a,
        product=ProductFactory(code="vault"),
        start_date=today - datetime.timedelta(days=400),
        end_date=today - datetime.timedelta(days=1),
    )
    query = """query { myCompany {
        subscriptions { items { status product { code includes { code } } } }
        revit: subscriptions(product: "revit") { items { product { code } } }
        heldProducts { code } } }"""
    data = gql(query, user=member_a).data["myCompany"]
    assert {
        (s["status"], s["product"]["code"]) for s in data["subscriptions"]["items"]
    } == {
        ("EXPIRING", "aec-collection"),
        ("EXPIRED", "vault"),
    }
    assert data["revit"]["items"] == [{"product": {"code": "aec-collection"}}]
    assert sorted(p["code"] for p in data["heldProducts"]) == [
        "aec-collection",
        "autocad",
        "revit",
    ]


def _catalogue_queries(gql, user, company, count):
    product = ProductFactory(code="aec-collection", is_collection=True)
    product.includes.set([ProductFactory(code="revit"), ProductFactory(code="autocad")])
    for _ in range(count):
        subscription = SubscriptionFactory(company=company, product=product)
        LicenceFactory(subscription=subscription)
    with CaptureQueriesContext(connection) as queries:
        result = gql(MY_COMPANY, user=user)
    assert result.errors is None
    assert result.data["myCompany"]["subscriptions"]["total"] == count
    return len(queries)


@pytest.mark.parametrize("role", ["admin", "member"])
def test_200_subscriptions_cost_the_same_queries_as_5(gql, role):
    small = UserFactory(role=role)
    large = UserFactory(role=role)
    few = _catalogue_queries(gql, small, small.company, 5)
    many = _catalogue_queries(gql, large, large.company, 200)
    assert many <= few + 1  # the count, when the page is full
    assert many <= 15


# The portal's catalogue screen (bench/queries.py MY_COMPANY), licence products too.
PORTAL_CATALOGUE = """query { myCompany { id name subscriptions(perPage: 100) {
  total pages items {
  id autodeskId seats status daysRemaining endDate
  product { code name includes { code } }
  licences { id licenceType serialNumber productKey product { code includes { code } } }
} } } }"""


@pytest.mark.parametrize("role", ["admin", "member"])
@pytest.mark.parametrize("count", [5, 200])
def test_portal_catalogue_takes_five_queries_whatever_its_size(gql, role, count):
    user = UserFactory(role=role)
    aec = ProductFactory(code="aec-collection", is_collection=True)
    revit = ProductFactory(code="revit", name="Revit")
    aec.includes.set([revit, ProductFactory(code="autocad", name="AutoCAD")])
    ends = timezone.localdate() + datetime.timedelta(days=20)
    for _ in range(count):
        subscription = SubscriptionFactory(
            company=user.company, product=aec, end_date=ends
        )
        LicenceFactory(subscription=subscription)
    _, token = PortalToken.generate(user=user)
    gql(PORTAL_CATALOGUE, token=token)  # the token's first use is recorded
    with CaptureQueriesContext(connection) as queries:
        result = gql(PORTAL_CATALOGUE, token=token)
    assert result.errors is None
    page = result.data["myCompany"]["subscriptions"]
    subscriptions = page["items"]
    assert (page["total"], len(subscriptions)) == (count, min(count, 100))
    assert page["pages"] == -(-count // 100)
    # Token, company, one page of subscriptions, licences, products (with their
    # inclusions); and their count when the page is full (else the page tells it).
    assert len(queries) == (5 if count < 100 else 6), [q["sql"] for q in queries]
    first = subscriptions[0]
    assert (first["status"], first["daysRemaining"]) == ("EXPIRING", 20)
    includes = [{"code": "autocad"}, {"code": "revit"}]  # by name
    assert first["product"]["includes"] == includes
    licence = first["licences"][0]
    assert licence["product"] == {"code": "aec-collection", "includes": includes}
    masked = role == "member"
    assert licence["serialNumber"].startswith("••••-") is masked


SLA = """query($c: Criticality!, $at: DateTime, $company: ID) {
  slaDeadline(criticality: $c, openedAt: $at, companyId: $company) {
    dueAt responseMinutes basis criticality supportContract { level } } }"""


def test_sla_deadline_uses_the_charter_without_contract(gql, member_a):
    variables = {"c": "BLOQUANT", "at": "2026-11-27T17:50:00+01:00"}
    result = gql(SLA, variables, user=member_a)
    assert result.data["slaDeadline"] == {
        "dueAt": "2026-11-30T09:20:00+01:00",
        "responseMinutes": 30,
        "basis": "CHARTER",
        "criticality": "BLOQUANT",
        "supportContract": None,
    }


def test_sla_deadline_uses_the_callers_contract(gql, member_a, company_a):
    SupportContractFactory(
        company=company_a, genant_minutes=20, closes_at=datetime.time(19)
    )
    result = gql(SLA, {"c": "GENANT", "at": "2026-11-27T18:50:00+01:00"}, user=member_a)
    assert result.data["slaDeadline"]["dueAt"] == "2026-11-30T09:10:00+01:00"
    assert result.data["slaDeadline"]["basis"] == "CONTRACT"
    assert result.data["slaDeadline"]["responseMinutes"] == 20


def test_sla_deadline_of_another_company_is_staff_only(gql, member_a, company_b, staff):
    SupportContractFactory(company=company_b, bloquant_minutes=10)
    variables = {"c": "BLOQUANT", "at": "2026-11-27T17:55:00+01:00",
                 "company": str(company_b.pk)}  # fmt: skip
    refused = gql(SLA, variables, user=member_a)
    unknown = gql(SLA, {**variables, "company": "987654"}, user=member_a)
    assert refused.data is None
    assert refused.error_messages == unknown.error_messages == ["Société introuvable."]
    allowed = gql(SLA, variables, user=staff).data["slaDeadline"]
    assert allowed["dueAt"] == "2026-11-30T09:05:00+01:00"
    assert allowed["basis"] == "CONTRACT"
