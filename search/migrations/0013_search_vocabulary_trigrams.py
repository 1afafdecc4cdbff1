"""The vocabulary typos are corrected to (search.vocabulary), and on PostgreSQL the
trigram extension with a trigram index on its words (``word % 'famile'``).
``pg_trgm`` is a trusted extension: the database owner may create it. Nothing
PostgreSQL-specific happens on SQLite."""

from django.db import migrations, models

CREATE = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE INDEX IF NOT EXISTS kbsearch_searchterm_word_trgm
    ON kbsearch_searchterm USING gin (word gin_trgm_ops);
"""


def create_trigrams(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_trigrams(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS kbsearch_searchterm_word_trgm;")


class Migration(migrations.Migration):
    dependencies = [("kbsearch", "0012_french_names")]

    operations = [
        migrations.CreateModel(
            name="SearchTerm",
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
                (
                    "word",
                    models.CharField(max_length=40, unique=True, verbose_name="mot"),
                ),
            ],
            options={
                "verbose_name": "mot du vocabulaire",
                "verbose_name_plural": "vocabulaire de recherche",
            },
        ),
        migrations.RunPython(create_trigrams, drop_trigrams),
    ]
