"""Homeshore settings, read from the environment (django-environ).

The defaults are the embedded development setup: SQLite, eager Celery, console email.
`DATABASE_URL=postgres://…` and `CELERY_BROKER_URL=redis://…` switch to real services.
With `DJANGO_DEBUG=false` there is no default secret key: production must set one.
"""

from decimal import Decimal
from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=True)

if DEBUG:
    # Development only: a fixed, obviously non-secret key.
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="dev-insecure-homeshore-key-do-not-deploy")
else:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY")  # no default: ImproperlyConfigured if unset

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "phonenumber_field",
    "common",
    "accounts",
    "agents",
    "clients",
    "routing",
    "campaigns",
    "mailroom",
    "teams",
    "billing",
    "demo",
    "anymail",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The client's IP for audit records (common.audit); static files never reach it.
    "common.middleware.ClientIpMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.StaffMFAMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.navigation",
                "accounts.context_processors.notifications",
            ],
            # The display rules for money and periods (common.money, common.dates), in every
            # template without a {% load %}.
            "builtins": ["common.templatetags.formats"],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock at BEGIN, so two writers serialise instead of one
    # failing with "database is locked" half-way through (the routing reservation relies on it).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # A stopped database must fail a request in seconds, not hang it past Twilio's 15 s
    # webhook timeout: the webhook then still answers TwiML (an apology and a retry).
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=3)
    )
    # Prepared statements (issue 14), off by default. They need psycopg 3 (this project pins
    # psycopg2, which Django binds client-side: the switch refuses to start rather than do
    # nothing), server-side binding, persistent connections (above), and a prepare_threshold:
    # Django's psycopg 3 backend passes prepare_threshold=None (never prepare) unless OPTIONS
    # sets it. Measured with PREPARE/EXECUTE by hand, the ranking statement gained ~15%: under
    # plan_cache_mode=auto PostgreSQL keeps planning it per execution (the generic plan, blind
    # to the radius box, was 3x slower). Known incompatibility: parameters in GROUP BY
    # expressions (Django ticket #34255), as TruncDate with a time zone likely has in
    # calls_by_day: untested here, with no psycopg 3 installed.
    # See docs/performance.md, "Webhook cost (issue 14)".
    if env.bool("DATABASE_SERVER_SIDE_BINDING", default=False):
        import importlib.util

        from django.core.exceptions import ImproperlyConfigured

        if importlib.util.find_spec("psycopg") is None:
            raise ImproperlyConfigured(
                "DATABASE_SERVER_SIDE_BINDING needs psycopg 3; this install has psycopg2 only."
            )
        DATABASES["default"]["OPTIONS"] |= {
            "server_side_binding": True,
            "prepare_threshold": env.int("DATABASE_PREPARE_THRESHOLD", default=5),
        }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache: allauth's rate limits need a real, shared cache ----------------------------
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://homeshore")}

# --- Auth -----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
# The product asks for a clear "email already taken" message on the signup form, which
# means admitting that an address has an account; rate limits bound the enumeration.
ACCOUNT_PREVENT_ENUMERATION = False
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
}
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("ALLAUTH_TRUSTED_PROXY_COUNT", default=0)

MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Homeshore"

# Path prefixes of staff pages: the StaffMFAMiddleware sends staff without TOTP to enrol.
# /notifications/ too: a staff user's notifications name agents and runs.
STAFF_URL_PREFIXES = ("/staff/", "/admin/", "/notifications/", "/lead/")

# --- Email ----------------------------------------------------------------------------
EMAIL_CONFIG = env.email("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
# A slow SMTP server must not hold a request (Django sets no limit): common.mail queues a retry.
EMAIL_TIMEOUT = env.float("EMAIL_TIMEOUT", default=5.0)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Homeshore <no-reply@homeshore.local>")
# The portal's address as users reach it, for links in notification emails (sent from tasks
# too, where there is no request to take the host from).
PORTAL_URL = env.str("PORTAL_URL", default="http://localhost:8000")
# Where agents write to the vetting team (a suspended or declined agent's page links to it).
VETTING_CONTACT_EMAIL = env.str("VETTING_CONTACT_EMAIL", default="vetting@homeshore.example")

# One-time codes for phone confirmation go through this backend (agents.sms).
SMS_BACKEND = env.str("SMS_BACKEND", default="agents.sms.ConsoleBackend")
PHONENUMBER_DEFAULT_REGION = "IN"

# The agency's share of what a firm pays per unit; the agent's rate is the rest.
AGENCY_COMMISSION_PERCENT = Decimal(env.str("AGENCY_COMMISSION_PERCENT", default="20"))
# --- Requests to firms' own servers (common.outbound) -----------------------------------
# Hosts a firm's lookup or webhook endpoint may name although they are not public HTTPS
# (a developer's local receiver; the tests' server). Empty in production: firms' endpoints
# are public HTTPS, never an address inside our own network.
OUTBOUND_ALLOW_HOSTS = env.list(
    "OUTBOUND_ALLOW_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else []
)
# The agent waits on the customer-context lookup: one second, then "no context".
CONTEXT_LOOKUP_TIMEOUT_SECONDS = env.float("CONTEXT_LOOKUP_TIMEOUT_SECONDS", default=1.0)
# Webhook deliveries: each try's timeout, and the endpoint paused after failing this long.
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=5.0)
WEBHOOK_PAUSE_AFTER_SECONDS = env.int("WEBHOOK_PAUSE_AFTER_SECONDS", default=24 * 60 * 60)
# (The sweep sending due deliveries, clients.deliveries, is on the beat schedule below.)

# --- Routing and telephony -------------------------------------------------------------
# Twilio signs every webhook with the account's auth token (X-Twilio-Signature).
TWILIO_AUTH_TOKEN = env.str("TWILIO_AUTH_TOKEN", default="dev-twilio-auth-token" if DEBUG else "")
# The public base URL Twilio calls (and signs), e.g. "https://portal.example.com", for hosts
# behind a proxy that rewrites Host; empty: the request's own scheme and host.
TWILIO_PUBLIC_BASE_URL = env.str("TWILIO_PUBLIC_BASE_URL", default="")
# Twilio's REST API, to ask how a call ended when its final callback never came. Without an
# account SID (the embedded demo) the sweep closes such calls by a bound instead (as "lost").
TWILIO_ACCOUNT_SID = env.str("TWILIO_ACCOUNT_SID", default="")
TWILIO_API_BASE_URL = env.str("TWILIO_API_BASE_URL", default="")  # tests: a local fake
# A webhook that fails (database or broker down) answers an apology and a <Redirect> to
# itself; after this many tries in a row, an apology and <Hangup>.
ROUTING_WEBHOOK_RETRIES = env.int("ROUTING_WEBHOOK_RETRIES", default=3)
# Agents offered one call before it goes to voicemail; the margin past a line's ring timeout
# after which the sweep frees a reservation the provider never reported on.
ROUTING_MAX_ATTEMPTS = env.int("ROUTING_MAX_ATTEMPTS", default=3)
ROUTING_RESERVATION_MARGIN_SECONDS = env.int("ROUTING_RESERVATION_MARGIN_SECONDS", default=15)
ROUTING_HOLD_PAUSE_SECONDS = env.int("ROUTING_HOLD_PAUSE_SECONDS", default=10)
# A waiting caller past the line's maximum wait plus this margin hung up unheard (a lost
# status callback): the sweep ends the call as abandoned. The margin covers the message a
# caller records after the maximum wait (up to 120 s).
ROUTING_WAITING_MARGIN_SECONDS = env.int("ROUTING_WAITING_MARGIN_SECONDS", default=180)
# A call in conversation is asked about at the provider this often (its final callback may
# have been lost); with nobody to ask, it is closed as lost after the bound.
ROUTING_TALK_CHECK_SECONDS = env.int("ROUTING_TALK_CHECK_SECONDS", default=15 * 60)
ROUTING_TALK_BOUND_SECONDS = env.int("ROUTING_TALK_BOUND_SECONDS", default=4 * 60 * 60)
# API keys of telephony providers (Exotel, Ozonetel, Asterisk…) for the generic call API,
# as name=key pairs: "exotel=…,asterisk=…". Firms' own keys work too, for their own lines.
ROUTING_PROVIDER_KEYS = env.dict("ROUTING_PROVIDER_KEYS", default={})

# --- Billing ---------------------------------------------------------------------------
# Settlement period lengths ("week" or "month") per run kind.
BILLING_PERIODS = {
    "agents": env.str("BILLING_AGENT_PERIOD", default="week"),
    "firms": env.str("BILLING_FIRM_PERIOD", default="month"),
}
# The agency's own account, debited in ISO 20022 payment files (placeholders in development).
AGENCY_NAME = env.str("AGENCY_NAME", default="Homeshore Staffing")
AGENCY_IBAN = env.str("AGENCY_IBAN", default="GB33BUKB20201555555555")
AGENCY_BIC = env.str("AGENCY_BIC", default="BUKBGB22")
# The agency's bank's bulk NEFT layout: "generic" (ours, with a header) or "hdfc" (HDFC ENet
# upload, named by HDFC's 4-character client code), see billing.bankfiles.
PAYOUT_NEFT_LAYOUT = env.str("PAYOUT_NEFT_LAYOUT", default="generic")
PAYOUT_HDFC_CLIENT_CODE = env.str("PAYOUT_HDFC_CLIENT_CODE", default="")

# --- Tax invoices, statements and TDS (billing.gst, billing.pdfs) ---------------------------
# The agency as GST supplier and TDS deductor. The defaults are a demo company whose GSTIN and
# PAN pass the check digits (stdnum); production sets its own (checked at start-up: billing.E005).
AGENCY_LEGAL_NAME = env.str("AGENCY_LEGAL_NAME", default="Homeshore Staffing Private Limited")
AGENCY_ADDRESS = env.str(
    "AGENCY_ADDRESS", default="4th Floor, 12 Residency Road, Bengaluru, Karnataka 560025"
)
AGENCY_STATE = env.str("AGENCY_STATE", default="29")  # GST state code: Karnataka
AGENCY_GSTIN = env.str("AGENCY_GSTIN", default="29AAFCH4521M1ZB")
AGENCY_PAN = env.str("AGENCY_PAN", default=AGENCY_GSTIN[2:12])  # a GSTIN carries its PAN
AGENCY_TAN = env.str("AGENCY_TAN", default="BLRH04521E")  # the deductor's TAN (Form 16A)
# One GST rate for the agency's one service: split 9% + 9% (CGST + SGST) within a state.
GST_RATE_PERCENT = Decimal(env.str("GST_RATE_PERCENT", default="18"))
# SAC 998593, "telephone-based support services" (call-centre services, inbound and outbound:
# UN CPC 85930), in group 99859 "other support services" of the GST scheme of classification.
GST_SAC = env.str("GST_SAC", default="998593")
# Invoice numbers: "<prefix>/<yy-yy>/<serial>", one gap-free series a financial year; GST
# (CGST Rules, rule 46(b)) allows 16 characters: "HS/26-27/000123" is 15.
INVOICE_SERIES_PREFIX = env.str("INVOICE_SERIES_PREFIX", default="HS")
# The section agents' withholding is deducted under, printed on statements and the quarterly
# summary. Home agents are resident individuals paid per call handled under a contract for
# work (call handling is labour on a contract, not one of 194J's notified professions nor a
# "technical service", and 194J's 2% call-centre rate is for payees running a call centre
# business): section 194C of the Income-tax Act, 1961 (1% for individuals). From 1 April 2026
# the Income-tax Act, 2025 carries it as section 393(1), Table Sl. No. 6(i) (and Form 16A
# becomes Form 131): set the citation your TDS return uses.
TDS_SECTION = env.str("TDS_SECTION", default="194C")

# How long an emailed invitation to join a firm stays valid.
FIRM_INVITE_DAYS = env.int("FIRM_INVITE_DAYS", default=7)

# --- Internationalisation -------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Asia/Kolkata"
USE_I18N = True
USE_TZ = True

# --- Static files (vendored, no CDN), served by whitenoise ------------------------------
STATIC_URL = "static/"
# Where `collectstatic` writes (production: a directory the web user can read, e.g.
# /var/lib/homeshore/static).
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            # whitenoise's compressed, hashed copies, minus source-map rewriting (we ship no
            # maps; config/storage.py says why).
            else "config.storage.StaticFilesStorage"
        )
    },
}
# Fernet keys for encrypted columns (bank details), newest first; older ones still decrypt.
# Empty in development: a key is derived from SECRET_KEY. Production must set it.
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])
# Private uploads (agent documents): outside any public URL, served by checked views only.
# Uploads (agents' documents, 5 MB) are refused by their declared size before the body is
# read (agents.uploads); Django's own handlers then keep small files in memory, others on disk.
FILE_UPLOAD_HANDLERS = [
    "agents.uploads.DocumentSizeUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
PRIVATE_MEDIA_ROOT = Path(env.str("PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "private_media")))
# The reference data file (places, phone prefixes; common/refdata.py): built on first use or by
# `manage.py refdata_build`, read-only after that. Production: /var/lib/homeshore/refdata.
REFDATA_DIR = Path(env.str("REFDATA_DIR", default=str(BASE_DIR / "var" / "refdata")))

# --- REST API -------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # common.schema declares each operation's errors; common.api's pagination refuses bad values.
    "DEFAULT_SCHEMA_CLASS": "common.schema.AutoSchema",
    "EXCEPTION_HANDLER": "common.api.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "common.api.Pagination",
    # The API takes JSON only: one body format, one schema (forms post to pages, not here).
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Homeshore API",
    "DESCRIPTION": "Staffing, routing and billing API of the Homeshore home-agent portal."
    # What we send to a firm's own server (issue 16): clients.customer_context keeps it true.
    "\n\n## Customer-context lookup (we call you)\n\n"
    "A line set to *Our lookup endpoint* (`/client/lines/<id>/context/`) makes us POST JSON "
    'to your HTTPS endpoint when an agent first opens a call: `{"type": "context.lookup", '
    '"test": false, "call": {"id", "caller" (E.164, whole: your customer), '
    '"language", "caller_city", "started_at"}, "line": {"id", "number", '
    '"name"}, "fields": [the fields you chose]}` — never anything about the agent. '
    "Signed the Standard Webhooks way (`webhook-id`, `webhook-timestamp`, `webhook-signature`, "
    "keyed by the line's `whsec_` secret): verify with any Standard Webhooks library. Answer "
    '2xx within 1 s with `{"fields": {"plan": "Gold", ...}}` (values text, numbers or '
    'true/false, 500 characters each; `{"fields": {}}` for an unknown caller). Anything else '
    "(a timeout, another status, a redirect, not JSON, over 64 kB) shows the agent "
    '"No context".',
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # A call's status appears in several answers (the call API, call records): one name.
    "ENUM_NAME_OVERRIDES": {
        "CallStatusEnum": "routing.models.Call.Status",
        "CampaignStatusEnum": "campaigns.models.Campaign.Status",
        "AttemptStatusEnum": "campaigns.models.Attempt.Status",
        "ConversationStatusEnum": "mailroom.models.Conversation.Status",
        "MessageSendStatusEnum": "mailroom.models.Message.Send",
    },
}

# --- Celery ---------------------------------------------------------------------------
# RabbitMQ (amqp://) is the production broker: it redelivers a dead worker's unacked tasks
# at once and keeps them durably; Redis (redis://) works too, with the limits in
# docs/architecture.md ("Celery").
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
broker_scheme = CELERY_BROKER_URL.partition("://")[0]
# No broker configured: run tasks inline (the embedded default for `make run` and tests).
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
# Results (the settlement run's progress, tests' `.get()`): a Redis broker keeps them itself;
# with RabbitMQ set CELERY_RESULT_BACKEND=redis://… (Celery 5 has no amqp result backend).
# Without one, the run page falls back to the progress saved on the run's row.
CELERY_RESULT_BACKEND = env.str(
    "CELERY_RESULT_BACKEND",
    default=CELERY_BROKER_URL if broker_scheme in ("redis", "rediss") else None,
)
CELERY_RESULT_EXTENDED = True
# Publishing a task that keeps a result first subscribes to the result store: with Redis down
# that waited 20 retries x 1 s (19.5 s measured) before failing. The same bounds as the
# broker's: a 1 s connect timeout, a 2 s socket timeout, two quick retries (a worker storing
# a result in a longer outage loses it; settlement's truth is the run's row).
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 1.0
CELERY_REDIS_SOCKET_TIMEOUT = 2.0
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "retry_policy": {
        "max_retries": 2,
        "interval_start": 0,
        "interval_step": 0.2,
        "interval_max": 0.2,
    }
}
CELERY_TASK_TRACK_STARTED = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A worker (or beat) started before its broker, or losing it later, retries for ever
# instead of exiting: systemd would restart it anyway, but a clean retry keeps its state.
# Publishing from requests is bounded by the policy below, not by these.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# Publishing happens inside requests (after commit): with the broker down it must give up in
# about a second, not hang the request — a Twilio webhook has 15 s in all. A publish that
# gives up is logged (on_commit robust=True) and the sweep is the backstop.
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=1.0)
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
# Transport options differ per broker: kombu hands amqp's straight to the AMQP connection,
# so Redis's own (socket timeouts, visibility timeout) must never reach it.
if broker_scheme in ("redis", "rediss"):
    # A Redis that accepts connections but never answers (hung, swapping) would hold a
    # publish forever: every command times out instead (the worker's BRPOP waits 1 s).
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "socket_timeout": env.float("CELERY_BROKER_SOCKET_TIMEOUT", default=2.0),
        "socket_connect_timeout": CELERY_BROKER_CONNECTION_TIMEOUT,
    }
elif broker_scheme in ("amqp", "amqps", "pyamqp"):
    # A connection's first connect is bounded by CELERY_BROKER_CONNECTION_TIMEOUT; the AMQP
    # heartbeat (Celery's default, 120 s) finds a dead connection on an idle worker.
    CELERY_BROKER_TRANSPORT_OPTIONS = {}
    # RabbitMQ closes a channel whose delivery stays unacked past its consumer_timeout
    # (30 min by default); acks_late tasks (settlement) must finish well within it.
    # On losing the broker, a worker cancels its acks_late tasks (they are redelivered
    # anyway, since their ack cannot be sent) instead of running them to a lost ack.
    CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Periodic schedules are declared here, in code; django-celery-beat mirrors them into its
# tables when beat starts. Apps add their entries as their issues land.
CELERY_BEAT_SCHEDULE: dict = {
    "agents-checks-expire": {
        "task": "agents.checks_expire",
        "schedule": crontab(hour=6, minute=0),  # daily, before the morning shift
    },
    "routing-sweep": {
        "task": "routing.sweep",
        "schedule": 10.0,  # seconds: wrap-ups end and stuck reservations free promptly
    },
    "billing-settlements-due": {
        "task": "billing.settlements_due",
        "schedule": crontab(hour=2, minute=0),  # daily: settle every period that has ended
    },
    "routing-calldays-sweep": {
        "task": "routing.calldays_sweep",
        "schedule": crontab(hour=0, minute=20),  # nightly: yesterday's calls per line and day
    },
    "clients-engagements-expire": {
        "task": "clients.engagements_expire",
        "schedule": crontab(hour=0, minute=5),  # daily, just after midnight (India)
    },
}

# --- Security -------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    # Load balancers and systemd probes ask gunicorn directly, over http: answer, not 301.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# --- Logging: one line per record on stderr; never log secrets or bank details ---------
# JSON in production (python-json-logger: one object per line, for the log shipper), plain
# text in development; LOG_FORMAT overrides. Celery workers log through the same handlers.
LOG_FORMAT = env.str("LOG_FORMAT", default="plain" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"levelname": "level", "asctime": "time", "name": "logger"},
        },
    },
    "filters": {
        "client_errors_without_traceback": {
            "()": "config.observability.ClientErrorsWithoutTraceback",
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT},
    },
    "loggers": {
        # 4xx stay warnings, without the traceback Django attaches to a 403 or a 400.
        "django.request": {"filters": ["client_errors_without_traceback"]},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# --- Issue 13: authorisation (bridge number, staff sessions, CSP, API throttling) --------
# The agency's own Twilio number a firm's PBX dials (with a one-time code) to reach an agent:
# agents' personal numbers never reach a firm (routing.services.bridge). E.164; empty: the
# call API tells a firm's key `dial: null` (no bridge configured).
ROUTING_BRIDGE_NUMBER = env.str("ROUTING_BRIDGE_NUMBER", default="")
# Staff sessions end after this long without a request (accounts.middleware); others keep
# SESSION_COOKIE_AGE. Bank files ask for the password again (allauth reauthentication,
# ACCOUNT_REAUTHENTICATION_TIMEOUT: 300 s by default).
STAFF_SESSION_IDLE_SECONDS = env.int("STAFF_SESSION_IDLE_SECONDS", default=30 * 60)
MIDDLEWARE = [*MIDDLEWARE, "accounts.middleware.StaffSessionIdleMiddleware"]
# API rate limits (common.throttling): per firm key, per agency provider key (generous: every
# caller of the provider), per IP for everything else. Twilio's webhooks are not DRF views.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_CLASSES": [
        "common.throttling.ApiKeyThrottle",
        "common.throttling.IpThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "api_key": env.str("API_THROTTLE_KEY_RATE", default="600/min"),
        "api_provider": env.str("API_THROTTLE_PROVIDER_RATE", default="6000/min"),
        "api_ip": env.str("API_THROTTLE_IP_RATE", default="120/min"),
    },
    # Proxies in front that append to X-Forwarded-For (the IP counted); None: REMOTE_ADDR.
    "NUM_PROXIES": env.int("API_THROTTLE_NUM_PROXIES", default=None),
}
# Content-Security-Policy (django-csp 4.0's dict format): our own files only, no inline
# script or style anywhere (tests/test_no_inline_script_or_style.py); Pico's CSS draws its
# icons from data: URIs. The API docs pages loosen style-src for Swagger UI / Redoc
# (config/urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# Permissions-Policy (common.middleware): powerful features the portal never uses, off.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
        "display-capture",
    )
}
MIDDLEWARE = [
    *MIDDLEWARE,
    "csp.middleware.CSPMiddleware",
    "common.middleware.PermissionsPolicyMiddleware",
]

# --- Settlement runs that survive their infrastructure (billing.runs) ------------------
# A worker executing a run holds a lease this long: sized for the run (set-based: seconds
# at 1M transactions), not renewed — the run's transaction holds the run row, and the sweep
# skips locked rows, so a live execution past its lease is never taken from it.
SETTLEMENT_LEASE_SECONDS = env.float("SETTLEMENT_LEASE_SECONDS", default=300)
# A run queued this long and never started lost its task (the broker lost the message, or
# publishing failed): the sweep sends it again. At most SETTLEMENT_MAX_REQUEUES times, then
# the run is failed with the reason for finance to restart.
SETTLEMENT_START_WITHIN_SECONDS = env.float("SETTLEMENT_START_WITHIN_SECONDS", default=600)
SETTLEMENT_MAX_REQUEUES = env.int("SETTLEMENT_MAX_REQUEUES", default=5)
# Transient database errors retry after 30 s, 1, 2, 4, 8 min, then every 10 (each +-20%):
# seven retries span about 35 minutes, enough for a database restart or a failover.
SETTLEMENT_RETRY_BASE_SECONDS = env.float("SETTLEMENT_RETRY_BASE_SECONDS", default=30)
SETTLEMENT_RETRY_CAP_SECONDS = env.float("SETTLEMENT_RETRY_CAP_SECONDS", default=600)
SETTLEMENT_RETRY_MAX = env.int("SETTLEMENT_RETRY_MAX", default=7)
SETTLEMENT_RETRY_JITTER = env.float("SETTLEMENT_RETRY_JITTER", default=0.2)
CELERY_BEAT_SCHEDULE["billing-settlements-sweep"] = {
    "task": "billing.settlements_sweep",
    "schedule": 60.0,  # seconds: lost runs are taken back within a minute of their lease
}

# --- Payout exports built in the background (billing.export_jobs) ------------------------
# A task building an export renews its lease every 2,000 rows (well under a second), so a
# short lease finds a dead worker quickly; a queued export not started within the second
# bound lost its task and is sent again, at most EXPORT_MAX_REQUEUES times.
EXPORT_LEASE_SECONDS = env.float("EXPORT_LEASE_SECONDS", default=120)
EXPORT_START_WITHIN_SECONDS = env.float("EXPORT_START_WITHIN_SECONDS", default=300)
EXPORT_MAX_REQUEUES = env.int("EXPORT_MAX_REQUEUES", default=5)
# A ready file (full bank account numbers, for bank files) is deleted after this long.
EXPORT_RETENTION_HOURS = env.float("EXPORT_RETENTION_HOURS", default=24)
CELERY_BEAT_SCHEDULE["billing-exports-sweep"] = {
    "task": "billing.exports_sweep",
    "schedule": 60.0,
}
CELERY_BEAT_SCHEDULE["billing-exports-expire"] = {
    "task": "billing.exports_expire",
    "schedule": crontab(minute=17),  # hourly
}

# Webhook deliveries due: retries after their backoff, and what a lost message left.
CELERY_BEAT_SCHEDULE["clients-deliveries-sweep"] = {
    "task": "clients.deliveries_sweep",
    "schedule": 30.0,
}

# The worker logs through LOGGING above (JSON in production) instead of Celery's own setup.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- Errors to Sentry: only with SENTRY_DSN (Django and Celery; no personal data) ---------
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    from config.observability import sentry_init

    sentry_init(
        dsn=SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default="development" if DEBUG else "production"),
        release=env.str("SENTRY_RELEASE", default="") or None,
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )

# --- Outbound campaigns (issue 17: campaigns) --------------------------------------------
# Promotional calls are checked against the newest complete national registry extract no
# older than this (TRAI asks callers to scrub against a current registry); older, they wait.
CAMPAIGNS_REGISTRY_MAX_AGE_DAYS = env.int("CAMPAIGNS_REGISTRY_MAX_AGE_DAYS", default=30)
# The wrap-up an outbound call gets on a line with no wrap-up time of its own (seconds): a
# campaign needs the agent's disposition.
CAMPAIGNS_WRAP_UP_SECONDS = env.int("CAMPAIGNS_WRAP_UP_SECONDS", default=60)
# How long a contact shown to an agent in preview stays theirs before it goes back.
CAMPAIGNS_PREVIEW_HOLD_SECONDS = env.int("CAMPAIGNS_PREVIEW_HOLD_SECONDS", default=300)
# A callback promised by an agent waits this long past its time for that agent, then anyone.
CAMPAIGNS_CALLBACK_HOLD_SECONDS = env.int("CAMPAIGNS_CALLBACK_HOLD_SECONDS", default=1800)
# Who places outbound calls: "twilio" (REST, with signed callbacks) or "api" (a provider
# holding an agency key asks /api/v1/outbound/… for what to dial and reports its events).
CAMPAIGNS_PROVIDER = env.str("CAMPAIGNS_PROVIDER", default="twilio")
# Imports: the largest file a list, do-not-call or registry upload may be.
CAMPAIGNS_IMPORT_MAX_BYTES = env.int("CAMPAIGNS_IMPORT_MAX_BYTES", default=200 * 1024 * 1024)
# Upload URLs allowed more than a document's 5 MB (agents.uploads.upload_bound), with the
# setting that bounds them: campaigns' list, do-not-call and registry uploads, which Django
# streams to a temporary file for the import task.
LARGE_UPLOADS = [(r"^/(client|staff)/outbound/.*upload/$", "CAMPAIGNS_IMPORT_MAX_BYTES")]
CELERY_BEAT_SCHEDULE["campaigns-dial"] = {
    "task": "campaigns.dial",
    "schedule": 2.0,  # seconds: progressive dialing, campaigns starting and ending, holds
}
# A placed attempt with no provider call id this long after its placement was never dialled
# (the dial task lost, or no generic provider asked): the sweep fails it on our side.
CAMPAIGNS_DIAL_START_SECONDS = env.int("CAMPAIGNS_DIAL_START_SECONDS", default=60)

# --- Email (issue 18: mailroom) ----------------------------------------------------------
# Mail providers' inbound and tracking webhooks (django-anymail): the shared secret every
# provider's webhook URL carries as HTTP basic auth, and the providers' own signing keys
# (anymail checks each; a request failing the check is refused with 400 and never stored).
ANYMAIL = {
    "WEBHOOK_SECRET": env.str("ANYMAIL_WEBHOOK_SECRET", default="") or None,
    "MAILGUN_WEBHOOK_SIGNING_KEY": env.str("MAILGUN_WEBHOOK_SIGNING_KEY", default="") or None,
    "POSTMARK_SERVER_TOKEN": env.str("POSTMARK_SERVER_TOKEN", default="") or None,
}
ANYMAIL = {key: value for key, value in ANYMAIL.items() if value}
# The largest inbound message we parse, and the largest attachment we keep (bytes).
MAILROOM_MESSAGE_MAX_BYTES = env.int("MAILROOM_MESSAGE_MAX_BYTES", default=25 * 1024 * 1024)
MAILROOM_ATTACHMENT_MAX_BYTES = env.int("MAILROOM_ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
# IMAP: how long one connection may take (seconds).
MAILROOM_IMAP_TIMEOUT = env.float("MAILROOM_IMAP_TIMEOUT", default=20)
# IMAP: a private CA to trust besides the system's, for firms' servers (and the tests' dovecot).
MAILROOM_IMAP_CA_FILE = env.str("MAILROOM_IMAP_CA_FILE", default="")
CELERY_BEAT_SCHEDULE["mailroom-imap-poll"] = {
    "task": "mailroom.imap_poll",
    "schedule": 60.0,  # seconds: each active mailbox is polled once a minute
}
# Email campaigns (issue 18, mailroom.sending): due campaigns start and sending ones send
# their share of each minute's rate; a tick is cheap when nothing is sending.
CELERY_BEAT_SCHEDULE["mailroom-campaigns-tick"] = {
    "task": "mailroom.campaigns_tick",
    "schedule": 5.0,  # seconds
}
CELERY_BEAT_SCHEDULE["mailroom-sweep"] = {
    "task": "mailroom.sweep",
    "schedule": 60.0,  # seconds: release, route, breach, resend (the database is the truth)
}
# A provider's inbound webhook carries the whole message as one form field (Mailgun's
# body-mime, SendGrid's raw email; Postmark's JSON): Django's default 2.5 MB refused (400) an
# ordinary consumer's mail with a photo attached, and the provider dropped it after its retries.
# Request bodies may be as large as the largest message we take, plus the form's own fields.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int(
    "DATA_UPLOAD_MAX_MEMORY_SIZE", default=MAILROOM_MESSAGE_MAX_BYTES + 256 * 1024
)
# Half-hour schedules (issue 19, teams): booking round 1 (agents rated at least
# TEAMS_ROUND_ONE_MIN_RATING, their adherence in percent) opens with the slots; round 2, for
# every engaged agent, this many hours later.
TEAMS_ROUND_TWO_AFTER_HOURS = env.int("TEAMS_ROUND_TWO_AFTER_HOURS", default=24)
TEAMS_ROUND_ONE_MIN_RATING = env.int("TEAMS_ROUND_ONE_MIN_RATING", default=90)
# A booked agent with no duty in the first this-many minutes of the half-hour is a no-show.
TEAMS_NO_SHOW_MINUTES = env.int("TEAMS_NO_SHOW_MINUTES", default=10)
# Slots are opened this many weeks ahead (besides the current one).
TEAMS_WEEKS_AHEAD = env.int("TEAMS_WEEKS_AHEAD", default=2)
CELERY_BEAT_SCHEDULE["teams-slots-open"] = {
    "task": "teams.slots_open_ahead",
    "schedule": crontab(minute=15),  # hourly: new requests and changed demand get their slots
}
CELERY_BEAT_SCHEDULE["teams-no-shows"] = {
    "task": "teams.no_shows_notify",
    "schedule": 300.0,  # seconds: a lead hears of a no-show within minutes
}
