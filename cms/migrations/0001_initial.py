import django.utils.timezone
from django.db import migrations, models


def create_row(apps, schema_editor):
    apps.get_model("cms", "ContentGeneration").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="ContentGeneration",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                ("value", models.BigIntegerField(default=0, verbose_name="génération")),
                (
                    "changed_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="modifiée le"
                    ),
                ),
            ],
            options={
                "verbose_name": "génération du contenu",
                "verbose_name_plural": "générations du contenu",
            },
        ),
        migrations.RunPython(create_row, migrations.RunPython.noop),
    ]
