from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import PortalToken, ServiceToken
from tests.factories import PASSWORD

LOGIN = """mutation($email: String!, $password: String!) {
  login(email: $email, password: $password) { token expiresAt me { email } }
}"""
ME = "{ me { email fullName isStaff role company { id name customerNumber } } }"


def login(gql, email, password=PASSWORD, **extra):
    return gql(LOGIN, {"email": email, "password": password}, **extra)


def test_login_returns_a_token_that_authenticates_the_person(gql, member_a, settings):
    result = login(gql, "Member@A.example")
    assert result.errors is None
    token = result.data["login"]["token"]
    assert token.startswith("apl_u_")
    me = gql(ME, token=token).data["me"]
    assert me["email"] == "member@a.example"
    assert me["company"]["name"] == "Atelier A"
    assert me["role"] == "MEMBER"
    stored = PortalToken.objects.get(user=member_a)
    assert token not in (stored.key_hash, stored.key_prefix)  # stored hashed
    expected = timezone.now() + settings.API_TOKEN_TTL
    assert abs(stored.expires_at - expected) < timedelta(seconds=30)


def test_wrong_password_and_unknown_account_get_the_same_answer(gql, member_a):
    wrong = login(gql, "member@a.example", "nope")
    unknown = login(gql, "nobody@a.example", "nope")
    assert (
        wrong.error_messages
        == unknown.error_messages
        == ["E-mail ou mot de passe incorrect."]
    )
    assert wrong.data is None or wrong.data["login"] is None


def test_expired_token_is_refused_with_401(gql, member_a):
    token, raw = PortalToken.generate(
        user=member_a, expires_at=timezone.now() - timedelta(seconds=1)
    )
    result = gql(ME, token=raw)
    assert result.status == 401
    assert "expiré" in result.error_messages[0]


def test_logout_revokes_the_token_in_use(gql, member_a):
    token = login(gql, "member@a.example").data["login"]["token"]
    other = login(gql, "member@a.example").data["login"]["token"]
    assert gql("mutation { logout }", token=token).data == {"logout": True}
    assert gql(ME, token=token).status == 401
    assert gql(ME, token=other).data["me"]["email"] == "member@a.example"


def test_failed_logins_lock_the_account_without_revealing_it(gql, member_a, settings):
    settings.LOGIN_FAILURE_LIMIT_PER_ACCOUNT = 3
    for _ in range(3):
        login(gql, "member@a.example", "bad")
    locked = login(gql, "member@a.example")  # even the right password
    assert "Trop de tentatives" in locked.error_messages[0]
    for _ in range(3):
        login(gql, "ghost@a.example", "bad")
    assert login(gql, "ghost@a.example").error_messages == locked.error_messages


def test_failed_logins_are_limited_per_address(gql, member_a, settings):
    settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS = 4
    for n in range(4):
        login(gql, f"someone{n}@a.example", "bad", REMOTE_ADDR="203.0.113.9")
    refused = login(gql, "member@a.example", REMOTE_ADDR="203.0.113.9")
    assert "Trop de tentatives" in refused.error_messages[0]
    elsewhere = login(gql, "member@a.example", REMOTE_ADDR="198.51.100.7")
    assert elsewhere.errors is None


def test_deactivated_person_token_stops_working(gql, member_a):
    token = login(gql, "member@a.example").data["login"]["token"]
    member_a.is_active = False
    member_a.save()
    assert gql(ME, token=token).status == 401


@pytest.mark.parametrize(
    "header", ["Bearer garbage", "Bearer apl_u_nothing", "Bearer "]
)
def test_malformed_bearer_is_refused(gql, db, header):
    result = gql(ME, HTTP_AUTHORIZATION=header)
    assert result.status == 401


def test_me_is_null_for_anonymous(gql, db):
    assert gql(ME).data == {"me": None}


def test_me_for_staff_has_no_company(gql, staff):
    me = gql(ME, user=staff).data["me"]
    assert me["isStaff"] is True
    assert me["company"] is None and me["role"] is None


def test_session_cookie_works_with_csrf_and_is_refused_without(gql, member_a):
    gql.http.force_login(member_a)
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(member_a)
    refused = strict.post("/graphql/", {"query": ME}, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["errors"][0]["message"]
    strict.get("/graphql/", {"query": ME}, HTTP_ACCEPT="application/json")
    csrf = strict.cookies["csrftoken"].value
    ok = strict.post(
        "/graphql/",
        {"query": ME},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=csrf,
    )
    assert ok.status_code == 200
    assert ok.json()["data"]["me"]["email"] == "member@a.example"


def test_service_token_command_prints_the_token_once_and_stores_a_hash(db, capsys):
    call_command("create_service_token", "ticketing", "--scope", "tickets")
    raw = capsys.readouterr().out.strip()
    assert raw.startswith("apl_s_")
    token = ServiceToken.objects.get(name="ticketing")
    assert token.scopes == ["tickets"]
    assert raw not in token.key_hash
    assert ServiceToken.objects.get_by_raw(raw) == token
    token.revoke()
    with pytest.raises(ServiceToken.DoesNotExist):
        ServiceToken.objects.get_by_raw(raw)


def test_service_token_is_anonymous_for_person_queries(gql, db):
    _, raw = ServiceToken.generate(name="ticketing", scopes=["tickets"])
    assert gql(ME, token=raw).data == {"me": None}
