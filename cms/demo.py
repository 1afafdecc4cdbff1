"""Demo people and companies (``load_demo_data``); other apps add their own content."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group
from wagtail.models import Page

from accounts.models import Company, User

COMPANIES = [
    ("Atelier Durand Architectes", "CLI-10421"),
    ("BTP Rhône Ingénierie", "CLI-10587"),
    ("Morel Géomètres", "CLI-10733"),
]

# (email, first name, last name, company customer number or None for staff, role)
PEOPLE = [
    ("admin@aplicit.example", "Sophie", "Martin", None, "admin"),
    ("engineer@aplicit.example", "Julien", "Lefèvre", None, "member"),
    ("lead@aplicit.example", "Nadia", "Benali", None, "member"),
    ("alice@durand-archi.example", "Alice", "Durand", "CLI-10421", "admin"),
    ("arnaud@durand-archi.example", "Arnaud", "Petit", "CLI-10421", "member"),
    ("bruno@btp-rhone.example", "Bruno", "Garnier", "CLI-10587", "admin"),
    ("claire@morel-geometres.example", "Claire", "Morel", "CLI-10733", "admin"),
]


def load_people() -> list[User]:
    password = settings.DEMO_PASSWORD
    companies = {}
    for name, number in COMPANIES:
        companies[number], _ = Company.objects.update_or_create(
            customer_number=number, defaults={"name": name}
        )
    editors = Group.objects.filter(name="Editors").first()
    moderators = Group.objects.filter(name="Moderators").first()
    people = []
    for email, first, last, number, role in PEOPLE:
        staff = number is None
        user, created = User.objects.update_or_create(
            email=email,
            defaults={
                "first_name": first,
                "last_name": last,
                "company": companies.get(number),
                "role": role,
                "is_staff": staff,
                "is_superuser": email == "admin@aplicit.example",
            },
        )
        if created or not user.check_password(password):
            user.set_password(password)
            user.save(update_fields=["password"])
        if email == "engineer@aplicit.example" and editors:
            user.groups.add(editors)
        if email == "lead@aplicit.example" and moderators:
            user.groups.add(moderators, *([editors] if editors else []))
        people.append(user)
    return people


def content_loaders():
    """The other apps' demo loaders, in dependency order (catalogue before content
    that refers to it). Each is idempotent."""
    from importlib import import_module

    loaders = []
    for module_name in (
        "catalog.demo",
        "knowledge.demo",
        "downloads.demo",
        "search.demo",
    ):
        try:
            module = import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        loaders.append(module.load)
    return loaders


def summary() -> str:
    """What the demo holds, in a few counts (``load_demo_data``'s last line)."""
    counts = [
        (Company.objects.count(), "sociétés"),
        (User.objects.count(), "personnes"),
        (Page.objects.live().count(), "pages publiées"),
    ]
    return ", ".join(f"{n} {label}" for n, label in counts)
