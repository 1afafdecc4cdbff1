import re

from django.core import mail

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
