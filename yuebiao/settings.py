"""Settings for Yuebiao (粤标): read from the environment, with safe defaults for a single-machine intranet install."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("YUEBIAO_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    return [v.strip() for v in value.split(",") if v.strip()] if value else default


DEBUG = env_bool("YUEBIAO_DEBUG", False)
# Production is the default; `make run` sets YUEBIAO_DEV=1 for development (the development key, no persistent
# database connections under runserver).
YUEBIAO_DEV = env_bool("YUEBIAO_DEV", False)
DEVELOPMENT_SECRET_KEY = "yuebiao-development-key-not-for-production-use-0000"
SECRET_KEY = os.environ.get("YUEBIAO_SECRET_KEY", "").strip()
# No key of its own: serving refuses to start (yuebiao.wsgi, `yuebiao runserver`, `check --deploy`), but commands
# that sign nothing lasting (migrate, demo, tests) run on a random key that dies with the process.
YUEBIAO_EPHEMERAL_KEY = not SECRET_KEY and not YUEBIAO_DEV
if not SECRET_KEY:
    SECRET_KEY = DEVELOPMENT_SECRET_KEY if YUEBIAO_DEV else secrets.token_urlsafe(50)
YUEBIAO_SITE_URL = os.environ.get("YUEBIAO_SITE_URL", "http://127.0.0.1:8000")
_site = urlsplit(YUEBIAO_SITE_URL)
ALLOWED_HOSTS = env_list("YUEBIAO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("YUEBIAO_CSRF_TRUSTED_ORIGINS", [])
if _site.hostname and _site.hostname not in ALLOWED_HOSTS:
    ALLOWED_HOSTS.append(_site.hostname)
if _site.scheme and _site.netloc and f"{_site.scheme}://{_site.netloc}" not in CSRF_TRUSTED_ORIGINS:
    CSRF_TRUSTED_ORIGINS.append(f"{_site.scheme}://{_site.netloc}")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "django_htmx",
    "yuebiao",
    "accounts",
    "django_tasks",
    "django_tasks_db",
    "catalogue",
    "smart",
    "trail",
    "notify",
    "lifecycle",
    "compare",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
]

MIDDLEWARE = [
    # First: the request id covers everything after it; the edge refuses NUL bytes before any view or query.
    "yuebiao.middleware.RequestIdMiddleware",
    "yuebiao.middleware.EdgeInputMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "yuebiao.middleware.ChineseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes requires: it turns a locked-out sign-in into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "yuebiao.urls"
WSGI_APPLICATION = "yuebiao.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.access",
                "notify.context_processors.inbox",
            ],
        },
    },
]

# Persistent connections only where the number of threads is bounded (gunicorn.conf.py: workers × threads). The
# development server opens a thread per request and each would keep its own connection, so it gets none (the CLI
# forces 0 for runserver whatever the environment says).
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'yuebiao.sqlite3'}",
        conn_max_age=int(os.environ.get("YUEBIAO_CONN_MAX_AGE", "0" if YUEBIAO_DEV else "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while an import writes; busy timeout instead of "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-131072;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Tests use a file too: the in-memory shared cache locks whole tables and ignores the busy timeout, so
    # concurrent writers would fail there where the real platform waits its turn.
    # One file per test process, so two test runs on one machine do not share (and break) it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "lifecycle:landing"  # officers land on their work list, others on the home page
LOGOUT_REDIRECT_URL = "catalogue:home"

# django-axes first: a locked-out (user name, address) pair is refused before its password is checked, on the
# platform's sign-in page and the admin's alike.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = timedelta(minutes=15)
# Keyed on the pair: a guesser elsewhere cannot lock an official out of their own account.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "yuebiao.proxy.client_address"
AXES_RESET_ON_SUCCESS = True
# Attempts refused during a lock-out do not extend it: "try again in 15 minutes" stays true.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_HANDLER = "accounts.lockout.TrailedAxesHandler"
AXES_VERBOSE = False
# Second factor (TOTP, 双因素认证) for these roles (comma-separated role names; none by default).
YUEBIAO_REQUIRE_TOTP_ROLES = env_list("YUEBIAO_REQUIRE_TOTP_ROLES", [])
OTP_TOTP_ISSUER = "粤标 Yuebiao"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "yuebiao" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise serves from here after collectstatic
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Uploads: imports are refused above this size before their body is read (see catalogue.views).
YUEBIAO_MAX_IMPORT_BYTES = int(os.environ.get("YUEBIAO_MAX_IMPORT_BYTES", str(20 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Untrusted documents (uploads parsed by smart): structure limits and the parsing worker's CPU time, memory and
# wall-clock time, by the names of smart.guard.DocumentLimits; YUEBIAO_DOCUMENT_PARAGRAPHS=80000 sets
# "paragraphs". Defaults and meanings: docs/security.md, "不可信文档".
YUEBIAO_DOCUMENT_LIMITS = {name.removeprefix("YUEBIAO_DOCUMENT_").lower(): value
                           for name, value in os.environ.items() if name.startswith("YUEBIAO_DOCUMENT_")}
# Rows a single export may hold: an export is a search result, not a dump of the catalogue.
YUEBIAO_MAX_EXPORT_ROWS = int(os.environ.get("YUEBIAO_MAX_EXPORT_ROWS", "100000"))

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# Served over HTTPS (YUEBIAO_SITE_URL=https://…): cookies only over TLS, HSTS for a year on every subdomain (and
# eligible for the browsers' preload list), plain HTTP redirected.
if _site.scheme == "https":
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = int(os.environ.get("YUEBIAO_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
# Content-Security-Policy (django-csp): everything from the platform itself, no inline script, no eval, no inline
# style (htmx is told not to inject its indicator <style>; bars get their width from yuebiao/site.js). The API
# documentation (django-ninja's Swagger UI, local files, settings in a JSON block) lives under the same policy.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Behind a proxy that terminates TLS, the header it sets to say the client used HTTPS (Django META name, e.g.
# HTTP_X_FORWARDED_PROTO). Only when set: a client could send the header itself if no proxy overwrote it.
YUEBIAO_PROXY_SSL_HEADER = os.environ.get("YUEBIAO_PROXY_SSL_HEADER", "")
if YUEBIAO_PROXY_SSL_HEADER:
    SECURE_PROXY_SSL_HEADER = (YUEBIAO_PROXY_SSL_HEADER, "https")

# Logs: every line carries the id of the request it was written in (the id the error page shows). Server errors
# (logger django.request) go with their traceback to the console and, when YUEBIAO_LOG_DIR (default VAR_DIR/log)
# is writable, to a rotating file there; YUEBIAO_LOG_DIR="" keeps logs on the console only.
LOG_DIR = os.environ.get("YUEBIAO_LOG_DIR", str(VAR_DIR / "log"))


def _log_file_handler(directory: str) -> dict | None:
    if not directory:
        return None
    try:
        Path(directory).mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    if not os.access(directory, os.W_OK):
        return None
    return {"class": "logging.handlers.RotatingFileHandler", "filename": str(Path(directory) / "yuebiao.log"),
            "maxBytes": 10 * 1024 * 1024, "backupCount": 5, "encoding": "utf-8", "formatter": "plain",
            "filters": ["request_id"]}


_LOG_FILE = _log_file_handler(LOG_DIR)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "yuebiao.middleware.RequestIdFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["request_id"]},
        **({"file": _LOG_FILE} if _LOG_FILE else {}),
    },
    # The platform's loggers and Django's request errors propagate here, so each line is written once.
    "root": {"handlers": ["console", *(["file"] if _LOG_FILE else [])], "level": "WARNING"},
    "loggers": {
        "yuebiao": {"level": os.environ.get("YUEBIAO_LOG_LEVEL", "INFO")},
        # Without handlers of its own (Django's defaults would print DEBUG-mode errors a second time).
        "django": {"level": "WARNING"},
        # runserver's access lines (configuring "django" resets its children, this one included).
        "django.server": {"level": "INFO", "propagate": True},
        # ERROR: 5xx with traceback; 4xx (warnings) are the client's affair and would drown them.
        "django.request": {"level": "ERROR"},
    },
}

# Background work (django-tasks): notices are mailed by `yuebiao worker`, which reads this database queue.
TASKS = {"default": {"BACKEND": os.environ.get("YUEBIAO_TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}
# Daily jobs (每日任务), run by `yuebiao worker` at YUEBIAO_DAILY_AT (local time, HH:MM), in this order: the
# anchor last, so it covers what the others wrote. Another job is one more line (see notify/daily.py).
YUEBIAO_DAILY_AT = os.environ.get("YUEBIAO_DAILY_AT", "02:00")
YUEBIAO_DAILY_JOBS = {
    "refresh-status": "catalogue.services.refresh_statuses",
    "reviews-due": "lifecycle.daily.open_due_reviews",
    "remind": "lifecycle.reminders.send_deadline_reminders",
    "personal-data-purge": "lifecycle.personal_data.erase_expired_contacts",
    "anchor": "trail.services.anchor_today",
}
# Mail goes to the console unless an SMTP server is configured (intranet relay).
EMAIL_BACKEND = os.environ.get("YUEBIAO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("YUEBIAO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("YUEBIAO_EMAIL_PORT", "25"))
# Behind reverse proxies: the header (Django META name, e.g. HTTP_X_FORWARDED_FOR) carrying the client address, and
# how many proxies in front of the platform append to it (see yuebiao.proxy).
YUEBIAO_CLIENT_IP_HEADER = os.environ.get("YUEBIAO_CLIENT_IP_HEADER", "")
YUEBIAO_TRUSTED_PROXIES = int(os.environ.get("YUEBIAO_TRUSTED_PROXIES", "1"))
DEFAULT_FROM_EMAIL = os.environ.get("YUEBIAO_FROM_EMAIL", "粤标 <noreply@yuebiao.local>")
# What the public sends (lifecycle.public_input, lifecycle.personal_data). Sender digests are an HMAC of the address
# under their own key, which must stay the same across restarts (rate limits compare digests): development mode
# (YUEBIAO_DEV=1) has a known value; elsewhere, unless set, it is derived from the deployment's own SECRET_KEY.
YUEBIAO_DIGEST_KEY = os.environ.get("YUEBIAO_DIGEST_KEY", "") or (
    "yuebiao-development-digest-key-not-for-production" if YUEBIAO_DEV else ""
)
# Commenters' and feedback senders' names and contacts are erased this many days after the consultation closed or
# the feedback was answered (lifecycle.personal_data.erase_expired_contacts, `yuebiao personal-data purge`).
YUEBIAO_CONTACT_RETENTION_DAYS = int(os.environ.get("YUEBIAO_CONTACT_RETENTION_DAYS", str(3 * 365)))
