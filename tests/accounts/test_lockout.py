"""One sign-in lockout for the API's login mutation and the Wagtail admin's form, that
holds when the attempts arrive all at once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core.management import call_command
from django.db import connection, connections
from django.db.models import F
from django.test import Client, RequestFactory

from accounts import services
from accounts.models import AttemptWindow
from tests.conftest import GraphQLClient
from tests.factories import PASSWORD, UserFactory

LOCKED = "Trop de tentatives"
INVALID = "E-mail ou mot de passe incorrect."
LOGIN = """mutation($email: String!, $password: String!) {
  login(email: $email, password: $password) { token }
}"""
ADMIN_LOGIN = "/admin/login/"


def api_login(gql, email, password=PASSWORD, **extra):
    return gql(LOGIN, {"email": email, "password": password}, **extra)


def admin_login(client, email, password=PASSWORD):
    return client.post(ADMIN_LOGIN, {"username": email, "password": password})


@pytest.fixture
def password_checks(monkeypatch):
    """Counts the passwords compared (the test settings hash with MD5)."""
    checks = []
    lock = threading.Lock()
    verify = MD5PasswordHasher.verify

    def counting_verify(self, password, encoded):
        with lock:
            checks.append(password)
        return verify(self, password, encoded)

    monkeypatch.setattr(MD5PasswordHasher, "verify", counting_verify)
    return checks


def test_overlapping_wrong_passwords_are_checked_at_most_the_limit(
    member_a, password_checks, monkeypatch
):
    """24 attempts, all started while the first ones are still comparing their
    password (what simultaneous requests do); from 24 different addresses."""
    answers: list[str] = []
    started: list[int] = [0]
    factory = RequestFactory()

    def attempt(n: int) -> None:
        request = factory.post("/graphql/", REMOTE_ADDR=f"198.51.100.{n}")
        try:
            services.token_login(
                request=request, email="member@a.example", password=f"wrong-{n}"
            )
        except Exception as error:  # noqa: BLE001 - the answer is what we collect
            answers.append(str(error))

    verify = MD5PasswordHasher.verify

    def verify_while_the_others_start(self, password, encoded):
        while len(started) < 24:
            started.append(len(started))
            attempt(started[-1])
        return verify(self, password, encoded)

    monkeypatch.setattr(MD5PasswordHasher, "verify", verify_while_the_others_start)
    attempt(0)

    assert len(answers) == 24
    assert sum(a == INVALID for a in answers) == 5
    assert sum(a.startswith(LOCKED) for a in answers) == 19
    assert len(password_checks) == 5


# Threads need committed data; serialized_rollback restores what migrations created
# (Wagtail's root page, groups) for the tests that run after this one.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_simultaneous_wrong_passwords_on_one_account_are_checked_at_most_the_limit(
    password_checks, monkeypatch
):
    """24 threads, each with its own database connection, post a wrong password at
    the same moment. Runs on PostgreSQL (CI's second pass) and on an SQLite file
    (``DATABASES["default"]["TEST"]["NAME"]``), not on the in-memory test database."""
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip(
            "needs a database that threads share (PostgreSQL or an SQLite file): "
            "the in-memory SQLite test database locks tables instead of waiting"
        )
    UserFactory(email="target@a.example")
    start = threading.Barrier(24)
    verify = MD5PasswordHasher.verify

    def slow_verify(self, password, encoded):
        threading.Event().wait(0.05)  # a real hasher takes a while: widen the race
        return verify(self, password, encoded)

    monkeypatch.setattr(MD5PasswordHasher, "verify", slow_verify)

    def attempt(n: int) -> list[str]:
        try:
            gql = GraphQLClient()
            start.wait(timeout=30)
            result = api_login(gql, "target@a.example", f"wrong-{n}")
            return result.error_messages
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=24) as pool:
        answers = [messages[0] for messages in pool.map(attempt, range(24))]

    assert sum(a == INVALID for a in answers) == 5
    assert sum(a.startswith(LOCKED) for a in answers) == 19
    assert len(password_checks) <= 5


def test_admin_login_form_locks_out_after_the_limit_with_a_french_page(
    client, staff, password_checks
):
    for _ in range(5):
        response = admin_login(client, staff.email, "mauvais")
        assert response.status_code == 200  # the form again, "incorrect"
    locked = admin_login(client, staff.email)  # even the right password
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Trop de tentatives de connexion échouées" in page
    assert "Réessayez dans 15 minute(s)" in page
    assert len(password_checks) == 5
    assert "_auth_user_id" not in client.session


def test_lockout_on_the_admin_form_also_refuses_the_api_login(client, gql, member_a):
    for _ in range(5):
        admin_login(client, member_a.email, "mauvais")
    refused = api_login(gql, member_a.email)
    assert refused.error_messages[0].startswith(LOCKED)
    assert refused.status == 200  # a GraphQL error, not the admin's page


def test_lockout_through_the_api_also_refuses_the_admin_form(client, gql, staff):
    for _ in range(5):
        api_login(gql, staff.email, "mauvais")
    assert admin_login(client, staff.email).status_code == 429


def test_unknown_account_is_locked_out_with_the_same_page(client, db):
    for _ in range(5):
        admin_login(client, "personne@aplicit.example", "mauvais")
    assert admin_login(client, "personne@aplicit.example").status_code == 429


def test_successful_sign_ins_do_not_count_against_the_address(gql, member_a, settings):
    settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS = 3
    for _ in range(6):
        assert api_login(gql, member_a.email).errors is None


def test_a_right_password_forgives_the_accounts_earlier_failures(gql, member_a):
    for _ in range(4):
        api_login(gql, member_a.email, "mauvais")
    assert api_login(gql, member_a.email).errors is None
    for _ in range(4):
        api_login(gql, member_a.email, "mauvais")
    assert api_login(gql, member_a.email).errors is None


def test_lockout_ends_after_the_window(gql, member_a):
    for _ in range(5):
        api_login(gql, member_a.email, "mauvais")
    assert api_login(gql, member_a.email).error_messages[0].startswith(LOCKED)
    AttemptWindow.objects.update(started_at=F("started_at") - timedelta(minutes=15))
    assert api_login(gql, member_a.email).errors is None


def test_a_new_password_lifts_the_accounts_lockout(gql, member_a):
    for _ in range(5):
        api_login(gql, member_a.email, "mauvais")
    member_a.set_password("Nouveau-mot-de-passe-2026")
    member_a.save()
    assert api_login(gql, member_a.email, "Nouveau-mot-de-passe-2026").errors is None


def test_staff_lift_a_lockout_with_axes_reset_username(gql, member_a):
    for _ in range(5):
        api_login(gql, member_a.email, "mauvais")
    call_command("axes_reset_username", member_a.email)
    assert api_login(gql, member_a.email).errors is None


def test_the_test_client_login_is_counted_against_the_account(member_a):
    client = Client()
    for _ in range(5):
        assert not client.login(username=member_a.email, password="mauvais")
    assert not client.login(username=member_a.email, password=PASSWORD)
