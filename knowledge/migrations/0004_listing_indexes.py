"""An index on the articles' audience and id: counting the articles a caller may
read (the listings' ``total``) reads it instead of every article's row."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("knowledge", "0003_article_body_text"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="articlepage",
            index=models.Index(
                fields=["audience", "page_ptr"], name="knowledge_article_audience_idx"
            ),
        ),
    ]
