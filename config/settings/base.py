"""Complete settings for every environment; deployment-varying values come from the environment.

`.env.example` explains each variable. Per-environment modules (local, test, production) only
override a few values and add no behaviour.
"""

from pathlib import Path

import environ

from bianmin.core.keys import load_or_create_secret

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("BIANMIN_SECRET_KEY", default="") or load_or_create_secret(
    VAR_DIR / "secret_key", nbytes=50
)
# 16-byte SM4 key (hex) for personal data at rest, and the derived blind-index key.
FIELD_KEY = env("BIANMIN_FIELD_KEY", default="") or load_or_create_secret(
    VAR_DIR / "field_key", nbytes=16
)
DEBUG = env.bool("BIANMIN_DEBUG", default=False)
ALLOWED_HOSTS = env.list("BIANMIN_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("BIANMIN_CSRF_TRUSTED_ORIGINS", default=[])
# The address citizens' phones reach (QR codes, SMS links). Empty: derived from each request;
# work without a request (an SMS batch, a scheduled notice) uses the address `serve` listens on.
PUBLIC_BASE_URL = env("BIANMIN_PUBLIC_BASE_URL", default="")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "huey.contrib.djhuey",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "simple_history",
    "bianmin.core",
    "bianmin.accounts",
    "bianmin.audit",
    "bianmin.people",
    "bianmin.catalogue",
    "bianmin.hall",
    "bianmin.cases",
    "bianmin.fees",
    "bianmin.notifications",
    "bianmin.identity",
    "bianmin.family_desk",
    "bianmin.ratings",
    "bianmin.lost_found",
    "bianmin.planner",
    "bianmin.standards",
    "bianmin.reports",
    "bianmin.traffic",
    "bianmin.appointments",
    "bianmin.demo",
]

MIDDLEWARE = [
    "bianmin.core.middleware.GenerationSnapshotMiddleware",
    "bianmin.core.middleware.ForwardedForMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "bianmin.core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # No LocaleMiddleware: the one language (LANGUAGES) is the default translation already, and
    # its negotiation of Accept-Language on every request had nothing to choose between.
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "bianmin.accounts.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "bianmin.core.middleware.DomainErrorMiddleware",
    # Last, so it sees the login view's answer and turns a lock-out into the Chinese page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "bianmin" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "bianmin.accounts.context_processors.navigation",
            ],
        },
    }
]

# --- Databases -------------------------------------------------------------------------------
DATABASE_URL = env("BIANMIN_DATABASE_URL", default="")
if DATABASE_URL:
    DATABASES = {"default": env.db_url_config(DATABASE_URL)}
    # A connection pool (psycopg_pool): ASGI serves each request in a fresh thread, so
    # without a pool 200 concurrent clients would open 200 connections and exceed PostgreSQL's
    # max_connections.
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": env.int("BIANMIN_DB_POOL_MIN", default=2),
            "max_size": env.int("BIANMIN_DB_POOL_MAX", default=20),
            "timeout": 20,
        }
        # The compiled statements (core.compiled) are prepared on the server from their fifth
        # run on a pooled connection (the rest of Django binds on the client and is never
        # prepared). Behind a pgbouncer in transaction mode older than 1.21, set -1 (off).
        threshold = env.int("BIANMIN_DB_PREPARE_THRESHOLD", default=5)
        DATABASES["default"]["OPTIONS"]["prepare_threshold"] = threshold if threshold >= 0 else None
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "bianmin.sqlite3",
            "OPTIONS": {
                # WAL lets readers run while one writer commits; IMMEDIATE takes the write lock
                # at BEGIN so concurrent writers queue instead of failing on lock upgrade.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA busy_timeout=20000; PRAGMA foreign_keys=ON;"
                ),
            },
        }
    }
# Requests run on a fixed set of threads that keep their connection (core/asgi_handler.py):
# SQLite keeps it open for 10 minutes (checked before reuse); PostgreSQL hands it back to the
# pool after each request, since Django's pool and persistent connections exclude each other.
REQUEST_THREADS = env.int("BIANMIN_REQUEST_THREADS", default=4)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 600
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.Staff"

# --- Redis: task queue, channel layer and cache when configured ------------------------------
REDIS_URL = env("BIANMIN_REDIS_URL", default="")
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "bianmin",
        "url": REDIS_URL,
        "immediate": False,
        # Periodic tasks read the center's clock (TIME_ZONE, which Django puts in TZ):
        # crontab(hour="8", minute="30") means 08:30 in the hall, not 08:30 UTC.
        "utc": False,
        "consumer": {"workers": 4, "worker_type": "thread"},
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        },
        # Every live push (core/push.py: the center's line, the calling displays, the rating
        # pads): one Redis PUBLISH, which each server process receives once and hands to its own
        # sockets in memory. The default layer stores one copy per socket and each is popped
        # with its own round trips (1,000 sockets: seconds per call, and timeouts), and asks
        # twice even when nobody listens. Pub/sub keeps nothing for a process that is down: the
        # pages catch up when their socket reconnects (the line on connect) and by polling.
        "live": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        },
    }
    CACHES = {
        "default": {
            "BACKEND": "bianmin.core.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "bianmin",
        "filename": str(VAR_DIR / "tasks.sqlite3"),
        "immediate": False,
        # Periodic tasks read the center's clock (TIME_ZONE, which Django puts in TZ):
        # crontab(hour="8", minute="30") means 08:30 in the hall, not 08:30 UTC.
        "utc": False,
        "consumer": {"workers": 4, "worker_type": "thread"},
    }
    CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels.layers.InMemoryChannelLayer"},
        "live": {"BACKEND": "channels.layers.InMemoryChannelLayer"},  # core/push.py
    }
    CACHES = {
        "default": {
            # `make run` serves from one process, so a local-memory cache is shared by all.
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "bianmin",
            # Django's default of 300 entries is far too few: every waiting phone has its
            # throttle, ticket and page entries, and a full cache drops a third of all entries
            # at once (the centers' line versions and settings among them). Most entries are
            # under a kilobyte (throttle histories, ticket centers, fragments); a center's line
            # is a few KB per 100 waiting tickets.
            "OPTIONS": {"MAX_ENTRIES": 50_000},
        }
    }

# --- Auth and security -----------------------------------------------------------------------
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out client before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Reverse proxies whose X-Forwarded-For is believed (addresses, comma-separated). Empty: none,
# not even loopback, so a local client cannot name another address and lift a limit.
TRUSTED_PROXIES = env.list("BIANMIN_TRUSTED_PROXIES", default=[])
# django-ninja's throttles read X-Forwarded-For themselves: the last hop, added by our proxy.
NINJA_NUM_PROXIES = 1 if TRUSTED_PROXIES else 0
# Password guessing (django-axes): a client that fails LOGIN_MAX_FAILURES times for one account,
# or LOGIN_MAX_FAILURES_PER_CLIENT times over all accounts, cools off for LOGIN_COOLOFF_MINUTES.
# Nobody can lock another person's account from their own address.
LOGIN_MAX_FAILURES = env.int("BIANMIN_LOGIN_MAX_FAILURES", default=5)
LOGIN_MAX_FAILURES_PER_CLIENT = env.int("BIANMIN_LOGIN_MAX_FAILURES_PER_CLIENT", default=20)
LOGIN_COOLOFF_MINUTES = env.int(
    "BIANMIN_LOGIN_COOLOFF_MINUTES",
    default=env.int("BIANMIN_LOGIN_LOCKOUT_MINUTES", default=15),  # the former name
)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_FAILURE_LIMIT = "bianmin.accounts.lockout.failure_limit"
AXES_HANDLER = "bianmin.accounts.lockout.AccountsAxesHandler"
AXES_COOLOFF_TIME = "bianmin.accounts.lockout.cool_off"
AXES_CLIENT_IP_CALLABLE = "bianmin.core.client_ip.client_ip"
AXES_LOCKOUT_CALLABLE = "bianmin.accounts.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = False  # a success must not empty the per-client bucket
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False
# The second factor (django-otp TOTP): a wrong code doubles the wait before the next try.
OTP_TOTP_ISSUER = "便民服务中心"
OTP_TOTP_THROTTLE_FACTOR = 1
# API bearer tokens expire; a window or kiosk device gets a new one from IT.
API_TOKEN_DAYS = env.int("BIANMIN_API_TOKEN_DAYS", default=90)
SECURE_COOKIES = env.bool("BIANMIN_SECURE_COOKIES", default=False)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 10  # one working day
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

from django.utils.csp import CSP  # noqa: E402

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "media-src": [CSP.SELF, "blob:", "data:"],
    # the window PC's / kiosk's local ID-card reader service (docs/readme/devices.md)
    "connect-src": [CSP.SELF, "ws:", "wss:", "http://127.0.0.1:*", "http://localhost:*"],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

# --- i18n / time -----------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "bianmin" / "static"]
MEDIA_ROOT = VAR_DIR / "media"
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

# --- Product settings ------------------------------------------------------------------------
# A call's near-turn check runs this much later, shared by the calls made meanwhile (hall/near).
HALL_NEAR_CHECK_DELAY_SECONDS = env.float("BIANMIN_HALL_NEAR_CHECK_DELAY_SECONDS", default=2.0)
SMS_GATEWAY = env("BIANMIN_SMS_GATEWAY", default="console")
# The provincial 好差评 platform's uploader (dotted path of an adapter class; empty: by hand).
RATINGS_PROVINCIAL_UPLOADER = env("BIANMIN_RATINGS_UPLOADER", default="")
SMS_OUTBOX = env("BIANMIN_SMS_OUTBOX", default=str(VAR_DIR / "sms-outbox.jsonl"))
# notifications: second gateway for failover, provider credentials, receipt token secret, limits
SMS_GATEWAY_FALLBACK = env("BIANMIN_SMS_GATEWAY_FALLBACK", default="")
SMS_ALIYUN = {
    "access_key_id": env("BIANMIN_SMS_ALIYUN_ACCESS_KEY_ID", default=""),
    "access_key_secret": env("BIANMIN_SMS_ALIYUN_ACCESS_KEY_SECRET", default=""),
    "endpoint": env("BIANMIN_SMS_ALIYUN_ENDPOINT", default="https://dysmsapi.aliyuncs.com/"),
}
SMS_TENCENT = {
    "secret_id": env("BIANMIN_SMS_TENCENT_SECRET_ID", default=""),
    "secret_key": env("BIANMIN_SMS_TENCENT_SECRET_KEY", default=""),
    "sdk_app_id": env("BIANMIN_SMS_TENCENT_SDK_APP_ID", default=""),
    "endpoint": env("BIANMIN_SMS_TENCENT_ENDPOINT", default="https://sms.tencentcloudapi.com/"),
}
SMS_RECEIPT_SECRET = env("BIANMIN_SMS_RECEIPT_SECRET", default="")
SMS_RATE_PER_SECOND = env.float("BIANMIN_SMS_RATE_PER_SECOND", default=50.0)
SMS_TIMEOUT_SECONDS = env.float("BIANMIN_SMS_TIMEOUT_SECONDS", default=10.0)
SMS_DAILY_CAP_PER_NUMBER = env.int("BIANMIN_SMS_DAILY_CAP_PER_NUMBER", default=10)
SMS_STUCK_AFTER_SECONDS = env.float("BIANMIN_SMS_STUCK_AFTER_SECONDS", default=120.0)
SMS_PICKUP_REMINDER_WORKDAYS = env.int("BIANMIN_SMS_PICKUP_REMINDER_WORKDAYS", default=5)

# devices: the window PCs' and kiosks' ID-card reader service ("auto" tries each supported
# protocol at its default address; or "zkidr=http://127.0.0.1:24010", "cgi=http://…")
ID_READER = env("BIANMIN_ID_READER", default="auto")
# the kiosks' addresses: look-ups by an ID card read at a kiosk are accepted only from here
KIOSK_NETWORKS = env.list("BIANMIN_KIOSK_NETWORKS", default=[])
# traffic: the traffic-violation provider's gateway (empty: the kiosk tile says "not connected")
TRAFFIC_PROVIDER_URL = env("BIANMIN_TRAFFIC_PROVIDER_URL", default="")
TRAFFIC_PROVIDER_APP_KEY = env("BIANMIN_TRAFFIC_PROVIDER_APP_KEY", default="")
TRAFFIC_PROVIDER_APP_SECRET = env("BIANMIN_TRAFFIC_PROVIDER_APP_SECRET", default="")
TRAFFIC_PROVIDER_TIMEOUT_SECONDS = env.float(
    "BIANMIN_TRAFFIC_PROVIDER_TIMEOUT_SECONDS", default=8.0
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("BIANMIN_LOG_LEVEL", default="INFO")},
    "loggers": {"django.request": {"level": "ERROR"}, "huey": {"level": "WARNING"}},
}
