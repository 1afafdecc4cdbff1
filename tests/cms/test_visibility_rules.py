"""Every page type's visibility rule is registered at start-up, not on first use."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_page_rules_are_registered_when_django_starts():
    code = (
        "import django; django.setup();"
        "from cms.visibility import _rules;"
        "print(sorted(f'{r.__module__}.{r.__name__}' for r in _rules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"DJANGO_SETTINGS_MODULE": "cms.settings.test", "PATH": ""},
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    rules = result.stdout.strip()
    assert "knowledge.selectors" in rules
    assert "downloads.selectors" in rules
