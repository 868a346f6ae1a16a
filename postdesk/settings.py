"""Settings for postdesk.

Everything that differs between the embedded default (a laptop: SQLite, in-process
background work) and production (PostgreSQL, Redis, Celery) comes from environment
variables; the defaults are safe for the embedded mode.
"""

from __future__ import annotations

import json
import os
import secrets
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("POSTDESK_VAR_DIR", PROJECT_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one kept under var/ (made on first use)."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    path = VAR_DIR / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(50)
        path.write_text(key)
        path.chmod(0o600)
        return key


DEBUG = env_bool("DEBUG")
SECRET_KEY = _secret_key()
# (Django's test set-up adds its own "testserver"; it is never a host we answer for)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
    "axes",
    "postdesk.core",
    "postdesk.org",
    "postdesk.customers",
    "postdesk.routing",
    "postdesk.notify",
    "postdesk.workorders",
    "postdesk.calls",
    "postdesk.workforce",
    "postdesk.tracking",
    "postdesk.notices",
    "postdesk.callbacks",
    "postdesk.knowledge",
    "postdesk.reports",
    "postdesk.portal",
    "postdesk.quality",
]

MIDDLEWARE = [
    "postdesk.core.metrics.RequestMetricsMiddleware",  # counts and times every request
    # every error answer under /api/ is {"code", "message", "fields"} (core/http_errors.py)
    "postdesk.core.http_errors.ApiErrorShapeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # answers POST /api/v1/cti/events before the rest (a hot path: calls/middleware.py)
    "postdesk.calls.middleware.CtiEventsMiddleware",
    # Content-Security-Policy: scripts from our static files only (core/csp.py)
    "postdesk.core.csp.ContentSecurityPolicyMiddleware",
    # answers GET /api/v1/public/track/… and /requests/… before the rest (a hot path:
    # portal/middleware.py)
    "postdesk.portal.middleware.PublicReadMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "postdesk.core.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "postdesk.core.middleware.DomainErrorMiddleware",
    # a locked-out sign-in answers 429 with the lockout page (core/lockout.py)
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "postdesk.urls"
WSGI_APPLICATION = "postdesk.wsgi.application"
ASGI_APPLICATION = "postdesk.asgi.application"

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
                "django.template.context_processors.i18n",
                "postdesk.core.context_processors.shell",
                "postdesk.notify.context_processors.unread",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
SQLITE_PATH = VAR_DIR / "postdesk.sqlite3"
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{SQLITE_PATH}")
_db = dj_database_url.parse(DATABASE_URL, conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")))
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["ENGINE"] = "postdesk.core.sqlite"  # Django's, with writers queued by flock
    _db["OPTIONS"] = {
        # WAL lets readers and one writer work at once; IMMEDIATE takes the write lock
        # at BEGIN so two writers queue instead of failing half-way.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    if _db["NAME"] and _db["NAME"] != ":memory:":
        Path(_db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        # The test database is a file too (never Django's in-memory default): the suite
        # runs the mode `make run` runs — writer threads, the pool, the writers' lock.
        _name = Path(_db["NAME"])
        _db["TEST"] = {"NAME": str(_name.with_name(f"{_name.stem}-test{_name.suffix}"))}
else:
    _db.setdefault("OPTIONS", {})
    _db["CONN_HEALTH_CHECKS"] = True
DATABASES = {"default": _db}
if os.environ.get("TEST_DATABASE_NAME") and _db["ENGINE"] != "postdesk.core.sqlite":
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DATABASE_NAME"]}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
IS_POSTGRES = DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql")
# PostgreSQL prepared statements, one setting: the web application (`postdesk.wsgi`,
# which `postdesk serve` runs) binds parameters on the server and prepares a statement a
# connection has run this many times — PostgreSQL then plans each hot query once per
# connection instead of once per call (it halved the database's CPU for an intake).
# Commands and workers never prepare: a long loop whose tables grow under it must not
# keep a plan made when they were small. "off" turns it off for the web too (behind
# pgbouncer's transaction pooling). See `core.db.use_prepared_statements`.
_prepare = os.environ.get("DB_PREPARE_THRESHOLD", "5").strip().lower()
DB_PREPARE_THRESHOLD: int | None = None if _prepare == "off" else int(_prepare)

# --- Redis, Celery and the embedded background worker --------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
_xdist_worker = os.environ.get("PYTEST_XDIST_WORKER", "")  # "gw0", "gw1"… under pytest -n
if REDIS_URL and _xdist_worker.startswith("gw") and not os.environ.get("POSTDESK_TEST_CHILD"):
    # The suite on several workers (`make test`): each has a Redis database of its own,
    # REDIS_URL's and the next ones, as it has a test database of its own — the cache,
    # the Celery broker and the push channel (named after the database) stay apart.
    # conftest.py hands the worker's URL on to the processes a test starts, marked
    # POSTDESK_TEST_CHILD so that they take it as it is.
    _redis = urlsplit(REDIS_URL)
    _redis_db = int(_redis.path.strip("/") or 0) + int(_xdist_worker[2:])
    REDIS_URL = urlunsplit(_redis._replace(path=f"/{_redis_db}"))
# "celery": tasks go to Redis and Celery workers; "embedded": the same task code runs in
# an in-process worker pool (no Redis needed); "sync": run at once after commit (tests).
BACKGROUND_MODE = os.environ.get("BACKGROUND_MODE", "celery" if REDIS_URL else "embedded")
# `postdesk serve`'s gunicorn worker: the calls app's, which holds the push streams
POSTDESK_WEB_WORKER_CLASS = "postdesk.calls.streams.PushThreadWorker"
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "Asia/Shanghai"
# Bounded waits (core.bounded): connecting to Redis and every read from it give up after
# REDIS_TIMEOUT seconds, also when Redis hangs (stopped, not dead), and a path that just
# failed is left alone for REDIS_COOLDOWN seconds; work that could not be queued is left
# to the outbox sweep. A request waits at most about a second for Redis or the broker.
REDIS_TIMEOUT = float(os.environ.get("POSTDESK_REDIS_TIMEOUT", "0.3"))
REDIS_COOLDOWN = float(os.environ.get("POSTDESK_REDIS_COOLDOWN", "5"))
REDIS_CLIENT_OPTIONS = {
    "socket_timeout": REDIS_TIMEOUT,
    "socket_connect_timeout": REDIS_TIMEOUT,
    "retry_on_timeout": False,
}
CELERY_BROKER_TRANSPORT_OPTIONS = dict(REDIS_CLIENT_OPTIONS)
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_TIMEOUT

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": dict(REDIS_CLIENT_OPTIONS),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Auth --------------------------------------------------------------------------------
AUTH_USER_MODEL = "org.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Login throttling and lockout (django-axes, core/lockout.py): 5 wrong passwords for one
# user or 20 from one address within 15 minutes lock sign-in (pages and admin site alike)
# until 15 minutes have passed since the last one; administrators unlock in the admin site.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
POSTDESK_LOGIN_USER_LIMIT = int(os.environ.get("POSTDESK_LOGIN_USER_LIMIT", "5"))
POSTDESK_LOGIN_ADDRESS_LIMIT = int(os.environ.get("POSTDESK_LOGIN_ADDRESS_LIMIT", "20"))
AXES_HANDLER = "postdesk.core.lockout.LoginLockoutHandler"
AXES_FAILURE_LIMIT = "postdesk.core.lockout.failure_limit"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("POSTDESK_LOGIN_LOCK_MINUTES", "15")))
AXES_LOCKOUT_CALLABLE = "postdesk.core.lockout.locked_out"
AXES_CLIENT_IP_CALLABLE = "postdesk.core.request.client_ip"  # our proxies' rule
# a right password does not wipe the count: axes would reset the whole address with it, so
# one account of his own would let an attacker go on guessing others from there
AXES_RESET_ON_SUCCESS = False
AXES_VERBOSE = False
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# SECURE_COOKIES=1: served over HTTPS (behind our TLS-terminating proxy). Cookies only over
# HTTPS, the browser told to use nothing else for a year (HSTS), and the proxy's
# X-Forwarded-Proto believed for request.is_secure() — the proxy must set it on every
# request (and strip a client's own), as deploy/ shows.
SECURE_COOKIES = env_bool("SECURE_COOKIES")
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
if SECURE_COOKIES:
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS")
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD")
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# --- Language and time ---------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS: list[Path] = []
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files --------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise serves from finders too
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- E-mail (SMTP in production; files under var/ in the embedded default) -----------------
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_TIMEOUT = float(os.environ.get("EMAIL_TIMEOUT", "30"))  # a hung relay is given up
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "postdesk@localhost")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"

# --- postdesk ----------------------------------------------------------------------------------
# The area code assumed for a landline number given without one (Wenzhou: 0577).
#: the address people open postdesk at: links in e-mails must work outside the browser
POSTDESK_SITE_URL = os.environ.get("POSTDESK_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
POSTDESK_DEFAULT_AREA_CODE = os.environ.get("POSTDESK_DEFAULT_AREA_CODE", "577")
# a pickup whose address routes to one unit is dispatched to it at intake without the
# agent's confirmation (issue 14; off: the agent confirms on the form or by API)
POSTDESK_PICKUP_AUTO_DISPATCH = env_bool("POSTDESK_PICKUP_AUTO_DISPATCH")
# Callbacks 回电 (postdesk/callbacks): attempts before a task has failed, and the hours a
# task made by the centre's flow has (a failed pickup, "call back later" when the order
# has no reply deadline, a reply's follow-up call).
POSTDESK_CALLBACK_MAX_ATTEMPTS = int(os.environ.get("POSTDESK_CALLBACK_MAX_ATTEMPTS", "3"))
POSTDESK_CALLBACK_FAILED_PICKUP_HOURS = float(
    os.environ.get("POSTDESK_CALLBACK_FAILED_PICKUP_HOURS", "2")
)
POSTDESK_CALLBACK_WORK_ORDER_HOURS = float(
    os.environ.get("POSTDESK_CALLBACK_WORK_ORDER_HOURS", "2")
)
POSTDESK_CALLBACK_FOLLOW_UP_HOURS = float(os.environ.get("POSTDESK_CALLBACK_FOLLOW_UP_HOURS", "24"))
# The public portal (issue 16): the filings' proof of work (leading zero bits of SHA-256,
# ~2**bits hashes in the browser), filings allowed per phone and per client address an
# hour, and the unit whose calendar web intakes run on (a code; "" = the first
# customer-service centre). See postdesk/portal/challenge.py and guard.py.
POSTDESK_PORTAL_POW_BITS = int(os.environ.get("POSTDESK_PORTAL_POW_BITS", "16"))
POSTDESK_PORTAL_FILE_PER_PHONE = int(os.environ.get("POSTDESK_PORTAL_FILE_PER_PHONE", "5"))
POSTDESK_PORTAL_FILE_PER_ADDRESS = int(os.environ.get("POSTDESK_PORTAL_FILE_PER_ADDRESS", "20"))
POSTDESK_PORTAL_UNIT = os.environ.get("POSTDESK_PORTAL_UNIT", "")
# Zammad's generic CTI answers a new outbound call {"action": "dial", "caller_id": …}
# with this number when set (the number the PBX shows the callee); empty: {}.
POSTDESK_CTI_OUTBOUND_CALLER_ID = os.environ.get("POSTDESK_CTI_OUTBOUND_CALLER_ID", "")
POSTDESK_OUTBOX_MAX_ATTEMPTS = int(os.environ.get("POSTDESK_OUTBOX_MAX_ATTEMPTS", "6"))
POSTDESK_OUTBOX_BACKOFF_SECONDS = float(os.environ.get("POSTDESK_OUTBOX_BACKOFF_SECONDS", "10"))
# Readiness (/health/ready) fails only for the database, and for what this names
# ("redis", "broker"): without Redis writes go on (the outbox holds the work).
POSTDESK_READY_REQUIRES = os.environ.get("POSTDESK_READY_REQUIRES", "")
# The bearer token of /metrics and /health/deep (unset: administrators' sessions only).
POSTDESK_METRICS_TOKEN = os.environ.get("POSTDESK_METRICS_TOKEN", "")
# Retention of personal data (PIPL, core.retention): days after a case's closing, a call,
# a tracking result before the nightly job anonymises it (0: kept). The access log is
# append-only and never anonymised. The job runs in the local hour POSTDESK_RETENTION_HOUR.
POSTDESK_RETENTION_DAYS = {
    "cases": int(os.environ.get("POSTDESK_RETENTION_CASES_DAYS", "1095")),
    "calls": int(os.environ.get("POSTDESK_RETENTION_CALLS_DAYS", "365")),
    "tracking": int(os.environ.get("POSTDESK_RETENTION_TRACKING_DAYS", "180")),
}
POSTDESK_RETENTION_HOUR = int(os.environ.get("POSTDESK_RETENTION_HOUR", "2"))
# Threads of the in-process pool in the embedded mode.
POSTDESK_EMBEDDED_WORKERS = int(os.environ.get("POSTDESK_EMBEDDED_WORKERS", "2"))
# Addresses of our own reverse proxies: only their X-Forwarded-For hops are believed.
POSTDESK_TRUSTED_PROXIES = env_list("POSTDESK_TRUSTED_PROXIES", "127.0.0.1,::1")
# Workforce: where internal reports go (unit codes), their deadlines, the chase interval.
POSTDESK_MAINTENANCE_UNIT = os.environ.get("POSTDESK_MAINTENANCE_UNIT", "WZ-YW")
POSTDESK_MARKETING_UNIT = os.environ.get("POSTDESK_MARKETING_UNIT", "WZ-SC")
POSTDESK_EQUIPMENT_FAULT_HOURS = float(os.environ.get("POSTDESK_EQUIPMENT_FAULT_HOURS", "4"))
POSTDESK_SALES_LEAD_WORKING_DAYS = int(os.environ.get("POSTDESK_SALES_LEAD_WORKING_DAYS", "2"))
POSTDESK_MAJOR_INCIDENT_CHASE_SECONDS = float(
    os.environ.get("POSTDESK_MAJOR_INCIDENT_CHASE_SECONDS", "600")
)
# the roster solver's time limit per build (seconds)
POSTDESK_ROSTER_SECONDS = float(os.environ.get("POSTDESK_ROSTER_SECONDS", "10"))

# --- SMS to customers (notify/sms): the gateway adapter and its settings -----------------
# SMS_GATEWAY: JSON, e.g. {"adapter": "aliyun", "access_key_id": "…", "access_key_secret":
# "…", "endpoint": "https://dysmsapi.aliyuncs.com/"} or {"adapter": "http", "url": "…",
# "template": {…}, "success": {…}}; the embedded default only logs (nothing is sent).
SMS_GATEWAY = json.loads(os.environ.get("SMS_GATEWAY", "") or '{"adapter": "log"}')
SMS_SIGN_NAME = os.environ.get("SMS_SIGN_NAME", "中国邮政")
# The provider's approved template code of each of our templates, JSON {"pickup_confirmed":
# "SMS_123", …}; a template without one is sent with its own code.
SMS_TEMPLATE_CODES = json.loads(os.environ.get("SMS_TEMPLATE_CODES", "") or "{}")
# The token the gateway's pushes (receipts, replies) must carry; empty: pushes refused.
SMS_PUSH_TOKEN = os.environ.get("SMS_PUSH_TOKEN", "")
SMS_QUIET_HOURS = tuple(
    datetime.strptime(part, "%H:%M").time()
    for part in os.environ.get("SMS_QUIET_HOURS", "21:00-08:00").split("-")
)
SMS_LIFETIME_HOURS = float(os.environ.get("SMS_LIFETIME_HOURS", "24"))
# After a send whose answer was lost (timeout, worker killed), wait this long for the
# receipt before asking the gateway about the message; never resent blindly.
SMS_RECEIPT_WAIT_SECONDS = float(os.environ.get("SMS_RECEIPT_WAIT_SECONDS", "120"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    # tokens in URLs (Zammad's CTI path) never reach a log: core/logs.py
    "filters": {"tokens": {"()": "postdesk.core.logs.ScrubTokens"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["tokens"]}
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},  # its progress steps are INFO
        "fontTools": {"level": "WARNING"},
    },
}
