"""Labtorget settings.

Everything that differs between a developer's laptop and production comes from environment variables.
With none set, the portal runs on the embedded default: SQLite, Celery tasks run eagerly in-process and
e-mail is printed to the console. See README.md for the full list.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Without SECRET_KEY we are on a developer machine: DEBUG on, an obviously insecure key.
SECRET_KEY = os.environ.get("SECRET_KEY") or "django-insecure-labtorget-development-only"
DEBUG = env_bool("DJANGO_DEBUG", default="SECRET_KEY" not in os.environ)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Behind a reverse proxy: how many proxies put the client's address in X-Forwarded-For (0: use REMOTE_ADDR). The
# per-IP rate limits of allauth and of the API read the client's address the same way.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "drf_standardized_errors",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "knox",
    "csp",
    "core",
    "accounts",
    "catalogue",
    "pricing",
    "calendars",
    "booking",
    "accounting",
    "agreements",
    "intake",
    "reporting",
]

MIDDLEWARE = [
    # Permissions-Policy on every answer, Cache-Control: no-store on those that may hold personal data (docs/api.md).
    "core.middleware.SecurityHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # /api/: refuse bodies over the limit and NUL/surrogates/impossible offsets in parameters, and answer every
    # error as an RFC 9457 problem (docs/api.md).
    "core.middleware.ApiEdgeMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.AdminMfaMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.site",
                "accounts.context_processors.account",
                "catalogue.context_processors.register",
            ],
        },
    },
]


def database_from_env() -> dict:
    """DATABASE_URL (postgres://user:pass@host:5432/name) or the embedded SQLite file, with what each engine needs."""
    database = dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    )
    options = database.get("OPTIONS", {})
    if database["ENGINE"] == "django.db.backends.sqlite3":
        # Writers wait for each other instead of failing with "database is locked".
        return {**database, "CONN_MAX_AGE": 0, "OPTIONS": {**options, "timeout": 20}}
    if database["ENGINE"].startswith("django.db.backends.postgresql"):
        # Parameters travel apart from the SQL (server-side binding) instead of being merged into its text in
        # Python, so that a statement run again and again (the booking path's) can be prepared: after this many runs
        # on a connection, PostgreSQL keeps its plan instead of planning it anew. "off" behind a PgBouncer older
        # than 1.21 in transaction mode, which cannot carry prepared statements.
        prepare = os.environ.get("DATABASE_PREPARE_THRESHOLD", "5").strip().lower()
        prepare_threshold = None if prepare == "off" else int(prepare)
        return {**database, "OPTIONS": {**options, "server_side_binding": True, "prepare_threshold": prepare_threshold}}
    return database


DATABASES = {"default": database_from_env()}
DATABASE_IS_POSTGRES = DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- accounts: django-allauth (sign-up, e-mail verification, log-in, password reset, MFA, OpenID Connect) ---
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
LOGIN_REDIRECT_URL = "catalogue:home"
LOGOUT_REDIRECT_URL = "catalogue:home"
# The e-mail address is the user name; a new account signs in only once it is verified.
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupProfileForm"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False  # a link scanner in a mail filter must not confirm on its own
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 3
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Labtorget] "
# Neither sign-up nor password reset tells whether an address has an account (the owner gets an e-mail instead).
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https://") else "http"
# Rate limits (allauth's syntax: amount/period/per, per = ip, key (the e-mail address) or user). They are kept in
# Django's cache, so they hold across processes when CACHE_URL points at a shared cache.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/h/ip",
    "reset_password": "20/h/ip,5/h/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
    "confirm_email": "1/3m/key",
}
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

# Multi-factor authentication: TOTP with recovery codes, offered to everybody. Platform admins (staff) and
# institution admins must set it up before anything else when this is on (production: on with SECRET_KEY).
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Labtorget"
MFA_ADAPTER = "accounts.adapters.MfaAdapter"
ACCOUNTS_MFA_REQUIRED_FOR_ADMINS = env_bool("ACCOUNTS_MFA_REQUIRED_FOR_ADMINS", "SECRET_KEY" in os.environ)
# Brønnøysundregistrene's Enhetsregisteret (accounts.brreg): where organisation numbers are verified.
BRREG_BASE_URL = os.environ.get("BRREG_BASE_URL", "https://data.brreg.no/enhetsregisteret/api")
BRREG_TIMEOUT = float(os.environ.get("BRREG_TIMEOUT", "5"))


# OpenID Connect log-in (Feide for academia, ID-porten for persons) through allauth's openid_connect provider.
# Each provider is active when its client id is set. The provider's discovery document (SERVER_URL) gives the
# issuer and the endpoints; the *_ENDPOINT variables override single endpoints. Only claims with
# email_verified true match an existing account, and never one that has a password (accounts.adapters).
SOCIALACCOUNT_ADAPTER = "accounts.adapters.SocialAccountAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_LOGIN_ON_GET = False
OIDC_PROVIDER_DEFAULTS = {
    "FEIDE": ("feide", "Feide", "https://auth.dataporten.no"),
    "IDPORTEN": ("idporten", "ID-porten", "https://idporten.no"),
}


def oidc_app(prefix: str, provider_id: str, name: str, server_url: str) -> dict:
    """One OpenID Connect provider for allauth, from its OIDC_<prefix>_* variables."""
    endpoints = {
        key: os.environ[f"OIDC_{prefix}_{variable}"]
        for key, variable in (
            ("authorization_endpoint", "AUTHORIZATION_ENDPOINT"),
            ("token_endpoint", "TOKEN_ENDPOINT"),
            ("userinfo_endpoint", "USERINFO_ENDPOINT"),
            ("jwks_uri", "JWKS_ENDPOINT"),
        )
        if os.environ.get(f"OIDC_{prefix}_{variable}")
    }
    return {
        "provider_id": provider_id,
        "name": name,
        "client_id": os.environ[f"OIDC_{prefix}_CLIENT_ID"],
        "secret": os.environ.get(f"OIDC_{prefix}_CLIENT_SECRET", ""),
        "settings": {
            "server_url": os.environ.get(f"OIDC_{prefix}_SERVER_URL", server_url),
            "openid_configuration_overrides": endpoints,
            "scope": os.environ.get(f"OIDC_{prefix}_SCOPES", "openid email profile").split(),
            "oauth_pkce_enabled": True,
        },
    }


SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        "OAUTH_PKCE_ENABLED": True,
        "APPS": [
            oidc_app(prefix, *defaults)
            for prefix, defaults in OIDC_PROVIDER_DEFAULTS.items()
            if os.environ.get(f"OIDC_{prefix}_CLIENT_ID")
        ],
    }
}

# Personal API tokens (django-rest-knox): only a SHA-512 digest is stored, each token expires.
API_TOKEN_TTL_DAYS = int(os.environ.get("API_TOKEN_TTL_DAYS", "90"))
KNOX_TOKEN_MODEL = "accounts.ApiToken"
# knox's own migrations would make a table for its AuthToken, which accounts.ApiToken replaces: an empty table that
# only points at users (and stands in the way of emptying the user table).
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {
    "TOKEN_TTL": datetime.timedelta(days=API_TOKEN_TTL_DAYS),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}
# Rate limits of POST /api/v1/auth/token/ (DRF syntax), per client address and per account e-mail address, and
# of the intake form for people without an account, per client address.
API_TOKEN_RATE_IP = os.environ.get("API_TOKEN_RATE_IP", "20/min")
API_TOKEN_RATE_ACCOUNT = os.environ.get("API_TOKEN_RATE_ACCOUNT", "5/min")
INTAKE_ANONYMOUS_RATE = os.environ.get("INTAKE_ANONYMOUS_RATE", "10/hour")
# --- end accounts ---

# Internationalisation: Bokmål first, English second. Store UTC, think in Europe/Oslo.
LANGUAGE_CODE = "nb"
LANGUAGES = [("nb", _("Norwegian Bokmål")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
# Dates as people write them: "15. des. 2026" / "15 Dec 2026" (config/formats); numbers and money through
# core.formatting and its template filters.
FORMAT_MODULE_PATH = ["config.formats"]
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# E-mail: console on a developer machine, SMTP when EMAIL_HOST is set.
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Labtorget <no-reply@labtorget.example.org>")
if os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
    # Seconds before a mail server that does not answer counts as down (the booking e-mails are then retried).
    EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
else:
    EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
    if os.environ.get("EMAIL_FILE_PATH"):  # the file backend's folder (the browser journeys read their e-mail there)
        EMAIL_FILE_PATH = os.environ["EMAIL_FILE_PATH"]

# Cache (rate limits of API keys, among others): shared Redis when CACHE_URL is set, else per process memory.
if os.environ.get("CACHE_URL"):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["CACHE_URL"]}
    }

# Celery: a real broker when CELERY_BROKER_URL is set, otherwise tasks run eagerly in-process.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", "") or None
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    # Every app's e-mails wait in core's outbox table; each commit that writes some queues the sending task (at most
    # once a second per web process), and this sweep sends what a lost message or a failed attempt left behind.
    "core-send-due-emails": {
        "task": "core.tasks.send_due_emails",
        "schedule": crontab(minute="*"),
    },
    "catalogue-freshness-reminders": {
        "task": "catalogue.tasks.send_freshness_reminders",
        "schedule": crontab(hour=6, minute=0, day_of_week="mon"),
    },
    "accounting-state-aid-alerts": {
        "task": "accounting.tasks.send_state_aid_alerts",
        "schedule": crontab(hour=6, minute=15),
    },
    # Pending requests that no manager answered in time release their slot; reminders go out the day before.
    "booking-expire-pending": {
        "task": "booking.tasks.expire_pending_bookings",
        "schedule": crontab(minute="*/5"),
    },
    "booking-reminders": {
        "task": "booking.tasks.send_reminders",
        "schedule": crontab(minute=15),  # hourly; each booking is reminded once (reminder_sent_at)
    },
    # Confirmed bookings that have ended are completed (chargeable), see BOOKING_USE_ADJUSTMENT_WORKING_DAYS.
    "booking-complete-ended": {
        "task": "booking.tasks.complete_ended_bookings",
        "schedule": crontab(minute="*/15"),
    },
    # External calendar feeds: each run queues the feeds whose turn it is (EXTERNAL_CALENDARS_SYNC_MINUTES) and
    # tells managers of feeds gone stale.
    "calendars-sync-due": {
        "task": "calendars.tasks.sync_due_calendars",
        "schedule": crontab(minute="*"),
    },
    "intake-deadline-reminders": {
        "task": "intake.tasks.send_deadline_reminders",
        "schedule": crontab(minute=15),
    },
    "intake-escalate-overdue": {
        "task": "intake.tasks.escalate_overdue_requests",
        "schedule": crontab(minute=45),
    },
    "intake-requeue-unqueued-webhooks": {
        "task": "intake.tasks.requeue_unqueued_webhooks",
        "schedule": crontab(minute="*/10"),
    },
    # The public statistics read aggregates; this keeps them current (reporting.services.statistics_rebuild).
    "reporting-rebuild-statistics": {
        "task": "reporting.tasks.rebuild_statistics",
        "schedule": crontab(minute=5),
    },
    "intake-close-unconfirmed": {
        "task": "intake.tasks.close_unconfirmed_requests",
        "schedule": crontab(hour=3, minute=30),
    },
    # Institutions, facilities and queues without anyone to answer a request (logged; the admin shows them too).
    "intake-responder-check": {
        "task": "intake.tasks.check_responders",
        "schedule": crontab(hour=6, minute=10),
    },
}


REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "intake.api.authentication.ApiClientAuthentication",
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    # Requests per organisation key (INTAKE_API_CLIENT_RATE); the other limits are set on their views.
    "DEFAULT_THROTTLE_CLASSES": ["intake.api.throttling.ApiClientRateThrottle"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    # drf-standardized-errors' AutoSchema documents the errors each operation can answer with (core.openapi).
    "DEFAULT_SCHEMA_CLASS": "core.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    # JSON only: one input format to check at the edge (core.edge.SafeJSONParser) and to document.
    "DEFAULT_PARSER_CLASSES": ["core.edge.SafeJSONParser"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    # The client's address for per-IP throttles: REMOTE_ADDR, or X-Forwarded-For behind TRUSTED_PROXY_COUNT proxies.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Labtorget API",
    "DESCRIPTION": (
        "The national register and booking platform for Norwegian research infrastructure. "
        "Read endpoints are public. Authenticate with `Authorization: Token <token>`: a person gets a token "
        "from `POST /api/v1/auth/token/`, a cluster or TTO gets an organisation key from the platform."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "core.openapi.postprocess_problems"],
    # Choice sets named in the schema: several models have a field called "kind", several serializers "status" and
    # "reason" fields.
    "ENUM_NAME_OVERRIDES": {
        "InstitutionKindEnum": "catalogue.choices.InstitutionKind",
        "FacilityKindEnum": "catalogue.choices.FacilityKind",
        "ResourceKindEnum": "catalogue.choices.ResourceKind",
        "PublicationStatusEnum": "catalogue.choices.PublicationStatus",
        "RegionEnum": "catalogue.choices.Region",
        "IntakeRequestStatusEnum": "intake.choices.RequestStatus",
        "IntakeRoutingStatusEnum": "intake.choices.RoutingStatus",
        "IntakeDeliveryStatusEnum": "intake.choices.DeliveryStatus",
        "IntakeDeclineReasonEnum": "intake.choices.DeclineReason",
        "IntakeCloseReasonEnum": "intake.choices.CloseReason",
        "IntakeSectorEnum": "intake.choices.Sector",
        "IntakePhaseEnum": "intake.choices.Phase",
        "IntakeAccessModelEnum": "intake.choices.PreferredAccessModel",
        "IntakeAgreementTypeEnum": "intake.choices.AgreementType",
        "IntakeProposalKindEnum": "intake.choices.ProposalKind",
        "IntakeBudgetRangeEnum": "intake.choices.BudgetRange",
        "IntakeAuthorRoleEnum": "intake.choices.AuthorRole",
        "VatCategoryEnum": "pricing.choices.VatCategory",
        "IntakeReferralKindEnum": "intake.choices.ReferralKind",
        "IntakeRequesterDecisionEnum": "intake.choices.RequesterDecision",
        "IntakeQuoteUnitEnum": "intake.choices.QuoteUnit",
        "FrequencyEnum": "booking.choices.Frequency",
    },
}
API_ERROR_STATUS_CODES = ["400", "401", "403", "404", "405", "406", "415", "429", "500"]
# Error answers: RFC 9457 problems (core.problems), through drf-standardized-errors' handler with our formatter.
DRF_STANDARDIZED_ERRORS = {
    "EXCEPTION_HANDLER_CLASS": "core.api.ProblemExceptionHandler",
    "EXCEPTION_FORMATTER_CLASS": "core.api.ProblemFormatter",
    "ENABLE_IN_DEBUG_FOR_UNHANDLED_EXCEPTIONS": True,
    "ALLOWED_ERROR_STATUS_CODES": API_ERROR_STATUS_CODES,
    "ERROR_SCHEMAS": {code: "core.openapi.ProblemSerializer" for code in API_ERROR_STATUS_CODES},
}
# The API's limits (docs/api.md): a request body of at most this many bytes, JSON nested at most this deep.
API_MAX_BODY_BYTES = int(os.environ.get("API_MAX_BODY_BYTES", str(1024 * 1024)))
API_MAX_JSON_DEPTH = 32

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # The handler has the level too: records of child loggers (django.request's 401s, say) reach the root
    # handler without passing the root logger's level.
    "handlers": {"console": {"class": "logging.StreamHandler", "level": os.environ.get("LOG_LEVEL", "INFO")}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# Content-Security-Policy on every response (django-csp): scripts, styles, fonts and frames only from the portal's
# own static files, never inline ('unsafe-inline' is absent, so an injected <script> or style="" does nothing).
# Images may also be data: URIs (the design system's icons, the MFA QR code). No form-action: the OpenID Connect
# log-in redirects a form's POST on to Feide or ID-porten, which form-action would block. A template that cannot
# avoid an inline script wraps it in {% script %} from `{% load csp %}` (a nonce); none needs to today. The API
# docs' Swagger UI loads its set-up script from its own address (SpectacularSwaggerSplitView).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # DRF's browsable API floats its format menu and filter button with one inline style attribute; that exact
        # attribute (and no other) is allowed by its hash (tests/core/test_content_security_policy.py).
        "style-src-attr": ["'unsafe-hashes'", "'sha256-OfgyIBrd+/vP79JdFMYP+re4T+fIenvkrHPD2HZ8/cs='"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_REFERRER_POLICY = "same-origin"

# --- catalogue ---
# Entries not verified for this many days are flagged as possibly outdated.
CATALOGUE_STALE_AFTER_DAYS = int(os.environ.get("CATALOGUE_STALE_AFTER_DAYS", "365"))
# A stale entry's managers are reminded at most once in this many days (the beat entry runs weekly).
CATALOGUE_REMINDER_INTERVAL_DAYS = int(os.environ.get("CATALOGUE_REMINDER_INTERVAL_DAYS", "30"))

# --- pricing ---
# The lowest margin over full cost an economic price may have (0.05 = 5 %): every external economic price is
# checked against full cost x (1 + this), in the unit of the price (state aid, R&D&I Framework §25).
PRICING_MINIMUM_MARGIN = os.environ.get("PRICING_MINIMUM_MARGIN", "0.05")

# --- accounting ---
# State-aid monitor (R&D&I Framework §20): share of a resource's annual capacity booked for economic activity
# at which managers see a warning and at which they, and the institution admins by e-mail, get an alert.
STATE_AID_WARNING_SHARE = float(os.environ.get("STATE_AID_WARNING_SHARE", "0.15"))
STATE_AID_ALERT_SHARE = float(os.environ.get("STATE_AID_ALERT_SHARE", "0.20"))
# Share of the price charged for a cancellation after the booking policy's deadline (1 = the full price); the
# rule is pricing's (pricing.charges.cancellation_charge), the charge shows in the invoice basis.
ACCOUNTING_LATE_CANCELLATION_SHARE = os.environ.get("ACCOUNTING_LATE_CANCELLATION_SHARE", "1")
# EHF invoices: payment terms, and whether institutions are in the VAT register (seller id NO<orgnr>MVA).
ACCOUNTING_PAYMENT_TERMS_DAYS = int(os.environ.get("ACCOUNTING_PAYMENT_TERMS_DAYS", "30"))
ACCOUNTING_SELLER_VAT_REGISTERED = env_bool("ACCOUNTING_SELLER_VAT_REGISTERED", True)
# Organisation numbers (comma-separated) of the institutions registered in Foretaksregisteret (health trusts,
# limited companies): their EHF documents say so, as foretaksregisterloven § 10-2 and rule NO-R-002 ask.
ACCOUNTING_FORETAKSREGISTERET_ORG_NUMBERS = os.environ.get("ACCOUNTING_FORETAKSREGISTERET_ORG_NUMBERS", "")

# --- calendars (external iCalendar feeds of facilities that book in their own system) ---
# How often each feed is read, and after how long without a successful read the facility's managers are told.
EXTERNAL_CALENDARS_SYNC_MINUTES = int(os.environ.get("EXTERNAL_CALENDARS_SYNC_MINUTES", "15"))
EXTERNAL_CALENDARS_STALE_HOURS = int(os.environ.get("EXTERNAL_CALENDARS_STALE_HOURS", "24"))
# Limits of one read: seconds for the whole answer, bytes, busy times within the horizon (an endless series stops).
EXTERNAL_CALENDARS_TIMEOUT_SECONDS = float(os.environ.get("EXTERNAL_CALENDARS_TIMEOUT_SECONDS", "15"))
EXTERNAL_CALENDARS_MAX_BYTES = int(os.environ.get("EXTERNAL_CALENDARS_MAX_BYTES", str(5 * 1024 * 1024)))
EXTERNAL_CALENDARS_MAX_BUSY_TIMES = int(os.environ.get("EXTERNAL_CALENDARS_MAX_BUSY_TIMES", "20000"))
# How far ahead a feed's series are expanded (the longest booking horizon a policy offers fits in it).
EXTERNAL_CALENDARS_HORIZON_DAYS = int(os.environ.get("EXTERNAL_CALENDARS_HORIZON_DAYS", "400"))
# Feed addresses must resolve to public addresses (as webhooks) unless this is set: tests and the demo, whose
# feeds the demo serves itself on localhost.
EXTERNAL_CALENDARS_ALLOW_PRIVATE_HOSTS = env_bool("EXTERNAL_CALENDARS_ALLOW_PRIVATE_HOSTS", False)

# --- booking ---
# Managers may still record a no-show or the time actually used until this many working days after a booking's end
# (Norwegian holidays excluded); the beat entry booking-complete-ended completes ended bookings before that.
BOOKING_USE_ADJUSTMENT_WORKING_DAYS = int(os.environ.get("BOOKING_USE_ADJUSTMENT_WORKING_DAYS", "5"))
# How far back the subscribable calendar feeds reach.
BOOKING_FEED_PAST_DAYS = int(os.environ.get("BOOKING_FEED_PAST_DAYS", "90"))

# --- intake ---
# Working days a screener (and then a facility manager) has to answer a request; Norwegian holidays don't count.
INTAKE_RESPONSE_WORKING_DAYS = int(os.environ.get("INTAKE_RESPONSE_WORKING_DAYS", "5"))
# Remind the people holding a request this many hours before its deadline.
INTAKE_REMINDER_HOURS = int(os.environ.get("INTAKE_REMINDER_HOURS", "24"))
# Requests without an account whose e-mail is not confirmed within this many days are closed.
INTAKE_CONFIRMATION_DAYS = int(os.environ.get("INTAKE_CONFIRMATION_DAYS", "14"))
# Requests per client key (DRF rate syntax: "120/min", "5000/day").
INTAKE_API_CLIENT_RATE = os.environ.get("INTAKE_API_CLIENT_RATE", "120/min")
INTAKE_WEBHOOK_TIMEOUT = float(os.environ.get("INTAKE_WEBHOOK_TIMEOUT", "5"))
INTAKE_WEBHOOK_MAX_ATTEMPTS = int(os.environ.get("INTAKE_WEBHOOK_MAX_ATTEMPTS", "6"))
INTAKE_WEBHOOK_BACKOFF_SECONDS = int(os.environ.get("INTAKE_WEBHOOK_BACKOFF_SECONDS", "30"))
# Webhook URLs must resolve to public addresses (no localhost or private networks) unless this is set (development).
INTAKE_WEBHOOK_ALLOW_PRIVATE_HOSTS = os.environ.get("INTAKE_WEBHOOK_ALLOW_PRIVATE_HOSTS", "") in ("1", "true", "yes")
# The operators' addresses: told of a request or an escalation only when no person with a role can be (comma-separated).
INTAKE_FALLBACK_EMAILS = [e.strip() for e in os.environ.get("INTAKE_FALLBACK_EMAILS", "").split(",") if e.strip()]
# How long the signed link that lets a facility's contact person answer a routing (no account needed) stays valid.
INTAKE_ANSWER_LINK_DAYS = int(os.environ.get("INTAKE_ANSWER_LINK_DAYS", "14"))
# --- end intake ---
