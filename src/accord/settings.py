"""Accord settings, read from the environment.

Every value has a default that makes the embedded demo work; production sets
``SECRET_KEY``, ``ALLOWED_HOSTS``, ``DATABASE_URL`` and friends (see README).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
from pathlib import Path

import dj_database_url
import dj_email_url
from django.core.exceptions import ImproperlyConfigured


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from exc


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("ACCORD_DATA_DIR", str(Path.cwd() / "var"))).resolve()

# The embedded database and queue live here unless DATABASE_URL / REDIS_URL point elsewhere.
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)
TESTING = env_bool("ACCORD_TESTING", False)
# `accord demo` sets ACCORD_DEMO: on this machine over plain HTTP, with a development key,
# but without Django's debug pages, so the demo shows Accord's own error pages.
DEMO = env_bool("ACCORD_DEMO", False)
# Running on one machine for development, the demo or the tests: HTTP, static files from the
# source tree, email printed, a fixed development key.
LOCAL = DEBUG or DEMO or TESTING

_INSECURE_DEV_KEY = "accord-insecure-development-key-do-not-use-in-production-0123456789"
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not LOCAL:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it to a long random value (production), "
            "or set DEBUG=true for local development."
        )
    SECRET_KEY = _INSECURE_DEV_KEY

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if LOCAL else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",  # serves its bundled Swagger UI, so /api/docs needs no CDN
    "huey.contrib.djhuey",
    "axes",
    "accord.core",
    "accord.org",
    "accord.surveys",
    "accord.access",
    "accord.notify",
    "accord.goals",
    "accord.insights",
    "accord.actions",
    "accord.expectations",
    "accord.shadowing",
    "accord.leadership",
    "accord.charters",
    "accord.api",
    "accord.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "accord.core.middleware.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires
]

ROOT_URLCONF = "accord.urls"
WSGI_APPLICATION = "accord.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accord.core.context_processors.navigation",
            ],
        },
    }
]

# SQLite under the data directory unless DATABASE_URL says otherwise.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'accord.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while the worker writes; IMMEDIATE avoids
    # "database is locked" on write transactions that start as reads.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "access.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Hashing cost is not what the tests measure.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sign-in throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one email from
# one address, that pair is refused for AXES_COOLOFF_TIME; a success clears the count. Locking
# the pair, not the address, keeps one person's typos from locking out a hospital behind a
# shared NAT, and a stranger from locking out a colleague elsewhere. Behind a proxy the address
# is the proxy's unless AXES_IPWARE_* is configured, so then the email alone counts.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("ACCORD_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("ACCORD_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "accord.access.throttling.attempted_email"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"  # served with status 429
AXES_DISABLE_ACCESS_LOG = True  # no record of every successful sign-in; failures suffice

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns about a missing root
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if LOCAL
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = LOCAL
# Look each file up when asked instead of indexing them all when the middleware starts: the
# test client starts the middleware anew for every client, and that index was a third of the
# time of a test that makes a few requests.
WHITENOISE_AUTOREFRESH = LOCAL
MEDIA_ROOT = DATA_DIR / "media"

# Email: EMAIL_URL such as smtp+tls://user:pass@mail.example.org:587 or console://
_email = dj_email_url.parse(env_str("EMAIL_URL", "console://" if LOCAL else "smtp://localhost:25"))
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email["EMAIL_HOST"]
EMAIL_PORT = _email["EMAIL_PORT"]
EMAIL_HOST_USER = _email["EMAIL_HOST_USER"]
EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"]
EMAIL_USE_TLS = _email["EMAIL_USE_TLS"]
EMAIL_USE_SSL = _email["EMAIL_USE_SSL"]
EMAIL_TIMEOUT = 30
# How long a queue worker may take to send one batch of survey email before another worker
# takes the batch over (it was killed, or the mail server stopped answering).
ACCORD_EMAIL_CLAIM_SECONDS = env_int("ACCORD_EMAIL_CLAIM_SECONDS", 300)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Accord <accord@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Task queue: Redis when REDIS_URL is set, else a SQLite file beside the database.
REDIS_URL = env_str("REDIS_URL")
HUEY: dict[str, object] = {
    "name": "accord",
    "immediate": env_bool("HUEY_IMMEDIATE", False),
    "results": True,
    "utc": True,
    "consumer": {"workers": env_int("ACCORD_WORKERS", 2), "worker_type": "thread"},
}
if REDIS_URL:
    HUEY.update({"huey_class": "huey.RedisHuey", "url": REDIS_URL})
else:
    HUEY.update({"huey_class": "huey.SqliteHuey", "filename": str(DATA_DIR / "queue.sqlite3")})

# Security: production defaults; running locally (the demo, DEBUG) relaxes the HTTPS-only ones.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not LOCAL)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = not LOCAL
CSRF_COOKIE_SECURE = not LOCAL
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 12)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if LOCAL else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Joining the browsers' preload list binds the whole domain to HTTPS for good: that is
# the operator's call (SECURE_HSTS_PRELOAD=true), so Accord does not warn about it.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
ACCORD_MAX_IMPORT_BYTES = env_int("ACCORD_MAX_IMPORT_BYTES", 200 * 1024 * 1024)

# Links in emails (survey invitations) point here.
ACCORD_BASE_URL = env_str("ACCORD_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# The key that lets Accord, and not someone reading the database, tell which invitations
# have answered (docs/privacy.md). Derived from SECRET_KEY unless set; changing it while a
# cycle is open stops that cycle's submissions and reminders until it is restored.
ACCORD_RECEIPT_KEY = (
    env_str("ACCORD_RECEIPT_KEY")
    or hmac.new(SECRET_KEY.encode(), b"accord survey receipts", hashlib.sha256).hexdigest()
)
# Comment themes: Accord's published word lists by default. An organisation that installs an
# embedding model names a callable here ("package.module.function": a list of texts in, one
# vector per text out); it runs offline, inside Accord, when results are released.
ACCORD_COMMENT_THEME_MODEL = env_str("ACCORD_COMMENT_THEME_MODEL", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"survey_links": {"()": "accord.core.logging.RedactSurveyLinks"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["survey_links"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # Request lines can carry tokens in query strings; Accord never logs them.
    "loggers": {
        "django.server": {"handlers": [], "propagate": False},
        # The queue worker installs its own handler on this logger.
        "huey": {"handlers": [], "propagate": False},
        # Sign-in throttling announces itself at INFO on every start; failures are WARNING.
        "axes": {"level": "WARNING"},
    },
}

# "You said, we did": the functions that give the page its entries, each taking the viewer's
# Scope and a limit (accord.actions.feed.FeedSource). Later capabilities add theirs here.
ACCORD_FEED_SOURCES = ["accord.actions.feed.published_plan_updates"]
# What changed since the last survey, for each invitation email: functions of the cycle and
# a batch of its invitations returning lines by invitation id (accord.surveys.mail).
ACCORD_INVITATION_NEWS = ["accord.actions.feed.invitation_news"]
