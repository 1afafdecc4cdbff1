"""Tests: fast hashing, in-memory cache and mail, tasks run immediately."""

from .base import *  # noqa: F403

SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "api": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
}
# Answers are not kept in tests (they count queries); tests/cms/test_response_cache.py
# turns the cache on.
GRAPHQL_RESPONSE_CACHE_SECONDS = 0
GRAPHQL_RESPONSE_CACHE_HEADER = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
GRAPHQL_GRAPHIQL = False
GRAPHQL_INTROSPECTION = True
WAGTAILADMIN_BASE_URL = "http://testserver"
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
DEMO_DATA_ALLOWED = True
# Analytics written at once, in the request: tests read them right after.
ANALYTICS_FLUSH_SECONDS = 0
# Download files written by tests (demo loads) stay in memory; the download tests
# use a temporary folder.
STORAGES = {
    **STORAGES,  # noqa: F405
    "downloads": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
}
