"""The « Support technique » group: Aplicit engineers who maintain the clients'
catalogue (products, subscriptions, licences, support contracts, the Autodesk import),
read the download history and reminders, edit companies, and write download pages.

Download pages: page permissions on the « Téléchargements » index when it exists now;
otherwise catalog.groups.support_setup_ensure grants them once it is created (mirrors
DOWNLOAD_PAGE_PERMISSIONS there). Search analytics: kbsearch 0004.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Support technique"

# (app label, codenames). Download events are an audit and reminders are written by
# the reminder task: read only.
PERMISSIONS = [
    ("wagtailadmin", ["access_admin"]),
    ("catalog", [
        "add_product", "change_product", "delete_product", "view_product",
        "add_subscription", "change_subscription", "delete_subscription",
        "view_subscription",
        "add_licence", "change_licence", "delete_licence", "view_licence",
        "add_supportcontract", "change_supportcontract", "delete_supportcontract",
        "view_supportcontract",
        "view_renewalreminder",
        "view_downloadevent",
    ]),
    ("accounts", ["change_company", "view_company"]),
]  # fmt: skip
DOWNLOAD_PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page"]


def _permissions(apps, app_label, codenames):
    # On a new database the permissions of these models are only created after the
    # last migration (post_migrate): create them now.
    create_permissions(global_apps.get_app_config(app_label), apps=apps, verbosity=0)
    Permission = apps.get_model("auth", "Permission")
    found = list(
        Permission.objects.filter(
            content_type__app_label=app_label, codename__in=codenames
        )
    )
    missing = set(codenames) - {p.codename for p in found}
    if missing:
        raise LookupError(f"Permissions {app_label}.{sorted(missing)} not found")
    return found


def create_support_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    DownloadIndexPage = apps.get_model("catalog", "DownloadIndexPage")

    group, _ = Group.objects.get_or_create(name=GROUP)
    for app_label, codenames in PERMISSIONS:
        group.permissions.add(*_permissions(apps, app_label, codenames))
    page_permissions = _permissions(apps, "wagtailcore", DOWNLOAD_PAGE_PERMISSIONS)
    for index_page in DownloadIndexPage.objects.all():
        for permission in page_permissions:
            GroupPagePermission.objects.get_or_create(
                group=group, page_id=index_page.pk, permission=permission
            )


def delete_support_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("catalog", "0003_downloads"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("wagtailcore", "0098_apitoken"),
        # After Wagtail's migrations that give every admin group the right to choose
        # images and documents, so that this group's rights never depend on the order.
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailimages", "0027_image_description"),
    ]

    operations = [migrations.RunPython(create_support_group, delete_support_group)]
