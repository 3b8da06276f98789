"""Django settings for Care Signals, all taken from environment variables.

Every variable is documented in the README ("Configuration").
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CARESIGNALS_VAR_DIR", BASE_DIR / "var"))


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = _flag("CARESIGNALS_DEBUG")
DEMO = _flag("CARESIGNALS_DEMO")

SECRET_KEY = os.environ.get("CARESIGNALS_SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or DEMO or os.environ.get("PYTEST_VERSION"):
        # Only for the synthetic demo and tests: a real deployment must set its own.
        SECRET_KEY = "insecure-synthetic-demo-key-never-use-with-real-data"  # noqa: S105
    else:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            "Care Signals needs a secret key to sign sign-in sessions, form tokens and "
            "speak-up access codes: set CARESIGNALS_SECRET_KEY to a long random value (for "
            "example the output of "
            "`python3 -c 'import secrets; print(secrets.token_urlsafe(50))'`), "
            "or set CARESIGNALS_DEMO=1 to run the synthetic demo."
        )

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("CARESIGNALS_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "caresignals.core",
    "caresignals.audit",
    "caresignals.organisations",
    "caresignals.interop",
    "caresignals.people",
    "caresignals.safety",
    "caresignals.voice",
    "caresignals.speakup",
    "caresignals.intelligence",
    "caresignals.mortality",
    "caresignals.learning",
    "caresignals.signals",
    "caresignals.measures",
    "caresignals.analytics",
    "caresignals.demo",
    "caresignals.publishing",
    "caresignals.notifications",
    "caresignals.pages",
    "caresignals.api",
    "django_tasks",
    "django_tasks_db",
    "axes",  # sign-in throttling per account (below)
    "django_otp",  # the second factor for local passwords (below)
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "mozilla_django_oidc",  # sign-in with the organisation's identity provider (below)
    "ninja",  # its templates and static files: the API docs page served from this host
]

MIDDLEWARE = [
    "caresignals.core.middleware.ContentSecurityPolicyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before any view reads a parameter: NUL in the address or a form is a 400 (core/middleware.py).
    "caresignals.core.middleware.UnstorableInputMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Whether this session has passed the second factor; then, for people whose roles need
    # one, nothing but setting it up or giving it until they have (pages/middleware.py).
    "django_otp.middleware.OTPMiddleware",
    "caresignals.pages.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "caresignals.core.middleware.PrivateResponsesMiddleware",
    # Too many failed sign-ins from one address (below): refused before axes or the view run.
    "caresignals.core.middleware.SignInThrottleMiddleware",
    # django-axes asks to come last: it answers a refused sign-in before any view runs.
    "axes.middleware.AxesMiddleware",
]

# Sign-in: django-axes counts failed passwords per account and refuses that account for a
# cool-off period after too many (the sign-in page says so), whichever address they come from.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("CARESIGNALS_SIGNIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = dt.timedelta(minutes=int(os.environ.get("CARESIGNALS_SIGNIN_COOLOFF", "15")))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True  # failures are kept, to count them; successes are not
AXES_CLIENT_IP_CALLABLE = "caresignals.core.clients.client_address"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.jinja"
AXES_VERBOSE = False
# And per client address (core/middleware.py), far higher: a hospital's staff share a few NAT
# addresses, so this limit only stops one address guessing across many accounts. Counted in
# each server process's memory, so behind `caresignals serve --workers N` up to N times this.
SIGNIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("CARESIGNALS_SIGNIN_ADDRESS_FAILURE_LIMIT", "50"))
SIGNIN_ADDRESS_WINDOW_SECONDS = int(AXES_COOLOFF_TIME.total_seconds())
# Sign-in with the organisation's identity provider (OpenID Connect: NHS Care Identity
# Service 2, Microsoft Entra ID, ...): off unless its client and endpoints are configured. It
# signs in only people already here (organisations/identity.py; README "Signing in").
# The issuer the ID tokens must name (`iss`), checked when set.
CARESIGNALS_OIDC_ISSUER = os.environ.get("CARESIGNALS_OIDC_ISSUER", "")
OIDC_RP_CLIENT_ID = os.environ.get("CARESIGNALS_OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("CARESIGNALS_OIDC_CLIENT_SECRET", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("CARESIGNALS_OIDC_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("CARESIGNALS_OIDC_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("CARESIGNALS_OIDC_USERINFO_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("CARESIGNALS_OIDC_JWKS_ENDPOINT", "")
OIDC_RP_SIGN_ALGO = os.environ.get("CARESIGNALS_OIDC_SIGN_ALGORITHM", "RS256")
OIDC_RP_SCOPES = os.environ.get("CARESIGNALS_OIDC_SCOPES", "openid email profile")
OIDC_USE_PKCE = True
OIDC_TIMEOUT = 10  # seconds for each request to the provider (token, keys, userinfo)
OIDC_CREATE_USER = False  # no self-registration: people are added by an administrator
OIDC_AUTHENTICATION_CALLBACK_URL = "identity_provider_callback"
# The claim compared with the email address recorded on a person (case-insensitively), or
# `sub` to match only the subject an administrator recorded on the person.
CARESIGNALS_OIDC_MATCH_CLAIM = os.environ.get("CARESIGNALS_OIDC_MATCH_CLAIM", "email")
CARESIGNALS_OIDC_PROVIDER_NAME = os.environ.get(
    "CARESIGNALS_OIDC_PROVIDER_NAME", "your organisation's account"
)
IDENTITY_PROVIDER_BACKEND = "caresignals.organisations.identity.IdentityProviderBackend"
CARESIGNALS_OIDC_ENABLED = bool(
    OIDC_RP_CLIENT_ID
    and OIDC_OP_AUTHORIZATION_ENDPOINT
    and OIDC_OP_TOKEN_ENDPOINT
    and OIDC_OP_JWKS_ENDPOINT
)
if CARESIGNALS_OIDC_ENABLED:
    # After axes (which refuses a paused account before anything is checked), before the
    # local passwords; each backend answers only its own kind of sign-in.
    AUTHENTICATION_BACKENDS.insert(1, IDENTITY_PROVIDER_BACKEND)

# A second factor (a time-based code from an authenticator app, or a single-use recovery
# code) after a local password, for the roles that see identifiable or cross-organisation
# data (organisations/roles.py, ADR 20). Off in the synthetic demo so it stays easy to walk.
CARESIGNALS_REQUIRE_SECOND_FACTOR = _flag("CARESIGNALS_REQUIRE_SECOND_FACTOR", default=not DEMO)
OTP_TOTP_ISSUER = os.environ.get("CARESIGNALS_SECOND_FACTOR_ISSUER", "Care Signals")

# axes.W006 says axes' lockout leaves out the address: on purpose, since one address is
# many people; the address has its own, higher limit above.
# security.W021 asks for the HSTS preload directive. Preloading is decided by whoever owns the
# registrable domain (for a host under nhs.uk, not the ICB) and is hard to undo, so it stays a
# choice (CARESIGNALS_HSTS_PRELOAD), and `check --deploy` is clean without it
# (docs/deployment.md).
SILENCED_SYSTEM_CHECKS = ["axes.W006", "security.W021"]

ROOT_URLCONF = "caresignals.urls"
WSGI_APPLICATION = "caresignals.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "caresignals.jinja2.environment",
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.messages.context_processors.messages",
                "caresignals.pages.context_processors.site",
            ],
        },
    },
    {
        # Kept for Django's own pages (none are exposed); ours are all Jinja2.
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": []},
    },
]

_default_sqlite = f"sqlite:///{VAR_DIR / 'caresignals.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", _default_sqlite), conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # WAL lets readers carry on while an import writes; IMMEDIATE avoids
            # "database is locked" surprises when two writers meet.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000; "
            # Up to 256 MB of page cache, used only as needed: a million-row import touches
            # indexes all over, and spilling them to the WAL mid-transaction is slow.
            "PRAGMA cache_size=-262144; PRAGMA temp_store=MEMORY;",
            "transaction_mode": "IMMEDIATE",
        }
    )
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("CARESIGNALS_TEST_SQLITE") or None}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "organisations.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Shared by every server process, so a dashboard drawn once is drawn once for all of them
# (core/cache.py keys entries by reader's scope and data version).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "cache"),
        "TIMEOUT": 15 * 60,
        "OPTIONS": {"MAX_ENTRIES": 2000},
    }
}

# Sessions are read on every request: keep them in the cache, backed by the database.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = _flag("CARESIGNALS_SECURE_COOKIES")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_AGE = 8 * 60 * 60
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Behind HTTPS, tell browsers to use nothing else (off by default: a laptop demo has no TLS).
SECURE_HSTS_SECONDS = int(os.environ.get("CARESIGNALS_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = _flag("CARESIGNALS_HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = _flag("CARESIGNALS_HSTS_PRELOAD")
SECURE_SSL_REDIRECT = _flag("CARESIGNALS_SSL_REDIRECT")
# Browser features no page uses, refused for every page (core/middleware.py).
PERMISSIONS_POLICY = os.environ.get(
    "CARESIGNALS_PERMISSIONS_POLICY",
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), "
    "gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), usb=(), "
    "browsing-topics=()",
)
# The reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed (addresses or
# networks, comma-separated). Without one, the client is the connection's own address, so a
# client cannot choose the address its rate limits and sign-in records are kept under.
TRUSTED_PROXIES = [
    p.strip() for p in os.environ.get("CARESIGNALS_TRUSTED_PROXIES", "").split(",") if p.strip()
]
if TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise expects it, even when empty
NODE_MODULES = Path(os.environ.get("CARESIGNALS_NODE_MODULES", BASE_DIR / "node_modules"))
# `npm run build` compiles the stylesheet and copies the design system's script here.
FRONTEND_BUILD_DIR = BASE_DIR / "var" / "build"
STATICFILES_DIRS = [
    ("nhsuk/assets", NODE_MODULES / "nhsuk-frontend" / "dist" / "nhsuk" / "assets"),
    FRONTEND_BUILD_DIR,
]
# Serve straight from the finders: no collectstatic step to forget on a laptop.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Nothing about a request to an anonymous or public route is logged (core/anonymity.py).
    "filters": {"anonymous_routes": {"()": "caresignals.core.anonymity.DropAnonymousRoutes"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["anonymous_routes"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("CARESIGNALS_LOG_LEVEL", "WARNING")},
}

# The product's "today" (core/clock.py): unset, the real date; CARESIGNALS_TODAY=YYYY-MM-DD pins
# it, for showing the synthetic demo as of the day its story is told (its data end in 2026-10).
_today = os.environ.get("CARESIGNALS_TODAY", "").strip()
try:
    CARESIGNALS_TODAY = dt.date.fromisoformat(_today) if _today else None
except ValueError:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        f"CARESIGNALS_TODAY must be a date as YYYY-MM-DD, not {_today!r}; "
        "leave it unset for the real date."
    ) from None

# Submission lag (core/clock.py): a month is complete, and the default month of every monthly
# view, once it has ended and this many days have passed (10: October is judged from 11
# November). Until then a month can be read when asked for, labelled incomplete, and no rule
# judges a fall or an absence on it.
CARESIGNALS_SUBMISSION_LAG_DAYS = int(os.environ.get("CARESIGNALS_SUBMISSION_LAG_DAYS", "10"))
if CARESIGNALS_SUBMISSION_LAG_DAYS < 0:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("CARESIGNALS_SUBMISSION_LAG_DAYS cannot be negative")

# Disclosure control (docs/domain.md): counts from 1 to this many are suppressed.
CARESIGNALS_SUPPRESS_BELOW = int(os.environ.get("CARESIGNALS_SUPPRESS_BELOW", "8"))

# The key for speak-up access-code hashes (speakup/codes.py); by default derived from the secret
# key. Set it separately so the secret key can be rotated without locking reporters out.
CARESIGNALS_SPEAKUP_CODE_KEY = os.environ.get("CARESIGNALS_SPEAKUP_CODE_KEY", "")

# Notifications (ADR 21). Email through Django's mail framework to any SMTP relay; links in
# messages start with CARESIGNALS_BASE_URL (the address people reach Care Signals at).
CARESIGNALS_BASE_URL = os.environ.get("CARESIGNALS_BASE_URL", "http://127.0.0.1:8000")
if "CARESIGNALS_EMAIL_HOST" in os.environ:
    # Only when given: an unset host is how the people pages know email is not set up (they
    # then show a set-password link instead of sending it); Django's default is "localhost".
    EMAIL_HOST = os.environ["CARESIGNALS_EMAIL_HOST"]
EMAIL_PORT = int(os.environ.get("CARESIGNALS_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("CARESIGNALS_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("CARESIGNALS_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("CARESIGNALS_EMAIL_TLS", "") == "1"
DEFAULT_FROM_EMAIL = os.environ.get(
    "CARESIGNALS_EMAIL_FROM", "Care Signals <care-signals@localhost>"
)
EMAIL_TIMEOUT = 20
# Background tasks (django-tasks): a queue in the database (django-tasks-db), run by
# `caresignals worker`, which `caresignals serve` starts alongside the web workers (ADR 21).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# After data change, queue a task that computes the expensive pages' shared data for the month
# they open on, so their first reader does not wait (pages/warming.py, ADR 25).
CARESIGNALS_WARM_PAGES = _flag("CARESIGNALS_WARM_PAGES", default=True)
# How many readers' scopes each per-reader page (SQG pack, board report, lens) is warmed for.
CARESIGNALS_WARM_SCOPES = int(os.environ.get("CARESIGNALS_WARM_SCOPES", "12"))
# Learning from deaths: working days from screening a death in scope to its Structured
# Judgement Review being due (mortality/services.py).
CARESIGNALS_MORTALITY_REVIEW_WORKING_DAYS = int(
    os.environ.get("CARESIGNALS_MORTALITY_REVIEW_WORKING_DAYS", "20")
)
