"""OneWindow settings, driven by environment variables (django-environ).

The embedded default needs no server: SQLite in WAL mode and Celery's filesystem broker. Setting
DATABASE_URL and REDIS_URL switches to PostgreSQL and Redis; nothing else changes.
"""

from pathlib import Path

import environ

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(environ.Env().str("ONEWINDOW_VAR_DIR", default=str(REPO_ROOT / "var"))).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()
if (REPO_ROOT / ".env").exists():
    environ.Env.read_env(REPO_ROOT / ".env")

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="onewindow-embedded-development-key-change-me")
ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver", "departments.internal"]
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "config.admin.OneWindowAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "import_export",
    "accounts",
    "audit",
    "dashboard",
    "applications",
    "intake",
    "workflow",
    "exchange",
    "webhooks",
    "review",
    "rules",
    "departments",
    "privacy",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = env.str("ONEWINDOW_URLCONF", default="config.urls")
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [REPO_ROOT / "platform" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "accounts.context_processors.roles",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'onewindow.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several worker processes share the file: WAL lets readers proceed during a write, and
    # IMMEDIATE transactions take the write lock up front, which makes every atomic block
    # serializable. That is what select_for_update gives the fan-in on PostgreSQL.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file, not :memory:, so that the Celery workers a test starts can open the same database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-onewindow.sqlite3")}
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", 60)
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
    # No statement, lock wait or idle transaction may hang a worker or a request: a frozen
    # process holding a lock is cut off, and whoever waits on it gets an error and retries.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = " ".join(
        [
            f"-c statement_timeout={env.int('PG_STATEMENT_TIMEOUT_MS', default=30_000)}",
            f"-c lock_timeout={env.int('PG_LOCK_TIMEOUT_MS', default=10_000)}",
            f"-c idle_in_transaction_session_timeout={env.int('PG_IDLE_IN_TRANSACTION_TIMEOUT_MS', default=60_000)}",
        ]
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [REPO_ROOT / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [REPO_ROOT / "platform" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["accounts.authentication.ApiClientTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "intake.api.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "OneWindow API",
    "DESCRIPTION": "One form, four rule libraries, six departments in parallel.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Celery ---------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
BROKER_DIR = VAR_DIR / "broker"
# Publishing must never hang a request: a broker that accepts connections and never answers
# costs at most this long, and the outbox relay publishes what could not be sent.
BROKER_SOCKET_TIMEOUT_SECONDS = env.float("BROKER_SOCKET_TIMEOUT_SECONDS", default=1.0)
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": 600,
        "socket_timeout": BROKER_SOCKET_TIMEOUT_SECONDS,
        "socket_connect_timeout": BROKER_SOCKET_TIMEOUT_SECONDS,
        "socket_keepalive": True,
        "health_check_interval": 10,
        "retry_on_timeout": False,
    }
else:
    for sub in ("queue", "control"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT = "workflow.broker:Transport"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "control_folder": str(BROKER_DIR / "control"),
        "polling_interval": 0.05,
    }
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = BROKER_SOCKET_TIMEOUT_SECONDS
# The relay retries a publish briefly; a publish after commit does not retry at all.
OUTBOX_RELAY_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}
# Messages younger than this are left to the on-commit hook of the transaction that wrote them.
OUTBOX_RELAY_GRACE_SECONDS = env.float("OUTBOX_RELAY_GRACE_SECONDS", default=1.0)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 90
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "pipeline"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "outbox-relay": {"task": "workflow.outbox_relay", "schedule": env.float("OUTBOX_RELAY_SECONDS", default=2.0)},
    "sweeper": {"task": "workflow.sweep", "schedule": env.float("SWEEPER_SECONDS", default=5.0)},
    "prune-operational-tables": {
        "task": "workflow.prune",
        "schedule": env.float("PRUNE_SECONDS", default=600.0),
    },
    "privacy-retention": {
        "task": "privacy.retention_sweep",
        "schedule": env.float("PII_RETENTION_SWEEP_SECONDS", default=3600.0),
    },
}

# --- Workflow -------------------------------------------------------------------------------
# Work untouched for this long is re-driven by the sweeper. Longer than a department call may
# take (DEPARTMENT_TIMEOUT_SECONDS), so that only lost work is re-driven.
WORKFLOW_STUCK_AFTER_SECONDS = env.int("WORKFLOW_STUCK_AFTER_SECONDS", default=20)
# Operational tables are pruned on beat: published outbox messages, and exchange records (the
# log behind "who received my data") once the applicant no longer needs them.
OUTBOX_RETENTION_HOURS = env.float("OUTBOX_RETENTION_HOURS", default=24.0)
EXCHANGE_RETENTION_DAYS = env.int("EXCHANGE_RETENTION_DAYS", default=365)
# A task delivered more often than this ends in a visible failure instead of looping.
WORKFLOW_MAX_ATTEMPTS = env.int("WORKFLOW_MAX_ATTEMPTS", default=5)
WORKFLOW_RETRY_BASE_SECONDS = env.float("WORKFLOW_RETRY_BASE_SECONDS", default=1.0)

# --- Webhooks -------------------------------------------------------------------------------
WEBHOOKS_QUEUE = "webhooks"
WEBHOOKS_TIMEOUT_SECONDS = env.float("WEBHOOKS_TIMEOUT_SECONDS", default=5.0)
# Retries: exponential backoff with jitter from the base, each wait capped, for about a day.
WEBHOOKS_RETRY_BASE_SECONDS = env.float("WEBHOOKS_RETRY_BASE_SECONDS", default=5.0)
WEBHOOKS_RETRY_MAX_SECONDS = env.float("WEBHOOKS_RETRY_MAX_SECONDS", default=4 * 3600.0)
WEBHOOKS_RETRY_WINDOW_HOURS = env.float("WEBHOOKS_RETRY_WINDOW_HOURS", default=24.0)
# An endpoint whose every attempt failed for this long (and at least this often) is disabled.
WEBHOOKS_DISABLE_AFTER_HOURS = env.float("WEBHOOKS_DISABLE_AFTER_HOURS", default=24.0)
WEBHOOKS_DISABLE_AFTER_FAILURES = env.int("WEBHOOKS_DISABLE_AFTER_FAILURES", default=5)
WEBHOOKS_SECRET_ROTATION_HOURS = env.float("WEBHOOKS_SECRET_ROTATION_HOURS", default=24.0)
# The SSRF guard refuses private and link-local addresses always, loopback unless this is on:
# on for the embedded demo and the tests (a receiver on 127.0.0.1), off in production.
WEBHOOKS_ALLOW_LOOPBACK = env.bool("WEBHOOKS_ALLOW_LOOPBACK", default=True)
CELERY_BEAT_SCHEDULE["webhooks-sweep"] = {"task": "webhooks.sweep", "schedule": 60.0}

# --- Departments ----------------------------------------------------------------------------
DEPARTMENT_CODES = ["market_regulation", "tax", "public_security", "social_security", "housing_fund", "bank"]
# Where the platform reaches the department systems. Empty means "in-process": HTTP requests
# are served by this same Django application through httpx's WSGI transport (used by CLI
# dry-runs when no server is running). make run and docker-compose set a real URL.
DEPARTMENTS_URL = env.str("DEPARTMENTS_URL", default="")
DEPARTMENTS_EMBEDDED = env.bool("DEPARTMENTS_EMBEDDED", default=True)
DEPARTMENT_TOKENS = {
    code: env.str(f"DEPARTMENT_TOKEN_{code.upper()}", default=f"embedded-{code}-token") for code in DEPARTMENT_CODES
}
# Every request to a department is signed (HMAC-SHA256 over timestamp, method, path and body)
# with that department's key; the department refuses unsigned or altered requests.
DEPARTMENT_SIGNING_KEYS = {
    code: env.str(f"DEPARTMENT_SIGNING_KEY_{code.upper()}", default=f"embedded-{code}-signing-key")
    for code in DEPARTMENT_CODES
}
DEPARTMENT_TIMEOUT_SECONDS = env.float("DEPARTMENT_TIMEOUT_SECONDS", default=10.0)
# Market regulation signs electronic business licences with this Ed25519 seed (base64 of 32
# bytes; empty: an embedded development key). The platform verifies with the published public
# key (LICENCE_AUTHORITY_PUBLIC_KEY, base64url; empty: fetched from the authority), and prints
# QR codes that link to LICENCE_VERIFY_BASE_URL/verify/licence/<token>.
DEPARTMENT_LICENCE_SIGNING_KEY = env.str("DEPARTMENT_LICENCE_SIGNING_KEY", default="")
LICENCE_AUTHORITY_PUBLIC_KEY = env.str("LICENCE_AUTHORITY_PUBLIC_KEY", default="")
LICENCE_VERIFY_BASE_URL = env.str("LICENCE_VERIFY_BASE_URL", default="http://127.0.0.1:8000")
# Simulator defaults; each simulator's own config row overrides them at run time.
DEPARTMENT_LATENCY_MS = env.str("DEPARTMENT_LATENCY_MS", default="20-150")
DEPARTMENT_FAILURE_RATE = env.float("DEPARTMENT_FAILURE_RATE", default=0.0)
CIRCUIT_FAILURE_THRESHOLD = env.int("CIRCUIT_FAILURE_THRESHOLD", default=5)
CIRCUIT_OPEN_SECONDS = env.float("CIRCUIT_OPEN_SECONDS", default=30.0)

# --- Personal data ---------------------------------------------------------------------------
# Fernet keys (urlsafe base64 of 32 bytes): the first encrypts, all decrypt, so a new key goes in
# front, `manage.py reencrypt_personal_data` runs, then the old key is dropped. Empty: keys are
# derived from SECRET_KEY, which is for development only (`manage.py check --deploy` warns).
PII_ENCRYPTION_KEYS = env.list("PII_ENCRYPTION_KEYS", default=[])
# HMAC key of the blind indexes (exact lookups of ID numbers); empty falls back to SECRET_KEY.
# Changing it means recomputing every index, so it is not rotated with the encryption keys.
PII_INDEX_KEY = env.str("PII_INDEX_KEY", default="")
# Rejected, returned and abandoned applications lose their personal data after this many days.
PII_RETENTION_DAYS = env.int("PII_RETENTION_DAYS", default=30)
# The simulated departments are another organisation with keys of their own (same formats;
# DEPARTMENTS_PII_KEY is a comma-separated list like PII_ENCRYPTION_KEYS).
DEPARTMENTS_PII_KEY = env.list("DEPARTMENTS_PII_KEY", default=[])
DEPARTMENTS_PII_INDEX_KEY = env.str("DEPARTMENTS_PII_INDEX_KEY", default="")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"httpx": {"level": "WARNING"}, "httpcore": {"level": "WARNING"}},
}
