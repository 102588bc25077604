"""Settings for Yuebiao (粤标): read from the environment, with safe defaults for a single-machine intranet install."""

from __future__ import annotations

import os
from pathlib import Path

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
# A development key so `make run` works out of the box; production sets YUEBIAO_SECRET_KEY.
SECRET_KEY = os.environ.get("YUEBIAO_SECRET_KEY", "yuebiao-development-key-not-for-production-use-0000")
ALLOWED_HOSTS = env_list("YUEBIAO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("YUEBIAO_CSRF_TRUSTED_ORIGINS", [])

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
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
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

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'yuebiao.sqlite3'}",
        conn_max_age=int(os.environ.get("YUEBIAO_CONN_MAX_AGE", "60")),
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
LOGIN_REDIRECT_URL = "catalogue:home"
LOGOUT_REDIRECT_URL = "catalogue:home"

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
# Rows a single export may hold: an export is a search result, not a dump of the catalogue.
YUEBIAO_MAX_EXPORT_ROWS = int(os.environ.get("YUEBIAO_MAX_EXPORT_ROWS", "100000"))

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

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
# Mail goes to the console unless an SMTP server is configured (intranet relay).
EMAIL_BACKEND = os.environ.get("YUEBIAO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("YUEBIAO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("YUEBIAO_EMAIL_PORT", "25"))
YUEBIAO_SITE_URL = os.environ.get("YUEBIAO_SITE_URL", "http://127.0.0.1:8000")
# Behind reverse proxies: the header (Django META name, e.g. HTTP_X_FORWARDED_FOR) carrying the client address, and
# how many proxies in front of the platform append to it (see yuebiao.proxy).
YUEBIAO_CLIENT_IP_HEADER = os.environ.get("YUEBIAO_CLIENT_IP_HEADER", "")
YUEBIAO_TRUSTED_PROXIES = int(os.environ.get("YUEBIAO_TRUSTED_PROXIES", "1"))
DEFAULT_FROM_EMAIL = os.environ.get("YUEBIAO_FROM_EMAIL", "粤标 <noreply@yuebiao.local>")
