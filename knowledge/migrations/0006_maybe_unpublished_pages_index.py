"""A partial index of the pages that may be unpublished (not live, the root, or
with an expiry date): a listing's total subtracts the unpublished articles found
there from the count of the ``(audience, id)`` index, instead of joining every
article to its page (knowledge.selectors.article_count_for). The condition is
``cms.visibility.MAYBE_UNPUBLISHED``'s, as Django writes it. On Wagtail's page
table, which this app cannot give a model index."""

from django.db import migrations

INDEX = "knowledge_page_maybe_unpublished_idx"


class Migration(migrations.Migration):
    dependencies = [
        ("knowledge", "0005_french_names"),
        ("wagtailcore", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(
            f'CREATE INDEX {INDEX} ON "wagtailcore_page" ("id") '
            'WHERE NOT ("live" AND "depth" > 1 AND "expire_at" IS NULL)',
            f"DROP INDEX {INDEX}",
        ),
    ]
