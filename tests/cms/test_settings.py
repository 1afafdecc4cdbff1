import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, **env):
    environment = {**os.environ, **env}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_real_secret_key():
    result = run_manage(
        "check", DJANGO_SETTINGS_MODULE="cms.settings.production", SECRET_KEY=""
    )
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == [
        "Configuration error: SECRET_KEY must be set to a random value of 40+ "
        "characters in production."
    ]


def test_production_starts_with_a_real_secret_key_and_secure_cookies():
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.GRAPHQL_INTROSPECTION,"
        " s.DEBUG)",
        DJANGO_SETTINGS_MODULE="cms.settings.production",
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="cms.example",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "False", "False"]


def test_environment_selects_database_hosts_and_language():
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; d = s.DATABASES['default'];"
        "print(d['ENGINE'], d['NAME'], s.ALLOWED_HOSTS, s.LANGUAGE_CODE, s.TIME_ZONE,"
        " s.CORS_ALLOWED_ORIGINS)",
        DJANGO_SETTINGS_MODULE="cms.settings.dev",
        DATABASE_URL="postgres://u:p@db.example:5432/portal",
        ALLOWED_HOSTS="cms.example,api.example",
        PORTAL_ORIGINS="https://portail.example",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "portal",
        "['cms.example',",
        "'api.example']",
        "fr",
        "Europe/Paris",
        "['https://portail.example']",
    ]


def test_default_database_is_an_embedded_sqlite_file(settings):
    if os.environ.get("DATABASE_URL"):
        pytest.skip("DATABASE_URL overrides the embedded default in this run")
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"


def test_health_reports_the_database(client, db):
    response = client.get("/health/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] in {"ok", "degraded"}
    assert body["database"]["ok"] is True


def test_demo_data_refuses_production_settings():
    result = run_manage(
        "load_demo_data",
        DJANGO_SETTINGS_MODULE="cms.settings.production",
        SECRET_KEY="y" * 50,
        DATABASE_URL="sqlite:///:memory:",
    )
    assert result.returncode != 0
    assert "Refusing to load demo data with production settings" in result.stderr
