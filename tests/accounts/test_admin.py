"""Staff manage companies, people and service tokens in the Wagtail admin."""

import re

import pytest

from accounts.models import Company, ServiceToken, User
from tests.factories import StaffFactory


@pytest.fixture
def superuser(db):
    return StaffFactory(email="boss@aplicit.example", is_superuser=True)


def test_staff_creates_a_service_token_shown_once(client, superuser):
    client.force_login(superuser)
    response = client.post(
        "/admin/service_tokens/new/",
        {"name": "ticketing", "scopes": ["tickets"]},
        follow=True,
    )
    assert response.status_code == 200
    page = response.content.decode()
    raw = re.search(r"apl_s_[\w-]+", page).group()
    token = ServiceToken.objects.get(name="ticketing")
    assert ServiceToken.objects.get_by_raw(raw) == token
    assert token.created_by == superuser
    listing = client.get("/admin/service_tokens/").content.decode()
    assert raw not in listing  # never shown again


def test_staff_revokes_a_service_token(client, superuser):
    token, raw = ServiceToken.generate(name="ticketing", scopes=["tickets"])
    client.force_login(superuser)
    client.post(
        f"/admin/service_tokens/edit/{token.pk}/", {"name": "ticketing", "revoke": "on"}
    )
    token.refresh_from_db()
    assert token.revoked_at is not None
    with pytest.raises(ServiceToken.DoesNotExist):
        ServiceToken.objects.get_by_raw(raw)


def test_staff_creates_a_client_person_with_company_and_role(client, superuser):
    company = Company.objects.create(name="Atelier A", customer_number="CLI-A")
    client.force_login(superuser)
    response = client.post(
        "/admin/users/new/",
        {
            "email": "new@a.example",
            "first_name": "Nina",
            "last_name": "Nouvelle",
            "company": company.pk,
            "role": "admin",
            "password1": "Un-mot-de-passe-solide-2026",
            "password2": "Un-mot-de-passe-solide-2026",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    person = User.objects.get(email="new@a.example")
    assert (person.company, person.role) == (company, "admin")


def test_clients_cannot_open_the_admin(client, member_a):
    client.force_login(member_a)
    response = client.get("/admin/service_tokens/")
    assert response.status_code == 302
