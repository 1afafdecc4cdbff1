"""Settings shared by every environment; everything deployment-specific comes from the
environment (see the README's configuration table)."""

from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

SECRET_KEY = env("SECRET_KEY", default="insecure-dev-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])

INSTALLED_APPS = [
    "cms",
    "accounts",
    "knowledge",
    "catalog",
    "downloads",
    "search",
    "tickets",
    "accounts.apps.UsersAppConfig",  # replaces "wagtail.users" (custom user forms)
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.table_block",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "grapple",
    "graphene_django",
    "corsheaders",
    "django_filters",  # templates of the admin's filter widgets (date ranges)
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.BearerTokenMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into the admin's page
]

ROOT_URLCONF = "cms.urls"
WSGI_APPLICATION = "cms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "cms" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# The embedded default is an SQLite file; DATABASE_URL selects PostgreSQL in production.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=0))


def tune_database(database: dict) -> dict:
    """PostgreSQL without JIT compilation: the planner's (over)estimates for the
    audience rule's EXISTS subqueries make it JIT-compile a 20-row listing, which
    cost ~0.9 s of a 1.3 s query at 100,000 articles. Short web queries never
    gain from JIT. Index reads are costed as what they are when the data is in
    memory or on SSD (``random_page_cost`` 1.1, not spinning disks' 4): with 4,
    PostgreSQL read all 200,000 article-product links to check the 20 articles
    of a client's listing (at 100,000 articles: the page 80 -> 21 ms, its related
    links 60 -> 2 ms).

    SQLite (the embedded default) for concurrent requests: write-ahead logging
    (readers never wait for a writer), a busy timeout instead of an immediate
    « database is locked », and write transactions that take the lock when they
    begin (IMMEDIATE), so two of them never deadlock upgrading a read lock."""
    options = database.setdefault("OPTIONS", {})
    if database["ENGINE"].endswith("postgresql"):
        tuned = "-c jit=off -c random_page_cost=1.1"
        options["options"] = f"{tuned} {options.get('options', '')}".strip()
    elif database["ENGINE"].endswith("sqlite3"):
        options.setdefault(
            "init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
        )
        options.setdefault("timeout", 20)
        options.setdefault("transaction_mode", "IMMEDIATE")
    return database


tune_database(DATABASES["default"])
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": env.cache("CACHE_URL", default="locmemcache://"),
    # The API's kept answers (cms.api.response_cache): in each process's memory.
    "api": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "api-answers",
        "OPTIONS": {"MAX_ENTRIES": 1000},
    },
}
# How long an API answer may be kept at most; 0 keeps none. A change of content
# drops every kept answer at once, whatever this says (cms.api.response_cache).
GRAPHQL_RESPONSE_CACHE_SECONDS = env.int("GRAPHQL_RESPONSE_CACHE_SECONDS", default=60)
GRAPHQL_RESPONSE_CACHE_ALIAS = "api"
# X-Answer-Cache (hit/miss) on kept answers: for debugging only, off by default (a hit
# on an anonymous search would tell that someone asked the same in the last minute).
GRAPHQL_RESPONSE_CACHE_HEADER = env.bool("GRAPHQL_RESPONSE_CACHE_HEADER", default=DEBUG)

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "wagtailadmin_login"
# Django's ModelBackend behind the sign-in lockout (accounts/lockout.py).
AUTHENTICATION_BACKENDS = ["accounts.lockout.LockoutBackend"]

# French engineers write the content; English is available.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "cms" / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(VAR_DIR / "static"))
MEDIA_URL = env("MEDIA_URL", default="/media/")
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))

# Media: a local folder by default, an S3-compatible bucket when one is configured.
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    AWS_S3_ENDPOINT_URL = env("AWS_S3_ENDPOINT_URL", default=None)
    AWS_S3_REGION_NAME = env("AWS_S3_REGION_NAME", default=None)
    AWS_DEFAULT_ACL = None
    AWS_QUERYSTRING_AUTH = False
    _media_storage = {"BACKEND": "storages.backends.s3.S3Storage"}
else:
    _media_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _media_storage,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}

EMAIL_BACKEND = env(
    "EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env(
    "DEFAULT_FROM_EMAIL", default="Support Aplicit <support@aplicit.example>"
)

# The portal front end: its origins may call the API from a browser (CORS, CSRF).
PORTAL_URL = env("PORTAL_URL", default="http://localhost:3000")
PORTAL_ORIGINS = env.list("PORTAL_ORIGINS", default=[PORTAL_URL])
CORS_ALLOWED_ORIGINS = PORTAL_ORIGINS
CORS_ALLOW_CREDENTIALS = True
CSRF_TRUSTED_ORIGINS = PORTAL_ORIGINS
# The link of the password reset e-mail: the portal's page, which calls resetPassword.
PASSWORD_RESET_URL = env(
    "PASSWORD_RESET_URL", default=PORTAL_URL + "/mot-de-passe/nouveau"
)

# API tokens and the sign-in lockout: one for the API's login mutation and the admin's
# form, counting failed sign-ins per account (existing or not) and per client address
# in a fixed window, in the database (accounts/lockout.py, behind django-axes).
API_TOKEN_TTL = timedelta(hours=env.int("API_TOKEN_TTL_HOURS", default=12))
LOGIN_FAILURE_LIMIT_PER_ACCOUNT = env.int("LOGIN_FAILURE_LIMIT_PER_ACCOUNT", default=5)
LOGIN_FAILURE_LIMIT_PER_ADDRESS = env.int("LOGIN_FAILURE_LIMIT_PER_ADDRESS", default=30)
LOGIN_FAILURE_WINDOW = timedelta(
    minutes=env.int("LOGIN_FAILURE_WINDOW_MINUTES", default=15)
)
# How many reverse proxies (the portal's server, a load balancer) stand in front of us:
# the client address is then read from X-Forwarded-For, never trusted otherwise.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# axes' hooks; the handler reads the three LOGIN_FAILURE_* settings above.
AXES_HANDLER = "accounts.lockout.LockoutHandler"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "accounts.lockout.submitted_account"
AXES_CLIENT_IP_CALLABLE = "accounts.throttle.client_address"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_VERBOSE = False

# Password-reset mails (API and admin alike), per e-mail and per client address.
PASSWORD_RESET_LIMIT_PER_EMAIL = env.int("PASSWORD_RESET_LIMIT_PER_EMAIL", default=3)
PASSWORD_RESET_LIMIT_PER_ADDRESS = env.int(
    "PASSWORD_RESET_LIMIT_PER_ADDRESS", default=20
)
PASSWORD_RESET_WINDOW = timedelta(
    minutes=env.int("PASSWORD_RESET_WINDOW_MINUTES", default=60)
)

# GraphQL: grapple builds the schema from the apps' models and hooks.
GRAPHENE = {"SCHEMA": "cms.api.schema.schema"}
GRAPPLE = {
    "APPS": ["knowledge", "catalog", "downloads"],
    "EXPOSE_GRAPHIQL": False,
    "PAGE_SIZE": 20,
    "MAX_PAGE_SIZE": 100,
    # Renditions the portal may ask for (no arbitrary sizes: each one is a file).
    "ALLOWED_IMAGE_FILTERS": ["fill-96x96", "fill-192x192", "width-800", "width-1600"],
}
GRAPHQL_MAX_DEPTH = env.int("GRAPHQL_MAX_DEPTH", default=12)
GRAPHQL_MAX_ALIASES = env.int("GRAPHQL_MAX_ALIASES", default=30)
GRAPHQL_MAX_FIELDS = env.int("GRAPHQL_MAX_FIELDS", default=600)
GRAPHQL_MAX_QUERY_LENGTH = env.int("GRAPHQL_MAX_QUERY_LENGTH", default=20_000)
GRAPHQL_INTROSPECTION = env.bool("GRAPHQL_INTROSPECTION", default=True)
# Parsed and validated documents kept per process (cms/api/documents.py): how many,
# and the longest document kept (a longer one is checked on every request). A parsed
# document of 4,000 one-letter fields holds ~0.45 MB: at most ~60 MB per process.
GRAPHQL_DOCUMENT_CACHE_SIZE = env.int("GRAPHQL_DOCUMENT_CACHE_SIZE", default=128)
GRAPHQL_DOCUMENT_CACHE_MAX_LENGTH = env.int(
    "GRAPHQL_DOCUMENT_CACHE_MAX_LENGTH", default=4_000
)
GRAPHQL_GRAPHIQL = env.bool("GRAPHQL_GRAPHIQL", default=False)
GRAPHQL_MAX_PAGE_SIZE = GRAPPLE["MAX_PAGE_SIZE"]

# Wagtail
WAGTAIL_SITE_NAME = "Aplicit — Support"
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", default="http://127.0.0.1:8000")
WAGTAIL_ENABLE_UPDATE_CHECK = False
# The database backend; on PostgreSQL with the accent-folding French configuration
# created by search/migrations/0003 ("genant" finds "gênant", as on the engine).
DATABASE_SEARCH_BACKEND = {"BACKEND": "wagtail.search.backends.database"}
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASE_SEARCH_BACKEND["SEARCH_CONFIG"] = "aplicit_fr"
WAGTAILSEARCH_BACKENDS = {"default": DATABASE_SEARCH_BACKEND}
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAIL_PASSWORD_RESET_ENABLED = True
WAGTAILADMIN_USER_PASSWORD_RESET_FORM = "accounts.forms.LimitedPasswordResetForm"
WAGTAILADMIN_USER_LOGIN_FORM = "accounts.forms.AdminLoginForm"
# The admin speaks French only: no language choice in the account settings.
WAGTAILADMIN_PERMITTED_LANGUAGES = [("fr", "Français")]

# Background tasks (django-tasks): database queue and a worker in production.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
    },
}

# Demo data (load_demo_data): the password of every demo person.
DEMO_PASSWORD = env("DEMO_PASSWORD", default="demo1234")
DEMO_DATA_ALLOWED = env.bool("DEMO_DATA_ALLOWED", default=False)

# Catalogue (catalog/): renewal reminders to company admins, N days before a
# subscription ends, and the staff report's recipients (default: every active staff
# person). See the README's "Catalogue" section for the cron lines.
CATALOG_RENEWAL_REMINDER_DAYS = env.list(
    "RENEWAL_REMINDER_DAYS", cast=int, default=[90, 45, 30, 4]
)
CATALOG_RENEWAL_REPORT_RECIPIENTS = env.list("RENEWAL_REPORT_EMAILS", default=[])

# Search (search/): the database backend by default; SEARCH_URL selects an OpenSearch 2
# node. The "database" backend is kept beside the engine so searches can fall back to it
# when the engine is down (it is indexed on save like any other backend).
SEARCH_URL = env("SEARCH_URL", default="")
SEARCH_INDEX = env("SEARCH_INDEX", default="aplicit")
# French/English analysis: elision (l'erreur), lowercase, accents folded (gênant =
# genant), light French stemming. The standard tokenizer keeps error codes such as
# "-15.570.0" (token "15.570.0") and names such as "Civil 3D" searchable.
SEARCH_INDEX_SETTINGS = {
    "settings": {
        "analysis": {
            "filter": {
                "fr_elision": {
                    "type": "elision",
                    "articles_case": True,
                    "articles": "l m t qu n s j d c jusqu quoiqu lorsqu puisqu".split(),
                },
                "fr_stemmer": {"type": "stemmer", "language": "light_french"},
                # The synonyms of the admin (search.models.SearchSynonym), applied at
                # search time only: written when an index is created and rewritten
                # when an engineer edits them (search.synonyms.engine_synonyms_push).
                "aplicit_synonyms": {
                    "type": "synonym_graph",
                    "synonyms": [],
                    "updateable": True,
                    "lenient": True,
                },
            },
            "analyzer": {
                "default": {
                    "type": "custom",
                    "tokenizer": "standard",
                    "filter": ["fr_elision", "lowercase", "asciifolding", "fr_stemmer"],
                },
                # The index analyser, then the synonyms (rules are read through the
                # same chain, so « ACAD » and « acad » are one rule).
                "aplicit_search": {
                    "type": "custom",
                    "tokenizer": "standard",
                    "filter": [
                        "fr_elision",
                        "lowercase",
                        "asciifolding",
                        "fr_stemmer",
                        "aplicit_synonyms",
                    ],
                },
            },
        }
    }
}


def search_engine_backend(url: str, index: str) -> dict:
    """The modelsearch settings of an OpenSearch 2 backend (also used by the tests)."""
    return {
        "BACKEND": "search.backends",  # opensearch2, recording missed updates
        "URLS": [url],
        "INDEX_PREFIX": f"{index}_",
        "TIMEOUT": 5,
        "ATOMIC_REBUILD": True,  # a rebuild fills a new index; the old one serves
        "INDEX_SETTINGS": SEARCH_INDEX_SETTINGS,
    }


# Where synonyms are applied on the engine: "engine" (the search-time synonym_graph
# analyser above, kept in step with the admin without a reindex) or "python" (each
# query expanded by search.text, as on the database backend). docs/relevance.md.
SEARCH_ENGINE_SYNONYMS = env("SEARCH_ENGINE_SYNONYMS", default="engine")

# Analytics (searches per query, views per article) are counted in memory and
# written by a background thread every this many seconds (cms/counters.py: a crash
# loses at most this interval's counts); 0 writes each count in the request.
ANALYTICS_FLUSH_SECONDS = env.float("ANALYTICS_FLUSH_SECONDS", default=2.0)

# Index updates missed while the engine was down are replayed by searches, /health/
# and `manage.py replay_index_updates`, at most once per this many seconds.
SEARCH_REPLAY_RETRY_SECONDS = env.int("SEARCH_REPLAY_RETRY_SECONDS", default=30)

if SEARCH_URL:
    WAGTAILSEARCH_BACKENDS = {
        "default": search_engine_backend(SEARCH_URL, SEARCH_INDEX),
        "database": DATABASE_SEARCH_BACKEND,
    }

# Knowledge base: an article not reviewed for this long is listed as "à relire".
KNOWLEDGE_STALE_AFTER_MONTHS = env.int("KNOWLEDGE_STALE_AFTER_MONTHS", default=12)

# Downloads (downloads/): patch and installer files live in private storage, never at
# a media URL; a signed link (valid DOWNLOAD_LINK_TTL_SECONDS) is served by
# downloads.views.download_file, or handed to the web server (DOWNLOADS_SENDFILE:
# "x-accel-redirect" for nginx, "x-sendfile" for Apache, empty: Django streams).
DOWNLOADS_BUCKET_NAME = env("DOWNLOADS_BUCKET_NAME", default="")
if DOWNLOADS_BUCKET_NAME:
    STORAGES["downloads"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": DOWNLOADS_BUCKET_NAME,
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 600,
            "file_overwrite": False,
        },
    }
else:
    STORAGES["downloads"] = {
        "BACKEND": "downloads.models.PrivateFileSystemStorage",
        "OPTIONS": {
            "location": env(
                "DOWNLOADS_ROOT", default=str(VAR_DIR / "private-downloads")
            ),
            "base_url": None,
        },
    }
DOWNLOAD_LINK_TTL_SECONDS = env.int("DOWNLOAD_LINK_TTL_SECONDS", default=600)
DOWNLOADS_SENDFILE = env("DOWNLOADS_SENDFILE", default="") or None
# nginx: the internal location that maps to the downloads folder (see the README).
DOWNLOADS_ACCEL_PREFIX = env("DOWNLOADS_ACCEL_PREFIX", default="/protected-downloads/")
