"""A new password ends every open API session of the person, whichever way it was set;
anything else (a sign-in, an edit of the name) leaves them open."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core import mail
from django.core.management import call_command

from accounts.models import PortalToken, User
from tests.factories import PASSWORD, StaffFactory

NEW = "Nouveau-mot-de-passe-2026"
ME = "{ me { email } }"
LOGIN = (
    "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }"
)


@pytest.fixture
def superuser(db):
    return StaffFactory(email="boss@aplicit.example", is_superuser=True)


def open_token(user: User) -> str:
    _, raw = PortalToken.generate(user=user)
    return raw


def assert_signed_out(gql, token: str) -> None:
    assert gql(ME, token=token).status == 401


def test_api_reset_ends_the_api_sessions(gql, member_a):
    token = open_token(member_a)
    gql('mutation { requestPasswordReset(email: "member@a.example") }')
    uid, reset = re.search(r"uid=([\w-]+)&token=([\w-]+)", mail.outbox[0].body).groups()
    reset_password = """mutation($u: String!, $t: String!, $p: String!) {
      resetPassword(uid: $u, token: $t, newPassword: $p) }"""
    assert gql(reset_password, {"u": uid, "t": reset, "p": NEW}).errors is None
    assert_signed_out(gql, token)


def test_admin_forgotten_password_flow_ends_the_api_sessions(gql, client, staff):
    token = open_token(staff)
    client.post("/admin/password_reset/", {"email": staff.email})
    link = re.search(r"/admin/password_reset/confirm/\S+/", mail.outbox[0].body).group()
    form = client.get(link, follow=True)
    assert form.status_code == 200
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW}
    )
    assert done.status_code == 302, done.content.decode()[:500]
    staff.refresh_from_db()
    assert staff.check_password(NEW)
    assert_signed_out(gql, token)


def test_password_change_on_the_admin_account_page_ends_the_api_sessions(
    gql, client, superuser
):
    token = open_token(superuser)
    client.force_login(superuser)
    response = client.post(
        "/admin/account/",
        {
            # the page saves all its panels: theirs too
            "name_email-first_name": superuser.first_name,
            "name_email-last_name": superuser.last_name,
            "name_email-email": superuser.email,
            "locale-preferred_language": "fr",
            "locale-current_time_zone": "Europe/Paris",
            "theme-theme": "system",
            "theme-density": "default",
            "theme-contrast": "system",
            "password-old_password": PASSWORD,
            "password-new_password1": NEW,
            "password-new_password2": NEW,
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]
    superuser.refresh_from_db()
    assert superuser.check_password(NEW)
    assert_signed_out(gql, token)


def edit_person(client, person: User, **changes) -> None:
    data = {
        "email": person.email,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "company": person.company_id or "",
        "role": person.role,
        "is_active": "on",
        "password1": "",
        "password2": "",
        **changes,
    }
    response = client.post(f"/admin/users/edit/{person.pk}/", data)
    assert response.status_code == 302, response.content.decode()[:2000]


def test_staff_setting_a_password_in_the_user_editor_ends_the_api_sessions(
    gql, client, superuser, member_a
):
    token = open_token(member_a)
    client.force_login(superuser)
    edit_person(client, member_a, password1=NEW, password2=NEW)
    member_a.refresh_from_db()
    assert member_a.check_password(NEW)
    assert_signed_out(gql, token)


def test_editing_a_person_without_a_new_password_keeps_the_api_sessions(
    gql, client, superuser, member_a
):
    token = open_token(member_a)
    client.force_login(superuser)
    edit_person(client, member_a, first_name="Camille-Renommée")
    assert gql(ME, token=token).data == {"me": {"email": "member@a.example"}}


def test_set_password_and_save_from_a_shell_ends_the_api_sessions(gql, member_a):
    token = open_token(member_a)
    person = User.objects.get(pk=member_a.pk)
    person.set_password(NEW)
    person.save()
    assert_signed_out(gql, token)


def test_changepassword_command_ends_the_api_sessions(gql, member_a, monkeypatch):
    token = open_token(member_a)
    monkeypatch.setattr(
        "django.contrib.auth.management.commands.changepassword.getpass.getpass",
        lambda prompt="": NEW,
    )
    call_command("changepassword", member_a.email, stdout=None)
    assert_signed_out(gql, token)


class QuickPBKDF2(PBKDF2PasswordHasher):
    iterations = 1


def test_sign_in_that_upgrades_the_password_hash_keeps_the_api_sessions(
    gql, member_a, settings
):
    token = open_token(member_a)
    # A new preferred hasher: the next sign-in rehashes the same password.
    settings.PASSWORD_HASHERS = [
        f"{__name__}.QuickPBKDF2",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    assert gql(LOGIN, {"e": member_a.email, "p": PASSWORD}).errors is None
    member_a.refresh_from_db()
    assert member_a.password.startswith("pbkdf2_sha256$1$")
    assert gql(ME, token=token).data == {"me": {"email": "member@a.example"}}
