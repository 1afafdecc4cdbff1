"""How search reads queries and tickets (search.text) and the admin's synonyms."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from search.models import SearchSynonym
from search.synonyms import synonym_map
from search.text import analyse, stem, text_keys, ticket_text, within_edits, words


def test_words_fold_accents_and_elision_and_keep_error_codes_whole():
    assert words("L'erreur -15.570.0 d'AutoCAD ; Désinstaller") == [
        "erreur",
        "-15.570.0",
        "autocad",
        "desinstaller",
    ]


def test_query_drops_stop_words_and_marks_codes_and_versions():
    analysis = analyse("le modèle central n'est pas accessible sur Revit 2026.1 -96")
    kinds = {c.text: c.kind for c in analysis.concepts}
    assert kinds == {
        "modele": "word",
        "central": "word",
        "accessible": "word",
        "revit": "word",
        "2026.1": "version",
        "-96": "code",
    }


def test_a_synonym_group_of_several_words_is_one_concept():
    synonyms = {"hors ligne": ("hors ligne", "offline", "sans internet")}
    analysis = analyse("activation hors ligne", synonyms)
    assert [c.texts for c in analysis.concepts] == [
        ["activation"],
        ["hors ligne", "offline", "sans internet"],
    ]


def test_ticket_loses_greeting_signature_quoted_reply_and_disclaimer():
    subject, question = ticket_text(
        "RE: [Ticket #4812] Licence Manager is not functioning",
        "Bonjour,\n\nLe problème est revenu sur PC-BE-07.\n\nCordialement\nLuc\n"
        "-----Message d'origine-----\n> Avez-vous redémarré ?\n"
        "Ce message est confidentiel.",
    )
    assert subject == "Licence Manager is not functioning"
    assert question == "Le problème est revenu sur PC-BE-07."


def test_english_ticket_signature_and_phone_footer_are_dropped():
    _, question = ticket_text(
        "Vault server upgrade",
        "Hi team,\nWhich SQL Server version is supported?\nKind regards,\nMark\n\n"
        "Sent from my iPhone",
    )
    assert question == "Which SQL Server version is supported?"


def test_one_typo_is_forgiven_two_are_not_in_a_short_word():
    assert within_edits("functionning", "functioning", 1)
    assert not within_edits("licnece", "licence", 1)


@pytest.mark.django_db
def test_synonyms_edited_in_the_admin_apply_to_the_next_query():
    SearchSynonym.objects.create(terms="Zorglub, ZGB")
    assert synonym_map()["zgb"] == ("Zorglub", "ZGB")

    row = SearchSynonym.objects.get(terms="Zorglub, ZGB")
    row.terms = "Zorglub, ZGB, ZB"
    row.save()

    assert synonym_map()["zb"] == ("Zorglub", "ZGB", "ZB")


@pytest.mark.django_db
def test_seeded_synonyms_know_autodesk_abbreviations():
    synonyms = synonym_map()
    assert "AutoCAD" in synonyms["acad"]
    assert "Civil 3D" in synonyms["c3d"]
    assert "offline" in synonyms["hors ligne"]


@pytest.mark.django_db
def test_engineers_list_and_search_synonyms_in_the_admin(admin_client):
    from django.urls import reverse

    url = reverse("wagtailsnippets_kbsearch_searchsynonym:list")
    page = admin_client.get(url, {"q": "acad"})
    assert page.status_code == 200
    assert "AutoCAD, ACAD" in page.content.decode()
    assert "Revit, RVT" not in page.content.decode()


def test_keys_are_the_same_when_threads_stem_at_once():
    """The dev server answers searches in threads: Snowball stemmers hold the word
    they work on, so a shared one mixes two searches' words up."""
    words = [f"installations{'x' * (n % 7)} configurées{n}" for n in range(3000)]
    expected = [text_keys.__wrapped__(w) for w in words]
    with ThreadPoolExecutor(max_workers=8) as pool:
        found = list(pool.map(text_keys.__wrapped__, words))
        stems = list(pool.map(stem, ["installations"] * 3000))

    assert found == expected
    assert set(stems) == {stem("installations")}
