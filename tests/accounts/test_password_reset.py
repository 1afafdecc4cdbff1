import re
from datetime import timedelta

from django.core import mail
from django.db.models import F

from accounts.models import AttemptWindow
from tests.factories import PASSWORD

REQUEST = "mutation($e: String!) { requestPasswordReset(email: $e) }"
RESET = """mutation($uid: String!, $token: String!, $pw: String!) {
  resetPassword(uid: $uid, token: $token, newPassword: $pw)
}"""
LOGIN = (
    "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }"
)


def test_reset_link_sets_a_new_password_once(gql, member_a):
    assert gql(REQUEST, {"e": "member@a.example"}).data == {
        "requestPasswordReset": True
    }
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["member@a.example"]
    uid, token = re.search(r"uid=([\w-]+)&token=([\w-]+)", message.body).groups()

    new = "Nouveau-mot-de-passe-2026"
    assert gql(RESET, {"uid": uid, "token": token, "pw": new}).data == {
        "resetPassword": True
    }
    assert gql(LOGIN, {"e": "member@a.example", "p": new}).errors is None
    assert gql(LOGIN, {"e": "member@a.example", "p": PASSWORD}).errors

    again = gql(RESET, {"uid": uid, "token": token, "pw": "Encore-un-autre-2026"})
    assert again.error_messages == [
        "Ce lien de réinitialisation est invalide ou a déjà servi."
    ]


def test_unknown_address_gets_the_same_answer_and_no_mail(gql, member_a):
    assert gql(REQUEST, {"e": "nobody@nowhere.example"}).data == {
        "requestPasswordReset": True
    }
    assert mail.outbox == []


def test_weak_new_password_is_refused_with_the_reason(gql, member_a):
    gql(REQUEST, {"e": "member@a.example"})
    uid, token = re.search(r"uid=([\w-]+)&token=([\w-]+)", mail.outbox[0].body).groups()
    result = gql(RESET, {"uid": uid, "token": token, "pw": "123"})
    assert result.errors and "court" in result.error_messages[0].lower()
    assert result.errors[0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_reset_revokes_open_tokens(gql, member_a):
    token = gql(LOGIN, {"e": "member@a.example", "p": PASSWORD}).data["login"]["token"]
    gql(REQUEST, {"e": "member@a.example"})
    uid, reset = re.search(r"uid=([\w-]+)&token=([\w-]+)", mail.outbox[0].body).groups()
    gql(RESET, {"uid": uid, "token": reset, "pw": "Nouveau-mot-de-passe-2026"})
    assert gql("{ me { email } }", token=token).status == 401


def test_reset_mails_stop_at_the_limit_per_email_and_the_answer_stays_true(
    gql, member_a, settings
):
    settings.PASSWORD_RESET_LIMIT_PER_EMAIL = 3
    for _ in range(5):
        answer = gql(REQUEST, {"e": "Member@A.example"}, REMOTE_ADDR="203.0.113.1")
        assert answer.data == {"requestPasswordReset": True}
    assert len(mail.outbox) == 3


def test_reset_mails_are_limited_per_client_address(gql, member_a, admin_a, settings):
    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = 2
    for email in ("nobody@a.example", "member@a.example", "admin@a.example"):
        gql(REQUEST, {"e": email}, REMOTE_ADDR="203.0.113.9")
    assert [m.to for m in mail.outbox] == [["member@a.example"]]
    gql(REQUEST, {"e": "admin@a.example"}, REMOTE_ADDR="198.51.100.7")
    assert mail.outbox[-1].to == ["admin@a.example"]


def test_reset_mail_limit_ends_after_an_hour(gql, member_a, settings):
    settings.PASSWORD_RESET_LIMIT_PER_EMAIL = 1
    gql(REQUEST, {"e": "member@a.example"})
    gql(REQUEST, {"e": "member@a.example"})
    assert len(mail.outbox) == 1
    AttemptWindow.objects.update(started_at=F("started_at") - timedelta(hours=1))
    gql(REQUEST, {"e": "member@a.example"})
    assert len(mail.outbox) == 2


def test_admin_forgotten_password_form_mails_a_link(client, staff):
    response = client.post("/admin/password_reset/", {"email": staff.email})
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [[staff.email]]


def test_admin_forgotten_password_form_shares_the_apis_limit(gql, client, staff):
    for _ in range(3):
        gql(REQUEST, {"e": staff.email})
    assert len(mail.outbox) == 3
    response = client.post("/admin/password_reset/", {"email": staff.email})
    assert response.status_code == 302
    assert response.url == "/admin/password_reset/done/"  # says nothing
    assert len(mail.outbox) == 3
