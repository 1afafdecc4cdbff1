"""Benchmark settings: the project's base settings, a database of its own, DEBUG off,
and Wagtail's REST API v2 switched on for the comparison (here only)."""

import os

from cms.settings.base import *  # noqa: F403
from cms.settings.base import (
    INSTALLED_APPS,
    STORAGES,
    VAR_DIR,
    env,
    search_engine_backend,
    tune_database,
)

BENCH_DIR = VAR_DIR / "bench"
BENCH_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = "bench-secret-key-not-for-production"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
# Fast hashing: the benchmark creates people, it does not measure logins.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
GRAPHQL_GRAPHIQL = False
DEMO_DATA_ALLOWED = False
# Answers computed on every call in process, where GraphQL is compared with peers
# that keep nothing; the HTTP run also serves them kept, as production does
# (bench/http.py sets BENCH_RESPONSE_CACHE_SECONDS).
GRAPHQL_RESPONSE_CACHE_SECONDS = int(
    os.environ.get("BENCH_RESPONSE_CACHE_SECONDS", "0")
)

DATABASES = {
    "default": env.db(
        "DATABASE_URL", default=f"sqlite:///{BENCH_DIR / 'bench.sqlite3'}"
    )
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
tune_database(DATABASES["default"])
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # gunicorn's two workers share the file: wait for a lock rather than fail at once.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20

# Download files on local disk, in a folder of the benchmark's own (kept between runs:
# the 200 MB file is copied once), whatever DOWNLOADS_BUCKET_NAME says; and Django
# streams them itself (no X-Accel-Redirect / X-Sendfile hand-off), as measured.
STORAGES = {
    **STORAGES,
    "downloads": {
        "BACKEND": "downloads.models.PrivateFileSystemStorage",
        "OPTIONS": {"location": str(BENCH_DIR / "private-downloads")},
    },
}
DOWNLOADS_SENDFILE = None

INSTALLED_APPS = [*INSTALLED_APPS, "wagtail.api.v2", "rest_framework"]
ROOT_URLCONF = "bench.urls"
WSGI_APPLICATION = "bench.wsgi.application"
REST_FRAMEWORK = {"DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    # A missing index on DELETE is expected (fresh indexes); not noise worth a line.
    "loggers": {"opensearch": {"level": "ERROR"}},
}

# The engine, when `python -m bench` found one (BENCH_SEARCH_URL), in indexes of
# its own (bench_*); the database backend beside it, as in production.
BENCH_SEARCH_URL = os.environ.get("BENCH_SEARCH_URL", "")
# One set of indexes per database, so the SQLite and PostgreSQL runs never share one;
# BENCH_INDEX names them apart from another checkout's benchmark on the same node.
BENCH_INDEX = "{}_{}".format(
    os.environ.get("BENCH_INDEX", "bench"),
    "sqlite" if DATABASES["default"]["ENGINE"].endswith("sqlite3") else "pg",
)
if BENCH_SEARCH_URL:
    WAGTAILSEARCH_BACKENDS = {
        "default": search_engine_backend(BENCH_SEARCH_URL, BENCH_INDEX),
        "database": {"BACKEND": "wagtail.search.backends.database"},
    }
else:
    WAGTAILSEARCH_BACKENDS = {
        "default": {"BACKEND": "wagtail.search.backends.database"},
    }
