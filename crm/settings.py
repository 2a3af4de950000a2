"""Settings for the broker CRM, read from the environment.

With nothing set this is the embedded default: SQLite, local files, console e-mail and a
Celery worker on a filesystem broker. `DJANGO_ENV=production` flips every default to the
safe one (no debug, secure cookies, HSTS, staff 2FA) and requires a real `SECRET_KEY`.
"""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

IS_PRODUCTION = env("DJANGO_ENV", default="development") == "production"
DATA_DIR = Path(env("DATA_DIR", default=str(BASE_DIR / ".data")))
DATA_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = env("SECRET_KEY") if IS_PRODUCTION else env("SECRET_KEY", default="dev-only-insecure-key")
# Old keys still accepted (sessions, signed links, sealed trading passwords) while a rotation settles.
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])
DEBUG = env.bool("DEBUG", default=not IS_PRODUCTION)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[] if IS_PRODUCTION else ["*"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Where links in e-mails (password reset, …) point to.
PORTAL_URL = env("PORTAL_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "django_filters",
    "django_otp",
    "crm.users.otp_apps.TOTPDevicesConfig",  # django_otp.plugins.otp_totp, named in both languages
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.google",
    "crm.api",
    "crm.users",
    "crm.audit",
    "crm.configuration",
    "crm.verification",
    "crm.permissions",
    "crm.content",
    "crm.inbox",
    "crm.files",
    "crm.platforms",
    "crm.platforms.simulator",
    "clients",
    "clients.trading",
    "clients.resources",
    "funds",
    "funds.ledger",
    "funds.deposits",
    "funds.withdrawals",
    "funds.transfers",
    "ib",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "crm.middleware.RequestLanguageMiddleware",
    "crm.middleware.CompanyTimeZoneMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "crm.database_busy.DatabaseBusyMiddleware",
]

ROOT_URLCONF = "crm.urls"
WSGI_APPLICATION = "crm.wsgi.application"
ASGI_APPLICATION = "crm.asgi.application"

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
                "django.template.context_processors.i18n",
                "clients.portal.context_processors.portal",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60 if IS_PRODUCTION else 0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite as a real single-machine database, shared by the web processes and the worker.
    # WAL: readers never block the writer, nor it them. IMMEDIATE: a transaction takes the write
    # lock when it begins, so one that reads then writes (every `select_for_update` path) waits
    # its turn under the busy timeout instead of failing with "database is locked" when it
    # upgrades its lock (a DEFERRED transaction cannot wait for that). `select_for_update` is a
    # no-op here; these serialised write transactions are what make the money paths correct.
    # synchronous=NORMAL is durable in WAL mode except for the last commits on power loss.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,  # seconds a writer waits for another before `database_busy` (503)
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (throttling, login attempts, code attempts) ----------------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "crm.redis_cache.ReusedClientRedisCache", "LOCATION": REDIS_URL}}
else:
    # Shared between the web server and the local worker, unlike an in-process cache.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
        }
    }

# --- Users and passwords --------------------------------------------------------------
AUTH_USER_MODEL = "users.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
API_TOKEN_LIFETIME = timedelta(hours=env.int("API_TOKEN_LIFETIME_HOURS", default=24))
PASSWORD_RESET_TOKEN_LIFETIME = timedelta(minutes=env.int("PASSWORD_RESET_TOKEN_MINUTES", default=30))

# --- Client portal sign-in (django-allauth) ---------------------------------------------
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",  # the admin
    "allauth.account.auth_backends.AuthenticationBackend",  # the portal: e-mail + password, Google
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "portal:dashboard"
ACCOUNT_ADAPTER = "clients.portal.adapter.PortalAccountAdapter"
SOCIALACCOUNT_ADAPTER = "clients.portal.adapter.PortalSocialAccountAdapter"
ACCOUNT_FORMS = {"signup": "clients.portal.forms.SignupForm"}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", default="mandatory")  # or "optional", "none"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if IS_PRODUCTION else "http"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # never join a Google login to an account by e-mail alone
SOCIALACCOUNT_PROVIDERS: dict = {}
GOOGLE_CLIENT_ID = env("GOOGLE_CLIENT_ID", default="")
if GOOGLE_CLIENT_ID:  # without it the portal shows no Google button
    SOCIALACCOUNT_PROVIDERS["google"] = {
        "APP": {"client_id": GOOGLE_CLIENT_ID, "secret": env("GOOGLE_CLIENT_SECRET", default=""), "key": ""},
        "SCOPE": ["profile", "email"],
        "AUTH_PARAMS": {"access_type": "online"},
    }

# --- Staff back office ----------------------------------------------------------------
ADMIN_REQUIRE_OTP = env.bool("ADMIN_REQUIRE_OTP", default=IS_PRODUCTION)
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="Broker CRM")

# --- Language and time ----------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
# The API speaks the wlink names; Django's catalogues use its own.
API_LANGUAGES = {"zh-CN": "zh-hans", "en-US": "en"}
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
# The company time zone; the company settings row may override it at run time.
TIME_ZONE = env("TIME_ZONE", default="Asia/Shanghai")

# --- Static and uploaded files --------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(DATA_DIR / "static")))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(DATA_DIR / "media")))
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
UPLOAD_CONTENT_TYPES = env.list(
    "UPLOAD_CONTENT_TYPES", default=["image/jpeg", "image/png", "image/webp", "application/pdf"]
)
# How long a signed download link for a private file lives.
PRIVATE_FILE_URL_LIFETIME = timedelta(minutes=env.int("PRIVATE_FILE_URL_MINUTES", default=15))

STORAGE_BACKEND = env("STORAGE_BACKEND", default="local")  # "local" or "s3"
if STORAGE_BACKEND == "s3":
    AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME")
    AWS_S3_REGION_NAME = env("AWS_S3_REGION_NAME", default="us-east-1")
    AWS_S3_ENDPOINT_URL = env("AWS_S3_ENDPOINT_URL", default=None)
    AWS_ACCESS_KEY_ID = env("AWS_ACCESS_KEY_ID", default=None)
    AWS_SECRET_ACCESS_KEY = env("AWS_SECRET_ACCESS_KEY", default=None)
    # Role the upload credentials are issued for; without it clients get a presigned POST.
    AWS_STS_ROLE_ARN = env("AWS_STS_ROLE_ARN", default="")
    AWS_UPLOAD_PREFIX = env("AWS_UPLOAD_PREFIX", default="uploads")
    AWS_STS_ENDPOINT_URL = env("AWS_STS_ENDPOINT_URL", default=None)
    AWS_S3_SIGNATURE_VERSION = "s3v4"
    AWS_DEFAULT_ACL = None
    AWS_QUERYSTRING_EXPIRE = int(PRIVATE_FILE_URL_LIFETIME.total_seconds())
    STORAGES = {
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {"querystring_auth": True}},
        "public": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {"querystring_auth": False, "location": "public"},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
else:
    STORAGES = {
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(MEDIA_ROOT / "private"), "base_url": None},
        },
        "public": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(MEDIA_ROOT / "public"), "base_url": f"/{MEDIA_URL}public/"},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }

# --- E-mail ---------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="no-reply@broker.example")

# --- Captcha --------------------------------------------------------------------------
# "tencent" and "recaptcha" call the providers; "fake" accepts the ticket "valid" (tests, demos).
CAPTCHA_VERIFIER = env("CAPTCHA_VERIFIER", default="tencent")
TENCENT_CAPTCHA_SECRET_ID = env("TENCENT_CAPTCHA_SECRET_ID", default="")
TENCENT_CAPTCHA_SECRET_KEY = env("TENCENT_CAPTCHA_SECRET_KEY", default="")
TENCENT_CAPTCHA_ENDPOINT = env("TENCENT_CAPTCHA_ENDPOINT", default="https://captcha.tencentcloudapi.com")
RECAPTCHA_ENDPOINT = env("RECAPTCHA_ENDPOINT", default="https://www.google.com/recaptcha/api/siteverify")
CAPTCHA_TIMEOUT_SECONDS = env.float("CAPTCHA_TIMEOUT_SECONDS", default=5.0)

# --- Celery ---------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
if CELERY_BROKER_URL == "filesystem://":
    _queue = DATA_DIR / "celery-queue"
    _queue.mkdir(exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue),
        "data_folder_out": str(_queue),
        "processed_folder": str(DATA_DIR / "celery-processed"),
        "control_folder": str(DATA_DIR / "celery-control"),
        "store_processed": False,
        # The worker looks for the next task this often while it is busy too (kombu's default, 1 s,
        # caps the outbox at about one platform operation a second); a folder listing is cheap.
        "polling_interval": 0.1,
    }
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
# Workers log through LOGGING below (its filter masks secrets) instead of Celery's own root handler.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")

# --- Trading platforms -----------------------------------------------------------------
# Called after a platform operation that changes an account's figures completes (server_id, login).
PLATFORM_ACCOUNT_STATE_REFRESH = "clients.trading.services.snapshots.account_state_refresh_after_operation"
# Called with `client=` when a client registers (API, portal, Google): the IB network attributes them.
CLIENT_REGISTERED_HOOK = "ib.services.attribution.attribution_from_invite_code"

# --- Funds ----------------------------------------------------------------------------
# An unsubmitted deposit draft is cancelled as expired after this long.
DEPOSIT_DRAFT_TTL = timedelta(hours=env.int("DEPOSIT_DRAFT_TTL_HOURS", default=24))
# Demo top-ups, in the account's currency: at most this much at once, and never past this balance.
DEMO_TOPUP_MAX_AMOUNT = Decimal(env("DEMO_TOPUP_MAX_AMOUNT", default="100000"))
DEMO_ACCOUNT_MAX_BALANCE = Decimal(env("DEMO_ACCOUNT_MAX_BALANCE", default="1000000"))
# The simulated online payment provider (funds.deposits.providers); never in production unless asked.
PAYMENT_SIMULATOR_ENABLED = env.bool("PAYMENT_SIMULATOR_ENABLED", default=not IS_PRODUCTION)
PAYMENT_SIMULATOR_SECRET = env("PAYMENT_SIMULATOR_SECRET", default="")

# --- API ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["crm.users.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "crm.api.schema.OperationSchema",
    "EXCEPTION_HANDLER": "crm.api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["crm.api.throttling.RequestRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("THROTTLE_ANON", default="120/min"),
        "user": env("THROTTLE_USER", default="1200/min"),
        "login": env("THROTTLE_LOGIN", default="20/min"),
        "email_code": env("THROTTLE_EMAIL_CODE", default="10/min"),
        "password_reset": env("THROTTLE_PASSWORD_RESET", default="5/min"),
        "upload": env("THROTTLE_UPLOAD", default="30/min"),
    },
    "DATETIME_FORMAT": "%Y-%m-%d %H:%M:%S",
    "DATETIME_INPUT_FORMATS": ["%Y-%m-%d %H:%M:%S"],
    "DATE_FORMAT": "%Y-%m-%d",
    "DATE_INPUT_FORMATS": ["%Y-%m-%d"],
    "COERCE_DECIMAL_TO_STRING": True,
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Broker CRM API (wlink v1)",
    "DESCRIPTION": "The wlink operations, one path per operation id. Errors: "
    '`{"code", "message", "fields"}`. Authenticate with `Authorization: Bearer <token>`.',
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "MenuAudienceEnum": "crm.permissions.models.Audience",
        "ContentAudienceEnum": "crm.content.models.Audience",
        "PasswordStrengthEnum": "crm.users.models.PasswordStrength",
        "LanguageEnum": "crm.users.models.Language",
        "FundingMethodEnum": "crm.configuration.models.FundingMethod",
        "LoginLayoutEnum": "crm.configuration.models.LoginLayout",
        "VerificationSceneEnum": "crm.configuration.models.VerificationScene",
        "AccountApplicationStatusEnum": "clients.trading.models.AccountApplication.Status",
        "TradingAccountStatusEnum": "clients.trading.models.TradingAccount.Status",
        "TradingCurrencyEnum": "clients.trading.models.TradingCurrency",
        "TradingPlatformEnum": "crm.platforms.models.TradingServer.Platform",
        "KycStatusEnum": "clients.models.KycStatus",
        "KycModuleEnum": "clients.models.KycModule",
        "DepositStatusEnum": "funds.deposits.models.Deposit.Status",
        "WithdrawalStatusEnum": "funds.withdrawals.models.Withdrawal.Status",
        "TransferStatusEnum": "funds.transfers.models.Transfer.Status",
        "UserStatusEnum": "crm.users.models.User.Status",
        "RebatePayoutStatusEnum": "ib.models.RebatePayout.Status",
    },
    "DISABLE_ERRORS_AND_WARNINGS": True,
}

# --- Production hardening -------------------------------------------------------------
if IS_PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Masks secrets a message or a traceback may carry (crm/redaction.py) before anything is written.
    "filters": {"secrets": {"()": "crm.redaction.SecretsFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["secrets"], "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # Django's own handlers would write its records unfiltered (and twice with DEBUG): use ours.
    "loggers": {"django": {"handlers": [], "level": "INFO", "propagate": True}},
}

# --- Trade mirror (clients.trading.mirror) ----------------------------------------------
# The nightly re-read compares this many days of closed deals with the platform's (corrections, deletions).
IB_REREAD_DAYS = env.int("IB_REREAD_DAYS", default=7)
# A server never synced is read from this day on, a window of MIRROR_SYNC_WINDOW_HOURS at a time.
MIRROR_HISTORY_START = env("MIRROR_HISTORY_START", default="2025-01-01")
MIRROR_SYNC_WINDOW_HOURS = env.int("MIRROR_SYNC_WINDOW_HOURS", default=24)
