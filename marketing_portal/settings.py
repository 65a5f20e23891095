"""Settings for the Marketing Portal, read from the environment (django-environ).

Defaults give the embedded set-up used by ``make run``: SQLite and a Celery transport that needs no
server. Setting ``DATABASE_URL`` / ``REDIS_URL`` switches to PostgreSQL / Redis (tests and production).
``SECRET_KEY`` has no default on purpose: ``make run`` writes a random one into ``.env``.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

SECRET_KEY = env("SECRET_KEY")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "guardian",
    "rules.apps.AutodiscoverRulesConfig",  # imports each app's rules.py (the permission layer)
    "simple_history",
    "django_htmx",
    "csp",
    "axes",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from our static files, no CDN
    # Our apps, in dependency order: each depends only on the ones above it.
    "marketing_portal.apps.PortalConfig",
    "org",
    "contracts",
    "handoff",
    "receivables",
    "repairs",
    "planning",
    "dashboards",
    "integrations",  # API, calendar feeds, WeCom / DingTalk notices: depends on all of the above, nothing on it
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",  # Content-Security-Policy: CONTENT_SECURITY_POLICY below
    "marketing_portal.middleware.PrivacyHeadersMiddleware",  # Permissions-Policy; no-store on private responses
    "django.contrib.sessions.middleware.SessionMiddleware",
    "marketing_portal.middleware.SessionKeepAliveMiddleware",  # the session saved every 5 minutes of use, not each page
    "marketing_portal.middleware.ChineseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "marketing_portal.middleware.HostileInputMiddleware",  # a NUL byte in a parameter: 400, not a database error
    "marketing_portal.memo.RequestMemoMiddleware",  # org-chart lookups once a reading request (memo.py)
    "marketing_portal.middleware.ExpiredSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "marketing_portal.urls"
WSGI_APPLICATION = "marketing_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "marketing_portal.context_processors.portal",
            ],
        },
    },
]
FORM_RENDERER = "marketing_portal.form_renderer.PortalFormRenderer"  # <select> without a template per option

# --- Database -----------------------------------------------------------------------------------
DATABASES = {
    "default": env.db(
        "DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}",
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share one file: wait for locks instead of failing, take the write lock early.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 30, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    options = DATABASES["default"].setdefault("OPTIONS", {})
    if not env.bool("PG_JIT", default=False):
        # PostgreSQL's JIT compiles any statement its planner guesses costly: the visibility conditions (ORs of
        # EXISTS) make the guesses huge, and compiling took 0.4–0.9 s of a 50 ms dashboard query on the ten-year
        # data set. Short queries are this portal's whole workload: JIT off for its connections (PG_JIT=1: on).
        options["options"] = f"{options.get('options', '')} -c jit=off".strip()
    # Parallel workers: starting two for a 1 ms visibility subquery cost 8 ms of the 10 ms of a contract list's
    # count, four times a page; and on a busy web machine every core is already serving a request. Off for the
    # portal's connections (PG_PARALLEL=N: up to N workers a query, as PostgreSQL's own default of 2).
    options["options"] = (f"{options.get('options', '')} "
                          f"-c max_parallel_workers_per_gather={env.int('PG_PARALLEL', default=0)}").strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (login throttling, calendar, the dashboard's figures) ------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    # Shared by web, worker and beat without any server.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(BASE_DIR / "var" / "cache"),
        }
    }
# The dashboard's figures and the managers' home cards are cached under a data version that every committed write
# to the tables they read changes (marketing_portal/figures_cache.py); this lifetime bounds anything else: on
# PostgreSQL (triggers count every write; a calendar change forgets the figures again once every process has re-read
# the calendar) an hour, so a manager's home is not computed afresh every five minutes; on SQLite, whose version
# only the signals move, five minutes. 0: no cache.
FIGURES_CACHE_SECONDS = env.int(
    "FIGURES_CACHE_SECONDS", default=300 if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" else 3600)

# --- Authentication and sessions ----------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "rules.permissions.ObjectPermissionBackend",  # <app>/rules.py: who may see and do what
    "marketing_portal.backends.RecordGrantBackend",  # django-guardian: grants to a named person on one record
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # Asked when a password is set through a form (change, reset, the admin site), not at log-in: the demo logins
    # (PORTAL_DEMO_PASSWORD, set by seed_demo) keep working. Messages in zh-Hans: marketing_portal/passwords.py.
    {"NAME": "marketing_portal.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)  # one working day
# The expiry counts from the last request, not from login: the session is saved again when its last save is older
# than this (marketing_portal.middleware.SessionKeepAliveMiddleware), not on every request.
SESSION_REFRESH_SECONDS = env.int("SESSION_REFRESH_SECONDS", default=300)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "marketing_portal.views.csrf_failure"  # the portal's 403 page, not Django's English one

# Login throttling (django-axes): 5 failures lock the username from that address for 15 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

GUARDIAN_RAISE_403 = False
# guardian's check looks for its own backend by name; ours (marketing_portal.backends.RecordGrantBackend) is its
# subclass, asked only for the model permissions guardian grants.
SILENCED_SYSTEM_CHECKS = ["guardian.W001"]
ANONYMOUS_USER_NAME = None  # no guardian anonymous user: anonymous visitors are sent to the login page

# --- Browser security headers (issue 13) --------------------------------------------------------
# Scripts only from our own static files: no inline <script>, no on…= handlers (a test walks the templates).
# Styles allow inline style="" attributes (layout tweaks in templates); nothing is loaded from another site.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],  # the drawn signature and photo previews on the phone
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
PERMISSIONS_POLICY = ("accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
                      "payment=(), usb=()")  # photos come through the file picker (capture=), no device APIs

# --- Language, time -----------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Files --------------------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
MEDIA_ROOT = env("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media"))
# Uploads are never served from MEDIA_URL: only through the permission-checked download view.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Everything but the files of one request (form fields, a drawn signature): 10 MB typed into a box is refused (400).
DATA_UPLOAD_MAX_MEMORY_SIZE = 3 * 1024 * 1024

# --- E-mail -------------------------------------------------------------------------------------
_MAIL = "django.core.mail.backends"
# In development (DEBUG without a mail server named) each e-mail is one log line and an entry on the outbox page.
EMAIL_BACKEND = env("EMAIL_BACKEND", default="marketing_portal.mail.OutboxBackend"
                    if DEBUG and not env("EMAIL_HOST", default="") else f"{_MAIL}.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="marketing-portal@localhost")
PORTAL_BASE_URL = env("PORTAL_BASE_URL", default="http://127.0.0.1:8000")

# --- Celery -------------------------------------------------------------------------------------
# With Redis: Redis broker. Without: kombu's filesystem transport, which needs no server at all.
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=30 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=25 * 60)
CELERY_TASK_IGNORE_RESULT = True
# One source for the periodic work: CELERY_BEAT_SCHEDULE below (reviewed code, the same in every environment).
# Beat keeps only its last-run times in this file; there is no second schedule in the database.
CELERY_BEAT_SCHEDULER = "celery.beat:PersistentScheduler"
CELERY_BEAT_SCHEDULE_FILENAME = env("CELERY_BEAT_SCHEDULE_FILENAME",
                                    default=str(BASE_DIR / "var" / "celerybeat-schedule"))
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT + 600}
else:
    _queue_dir = Path(env("CELERY_FS_QUEUE", default=str(BASE_DIR / "var" / "celery-queue")))
    _queue_dir.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://localhost//"  # a host named: kombu warns at every start without one
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "control_folder": str(_queue_dir / "control"),
    }
    (_queue_dir / "control").mkdir(exist_ok=True)
    CELERY_RESULT_BACKEND = None
    CELERY_WORKER_ENABLE_REMOTE_CONTROL = False
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# Link tasks between apps (marketing_portal.links) wait this long for a row lock, then fail and are retried.
LINK_LOCK_TIMEOUT_MS = env.int("LINK_LOCK_TIMEOUT_MS", default=10_000)

# Periodic work — the only schedule (see README, "Periodic work"). Every periodic task is idempotent by its own key,
# so a repeated or missed run is harmless; times are Beijing time (CELERY_TIMEZONE).
CELERY_BEAT_SCHEDULE = {
    "portal-health": {"task": "marketing_portal.tasks.health_task", "schedule": 300.0},
    # Daily: objection and reply deadlines, overdue loans of contract originals (CON-8, CON-10); idempotent by key.
    "contracts-reminders": {"task": "contracts.tasks.contract_reminders_task", "schedule": 24 * 3600.0},
    # Hourly: hand-off reminders on the due day (policy hours) and overdue alerts (HND-6); each sent once by key.
    "handoff-deadlines": {"task": "handoff.tasks.handoff_deadlines_task", "schedule": 3600.0},
    # Daily at 00:30 Beijing time: the receivables sweep (RCV-10); idempotent by the ledger's unique rule keys.
    "receivables-sweep": {"task": "receivables.tasks.sweep_receivables_task", "schedule": crontab(hour=0, minute=30)},
    # Mondays 08:00: the receivables digest for managers (RCV-12); once per manager and week by key.
    "receivables-digest": {"task": "receivables.tasks.receivables_digest_task",
                           "schedule": crontab(hour=8, minute=0, day_of_week="mon")},
    # Every 15 minutes: repair service levels in working hours; head, then supervisor alerted once each by key.
    "repairs-service-levels": {"task": "repairs.tasks.repair_service_levels_task", "schedule": 900.0},
    # Daily 09:00: sales reports due today or overdue (RPT-2); each person (then their manager) told once by key.
    "planning-report-reminders": {"task": "planning.tasks.report_reminders_task",
                                  "schedule": crontab(hour=9, minute=0)},
}

# --- REST API (integrations.api) ---------------------------------------------------------------
# Bearer tokens only (hashed, scoped, expiring); JSON in and out; every error a JSON body with a code.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["integrations.api.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated",
                                   "integrations.api.permissions.HasScope"],
    "DEFAULT_THROTTLE_CLASSES": ["integrations.api.throttling.TokenRateThrottle"],  # counted in the cache (Redis)
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "integrations.api.errors.exception_handler",
}
API_THROTTLE_RATE = env("API_THROTTLE_RATE", default="120/minute")
# WeCom / DingTalk robots (integrations.robots): attempts per notice with doubling back-off, then failed; a robot
# with this many failed notices in a row is marked failing and reported to the administrators.
ROBOT_MAX_ATTEMPTS = env.int("ROBOT_MAX_ATTEMPTS", default=5)
ROBOT_RETRY_SECONDS = env.float("ROBOT_RETRY_SECONDS", default=30.0)
ROBOT_FAILING_AFTER = env.int("ROBOT_FAILING_AFTER", default=3)
# Hosts ("127.0.0.1:port") allowed besides the vendors' for robot webhooks: only the tests' local server sets this.
ROBOT_WEBHOOK_TEST_HOSTS: tuple = ()
SPECTACULAR_SETTINGS = {
    "TITLE": "Marketing Portal API",
    "DESCRIPTION": "Customers, contracts, projects, invoices, receipts, tickets and the commission ledger, narrowed "
                   "to what the token's person or service account may see; invoices and receipts recorded through "
                   "the same checks as the pages.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_AUTHENTICATION": [
        "rest_framework.authentication.SessionAuthentication",
        "integrations.api.authentication.BearerTokenAuthentication"],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/",
    "COMPONENT_SPLIT_REQUEST": True,
}

# --- Logging ------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # One format and one time zone (the portal's, TIME_ZONE: Django sets the process's TZ to it) for every process.
    "formatters": {"portal": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s",
                              "datefmt": "%Y-%m-%d %H:%M:%S"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "portal"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"weasyprint": {"level": "ERROR"}, "fontTools": {"level": "ERROR"},
                # In development the worker's "task received / succeeded" pair per task drowns what matters (an
                # e-mail is already one line of its own); failures still show.
                "celery.app.trace": {"level": env("TASK_LOG_LEVEL", default="WARNING" if DEBUG else "INFO")},
                "celery.worker.strategy": {"level": env("TASK_LOG_LEVEL", default="WARNING" if DEBUG else "INFO")}},
}

# --- Portal -------------------------------------------------------------------------------------
# A calendar warning is shown to admins for years the calendar cannot answer (SPEC CAL-2).
PORTAL_DEMO_PASSWORD = env("PORTAL_DEMO_PASSWORD", default="Demo@2026")
