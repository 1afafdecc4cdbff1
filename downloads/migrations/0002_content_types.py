"""The content types of the download models move from the catalog app to this one.

Rows are relabelled in place (``catalog.downloadpage`` becomes
``downloads.downloadpage``, same id), so everything that refers to them by id follows:
the pages' ``content_type``, revisions, log entries, the reference index, and the
permissions (« Support technique » keeps ``view_downloadevent``, now
``downloads.view_downloadevent``).
"""

from django.db import IntegrityError, migrations, transaction

MODELS = [
    "downloadindexpage",
    "downloadpage",
    "downloadfile",
    "downloadevent",
    "downloadnotificationpreference",
    "downloadnotification",
]


def _relabel(apps, schema_editor, old, new):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for content_type in ContentType.objects.using(db).filter(
        app_label=old, model__in=MODELS
    ):
        content_type.app_label = new
        try:
            with transaction.atomic(using=db):
                content_type.save(using=db, update_fields=["app_label"])
        except IntegrityError:
            # A row with the new label exists already (made by hand): left for
            # remove_stale_contenttypes, as Django's RenameContentType does.
            pass
    # Both caches map ids to (app label, model): drop what they hold.
    ContentType.objects.clear_cache()
    from django.contrib.contenttypes.models import ContentType as CurrentContentType

    CurrentContentType.objects.clear_cache()


def forwards(apps, schema_editor):
    _relabel(apps, schema_editor, "catalog", "downloads")


def backwards(apps, schema_editor):
    _relabel(apps, schema_editor, "downloads", "catalog")


class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("downloads", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
