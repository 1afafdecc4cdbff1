"""Rebuild the vocabulary misspelt query words are corrected to (search.vocabulary)."""

from django.core.management.base import BaseCommand

from search.vocabulary import vocabulary_rebuild


class Command(BaseCommand):
    help = "Reconstruit le vocabulaire de correction des fautes de frappe."

    def handle(self, *args, **options):
        count = vocabulary_rebuild()
        self.stdout.write(f"{count} mots dans le vocabulaire de recherche.")
