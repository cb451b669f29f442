"""Settings for the Devices for Children tracker.

Everything that differs between a laptop and production comes from environment variables;
the defaults run the whole product on SQLite with no other server.
"""

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False) if (BASE_DIR / ".env").exists() else None

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="insecure-development-key-change-me-" + "x" * 30)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django_tables2",
    "django_filters",
    "import_export",
    "phonenumber_field",
    "rest_framework",
    "drf_spectacular",
    "django_tasks",
    "django_tasks_db",
    "simple_history",
    "axes",
    "csp",
    "govuk_frontend_django",
    "core",
    "accounts",
    "devices",
    "connectivity",
    "allocations",
    "support",
    "messaging",
    "reports",
    "guides",
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
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tracker.urls"

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
                "core.context_processors.service",
            ],
        },
    },
]
FORM_RENDERER = "core.forms.GovUKFormRenderer"

WSGI_APPLICATION = "tracker.wsgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while the worker writes; the timeout waits out short locks.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = env.list(
    "PASSWORD_HASHERS",
    default=[
        # Argon2id at OWASP's recommended parameters (accounts/hashers.py); the others only
        # verify older hashes, which are upgraded at the next sign-in.
        "accounts.hashers.Argon2idPasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    ],
)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Languages: staff pages and family-facing pages. Codes are ISO 639-1 (zh-hans: Chinese in
# simplified characters), each named in its own language and script. To add a language see
# docs/operations.md, "Adding a language".
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("pl", "Polski"),
    ("bn", "বাংলা"),
    ("ur", "اردو"),
    ("so", "Soomaali"),
    ("ar", "العربية"),
    ("tr", "Türkçe"),
    ("ro", "Română"),
    ("pt", "Português"),
    ("es", "Español"),
    ("gu", "ગુજરાતી"),
    ("ta", "தமிழ்"),
    ("pa", "ਪੰਜਾਬੀ"),
    ("ti", "ትግርኛ"),
    ("ps", "پښتو"),
    ("fa", "فارسی / دری"),
    ("zh-hans", "中文（简体）"),
    ("sq", "Shqip"),
    ("lt", "Lietuvių"),
    ("fr", "Français"),
    ("it", "Italiano"),
    ("vi", "Tiếng Việt"),
    ("hi", "हिन्दी"),
]
# Written right to left. Django's default list lacks Pashto, so the list is explicit.
LANGUAGES_BIDI = ["ar", "ar-dz", "ckb", "fa", "he", "ps", "ug", "ur"]
# Django's LANG_INFO (behind get_language_info() and {% get_language_info %}) has no entry for
# Somali, Gujarati, Tigrinya or Pashto, and names Punjabi in English: added here, once, before
# anything reads it. support/tests/test_language.py checks every code in LANGUAGES has one.
from django.conf.locale import LANG_INFO  # noqa: E402

LANG_INFO.update({
    "so": {"bidi": False, "code": "so", "name": "Somali", "name_local": "Soomaali"},
    "gu": {"bidi": False, "code": "gu", "name": "Gujarati", "name_local": "ગુજરાતી"},
    "pa": {"bidi": False, "code": "pa", "name": "Punjabi", "name_local": "ਪੰਜਾਬੀ"},
    "ti": {"bidi": False, "code": "ti", "name": "Tigrinya", "name_local": "ትግርኛ"},
    "ps": {"bidi": True, "code": "ps", "name": "Pashto", "name_local": "پښتو"},
})
# Dates for a language Django has no formats for (Somali, Gujarati, Punjabi, Urdu, Tigrinya,
# Pashto) fall back to these: day first, as in the UK, never Django's US default "N j, Y".
# tracker/formats/<code>/ holds per-language formats (numeric dates where Django has no month
# names in that language).
DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "d/m/Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%d.%m.%Y", "%d.%m.%y", "%d-%m-%Y", "%Y-%m-%d"]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["tracker.formats"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    ("govuk-frontend", BASE_DIR / "node_modules" / "govuk-frontend"),
    ("vendor/chart.js", BASE_DIR / "node_modules" / "chart.js" / "dist"),
    BASE_DIR / "static",
]
if DEBUG:
    # axe-core is a test tool (tests/browser inject it from node_modules themselves): served to
    # developers for checking a page by hand, never collected into production's static files.
    STATICFILES_DIRS.insert(1, ("vendor/axe-core", BASE_DIR / "node_modules" / "axe-core"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env(
            "STATICFILES_BACKEND",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}
# Uploaded files (ticket attachments, import files) live outside the web root and are only
# served by views that check who may see them.
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "var" / "uploads")))
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 31_457_280

# Email: console in development, SMTP from the environment in production.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Devices for Children <no-reply@devices.example>")

# Background work: django-tasks with its database backend, run by `manage.py db_worker`.
TASKS = {
    "default": {
        "BACKEND": env("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

CACHES = {
    "default": env.cache("CACHE_URL", default="locmemcache://"),
    # Rate-limit counts (core/ratelimit.py), shared by every web process and machine: Redis
    # when RATELIMIT_CACHE_URL or CACHE_URL names it, else the database cache table made by
    # `manage.py createcachetable` (scripts/setup.sh; docs/operations.md).
    "ratelimit": env.cache("RATELIMIT_CACHE_URL", default=env("CACHE_URL", default="dbcache://tracker_rate_limits")),
}
if CACHES["ratelimit"]["BACKEND"].endswith("DatabaseCache"):
    # Over MAX_ENTRIES the database cache deletes expired rows, then live ones in key order
    # (forgetting counts): room for 20,000 clients at the limit in one window.
    CACHES["ratelimit"].setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", 100_000)

# The client's address (core/ratelimit.client_address): 0 = REMOTE_ADDR; N = the Nth entry from
# the right of X-Forwarded-For, for N proxies that each append to it (nginx on the same machine: 1).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Security baseline. Production is DEBUG off; cookies secure unless explicitly turned off for
# a plain-HTTP laptop run.
SECURE_COOKIES = env.bool("SECURE_COOKIES", default=not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
# No script of ours reads the CSRF cookie (every form carries {% csrf_token %}; static/js sends
# no AJAX writes), so scripts may not read it either (core/tests/test_security.py checks both).
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 8)
SESSION_SAVE_EVERY_REQUEST = True  # inactivity expiry: the clock restarts on each request
# Database sessions; an update lost to a dropped connection after the view has committed is
# skipped instead of answering 400 (core/sessions.py; docs/operations.md, "PostgreSQL restarts under load").
SESSION_ENGINE = "core.sessions"
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

from csp.constants import NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Login lockout (django-axes): five failures for a username from one address locks for an hour.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
# The address behind our trusted proxies, not the proxy's own (which would let anyone lock a
# username for everyone): the same rule as our rate limits.
AXES_CLIENT_IP_CALLABLE = "core.ratelimit.client_address"
# Password reset emails: at most this many per client address and per email address per window.
PASSWORD_RESET_RATE_LIMIT = env.int("PASSWORD_RESET_RATE_LIMIT", default=5)
PASSWORD_RESET_RATE_WINDOW = env.int("PASSWORD_RESET_RATE_WINDOW", default=3600)

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Devices for Children API",
    "DESCRIPTION": "Devices, SIMs, allocations, tickets and shortfall figures, scoped to the caller.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
}

DJANGO_TABLES2_TEMPLATE = "core/table.html"
DJANGO_TABLES2_PAGE_RANGE = 5

IMPORT_EXPORT_SKIP_ADMIN_LOG = True

PHONENUMBER_DEFAULT_REGION = "GB"
PHONENUMBER_DEFAULT_FORMAT = "E164"

# Domain settings ---------------------------------------------------------------
SERVICE_NAME = _("Devices for Children")
SUPPORT_PHONE = env("SUPPORT_PHONE", default="020 7946 0000")
# The DfE offer: managed cover for six months from delivery, 3 GB a month of data.
DFE_LICENCE_MONTHS = env.int("DFE_LICENCE_MONTHS", default=6)
DFE_DATA_ALLOWANCE_MB = env.int("DFE_DATA_ALLOWANCE_MB", default=3072)
HORIZON_MONTHS = 36
# Unit prices (GBP) used to cost coverage gaps.
UNIT_PRICES = {
    "licence_month": env.float("PRICE_LICENCE_MONTH", default=2.50),
    "data_month": env.float("PRICE_DATA_MONTH", default=10.00),
    "laptop": env.float("PRICE_LAPTOP", default=350.00),
    "dongle": env.float("PRICE_DONGLE", default=45.00),
}
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=20 * 1024 * 1024)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=200_000)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}

# --- support settings
# Business hours for support SLAs: weekdays (0 = Monday) from start to end, local time.
SUPPORT_BUSINESS_HOURS = {"timezone": "Europe/London", "days": [0, 1, 2, 3, 4], "start": "09:00", "end": "17:00"}
# England and Wales bank holidays (gov.uk/bank-holidays), no SLA clock runs on these days.
SUPPORT_BANK_HOLIDAYS = [
    "2025-01-01", "2025-04-18", "2025-04-21", "2025-05-05", "2025-05-26", "2025-08-25", "2025-12-25", "2025-12-26",
    "2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25", "2026-08-31", "2026-12-25", "2026-12-28",
    "2027-01-01", "2027-03-26", "2027-03-29", "2027-05-03", "2027-05-31", "2027-08-30", "2027-12-27", "2027-12-28",
    "2028-01-03", "2028-04-14", "2028-04-17", "2028-05-01", "2028-05-29", "2028-08-28", "2028-12-25", "2028-12-26",
]
# SLA targets in business hours, per priority: first response and resolution.
SUPPORT_SLA_TARGETS = {
    "urgent": {"first_response": 1, "resolution": 8},
    "high": {"first_response": 4, "resolution": 16},
    "normal": {"first_response": 8, "resolution": 40},
    "low": {"first_response": 16, "resolution": 80},
}
# Public help form: at most this many submissions per address per window (seconds).
SUPPORT_PUBLIC_RATE_LIMIT = env.int("SUPPORT_PUBLIC_RATE_LIMIT", default=5)
SUPPORT_PUBLIC_RATE_WINDOW = env.int("SUPPORT_PUBLIC_RATE_WINDOW", default=3600)
# Attachments: photos and PDFs, checked by their content, not their name.
SUPPORT_ATTACHMENT_MAX_BYTES = env.int("SUPPORT_ATTACHMENT_MAX_BYTES", default=5 * 1024 * 1024)
# Absolute address of the service, for links in support emails (the family's private link).
SUPPORT_SITE_URL = env("SUPPORT_SITE_URL", default="http://localhost:8000")

# --- reports settings
# The API (reports owns tracker/api_urls.py and every app's api.py): bearer tokens for suppliers
# and network operators, sessions for staff, per-token/per-user rate limits, documented errors.
REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"] = "reports.api_schema.Schema"
REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"] = [
    "reports.api_auth.ApiTokenAuthentication",
    "rest_framework.authentication.SessionAuthentication",
]
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {
    "api": env("API_RATE", default="600/min"),
    "api_write": env("API_WRITE_RATE", default="60/min"),
}
REST_FRAMEWORK["EXCEPTION_HANDLER"] = "reports.api_common.exception_handler"
# Anonymous API throttles key on the same client address as core/ratelimit.py (DRF's default,
# NUM_PROXIES None, would take a client-written X-Forwarded-For as the address).
REST_FRAMEWORK["NUM_PROXIES"] = TRUSTED_PROXY_COUNT
SPECTACULAR_SETTINGS["COMPONENT_SPLIT_REQUEST"] = True

# --- monitoring settings
# Licence files go through the shared import engine (kind "licences"); usage files through its
# job pages and worker with their own reader and COPY upsert (kind "usage", connectivity/usage_imports.py).
IMPORT_SPECS = {**globals().get("IMPORT_SPECS", {}), "licences": "devices.licence_imports.SPEC", "usage": "connectivity.usage_imports.SPEC"}
# Operators' usage files are big: the import_usage command allows more than the web upload.
USAGE_IMPORT_MAX_ROWS = env.int("USAGE_IMPORT_MAX_ROWS", default=5_000_000)
USAGE_IMPORT_MAX_BYTES = env.int("USAGE_IMPORT_MAX_BYTES", default=500 * 1024 * 1024)

# --- foundation settings
# Without SECRET_KEY in the environment the key above is public. Prefix it the way Django's
# deploy check recognises (security.W009) so `check --deploy` warns instead of passing silently.
if "SECRET_KEY" not in env.ENVIRON:
    SECRET_KEY = "django-insecure-" + SECRET_KEY
# London view: the suppressed London-wide table is cached this long (seconds; 0 = never).
REPORTS_LONDON_CACHE_SECONDS = env.int("REPORTS_LONDON_CACHE_SECONDS", default=300)

# --- two-factor settings
# Staff sign in with a password AND a code from an authenticator app (TOTP) or a single-use
# recovery code (django-otp). Required for every role except school staff, for whom it is
# optional (once turned on it is required for them too). Production default: required. The
# laptop demo (scripts/run.sh) turns it off with TWO_FACTOR_REQUIRED=false.
INSTALLED_APPS += ["django_otp", "django_otp.plugins.otp_totp", "django_otp.plugins.otp_static"]
MIDDLEWARE.insert(MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1, "django_otp.middleware.OTPMiddleware")
MIDDLEWARE.insert(MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware") + 1, "accounts.middleware.SessionIdleTimeoutMiddleware")
MIDDLEWARE.insert(MIDDLEWARE.index("accounts.middleware.SessionIdleTimeoutMiddleware") + 1, "accounts.middleware.TwoFactorMiddleware")
TWO_FACTOR_REQUIRED = env.bool("TWO_FACTOR_REQUIRED", default=True)
# Wrong codes allowed before the user is signed out and two-step sign-in is locked for them.
TWO_FACTOR_MAX_ATTEMPTS = env.int("TWO_FACTOR_MAX_ATTEMPTS", default=5)
TWO_FACTOR_LOCKOUT_SECONDS = env.int("TWO_FACTOR_LOCKOUT_SECONDS", default=60 * 60)
TWO_FACTOR_RECOVERY_CODES = 10
OTP_TOTP_ISSUER = "Devices for Children"
# Signed-in users are signed out after this long without a request (seconds).
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)

# --- hardening settings
# A dropped database connection mid-request: a 503 "nothing was saved, try again" page (our
# template) instead of a server error; the broken connection is closed for the next request.
MIDDLEWARE.append("core.middleware.DatabaseUnavailableMiddleware")


# --- messaging settings
# Which driver sends each channel: "outbox" (the embedded default: stored and shown on the
# outbox page, nothing leaves the server), "notify" (GOV.UK Notify) or, for email, "smtp"
# (Django's mail backend, EMAIL_URL). See docs/operations.md, "Connecting GOV.UK Notify".
MESSAGING_DRIVERS = {
    "sms": env("MESSAGING_SMS_DRIVER", default="outbox"),
    "email": env("MESSAGING_EMAIL_DRIVER", default="outbox"),
    "letter": env("MESSAGING_LETTER_DRIVER", default="outbox"),
}
NOTIFY_API_KEY = env("NOTIFY_API_KEY", default="")
NOTIFY_BASE_URL = env("NOTIFY_BASE_URL", default="https://api.notifications.service.gov.uk")
NOTIFY_TIMEOUT = env.float("NOTIFY_TIMEOUT", default=10.0)
NOTIFY_SMS_SENDER_ID = env("NOTIFY_SMS_SENDER_ID", default="")
NOTIFY_EMAIL_REPLY_TO_ID = env("NOTIFY_EMAIL_REPLY_TO_ID", default="")
# The bearer tokens Notify sends with its callbacks (set the same values in Notify's API
# integration page); an empty token refuses every callback.
NOTIFY_CALLBACK_TOKEN = env("NOTIFY_CALLBACK_TOKEN", default="")
NOTIFY_INBOUND_TOKEN = env("NOTIFY_INBOUND_TOKEN", default="")
# Notify's documented limit is 3,000 messages a minute per API key; one worker keeps under it.
MESSAGING_RATE_LIMIT_PER_MINUTE = env.int("MESSAGING_RATE_LIMIT_PER_MINUTE", default=3000)
MESSAGING_MAX_ATTEMPTS = env.int("MESSAGING_MAX_ATTEMPTS", default=8)
MESSAGING_EMAIL_DOMAIN = env("MESSAGING_EMAIL_DOMAIN", default="devices.example")
# Families' email replies come back to this address; "support+<thread token>@domain" threads them.
MESSAGING_REPLY_ADDRESS = env("MESSAGING_REPLY_ADDRESS", default="support@devices.example")
SUPPORT_ACCESS_CODE_MINUTES = env.int("SUPPORT_ACCESS_CODE_MINUTES", default=15)
SUPPORT_ACCESS_CODE_ATTEMPTS = env.int("SUPPORT_ACCESS_CODE_ATTEMPTS", default=5)
SUPPORT_ACCESS_CODES_PER_HOUR = env.int("SUPPORT_ACCESS_CODES_PER_HOUR", default=3)

# --- mail settings (inbound email: families' replies and new emails into tickets)
# Where families' email is read from, polled by the worker (messaging.tasks.poll_mailbox) or
# `manage.py poll_mailbox`: a local Maildir (the embedded default; drop .eml files into its
# new/ folder) or IMAP, `imaps://user:password@host:993/INBOX` (password URL-encoded). Empty
# turns polling off. See docs/operations.md, "Connecting a mailbox".
MESSAGING_MAILBOX_URL = env("MESSAGING_MAILBOX_URL", default=f"maildir://{BASE_DIR / 'var' / 'mailbox'}")
# At most this many messages a poll; the rest wait for the next one.
MESSAGING_MAILBOX_BATCH = env.int("MESSAGING_MAILBOX_BATCH", default=50)
# Messages larger than this are not downloaded: stored as refused with their sender and subject.
MESSAGING_MAILBOX_MAX_BYTES = env.int("MESSAGING_MAILBOX_MAX_BYTES", default=25 * 1024 * 1024)
MESSAGING_MAILBOX_TIMEOUT = env.int("MESSAGING_MAILBOX_TIMEOUT", default=30)
# A CA bundle to check the IMAP server's certificate with (empty: the system's authorities).
MESSAGING_MAILBOX_CA_FILE = env("MESSAGING_MAILBOX_CA_FILE", default="")
# How often the worker (or `poll_mailbox --every`) looks for new mail, in seconds.
MESSAGING_MAILBOX_POLL_SECONDS = env.int("MESSAGING_MAILBOX_POLL_SECONDS", default=60)
MESSAGING_INBOUND_MAX_ATTACHMENTS = env.int("MESSAGING_INBOUND_MAX_ATTACHMENTS", default=5)
# More emails than this from one address in an hour are refused as a probable mail loop.
MESSAGING_INBOUND_EMAIL_MAX_PER_HOUR = env.int("MESSAGING_INBOUND_EMAIL_MAX_PER_HOUR", default=30)
# Addresses of ours besides DEFAULT_FROM_EMAIL and MESSAGING_REPLY_ADDRESS: mail from them is a loop.
MESSAGING_OWN_ADDRESSES = env.list("MESSAGING_OWN_ADDRESSES", default=[])

# --- accounts settings (the admins' GIAS upload page; the national extract is about 52 MB)
GIAS_UPLOAD_MAX_BYTES = env.int("GIAS_UPLOAD_MAX_BYTES", default=100 * 1024 * 1024)

# --- connectivity settings (network side)
# A network's file of request statuses: checked and applied through the import engine on the
# network users' own page (connectivity/status_imports.py), not the council's import pages.
IMPORT_SPECS = {**IMPORT_SPECS, "network_statuses": "connectivity.status_imports.SPEC"}
# Rows in one status file or one API bulk update.
NETWORK_STATUS_MAX_ROWS = env.int("NETWORK_STATUS_MAX_ROWS", default=200_000)
# The API's request statuses and kinds get their own enum names (no collision with SIMs' "status").
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] = {
    **SPECTACULAR_SETTINGS.get("ENUM_NAME_OVERRIDES", {}),
    "NetworkRequestStatusEnum": "connectivity.models.NetworkRequest.Status",
    "NetworkRequestKindEnum": "connectivity.models.NetworkRequest.Kind",
    "NetworkRequestProblemEnum": "connectivity.models.NetworkRequest.Problem",
}


# --- connectivity settings (connection plans)
# Data bank vouchers are imported through the shared import pages (connectivity.plan_imports).
IMPORT_SPECS = {**IMPORT_SPECS, "vouchers": "connectivity.plan_imports.SPEC"}
# A data bank voucher's data counts as the child's cover for this many months from the day given.
CONNECTIVITY_VOUCHER_MONTHS = env.int("CONNECTIVITY_VOUCHER_MONTHS", default=6)


# --- connectivity settings (idle SIMs and family check-ins: connectivity/idle.py, checkins.py)
# A SIM whose device is with a child and that used no data for this many days is idle.
CONNECTIVITY_IDLE_DAYS = env.int("CONNECTIVITY_IDLE_DAYS", default=30)
# An idle SIM whose usage "stopped": it used at least this many MB a month on average over the
# three months before it went quiet.
CONNECTIVITY_STOPPED_MIN_MB = env.int("CONNECTIVITY_STOPPED_MIN_MB", default=500)
# A check-in link works for this many days; unanswered after CONNECTIVITY_CHECKIN_FOLLOW_UP_DAYS,
# the child is on the school's follow-up list.
CONNECTIVITY_CHECKIN_LINK_DAYS = env.int("CONNECTIVITY_CHECKIN_LINK_DAYS", default=30)
CONNECTIVITY_CHECKIN_FOLLOW_UP_DAYS = env.int("CONNECTIVITY_CHECKIN_FOLLOW_UP_DAYS", default=14)


# --- connectivity settings (requests: the council's and school's side)
# Extra data on families' own phones, imported from a spreadsheet (connectivity/request_imports.py).
IMPORT_SPECS = {**IMPORT_SPECS, "family_data": "connectivity.request_imports.SPEC"}
# An open request to a network with no change for this many working days (Monday to Friday,
# less SUPPORT_BANK_HOLIDAYS) is overdue: the request list's filter, a home card, an alert.
CONNECTIVITY_REQUEST_OVERDUE_DAYS = env.int("CONNECTIVITY_REQUEST_OVERDUE_DAYS", default=5)


# --- stocktakes settings
INSTALLED_APPS += ["stocktakes"]
# A school whose last closed stocktake is older than this many days (or that never had one) is
# listed as due a stocktake (stocktakes/overdue.py).
STOCKTAKE_OVERDUE_DAYS = env.int("STOCKTAKE_OVERDUE_DAYS", default=365)


# --- campaigns settings (recall and fix-up campaigns: campaigns/)
INSTALLED_APPS += ["campaigns"]
# A campaign's notices to more families than this still to do are sent by the worker, not the page.
CAMPAIGNS_SEND_INLINE_MAX = env.int("CAMPAIGNS_SEND_INLINE_MAX", default=2000)

# --- bulk actions settings (core/bulk.py)
# Most rows one bulk action on a list may change in one request; a bigger selection is refused
# on the check page with the reason (narrow the filter and do it in parts).
BULK_MAX_IN_REQUEST = env.int("BULK_MAX_IN_REQUEST", default=10_000)

# --- sso: single sign-on for staff with OpenID Connect (accounts/sso.py, docs/operations.md).
# A provider is on when its client ID is set; with none the sign-in page shows only passwords.
SSO_PROVIDERS = {
    name: {
        "CLIENT_ID": env(f"SSO_{name.upper()}_CLIENT_ID", default=""),
        "CLIENT_SECRET": env(f"SSO_{name.upper()}_CLIENT_SECRET", default=""),
        "ISSUER": env(f"SSO_{name.upper()}_ISSUER", default=issuer),
        "SCOPES": env(f"SSO_{name.upper()}_SCOPES", default=""),
        # Entra only: where a user's groups are read when the token has too many to carry.
        "GRAPH_URL": env(f"SSO_{name.upper()}_GRAPH_URL", default="https://graph.microsoft.com"),
    }
    for name, issuer in (
        ("dfe", "https://oidc.signin.education.gov.uk"),
        ("entra", "https://login.microsoftonline.com/organizations/v2.0"),
    )
    if env(f"SSO_{name.upper()}_CLIENT_ID", default="")
}
AUTHENTICATION_BACKENDS.append("accounts.sso.SSOBackend")
SSO_TIMEOUT = env.int("SSO_TIMEOUT", default=10)
SSO_DISCOVERY_TTL = 60 * 60
SSO_CLOCK_LEEWAY = 60
# A provider's amr claim naming a second factor (mfa, otp, hwk...) counts as two-step sign-in.
SSO_MFA_SATISFIES_TWO_STEP = env.bool("SSO_MFA_SATISFIES_TWO_STEP", default=True)


# --- publishing settings (London's suppressed figures to the London Datastore: publishing/)
INSTALLED_APPS += ["publishing"]
# "outbox" (default: nothing leaves; the files stay on the publication record, and in
# PUBLISHING_OUTBOX_DIR if set) or "datapress" (the London Datastore's DataPress API).
PUBLISHING_DRIVER = env("PUBLISHING_DRIVER", default="outbox")
PUBLISHING_OUTBOX_DIR = env("PUBLISHING_OUTBOX_DIR", default="")
PUBLISHING_DATAPRESS_URL = env("PUBLISHING_DATAPRESS_URL", default="https://data.london.gov.uk")
PUBLISHING_DATAPRESS_API_KEY = env("PUBLISHING_DATAPRESS_API_KEY", default="")
PUBLISHING_DATAPRESS_DATASET = env("PUBLISHING_DATAPRESS_DATASET", default="")
# Resource ids to replace each month (empty: the month's files are added, one pair per month).
PUBLISHING_DATAPRESS_CSV_RESOURCE = env("PUBLISHING_DATAPRESS_CSV_RESOURCE", default="")
PUBLISHING_DATAPRESS_SCHEMA_RESOURCE = env("PUBLISHING_DATAPRESS_SCHEMA_RESOURCE", default="")
PUBLISHING_TIMEOUT = env.float("PUBLISHING_TIMEOUT", default=30.0)
PUBLISHING_MAX_ATTEMPTS = env.int("PUBLISHING_MAX_ATTEMPTS", default=5)
PUBLISHING_RETRY_MINUTES = env.int("PUBLISHING_RETRY_MINUTES", default=5)
PUBLISHING_CONTACT_NAME = env("PUBLISHING_CONTACT_NAME", default="Devices for Children, London")
PUBLISHING_CONTACT_EMAIL = env("PUBLISHING_CONTACT_EMAIL", default="devices@london.example")

# --- API schema: the campaigns' and stocktakes' open/closed status, named once (drf-spectacular
# would otherwise name the shared choice set by a hash, with a warning `check --deploy` fails on).
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] = {
    **SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"],
    "OpenOrClosedEnum": "campaigns.models.Campaign.Status",
}


# --- transfers settings (moving a child and their devices to another council: transfers/)
INSTALLED_APPS += ["transfers"]
