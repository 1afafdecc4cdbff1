"""On PostgreSQL, the database search backend folds accents ("genant" finds "gênant"):
a text search configuration ``aplicit_fr`` = French stemming after ``unaccent``.
``unaccent`` is a trusted extension: the database owner may create it."""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS unaccent;
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'aplicit_fr') THEN
        CREATE TEXT SEARCH CONFIGURATION aplicit_fr (COPY = french);
        ALTER TEXT SEARCH CONFIGURATION aplicit_fr
            ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
    END IF;
END
$$;
"""


def create_config(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_config(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS aplicit_fr;")


class Migration(migrations.Migration):
    dependencies = [("kbsearch", "0002_pending_index_update")]

    operations = [migrations.RunPython(create_config, drop_config)]
