"""Index updates recorded for download pages while they belonged to the catalog app
(``catalog.downloadpage``) are replayed under their new app label: the replay looks
the model up by label and would otherwise stop at them."""

from django.db import migrations

MODELS = ["downloadindexpage", "downloadpage"]


def _relabel(apps, old, new):
    PendingIndexUpdate = apps.get_model("kbsearch", "PendingIndexUpdate")
    for update in PendingIndexUpdate.objects.filter(app_label=old, model_name__in=MODELS):
        newer = PendingIndexUpdate.objects.filter(
            app_label=new, model_name=update.model_name, object_pk=update.object_pk
        )
        if newer.exists():
            update.delete()  # recorded again since, under the new label: that one wins
        else:
            update.app_label = new
            update.save(update_fields=["app_label"])


def forwards(apps, schema_editor):
    _relabel(apps, "catalog", "downloads")


def backwards(apps, schema_editor):
    _relabel(apps, "downloads", "catalog")


class Migration(migrations.Migration):

    dependencies = [
        ("downloads", "0001_initial"),
        ("kbsearch", "0006_support_group_search_analytics"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
