"""« Support technique » (catalog 0004) reads the search analytics (Reports →
« Recherches », « Recherches sans résultat »): every client's searches."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Support technique"
CODENAME = "view_searchquerydaily"


def _permission(apps):
    # On a new database the model's permissions only exist after the last migration.
    create_permissions(global_apps.get_app_config("kbsearch"), apps=apps, verbosity=0)
    return apps.get_model("auth", "Permission").objects.get(
        content_type__app_label="kbsearch", codename=CODENAME
    )


def grant(apps, schema_editor):
    group, _ = apps.get_model("auth", "Group").objects.get_or_create(name=GROUP)
    group.permissions.add(_permission(apps))


def revoke(apps, schema_editor):
    group = apps.get_model("auth", "Group").objects.filter(name=GROUP).first()
    if group is not None:
        group.permissions.remove(_permission(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0004_support_group"),
        ("kbsearch", "0005_ticket_link_internal"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
