"""Settings shared by every environment, read from the process environment (django-environ).

Nothing secret lives here: `SECRET_KEY` has a default only when `DEBUG` is on.
"""

import datetime as dt
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# A developer's own `.env` (see `.env.example`); the real environment wins over it.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

if DEBUG:
    SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-never-use-in-production")
else:
    SECRET_KEY = env("SECRET_KEY")
    if len(SECRET_KEY) < 32:
        raise environ.ImproperlyConfigured(
            "SECRET_KEY must be set to a random string of 32 characters or more when DEBUG is off."
        )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# A form refused by the CSRF check gets a page in the app's layout saying what to do.
CSRF_FAILURE_VIEW = "osm.views.csrf_failure"

INSTALLED_APPS = [
    "core.admin_site.OSMAdminConfig",
    "django.contrib.auth",
    "axes",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rules",
    "simple_history",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "django_htmx",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # OSM's own: the kernel (app label `osm`), then the apps in their import order (a
    # package imports only from those above it in this list), the pages that bring them
    # together, and the developer tools (the demo company, seeding, benchmarks).
    "core",
    "scorecards",
    "initiatives",
    "budgets",
    "people",
    "communication",
    "alignment",
    "reviews",
    "reports",
    "accounts",
    "dashboards",
    "devtools",
]
# The apps whose data a change of moves the data version on (core/versioning.py) and that
# a backup holds (core/backup.py), by app label.
OSM_DATA_APPS = (
    "scorecards", "initiatives", "budgets", "people", "communication", "reviews", "reports",
)  # fmt: skip
OSM_APPS = (
    "osm", "scorecards", "initiatives", "budgets", "people", "communication", "alignment",
    "reviews", "reports",
)  # fmt: skip

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Body size and JSON depth, before any view or the CSRF check reads a body.
    "core.middleware.RequestLimitsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After the session (a signed-in user's language is kept there), before CommonMiddleware
    # (Django's order): the user's choice, else the browser's Accept-Language (core/i18n.py).
    "core.i18n.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The signed-in session's index row (Security page): its key and last-seen time in step.
    "accounts.session_middleware.SessionIndexMiddleware",
    # request.user.is_verified(): whether this session passed the second factor.
    "django_otp.middleware.OTPMiddleware",
    # Right after it: a session that must pass the second factor reaches only the pages that
    # get it there (the API signed in by session answers 403); accounts/middleware.py.
    "accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "osm.urls"
WSGI_APPLICATION = "osm.wsgi.application"
ASGI_APPLICATION = "osm.asgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'osm.sqlite3'}"),
}
# A streaming replica of the PostgreSQL primary (docs/operations.md, "The database"): only
# the heavy reads that ask for it go there, by core/replica.py's rules (never a write, never
# a read that must see a write it has not replayed yet); a replica that does not answer within
# DATABASE_REPLICA_CONNECT_TIMEOUT seconds is left alone for DATABASE_REPLICA_RETRY_SECONDS.
DATABASE_REPLICA_URL = env("DATABASE_REPLICA_URL", default="")
DATABASE_REPLICA_MAX_WAIT_MS = env.int("DATABASE_REPLICA_MAX_WAIT_MS", default=100)
DATABASE_REPLICA_RETRY_SECONDS = env.int("DATABASE_REPLICA_RETRY_SECONDS", default=30)
DATABASE_ROUTERS: list[str] = []
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = env.db_url_config(DATABASE_REPLICA_URL)
    engines = {database["ENGINE"] for database in DATABASES.values()}
    if engines != {"django.db.backends.postgresql"}:
        raise environ.ImproperlyConfigured(
            "DATABASE_REPLICA_URL needs DATABASE_URL and itself to name PostgreSQL databases."
        )
    DATABASES["replica"].setdefault("OPTIONS", {})["connect_timeout"] = env.int(
        "DATABASE_REPLICA_CONNECT_TIMEOUT", default=2
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}  # tests read what they wrote
    DATABASE_ROUTERS = ["core.replica.ReplicaRouter"]
# "pgbouncer": the database URLs point at PgBouncer in transaction pooling mode, where each
# transaction may run on another server connection. Server-side cursors (QuerySet.iterator
# outside a transaction) would outlive theirs, so they are off. Django's connections to
# PgBouncer stay persistent: they hold no session state PgBouncer does not carry over
# (no prepared statements with psycopg2, only transaction-level advisory locks and
# settings, and the time zone, which PgBouncer tracks for each client).
DATABASE_POOLER = env("DATABASE_POOLER", default="").strip().lower()
if DATABASE_POOLER not in ("", "pgbouncer"):
    raise environ.ImproperlyConfigured("DATABASE_POOLER must be empty or 'pgbouncer'.")
for database in DATABASES.values():
    database["ATOMIC_REQUESTS"] = False
    # Reuse connections but check them first, so a restarted PostgreSQL is picked up again.
    database["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    database["CONN_HEALTH_CHECKS"] = True
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database["CONN_MAX_AGE"] = 0
        database.setdefault("OPTIONS", {})["timeout"] = 20
    elif DATABASE_POOLER == "pgbouncer":
        database["DISABLE_SERVER_SIDE_CURSORS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # First: refuses any login, web or API, while the user or the address is locked out.
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    # Password sign-in, refused when PASSWORD_LOGIN is off except for BREAK_GLASS_USERNAMES.
    "accounts.backends.PasswordBackend",
    # Single sign-on (accounts/sso_views.py signs in with it; it also restores those sessions).
    "accounts.backends.SSOBackend",
]

# Content-Security-Policy (django-csp), in every environment so the tests see what
# production enforces: scripts only from our own origin (no inline script, no eval);
# styles also inline, because Plotly and htmx write <style> rules at run time.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# The client's real address (core/addresses.py): behind NUM_PROXIES trusted proxies, the
# entry that many places from the right of X-Forwarded-For; with none, the header is ignored.
NUM_PROXIES = env.int("NUM_PROXIES", default=0)

# Login protection (django-axes, accounts/lockout.py): LOGIN_FAILURE_LIMIT failed logins for
# one username *from one address* lock that pair out, so an attacker elsewhere can neither
# lock a user out nor, guessing many usernames, lock out everyone behind a shared address.
# Each further lockout of the same pair within a day lasts twice as long as the one before
# (LOGIN_LOCKOUT_MINUTES, then 2x, 4x... up to a day). OSM staff unlock on the user's page.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_LOCKOUT_MINUTES = env.int("LOGIN_LOCKOUT_MINUTES", default=15)
AXES_COOLOFF_TIME = "accounts.lockout.cool_off"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Each attempt record expires with its own lockout, so another login's clean-up cannot lift a
# longer (progressive) lockout early (accounts/lockout.py).
AXES_USE_ATTEMPT_EXPIRATION = True
AXES_CLIENT_IP_CALLABLE = "core.addresses.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_ENABLED = env.bool("LOGIN_LOCKOUT", default=True)
AXES_VERBOSE = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Not a rule: a new password ends the user's API tokens and other sessions.
    {"NAME": "accounts.password_hooks.EndAccessOnPasswordChange"},
]

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "landing"  # dashboards.views.landing: where each role's work is
LOGOUT_REDIRECT_URL = "/accounts/login/"

# Enterprise sign-in (accounts/, docs/operations.md "Sign-in"). Single sign-on through an
# OpenID Connect provider, on when OIDC_ISSUER is set: its discovery document
# (<issuer>/.well-known/openid-configuration) gives the endpoints and the signing keys.
OIDC_ISSUER = env("OIDC_ISSUER", default="").rstrip("/")
OIDC_CLIENT_ID = env("OIDC_CLIENT_ID", default="")
OIDC_CLIENT_SECRET = env("OIDC_CLIENT_SECRET", default="")
OIDC_SCOPES = env("OIDC_SCOPES", default="openid email profile")
OIDC_PROVIDER_NAME = env("OIDC_PROVIDER_NAME", default="your company account")
# The claim that lists the person's groups, and which group gives which OSM role
# ("osm-staff:OSM staff,execs:Executive"): re-applied at every sign-in.
OIDC_GROUPS_CLAIM = env("OIDC_GROUPS_CLAIM", default="groups")
OIDC_ROLE_MAP = env("OIDC_ROLE_MAP", default="")
# A sign-in whose `amr` claim names one of these methods counts as two-factor (RFC 8176); only
# `mfa` by default: `otp`, `hwk`, `swk`, `fpt`, `sc` may each be a single factor.
OIDC_MFA_AMR = env.list("OIDC_MFA_AMR", default=["mfa"])
# An existing OSM account is linked at its first single sign-on by e-mail address only when
# the provider says it verified the address (`email_verified`); a provider that sends no such
# claim (Microsoft Entra ID) links too with this on, where only its administrators set
# addresses (never an account with the admin's access, a superuser or a break-glass one).
OIDC_LINK_UNVERIFIED_EMAIL = env.bool("OIDC_LINK_UNVERIFIED_EMAIL", default=False)
OIDC_TRUST_PROVIDER_MFA = env.bool("OIDC_TRUST_PROVIDER_MFA", default=True)
# Password sign-in: off leaves it to the break-glass accounts named here (SSO for everyone
# else, including API tokens, which people then create on their Security page).
PASSWORD_LOGIN = env.bool("PASSWORD_LOGIN", default=True)
BREAK_GLASS_USERNAMES = env.list("BREAK_GLASS_USERNAMES", default=[])
# The second factor (django-otp, TOTP): "staff" (OSM staff and superusers, the default),
# "all" (every role) or "none".
OTP_REQUIRED_FOR = env("OTP_REQUIRED_FOR", default="staff")
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="OSM")
# An invitation's set-password link, and a password reset's, stop working after these.
INVITATION_DAYS = env.int("INVITATION_DAYS", default=7)
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_HOURS", default=2) * 3600
# Password reset requests: per client address and per account (whatever the address).
PASSWORD_RESET_RATE_PER_ADDRESS = env("PASSWORD_RESET_RATE_PER_ADDRESS", default="5/h")
PASSWORD_RESET_RATE_PER_ACCOUNT = env("PASSWORD_RESET_RATE_PER_ACCOUNT", default="3/h")
# The security audit log keeps this many days (the nightly prune deletes older entries).
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=400)
# The OpenAPI schema and Swagger UI: for signed-in users unless published.
API_SCHEMA_PUBLIC = env.bool("API_SCHEMA_PUBLIC", default=False)

# The languages OSM speaks (docs/development.md, "Languages"): each person's choice
# (core.models.Preferences, the page /accounts/language/), else the browser's
# Accept-Language, else English. Named in their own language, as the chooser shows them.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français"), ("de", "Deutsch")]
USE_I18N = True
# Each app keeps its own catalogues in <app>/locale/ (found through INSTALLED_APPS); the
# project's templates are catalogued with the app they belong to (core/management/commands/
# makemessages.py), so no LOCALE_PATHS. The .mo files are compiled by `make install`.
LOCALE_PATHS: list[str] = []
# Dates and numbers are written and read in the active language's formats (Django's
# per-language format files: 31/12/2026 and 12,5 in French, 31.12.2026 and 12,5 in German).
# No thousands separator by default: plain integers (years, ids, codes in links) must stay
# "2026", not "2,026"; a figure that wants grouping asks for it where it is written (the
# formatting filters), in threes.
USE_THOUSAND_SEPARATOR = False
NUMBER_GROUPING = 3
# English as an international company writes it ("3 Feb 2026", never month-first):
# osm/formats/en/formats.py. French and German keep Django's formats.
FORMAT_MODULE_PATH = ["osm.formats"]
# The browser remembers a language chosen on the language page, signed in or not.
LANGUAGE_COOKIE_NAME = "osm_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_TZ = True
# One way to write a day per language (osm/formats/): `{{ day|date }}` in templates.
FORMAT_MODULE_PATH = ["osm.formats"]

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# collectstatic's target; WhiteNoise serves it compressed, hashed names cached for a year
# (production.py, and dev.py for `make run`). In DEBUG it also serves static/ as it is.
STATIC_ROOT = env("STATIC_ROOT", default=None if DEBUG else str(BASE_DIR / "staticfiles"))
WHITENOISE_USE_FINDERS = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Redis is Celery's broker and the cache. Without it tasks run inline and the cache is local.
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            # Fails open (core/cache.py): with Redis down, pages render without the cache.
            "BACKEND": "core.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
# With late acks a task whose worker died goes back to the queue after this many seconds.
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="celery")
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
}
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
# Computed again by the workers after the data changes, before a visitor asks
# (core/versioning.py); none with inline tasks.
OSM_WARM_TASKS = [] if CELERY_TASK_ALWAYS_EAGER else ["osm.tasks.warm_caches"]
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# One beat sends however many run (osm/beat.py): a lock in Redis lasting BEAT_LOCK_SECONDS,
# renewed at every tick; when it lapses another beat takes over within a third of that.
CELERY_BEAT_SCHEDULER = "osm.beat:LockedDatabaseScheduler"
BEAT_LOCK_SECONDS = env.int("BEAT_LOCK_SECONDS", default=30)
CELERY_TIMEZONE = TIME_ZONE

# Email by URL: smtp://user:pass@host:587/?tls=True in production, consolemail:// in development.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="osm@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)  # seconds an SMTP exchange may take
# Delivery claims MAIL_BATCH messages at a time for MAIL_LEASE_SECONDS (core/outbox.py); a
# message is never started unless its lease covers the SMTP timeout.
MAIL_BATCH = env.int("MAIL_BATCH", default=100)
MAIL_LEASE_SECONDS = env.int("MAIL_LEASE_SECONDS", default=300)
if MAIL_LEASE_SECONDS < 2 * (EMAIL_TIMEOUT + 5):
    raise environ.ImproperlyConfigured(
        "MAIL_LEASE_SECONDS must be at least twice EMAIL_TIMEOUT + 5 seconds."
    )
# Reminders (reviews/reminders.py): how many days before a value is due, and before a
# review meeting, people are reminded.
REMINDER_LEAD_DAYS = env.int("REMINDER_LEAD_DAYS", default=5)
REVIEW_LEAD_DAYS = env.int("REVIEW_LEAD_DAYS", default=3)
# The links in emails point here (no request to take the host from).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        # DRF's, refusing a session that still owes its second factor.
        "core.api.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON in (API.md): a form or multipart body answers 415, and the schema declares only
    # application/json, so generated clients get one body type per operation. The bulk
    # upload adds text/csv itself; a practice's document (one file) is the only multipart body.
    "DEFAULT_PARSER_CLASSES": ["core.api.parsers.JSONParser"],  # refuses deep nesting
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "core.api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "login_address": env("LOGIN_RATE_PER_ADDRESS", default="10/min"),
        "login_user": env("LOGIN_RATE_PER_USER", default="10/min"),
    },
    "NUM_PROXIES": NUM_PROXIES,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "COERCE_DECIMAL_TO_STRING": True,
    "DATETIME_FORMAT": "iso-8601",
}
REST_KNOX = {
    "TOKEN_TTL": dt.timedelta(days=env.int("API_TOKEN_DAYS", default=30)),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
    "TOKEN_LIMIT_PER_USER": None,
    "USER_SERIALIZER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "OSM REST API",
    "DESCRIPTION": (
        "Office of Strategy Management: units, objectives, measures and their values, "
        "initiatives, budgets, people and reviews, and the computed scorecards, strategy "
        "maps, cascades and alignment. Authenticate with `POST /api/v1/auth/token/` and send "
        "`Authorization: Token <token>`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Swagger UI's files come from the drf-spectacular-sidecar package: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.schema.describe",
    ],
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several fields share a name ("status", "kind") with different choices: name each set.
    "ENUM_NAME_OVERRIDES": {
        "UnitKindEnum": "scorecards.choices.UnitKind",
        "PolarityEnum": "scorecards.choices.Polarity",
        "FrequencyEnum": "scorecards.choices.Frequency",
        "AggregationEnum": "scorecards.choices.Aggregation",
        "RollupEnum": "scorecards.choices.Rollup",
        "InitiativeStatusEnum": "initiatives.choices.InitiativeStatus",
        "BudgetCategoryEnum": "budgets.choices.BudgetCategory",
        "GoalKindEnum": "people.choices.GoalKind",
        "MeetingKindEnum": "reviews.choices.MeetingKind",
        "MeetingStatusEnum": "reviews.choices.MeetingStatus",
        "ActionStatusEnum": "reviews.choices.ActionStatus",
        "PackKindEnum": "reports.choices.PackKind",
        "PulseStatusEnum": "communication.choices.PulseStatus",
        "CadenceEnum": "reports.choices.Cadence",
        "ScoreStatusEnum": ["green", "yellow", "red", "no_data"],
        "TrendEnum": ["up", "down", "flat"],
        "NotificationKindEnum": "core.models.NotificationKind",
        "NotificationChannelEnum": "core.models.NotificationChannel",
        "ValueStateEnum": "scorecards.choices.ValueState",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}

# Domain settings (DESIGN.md "Scoring" and "Alignment metrics").
FISCAL_YEAR_START_MONTH = env.int("FISCAL_YEAR_START_MONTH", default=1)
if not 1 <= FISCAL_YEAR_START_MONTH <= 12:
    raise environ.ImproperlyConfigured("FISCAL_YEAR_START_MONTH must be a month number, 1 to 12.")
MEASURE_DUE_DAYS = env.int("MEASURE_DUE_DAYS", default=10)
# Test and adapt (alignment/testing.py): the longest lag, in periods of the pair's frequency,
# at which a cause's movements are compared with its effect's.
STRATEGY_TEST_MAX_LAG = env.int("STRATEGY_TEST_MAX_LAG", default=6)
if not 0 <= STRATEGY_TEST_MAX_LAG <= 24:
    raise environ.ImproperlyConfigured("STRATEGY_TEST_MAX_LAG must be 0 to 24 periods.")
# Strategy test runs started more than this many days ago are deleted nightly, except the
# runs the pages still show and any run in progress (alignment.strategy_tests).
STRATEGY_TEST_RETENTION_DAYS = env.int("STRATEGY_TEST_RETENTION_DAYS", default=90)
if not 0 <= STRATEGY_TEST_RETENTION_DAYS <= 36500:
    raise environ.ImproperlyConfigured("STRATEGY_TEST_RETENTION_DAYS must be 0 to 36500 days.")
# Request bodies (core/uploads.py): every view takes at most REQUEST_MAX_BYTES, Django's
# default DATA_UPLOAD_MAX_MEMORY_SIZE of 2.5 MB (core.middleware.RequestLimitsMiddleware
# answers 413 above it, from the declared length, before anything reads the body); only
# the uploads (the bulk API, the CSV upload page) take up to BULK_MAX_BYTES (10,000 rows
# of CSV are about 0.5 MB). Django's own limit cannot be raised per view, so it is the
# uploads' ceiling: the page's preview posts the CSV back as a form field.
REQUEST_MAX_BYTES = env.int("REQUEST_MAX_BYTES", default=2_621_440)
BULK_MAX_BYTES = env.int("BULK_MAX_BYTES", default=20_000_000)
DATA_UPLOAD_MAX_MEMORY_SIZE = max(REQUEST_MAX_BYTES, BULK_MAX_BYTES)
# Practices' attachments (communication.PracticeAttachment), kept through the default
# storage under MEDIA_ROOT and served only by the app (to who may see the practice), never
# as public media: there is no MEDIA_URL route.
MEDIA_ROOT = env("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media"))
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=10_000_000)
# PostgreSQL's text-search configuration (core/search.py): empty takes LANGUAGE_CODE's
# (english, french, german...). The search indexes are built with it when migrating.
OSM_SEARCH_CONFIG = env("OSM_SEARCH_CONFIG", default="")
FILE_UPLOAD_HANDLERS = [
    "core.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
