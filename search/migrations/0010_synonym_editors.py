"""Engineers edit the search synonyms (Paramètres › « Synonymes de recherche »): the
article writers (« Editors ») and « Support technique »."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUPS = ("Editors", "Support technique")
CODENAMES = (
    "add_searchsynonym",
    "change_searchsynonym",
    "delete_searchsynonym",
    "view_searchsynonym",
)


def _permissions(apps):
    # On a new database the model's permissions only exist after the last migration.
    create_permissions(global_apps.get_app_config("kbsearch"), apps=apps, verbosity=0)
    return apps.get_model("auth", "Permission").objects.filter(
        content_type__app_label="kbsearch", codename__in=CODENAMES
    )


def grant(apps, schema_editor):
    permissions = list(_permissions(apps))
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GROUPS):
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    permissions = list(_permissions(apps))
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GROUPS):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("kbsearch", "0009_search_synonym_seed"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
