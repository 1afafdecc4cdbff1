"""``load_demo_data`` tells its story in a few lines: a bar on a terminal, then one
summary line and the sign-in table; no page logs, no e-mails on the output."""

from __future__ import annotations

import io
import logging

from django.core.management import call_command

from cms.demo import PEOPLE


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_demo_loading_off_a_terminal_prints_a_summary_and_the_sign_in_table(db, caplog):
    out = io.StringIO()
    with caplog.at_level(logging.INFO):
        call_command("load_demo_data", "--no-index", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0].startswith("Données de démo chargées en ")
    assert "3 sociétés" in lines[0]
    assert lines[1] == "Connexion (mot de passe commun) :"
    assert len(lines) == 2 + len(PEOPLE)
    assert "\r" not in out.getvalue()  # no bar off a terminal
    page_logs = [r for r in caplog.records if r.name.startswith("wagtail")]
    assert page_logs == []


def test_demo_loading_on_a_terminal_shows_its_steps_then_the_summary(db):
    out = Terminal()

    call_command("load_demo_data", "--no-index", stdout=out)

    bar, _, rest = out.getvalue().rpartition("\n" + "Données de démo")
    assert "5/5 étapes" in bar.split("\r")[-1]  # people, four apps' loaders
    assert rest.startswith(" chargées en ")
