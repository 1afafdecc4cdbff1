"""``manage.py load_demo_data``: the demo companies, people and content, then the
search index. On a terminal a bar follows the steps; the page logs of the loaders
(Wagtail logs each page created and published) are held back unless ``-v 2``; one
summary line and the sign-in table come last."""

from __future__ import annotations

import logging
import time
from contextlib import contextmanager

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from cms import demo

STEP_NAMES = {
    "catalog": "catalogue",
    "knowledge": "articles",
    "downloads": "téléchargements",
    "search": "recherches",
}


@contextmanager
def quiet_loggers(*names: str, level: int = logging.WARNING):
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(level)
    try:
        yield
    finally:
        for logger, previous in zip(loggers, levels, strict=True):
            logger.setLevel(previous)


class Command(BaseCommand):
    help = "Load realistic demo companies, people and content (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-index", action="store_true", help="Skip rebuilding the search index."
        )

    def handle(self, *args, no_index=False, **options):
        if settings.SETTINGS_MODULE.endswith("production") or not (
            settings.DEBUG or settings.DEMO_DATA_ALLOWED
        ):
            raise CommandError(
                "Refusing to load demo data with production settings "
                f"({settings.SETTINGS_MODULE})."
            )
        started = time.monotonic()
        loaders = demo.content_loaders()
        terminal = self.stdout.isatty() and options["verbosity"] >= 1
        bar = tqdm(
            total=1 + len(loaders) + (0 if no_index else 1),
            file=self.stdout._out,
            dynamic_ncols=True,
            disable=not terminal,
            bar_format="{desc:<22} {bar} {n_fmt}/{total_fmt} étapes [{elapsed}]",
        )
        noisy = () if options["verbosity"] >= 2 else ("wagtail", "modelsearch")
        with bar, quiet_loggers(*noisy):
            with transaction.atomic():
                bar.set_description_str("personnes")
                people = demo.load_people()
                bar.update()
                for loader in loaders:
                    app = loader.__module__.split(".")[0]
                    bar.set_description_str(STEP_NAMES.get(app, app))
                    loader()
                    bar.update()
            if not no_index:
                bar.set_description_str("index de recherche")
                call_command("update_index", verbosity=0)
                bar.update()
        self.stdout.write(
            self.style.SUCCESS(
                f"Données de démo chargées en {time.monotonic() - started:.0f} s : "
                f"{demo.summary()}"
                + ("" if no_index else ", index de recherche à jour")
                + "."
            )
        )
        self.stdout.write("Connexion (mot de passe commun) :")
        for user in people:
            who = "équipe Aplicit" if user.is_staff else f"{user.company} ({user.role})"
            self.stdout.write(f"  {user.email:<34} {settings.DEMO_PASSWORD}   {who}")
