"""The demo catalogue: each demo client sees exactly its own, and loading twice
changes nothing."""

from accounts.models import User
from catalog import demo
from catalog.models import Licence, Subscription, SupportContract
from cms import demo as cms_demo

QUERY = """{ myCompany { customerNumber supportContract { level }
  subscriptions { items { autodeskId status } } heldProducts { code } } }"""


def test_demo_clients_see_their_own_catalogue(gql, db):
    cms_demo.load_people()
    demo.load()
    demo.load()
    assert Subscription.objects.count() == 7 and Licence.objects.count() == 7
    assert SupportContract.objects.count() == 3
    seen = {}
    for email in (
        "alice@durand-archi.example",
        "bruno@btp-rhone.example",
        "claire@morel-geometres.example",
    ):
        company = gql(QUERY, user=User.objects.get(email=email)).data["myCompany"]
        seen[company["customerNumber"]] = company
    durand, btp, morel = seen["CLI-10421"], seen["CLI-10587"], seen["CLI-10733"]
    assert {s["autodeskId"][:9] for s in durand["subscriptions"]["items"]} == {
        "110000421"
    }
    assert {s["autodeskId"][:9] for s in btp["subscriptions"]["items"]} == {"110000587"}
    assert "EXPIRING" in {s["status"] for s in durand["subscriptions"]["items"]}
    assert [s["status"] for s in morel["subscriptions"]["items"]] == ["EXPIRED"]
    assert morel["heldProducts"] == []
    assert {p["code"] for p in durand["heldProducts"]} == {
        "aec-collection", "autocad", "revit", "civil-3d",
    }  # fmt: skip
    levels = {c["supportContract"]["level"] for c in seen.values()}
    assert levels == {"PREMIUM", "SERENITE", "ESSENTIEL"}
