"""Settings for PRS. SQLite by default; PostgreSQL (or any backend) through DATABASE_URL.

The product's only: what its tests need on top (test database names, a fast hasher, the demo-data command)
lives with them, in support/prs/settings.py."""
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)

SECRET_KEY = os.environ.get("PRS_SECRET_KEY", "prs-insecure-development-key-change-me-in-production")
DEBUG = os.environ.get("PRS_DEBUG", "0") == "1"
ALLOWED_HOSTS = os.environ.get("PRS_ALLOWED_HOSTS", "localhost,127.0.0.1,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "prs.common",
    "prs.accounts",
    "prs.clients",
    "prs.deals",
    "prs.commissions",
    "prs.notifications",
    "prs.audit",
]

MIDDLEWARE = [
    "prs.common.transport.RequestSizeLimitMiddleware",  # 413 before anything reads an oversized body
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "prs.common.request_context.RequestContextMiddleware",
]

ROOT_URLCONF = "prs.urls"
WSGI_APPLICATION = "prs.wsgi.application"
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
            ]
        },
    }
]

try:
    DATABASES = {
        "default": dj_database_url.config(
            default=f"sqlite:///{VAR_DIR / 'prs.sqlite3'}", conn_max_age=0
        )
    }
except ValueError as error:  # never echo the URL itself: it may hold a password
    raise ImproperlyConfigured(
        f"DATABASE_URL does not parse as a database URL (e.g. postgres://user@host:5432/name): {error}"
    ) from None
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Writers queue instead of failing with "database is locked", and take the write lock when the
    # transaction begins, so two transactions never deadlock upgrading read locks (the row locks of
    # select_for_update do not exist on SQLite; the database-wide write lock stands in for them).
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 30, "transaction_mode": "IMMEDIATE"})

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS: list[dict] = []
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "prs.common.pagination.StandardPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "prs.common.api_errors.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "PRS API",
    "DESCRIPTION": "Clients, deals, payments, approvals, commissions, notifications and audit trail.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "prs.common.schema.no_null_characters",
    ],
    "ENUM_NAME_OVERRIDES": {
        "ClientStatusEnum": "prs.clients.models.ClientStatus",
        "VerificationStatusEnum": "prs.deals.models.VerificationStatus",
        "PaymentStatusEnum": "prs.deals.models.PaymentStatus",
        "PaymentDecisionEnum": "prs.deals.models.PaymentDecision",
        "PaymentMethodEnum": "prs.deals.models.PaymentMethod",
        "RejectionReasonEnum": "prs.deals.models.RejectionReason",
    },
}

# Request bodies above this many bytes answer 413 (Django's default, stated: a transport limit of the API).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# Security: lockout after this many failed logins within the window.
PRS_LOGIN_MAX_FAILURES = 5
PRS_LOGIN_FAILURE_WINDOW_MINUTES = 15

# Exchange-rate provider for commissions (an external dependency behind a circuit breaker).
PRS_EXCHANGE_RATE_PROVIDER = os.environ.get(
    "PRS_EXCHANGE_RATE_PROVIDER", "prs.commissions.exchange_rates.FakeExchangeRateProvider"
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"handlers": ["console"], "level": "ERROR"}},
}
