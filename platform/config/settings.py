"""OneWindow settings, driven by environment variables (django-environ).

The embedded default needs no server: SQLite in WAL mode and Celery's filesystem broker. Setting
DATABASE_URL and REDIS_URL switches to PostgreSQL and Redis; nothing else changes.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

from config.embedded_credentials import embedded_department_credentials

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(environ.Env().str("ONEWINDOW_VAR_DIR", default=str(REPO_ROOT / "var"))).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()
if (REPO_ROOT / ".env").exists():
    environ.Env.read_env(REPO_ROOT / ".env")

DEBUG = env.bool("DJANGO_DEBUG", default=False)
# The embedded default's key is public (it is right here): `manage.py check --deploy` warns
# (accounts.W001), and docker-compose refuses to start without DJANGO_SECRET_KEY.
EMBEDDED_DEVELOPMENT_SECRET_KEY = "onewindow-embedded-development-key-change-me"
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default=EMBEDDED_DEVELOPMENT_SECRET_KEY)
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
    "identity",
    "review",
    "rules",
    "departments",
    "privacy",
    "axes",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.PrivilegedSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
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
    # Parameters travel apart from the statement, and a statement run five times on a connection
    # is prepared there (psycopg's prepare_threshold): PostgreSQL then skips parsing and planning
    # the hot path's few dozen statements on every call, and psycopg skips quoting values into text.
    # (A migration that changes a table's columns can fail a prepared statement on a connection
    # opened before it; CONN_MAX_AGE bounds how long one lives, and the next attempt reconnects.)
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=env.bool("PG_SERVER_SIDE_BINDING", default=True),
        prepare_threshold=env.int("PG_PREPARE_THRESHOLD", default=5),
        # No statement, lock wait or idle transaction may hang a worker or a request: a frozen
        # process holding a lock is cut off, and whoever waits on it gets an error and retries.
        options=" ".join(
            [
                f"-c statement_timeout={env.int('PG_STATEMENT_TIMEOUT_MS', default=30_000)}",
                f"-c lock_timeout={env.int('PG_LOCK_TIMEOUT_MS', default=10_000)}",
                "-c idle_in_transaction_session_timeout="
                f"{env.int('PG_IDLE_IN_TRANSACTION_TIMEOUT_MS', default=60_000)}",
            ]
        ),
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Security: transport, cookies, sessions, content policy ----------------------------------
# Everything here is off by default, because `make run` serves plain HTTP on 127.0.0.1; a
# deployment behind TLS turns it on (docker/docker-compose.yml does; `check --deploy` says what
# is missing).
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=False)
# Behind a TLS-terminating proxy: "HTTP_X_FORWARDED_PROTO,https" (the header the proxy sets, and
# the value meaning HTTPS). Only set it when the proxy always overwrites that header.
_proxy_ssl_header = env.list("DJANGO_SECURE_PROXY_SSL_HEADER", default=[])
SECURE_PROXY_SSL_HEADER = tuple(_proxy_ssl_header) if len(_proxy_ssl_header) == 2 else None
# How many reverse proxies of ours stand in front of the web server: the client address for login
# lockout and API throttling is then read from X-Forwarded-For, counted from the right.
TRUSTED_PROXY_COUNT = env.int("DJANGO_TRUSTED_PROXY_COUNT", default=0)
SESSION_COOKIE_SECURE = env.bool("DJANGO_SESSION_COOKIE_SECURE", default=False)
CSRF_COOKIE_SECURE = env.bool("DJANGO_CSRF_COOKIE_SECURE", default=False)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
# A working day, not Django's two weeks.
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_COOKIE_AGE", default=8 * 3600)
# Reviewers and staff see full ID numbers (the review case page) or administer lists: their
# session ends when the browser closes, and after this long without a request
# (accounts.middleware.PrivilegedSessionMiddleware).
PRIVILEGED_SESSION_IDLE_SECONDS = env.int("PRIVILEGED_SESSION_IDLE_SECONDS", default=30 * 60)
# Content-Security-Policy (django-csp): scripts only from this site's static files, never inline
# (every page script lives under static/), no plugins, no framing, forms post only here. Inline
# styles stay allowed: Django's admin and DRF's pages use a few, and a style cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- Authentication: passwords and login lockout ------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "accounts.lockout.LoginLockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# django-axes: this many failed logins lock out the username, and separately the client address,
# for LOGIN_LOCKOUT_MINUTES (each further failure restarts the clock). Counted in the database,
# so every web process shares the count. A successful login clears the username's failures.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_address"
AXES_VERBOSE = False
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
    # Bounded parsers (intake/api/parsers.py): a body above API_MAX_BODY_BYTES is a 413, and
    # malformed or absurdly nested JSON a 400, never a 500.
    "DEFAULT_PARSER_CLASSES": [
        "intake.api.parsers.BoundedJSONParser",
        "intake.api.parsers.BoundedFormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # Rates per integrator and per anonymous address, counted in the shared cache (see CACHES).
    # The default is far above what one integrator needs (the pipeline benchmark polls at about
    # 20 requests a second) and stops a runaway or hostile client.
    "DEFAULT_THROTTLE_CLASSES": [
        "accounts.throttling.ApiClientRateThrottle",
        "accounts.throttling.AnonymousRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "api_client": env.str("API_THROTTLE_RATE", default="6000/min"),
        "api_anonymous": env.str("API_ANONYMOUS_THROTTLE_RATE", default="600/min"),
        # The verification endpoints, per client address (on top of the per-phone code limits).
        "verification_address": env.str("VERIFICATION_ADDRESS_THROTTLE_RATE", default="300/hour"),
    },
}
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=1024 * 1024)
API_MAX_JSON_DEPTH = env.int("API_MAX_JSON_DEPTH", default=32)
# At most this many shareholders in one application (API and form alike).
APPLICATION_MAX_SHAREHOLDERS = env.int("APPLICATION_MAX_SHAREHOLDERS", default=50)
SPECTACULAR_SETTINGS = {
    "TITLE": "OneWindow API",
    "DESCRIPTION": "One form, four rule libraries, six departments in parallel.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Choice sets that share a field name with another component's ("status", "outcome").
    "ENUM_NAME_OVERRIDES": {
        "VerificationStatusEnum": ["pending", "verified", "failed", "expired"],
        "VerificationFaceOutcomeEnum": ["match", "review"],
        "VerificationFaceStepOutcomeEnum": ["match", "review", "no_match"],
    },
    # Every operation's error answers and the links from a created resource (intake/api/schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "intake.api.schema.api_errors_and_links",
    ],
}

# --- Celery ---------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
BROKER_DIR = VAR_DIR / "broker"
# Publishing must never hang a request: a broker that accepts connections and never answers
# costs at most this long, and the outbox relay publishes what could not be sent.
BROKER_SOCKET_TIMEOUT_SECONDS = env.float("BROKER_SOCKET_TIMEOUT_SECONDS", default=1.0)
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # kombu's redis transport, with a channel that survives its own close after a lost
    # connection (workflow/broker.py).
    CELERY_BROKER_TRANSPORT = "workflow.broker:RedisTransport"
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
OUTBOX_RELAY_GRACE_SECONDS = env.float("OUTBOX_RELAY_GRACE_SECONDS", default=5.0)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 90
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery's fixup would close the database connections around every task;
# config.celery_app.database_connections_tidy applies CONN_MAX_AGE instead.
CELERY_DB_REUSE_MAX = 1_000_000
CELERY_TASK_DEFAULT_QUEUE = "pipeline"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Long polls sleep on Redis change notices and re-read at least this often in case one was lost;
# without Redis they re-read every PROGRESS_POLL_SECONDS.
PROGRESS_RECHECK_SECONDS = env.float("PROGRESS_RECHECK_SECONDS", default=5.0)
PROGRESS_POLL_SECONDS = env.float("PROGRESS_POLL_SECONDS", default=0.5)
# A long poll woken by a check or department moving waits this long for the rest of the burst
# before it answers (a change of the application's own status is answered at once).
PROGRESS_SETTLE_SECONDS = env.float("PROGRESS_SETTLE_SECONDS", default=0.4)
# The audit sequencer seals appended events into the hash chain: this often, this many per transaction.
AUDIT_SEAL_SECONDS = env.float("AUDIT_SEAL_SECONDS", default=1.0)
AUDIT_SEAL_BATCH_SIZE = env.int("AUDIT_SEAL_BATCH_SIZE", default=5000)
CELERY_BEAT_SCHEDULE = {
    "outbox-relay": {"task": "workflow.outbox_relay", "schedule": env.float("OUTBOX_RELAY_SECONDS", default=2.0)},
    # Every 2 s: work lost with a killed worker is re-driven at most WORKFLOW_STUCK_AFTER_SECONDS
    # + 2 s after it was last touched (an idle sweep is three index probes, not a hot loop).
    "sweeper": {"task": "workflow.sweep", "schedule": env.float("SWEEPER_SECONDS", default=2.0)},
    "release-name-reservations": {"task": "rules.release_expired_name_reservations", "schedule": 3600.0},
    "prune-operational-tables": {
        "task": "workflow.prune",
        "schedule": env.float("PRUNE_SECONDS", default=600.0),
    },
    "privacy-retention": {
        "task": "privacy.retention_sweep",
        "schedule": env.float("PII_RETENTION_SWEEP_SECONDS", default=3600.0),
    },
    "audit-seal": {"task": "audit.seal", "schedule": AUDIT_SEAL_SECONDS},
}

# --- Cache (API throttling) ---------------------------------------------------------------------
# Shared by every process, because the API throttles count in it: Redis when REDIS_URL is set
# (the same server as the broker, keys prefixed), otherwise files under VAR_DIR/cache, which
# every gunicorn process of the embedded default reads and writes (each entry is written to a
# temporary file and renamed into place).
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env.str("CACHE_URL", default=REDIS_URL),
            "KEY_PREFIX": "onewindow",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
            "OPTIONS": {"MAX_ENTRIES": 10_000},
        }
    }

# --- Workflow -------------------------------------------------------------------------------
# Work untouched for this long is re-driven by the sweeper. Longer than a department call may
# take (DEPARTMENT_TIMEOUT_SECONDS), so that only lost work is re-driven.
WORKFLOW_STUCK_AFTER_SECONDS = env.int("WORKFLOW_STUCK_AFTER_SECONDS", default=20)
# Pending work whose queue still holds messages waits this long before the sweeper re-drives it.
WORKFLOW_QUEUED_STUCK_AFTER_SECONDS = env.float("WORKFLOW_QUEUED_STUCK_AFTER_SECONDS", default=120.0)
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

# --- Proof of presence (identity app) -----------------------------------------------------------
# Where people open their verification links (the SMS carries an absolute URL).
ONEWINDOW_PUBLIC_URL = env.str(
    "ONEWINDOW_PUBLIC_URL", default=f"http://127.0.0.1:{env.str('ONEWINDOW_PORT', default='8000')}"
)
# Keys the link tokens and the one-time codes' hashes; empty: derived from SECRET_KEY (development).
VERIFICATION_SECRET_KEY = env.str("VERIFICATION_SECRET_KEY", default="")
# Every principal must verify within this many days, or the application lapses.
VERIFICATION_DEADLINE_DAYS = env.int("VERIFICATION_DEADLINE_DAYS", default=7)
VERIFICATION_CODE_TTL_SECONDS = env.int("VERIFICATION_CODE_TTL_SECONDS", default=300)
# Wrong tries before a code stops working; lockouts before the verification fails (proof "code").
VERIFICATION_CODE_MAX_ATTEMPTS = env.int("VERIFICATION_CODE_MAX_ATTEMPTS", default=5)
VERIFICATION_CODE_MAX_LOCKOUTS = env.int("VERIFICATION_CODE_MAX_LOCKOUTS", default=3)
VERIFICATION_RESEND_SECONDS = env.int("VERIFICATION_RESEND_SECONDS", default=60)
VERIFICATION_CODES_PER_PHONE_PER_DAY = env.int("VERIFICATION_CODES_PER_PHONE_PER_DAY", default=10)
VERIFICATION_CODES_PER_ADDRESS_PER_HOUR = env.int("VERIFICATION_CODES_PER_ADDRESS_PER_HOUR", default=30)
VERIFICATION_CARRIER_MAX_FAILURES = env.int("VERIFICATION_CARRIER_MAX_FAILURES", default=3)
VERIFICATION_FACE_MAX_ATTEMPTS = env.int("VERIFICATION_FACE_MAX_ATTEMPTS", default=3)

VERIFICATION_MAX_IMAGE_PIXELS = env.int("VERIFICATION_MAX_IMAGE_PIXELS", default=20_000_000)
# The demo page that shows a logged-in demo user's simulated phone (the carrier's message store).
DEMO_SMS_INBOX = env.bool("DEMO_SMS_INBOX", default=True)
CELERY_BEAT_SCHEDULE["verification-lapse"] = {
    "task": "identity.lapse_overdue",
    "schedule": env.float("VERIFICATION_LAPSE_SWEEP_SECONDS", default=60.0),
}

# --- Departments ----------------------------------------------------------------------------
DEPARTMENT_CODES = ["market_regulation", "tax", "public_security", "social_security", "housing_fund", "bank"]
# Simulated systems the platform calls that take no part in filing an application: the mobile
# carrier (three-factor check of a phone number, SMS). Keyed and signed like the departments.
SIMULATED_SYSTEM_CODES = [*DEPARTMENT_CODES, "carrier"]
# Where the platform reaches the department systems. Empty means "in-process": HTTP requests
# are served by this same Django application through httpx's WSGI transport (used by CLI
# dry-runs when no server is running). make run and docker-compose set a real URL.
DEPARTMENTS_URL = env.str("DEPARTMENTS_URL", default="")
DEPARTMENTS_EMBEDDED = env.bool("DEPARTMENTS_EMBEDDED", default=True)
# Each department's bearer token, and its HMAC-SHA256 key: every request to a department is signed
# (departments/signing.py has the canonical message) and the department refuses unsigned, altered,
# stale or replayed requests. A real deployment (DEPARTMENTS_EMBEDDED=false) must set all of them;
# the embedded default generates random ones once per install, kept in
# VAR_DIR/department-credentials.json (mode 0600) and shared by every process, so that none can be
# derived from the source.
DEPARTMENT_TOKENS = {code: env.str(f"DEPARTMENT_TOKEN_{code.upper()}", default="") for code in SIMULATED_SYSTEM_CODES}
DEPARTMENT_SIGNING_KEYS = {
    code: env.str(f"DEPARTMENT_SIGNING_KEY_{code.upper()}", default="") for code in SIMULATED_SYSTEM_CODES
}
_missing_department_credentials = [
    f"DEPARTMENT_{kind}_{code.upper()}"
    for kind, values in (("TOKEN", DEPARTMENT_TOKENS), ("SIGNING_KEY", DEPARTMENT_SIGNING_KEYS))
    for code, value in values.items()
    if not value
]
# Which credentials came from the generated file (`manage.py check --deploy` warns about them).
DEPARTMENT_CREDENTIALS_GENERATED = bool(_missing_department_credentials)
# `make run` runs the simulators as a process of their own on this host, sharing VAR_DIR and
# therefore the generated file; only a deployment with departments elsewhere must configure them.
DEPARTMENT_CREDENTIALS_FROM_VAR = env.bool("DEPARTMENT_CREDENTIALS_FROM_VAR", default=DEPARTMENTS_EMBEDDED)
if _missing_department_credentials and not DEPARTMENT_CREDENTIALS_FROM_VAR:
    raise ImproperlyConfigured(
        "DEPARTMENTS_EMBEDDED is false, so the departments are a service of their own and their credentials "
        "must be configured (or DEPARTMENT_CREDENTIALS_FROM_VAR=true when they run on this host); missing: "
        + ", ".join(_missing_department_credentials)
    )
if _missing_department_credentials:
    _generated = embedded_department_credentials(var_dir=VAR_DIR, codes=SIMULATED_SYSTEM_CODES)
    for _code in SIMULATED_SYSTEM_CODES:
        DEPARTMENT_TOKENS[_code] = DEPARTMENT_TOKENS[_code] or _generated[_code]["token"]
        DEPARTMENT_SIGNING_KEYS[_code] = DEPARTMENT_SIGNING_KEYS[_code] or _generated[_code]["signing_key"]
DEPARTMENT_TIMEOUT_SECONDS = env.float("DEPARTMENT_TIMEOUT_SECONDS", default=10.0)
# Market regulation signs electronic business licences with this Ed25519 seed (base64 of 32
# bytes; empty: an embedded development key). The platform verifies with the published public
# key (LICENCE_AUTHORITY_PUBLIC_KEY, base64url; empty: fetched from the authority), and prints
# QR codes that link to LICENCE_VERIFY_BASE_URL/verify/licence/<token>.
DEPARTMENT_LICENCE_SIGNING_KEY = env.str("DEPARTMENT_LICENCE_SIGNING_KEY", default="")
LICENCE_AUTHORITY_PUBLIC_KEY = env.str("LICENCE_AUTHORITY_PUBLIC_KEY", default="")
# `make run` passes its port as ONEWINDOW_PORT, so `PORT=9000 make run` prints QR codes for 9000.
LICENCE_VERIFY_BASE_URL = env.str(
    "LICENCE_VERIFY_BASE_URL", default=f"http://127.0.0.1:{env.str('ONEWINDOW_PORT', default='8000')}"
)
# Simulator defaults; each simulator's own config row overrides them at run time.
DEPARTMENT_LATENCY_MS = env.str("DEPARTMENT_LATENCY_MS", default="20-150")
DEPARTMENT_FAILURE_RATE = env.float("DEPARTMENT_FAILURE_RATE", default=0.0)
CIRCUIT_FAILURE_THRESHOLD = env.int("CIRCUIT_FAILURE_THRESHOLD", default=5)
CIRCUIT_OPEN_SECONDS = env.float("CIRCUIT_OPEN_SECONDS", default=30.0)
# Proof of presence. A registry photo or a selfie above this size is refused (by the platform's
# import command before sending, and by public security itself).
FACE_IMAGE_MAX_BYTES = env.int("FACE_IMAGE_MAX_BYTES", default=5 * 1024 * 1024)

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
    # Verification link tokens are credentials: no log line shows one (identity/logging.py).
    "filters": {"verification_tokens": {"()": "identity.logging.RedactVerificationTokens"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["verification_tokens"]}
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"httpx": {"level": "WARNING"}, "httpcore": {"level": "WARNING"}},
}
