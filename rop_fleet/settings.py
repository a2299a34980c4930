"""Settings for ROP Fleet, read from the environment (README: "Environment variables").

Embedded defaults let `make run` work with no server: a SQLite file in WAL mode,
Celery's filesystem broker and a file-based cache. Production and the test
suite set DATABASE_URL, CELERY_BROKER_URL and REDIS_URL to PostgreSQL and Redis.
"""

import ipaddress
from datetime import timedelta
from pathlib import Path

import django_stubs_ext
import environ
from django.utils.csp import CSP
from kombu import Exchange, Queue

# Generic admin and queryset classes (ModelAdmin[Device]) for the type checker, at run time too.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("ROP_FLEET_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise environ.ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "dev-only-insecure-key-never-used-in-production"  # noqa: S105

# Fernet keys (comma-separated, newest first) for secrets stored in the database:
# partner gateway credentials, webhook secrets, LAN passwords. Rotate by prepending
# a new key; old rows stay readable through the older keys.
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEY", default=[])
if not FIELD_ENCRYPTION_KEYS:
    if not DEBUG:
        raise environ.ImproperlyConfigured("FIELD_ENCRYPTION_KEY must be set when DEBUG is off")
    FIELD_ENCRYPTION_KEYS = ["Zm9yLWRldmVsb3BtZW50LW9ubHktMzItYnl0ZXMtIT0="]

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# The address partners' Core Servers use to reach our alarm webhook; shown on the
# partner settings page. Defaults to the address of the request that shows it.
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="")
# Identical alarms (device, channel, status, AI types) within this many seconds of an
# event's first one fold into it with a count (alarms/ingest.py).
ALARM_DEDUPE_SECONDS = env.int("ALARM_DEDUPE_SECONDS", default=60)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "django_otp",
    "partners",
    "audit",
    "jobs",
    "devices",
    "firmware",
    "recordings",
    "alarms",
    "dashboard",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): the session passed a two-factor code (django-otp); then a
    # session of a user with two-factor authentication that did not is logged out.
    "django_otp.middleware.OTPMiddleware",
    "partners.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "partners.middleware.MethodNotAllowedMiddleware",
    "core.redis_outage.RedisOutageMiddleware",  # Redis down: a 503 page, not a 500
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "rop_fleet.urls"
WSGI_APPLICATION = "rop_fleet.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "partners.context_processors.current_partner",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'rop_fleet.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server, the worker and beat read while one of them writes;
    # IMMEDIATE transactions make writers queue instead of failing with "locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
# Every Redis client (cache, request budgets, Celery's broker) gives up after these, so a
# Redis that is down or stops answering shows a 503 page within seconds instead of hanging
# requests and workers (core/redis_outage.py). redis-py's default is to wait forever.
REDIS_CONNECT_TIMEOUT_SECONDS = env.float("REDIS_CONNECT_TIMEOUT_SECONDS", default=2.0)
REDIS_SOCKET_TIMEOUT_SECONDS = env.float("REDIS_SOCKET_TIMEOUT_SECONDS", default=3.0)
REDIS_CLIENT_OPTIONS = {
    "socket_connect_timeout": REDIS_CONNECT_TIMEOUT_SECONDS,
    "socket_timeout": REDIS_SOCKET_TIMEOUT_SECONDS,
}
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": REDIS_CLIENT_OPTIONS,  # passed to redis-py's connection pool
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# Celery: the filesystem transport needs no server; production uses Redis.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = VAR_DIR / "celery-queue"
    _queue_dir.mkdir(parents=True, exist_ok=True)  # kombu does not create it
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "control_folder": str(VAR_DIR / "celery-control"),  # else kombu writes ./control
        "store_processed": False,
        # kombu reads the folder once a second by default, and a worker then takes one
        # message per process: the demo's 200 polls every 15 s queued the rollout's reads
        # and the sweeper behind them for a minute and more.
        "polling_interval": 0.1,
    }
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CELERY_BROKER_TRANSPORT_OPTIONS = dict(REDIS_CLIENT_OPTIONS)
    # Enqueueing from a page: two quick retries, then the error (a 503 page), so a request
    # waits at most about three socket timeouts for a queue that does not answer.
    CELERY_TASK_PUBLISH_RETRY_POLICY = {
        "max_retries": 2,
        "interval_start": 0,
        "interval_step": 0.2,
        "interval_max": 0.2,
    }
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# Queues, so that one kind of work never starves another (rop_fleet/celery.py routes each
# task; docker-compose.yml runs a worker per kind; a worker given no -Q consumes them all):
# what a person waits on, background sync and health polls, bulk jobs and pushes.
QUEUE_INTERACTIVE = "interactive"
QUEUE_POLLING = "polling"
QUEUE_BULK = "bulk"
# Each its own direct exchange and key: a message sent to one queue reaches no other.
CELERY_TASK_QUEUES = [
    Queue(name, Exchange(name, type="direct"), routing_key=name)
    for name in (QUEUE_INTERACTIVE, QUEUE_POLLING, QUEUE_BULK)
]
CELERY_TASK_DEFAULT_QUEUE = QUEUE_INTERACTIVE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "partners.login_throttle.UsernameThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
# Two-factor logins (partners/two_factor.py): the name authenticator apps show for the console.
TWO_FACTOR_ISSUER = env.str("TWO_FACTOR_ISSUER", default="ROP Fleet")
# Email (invitations to a partner: partners/invitations.py). An address such as
# smtp://user:password@mail.example:587 (smtp+tls://, smtp+ssl://); the default prints each
# message to the console's standard output (make run's demo shows invitation links there).
_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST") or "localhost"
EMAIL_PORT = int(_email.get("EMAIL_PORT") or 25)
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = bool(_email.get("EMAIL_USE_TLS"))
EMAIL_USE_SSL = bool(_email.get("EMAIL_USE_SSL"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="ROP Fleet <rop-fleet@localhost>")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT_SECONDS", default=10)
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lock the pair (username, client address): repeated wrong passwords from one address lock
# that user there only, so nobody can lock a colleague out from elsewhere, and a proxy's
# own address (every request's REMOTE_ADDR behind one) never locks everybody out.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# And a throttle per user name across every address (partners/login_throttle.py): after this
# many failures the name is locked, first for LOGIN_USERNAME_LOCK_SECONDS, doubling with each
# failure after that up to the maximum. It slows a guessed name down; it never opens it.
LOGIN_USERNAME_FAILURE_LIMIT = env.int("LOGIN_USERNAME_FAILURE_LIMIT", default=20)
LOGIN_USERNAME_LOCK_SECONDS = env.int("LOGIN_USERNAME_LOCK_SECONDS", default=60)
LOGIN_USERNAME_LOCK_MAX_SECONDS = env.int("LOGIN_USERNAME_LOCK_MAX_SECONDS", default=900)
# The client address, through django-ipware. PROXY_COUNT is the number of reverse proxies in
# front of gunicorn, each appending the address it saw to X-Forwarded-For; the client is then
# the PROXY_COUNT-th entry from the right. Counting from the right (never taking the left-most
# entry, which the client writes) means a forged X-Forwarded-For cannot choose the address.
# ipware counts only the proxies listed after the client, one fewer than the proxies in front
# (the nearest one is REMOTE_ADDR, not in the header); not strict, so a client's own prefix
# in the header is ignored instead of voiding the header. Without the header (a request that
# reached gunicorn directly, like the healthcheck) the address is REMOTE_ADDR.
BEHIND_PROXY = env.bool("BEHIND_PROXY", default=False)
PROXY_COUNT = env.int("PROXY_COUNT", default=1 if BEHIND_PROXY else 0)
if PROXY_COUNT < 0:
    raise environ.ImproperlyConfigured("PROXY_COUNT must be 0 or more")
if PROXY_COUNT:
    AXES_IPWARE_PROXY_COUNT = PROXY_COUNT - 1
    AXES_IPWARE_META_PRECEDENCE_ORDER: tuple[str, ...] = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    AXES_IPWARE_PROXY_ORDER = "left-most"
else:
    AXES_IPWARE_PROXY_COUNT = None
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)
IPWARE_STRICT = False

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Uploads stream to disk, never into memory; the firmware upload installs its own
# handler (firmware/uploads.py) that hashes while it writes into MEDIA_ROOT.
FILE_UPLOAD_HANDLERS = ["django.core.files.uploadhandler.TemporaryFileUploadHandler"]
FIRMWARE_MAX_UPLOAD_BYTES = int(env.float("FIRMWARE_MAX_UPLOAD_MB", default=1024) * 2**20)
# A bulk action sends one `device` field per ticked device, and may tick as many as a job
# takes (devices.bulk.MAX_DEVICES, 10,000), beside its own few fields. Django's default of
# 1,000 refused more than 1,000 ticks; above this limit a request answers templates/400.html.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000 + 200
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Security. Production sits behind TLS; `check --deploy` is clean with these.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# The container's healthcheck (bin/healthcheck) speaks plain HTTP to 127.0.0.1 inside the
# container; /healthz answers {"status": "ok"} and nothing else, so it need not be HTTPS.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Every script and style is served from our static files; inline code needs the nonce.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
if DEBUG:
    SILENCED_SYSTEM_CHECKS = ["security.W004", "security.W008", "security.W012", "security.W016"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {
        "strip_query": {"()": "rop_fleet.log_filters.StripQueryStrings"},
        "scrub_tokens": {"()": "rop_fleet.log_filters.ScrubTokens"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["strip_query", "scrub_tokens"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # runserver's request log: through our handler, so query strings are dropped.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.request": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}

# Console behaviour
ROP_TIMEOUT_SECONDS = env.float("ROP_TIMEOUT_SECONDS", default=10.0)
# Where Core Servers and LAN cameras may be (rop.addresses): public addresses only,
# unless the installation's operator allows loopback (the demo, tests) or, for Core
# Servers, private networks. Partner admins choose the URLs; the operator chooses these.
ROP_ALLOW_LOOPBACK_ADDRESSES = env.bool("ROP_ALLOW_LOOPBACK_ADDRESSES", default=False)
ROP_ALLOW_PRIVATE_ADDRESSES = env.bool("ROP_ALLOW_PRIVATE_ADDRESSES", default=False)
# Where LAN cameras may be: these networks only (checked at every connection, after DNS), so
# an operator cannot use "add a LAN device" to probe the console's own services elsewhere.
# Loopback is ROP_ALLOW_LOOPBACK_ADDRESSES's alone (the demo's simulated cameras), listed or not.
LAN_ALLOWED_NETWORKS = [
    spec.strip()
    for spec in env.list("LAN_ALLOWED_NETWORKS", default=["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"])
    if spec.strip()
]
for _spec in LAN_ALLOWED_NETWORKS:
    try:
        ipaddress.ip_network(_spec)
    except ValueError as _exc:
        raise environ.ImproperlyConfigured(f"LAN_ALLOWED_NETWORKS: {_spec!r} is not a network ({_exc})") from None
# The largest snapshot the console passes on to a browser.
SNAPSHOT_MAX_BYTES = env.int("SNAPSHOT_MAX_BYTES", default=5 * 1024 * 1024)
# Background sync and health polling (devices/sync.py, devices/polling.py).
SYNC_INTERVAL_SECONDS = env.int("SYNC_INTERVAL_SECONDS", default=60)
POLL_SWEEP_SECONDS = env.int("POLL_SWEEP_SECONDS", default=15)
# The share of each partner's request budget background polls may plan for; the rest
# stays free for people clicking in the console and for bulk jobs.
POLL_BUDGET_SHARE = env.float("POLL_BUDGET_SHARE", default=0.5)
HEALTH_PRUNE_SECONDS = env.int("HEALTH_PRUNE_SECONDS", default=3600)
# The job engine (docs/jobs.md): how often its sweeper runs, how long a worker holds an item
# (longer than a chunk task's hard limit, 300 s) and how long a sent chunk may take to arrive.
JOBS_SWEEP_SECONDS = env.int("JOBS_SWEEP_SECONDS", default=5)
JOBS_ITEM_LEASE_SECONDS = env.int("JOBS_ITEM_LEASE_SECONDS", default=330)
JOBS_DISPATCH_SECONDS = env.int("JOBS_DISPATCH_SECONDS", default=300)
# Firmware rollouts (firmware/rollout/timing.py, learning.py): an optional guess of the
# upgrade time for models nothing was learnt about (unset: the scouts find out, from their
# first read), and the first waits for an offline or asleep device and for a low battery.
ROLLOUT_UPGRADE_SECONDS = env.float("ROLLOUT_UPGRADE_SECONDS", default=None)
ROLLOUT_FIRST_READ_SECONDS = env.float("ROLLOUT_FIRST_READ_SECONDS", default=10.0)
ROLLOUT_RETRY_SECONDS = env.float("ROLLOUT_RETRY_SECONDS", default=300.0)
ROLLOUT_DEFER_SECONDS = env.float("ROLLOUT_DEFER_SECONDS", default=1800.0)
# Retention, in days (0 = keep forever), of the audit log and of alarm events; the prunes
# run with the health samples' (audit/tasks.py, alarms/tasks.py, every HEALTH_PRUNE_SECONDS).
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=365)
# (ALARM_RETENTION_DAYS: when a partner sets no alarm retention of its own, in alarms' settings page.)
ALARM_RETENTION_DAYS = env.int("ALARM_RETENTION_DAYS", default=90)
# Containment of a Core Server that hangs or is down (docs/fairness.md). A call made
# while a person waits (device page, snapshot, settings) ends within this many seconds,
# connect, reads, retries and budget waits together; background calls have their own.
ROP_INTERACTIVE_DEADLINE_SECONDS = env.float("ROP_INTERACTIVE_DEADLINE_SECONDS", default=8.0)
ROP_BACKGROUND_DEADLINE_SECONDS = env.float("ROP_BACKGROUND_DEADLINE_SECONDS", default=20.0)
# Fleet-wide recording searches (docs/recordings.md): the most devices asked at once for one
# search (0: as many as workers take), and how long one device's calls may take, waits for the
# partner's budget included.
RECORDING_SEARCH_CONCURRENCY = env.int("RECORDING_SEARCH_CONCURRENCY", default=16)
RECORDING_SEARCH_DEVICE_SECONDS = env.float("RECORDING_SEARCH_DEVICE_SECONDS", default=60.0)
# Requests per minute each API token may make (api/auth.py), all web processes together
# (a token bucket in Redis, core.request_budget): a leaked or runaway exporter cannot load the
# database for everyone. 0: no limit.
API_TOKEN_RATE_PER_MINUTE = env.int("API_TOKEN_RATE_PER_MINUTE", default=120)
# The circuit breaker per Core Server (partners/circuit.py): this many failures in a row
# (no connection, timeouts, gateway 502/503/504) stop all calls to it for this long.
ROP_CIRCUIT_FAILURES = env.int("ROP_CIRCUIT_FAILURES", default=5)
ROP_CIRCUIT_OPEN_SECONDS = env.float("ROP_CIRCUIT_OPEN_SECONDS", default=30.0)
