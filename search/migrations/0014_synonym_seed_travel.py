"""More French/English support words: a licence taken on the road (« déplacement »,
"travel"; « portable », "laptop"), what a client writes when he means borrowing a
network licence."""

from django.db import migrations

SEED = [
    ("déplacement, en déplacement, voyage, travel, travelling", "Licence emportée"),
    ("portable, ordinateur portable, laptop, notebook", ""),
]


def seed(apps, schema_editor):
    SearchSynonym = apps.get_model("kbsearch", "SearchSynonym")
    for terms, note in SEED:
        SearchSynonym.objects.get_or_create(terms=terms, defaults={"note": note})


def unseed(apps, schema_editor):
    SearchSynonym = apps.get_model("kbsearch", "SearchSynonym")
    SearchSynonym.objects.filter(terms__in=[terms for terms, _ in SEED]).delete()


class Migration(migrations.Migration):
    dependencies = [("kbsearch", "0013_search_vocabulary_trigrams")]

    operations = [migrations.RunPython(seed, unseed)]
