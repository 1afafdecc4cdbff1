"""Typos on the database backend: a search that finds nothing is asked again with
its misspelt words corrected from the articles' vocabulary (trigrams on
PostgreSQL, edit distance on SQLite), and says so (``did_you_mean``)."""

from __future__ import annotations

import io

from django.core.management import call_command

from cms.access import Caller, CallerKind
from search.models import SearchTerm
from search.selectors import articles_search_for
from search.vocabulary import corrections
from tests.knowledge import factories as kb

from .test_search import body

STAFF = Caller(CallerKind.STAFF)


def test_a_published_article_brings_its_words_to_the_vocabulary(db):
    kb.article("Désinstallation complète", body=body("Supprimer les dossiers"))
    known = set(SearchTerm.objects.values_list("word", flat=True))
    assert {"desinstallation", "complete", "supprimer", "dossiers"} <= known


def test_a_misspelt_word_finds_its_article_and_says_what_was_meant(db):
    article = kb.article("Worksharing : synchroniser avec le central")
    found = articles_search_for(caller=STAFF, query="worksharnig")
    assert [hit.article.pk for hit in found.items] == [article.pk]
    assert found.did_you_mean == "worksharing"


def test_a_known_word_or_a_short_one_is_never_corrected(db):
    kb.article("Licence réseau")
    assert corrections(["licence", "reseau"]) == {}
    assert corrections(["wifi"]) == {}  # four letters: too ambiguous
    assert corrections(["licnece"]) == {"licnece": "licence"}


def test_a_search_that_finds_something_is_not_corrected(db):
    kb.article("Erreur de licence", body=body("licence"))
    found = articles_search_for(caller=STAFF, query="licence")
    assert found.total == 1 and found.did_you_mean is None


def test_the_vocabulary_is_rebuilt_from_the_live_articles(db):
    kb.article("Nomenclature de quincaillerie")
    SearchTerm.objects.all().delete()
    call_command("search_vocabulary", stdout=io.StringIO())
    assert SearchTerm.objects.filter(word="quincaillerie").exists()


def test_search_articles_says_what_was_meant(gql, db):
    kb.article("Worksharing : synchroniser avec le central")
    result = gql(
        "query($q: String!) { searchArticles(query: $q) { total didYouMean } }",
        {"q": "worksharnig"},
    )
    assert result.errors is None, result.errors
    assert result.data["searchArticles"] == {"total": 1, "didYouMean": "worksharing"}
