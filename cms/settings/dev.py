"""Local development: debug pages, GraphiQL and introspection on."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
GRAPHQL_GRAPHIQL = env.bool("GRAPHQL_GRAPHIQL", default=True)
GRAPHQL_INTROSPECTION = env.bool("GRAPHQL_INTROSPECTION", default=True)
# Tasks run in the request unless a worker is wanted (TASKS_BACKEND=database).
if env("TASKS_BACKEND", default="immediate") == "immediate":
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DEMO_DATA_ALLOWED = True
# E-mails (demo notifications, password resets) land in var/mail/, one file each,
# instead of flooding the terminal.
EMAIL_BACKEND = env(
    "EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend"
)
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))  # noqa: F405
