"""
Settings for the directory, driven by environment variables and safe by default.

DEBUG is off unless DJANGO_DEBUG asks for it; outside development and tests a missing
DJANGO_SECRET_KEY stops the process; SQLite is used unless DATABASE_URL is set.
Every variable is listed in the README.
"""

import sys
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env file (not committed; bin/run writes one for development) fills in what the
# real environment leaves unset.
if (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)

# The test runner is development too: it needs a key but must not need a secret.
TESTING = "pytest" in sys.modules or sys.argv[1:2] == ["test"]

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it to a long random string in production, "
            "or set DJANGO_DEBUG=1 for local development."
        )
    SECRET_KEY = "django-insecure-local-development-key-never-used-in-production"  # noqa: S105

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS",
    default=["127.0.0.1", "localhost", "[::1]"] if (DEBUG or TESTING) else [],
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "directory.apps.DirectoryAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # Ahead of django.contrib.staticfiles so that runserver serves like production.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Full-text search fields and lookups on PostgreSQL; unused, and harmless, on SQLite.
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "django_countries",
    "django_filters",
    "programs",
    "missions",
    "submissions",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Stored pages are answered here, before sessions, CSRF and authentication run.
    "directory.pagecache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "directory.middleware.LoginThrottleMiddleware",
]

ROOT_URLCONF = "directory.urls"
WSGI_APPLICATION = "directory.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database: SQLite file in the project unless DATABASE_URL names another one.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Keep connections open between requests; health checks make a dropped
    # connection (database restart) recover on the next request without a restart.
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DJANGO_CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # An unreachable server fails fast (the visitor gets a 503 page) instead of hanging.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 3)
else:
    # SQLite: writers queue for the lock (IMMEDIATE, a 20 s wait) instead of failing with
    # "database is locked" when several requests save at once; WAL lets reads go on meanwhile.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    # The test database is a file too (an in-memory one is shared between the live server's
    # threads in a mode that fails instead of waiting).
    DATABASES["default"].setdefault("TEST", {})["NAME"] = str(BASE_DIR / ".test-db.sqlite3")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache: Redis when REDIS_URL is set (shared by every app server), local memory otherwise.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "directory.cache.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Internationalisation
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("de", _("German")),
    ("es", _("Spanish")),
    ("fr", _("French")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Date formats per language (directory/formats/<language>/formats.py), over Django's own.
FORMAT_MODULE_PATH = ["directory.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files: our own CSS and scripts, served by whitenoise (no CDN).
STATIC_URL = "static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed names need collectstatic, which development and tests skip.
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if (DEBUG or TESTING)
        else "whitenoise.storage.CompressedManifestStaticFilesStorage",
    },
}

# Development and tests serve the files from the apps and static/ as they change.
WHITENOISE_USE_FINDERS = WHITENOISE_AUTOREFRESH = DEBUG or TESTING


# --- E-mail: EMAIL_URL names the server, e.g. smtp+tls://user:password@smtp.example.org:587
# (django-environ reads the URL). Development prints mail to the console; production
# defaults to the local mail server, as Django always has.
def _mailer(url):
    config = env.email_url_config(url)
    options = {}
    if config["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend":
        options = {
            "host": config["EMAIL_HOST"],
            "port": config["EMAIL_PORT"],
            "username": config["EMAIL_HOST_USER"],
            "password": config["EMAIL_HOST_PASSWORD"],
            "use_tls": config.get("EMAIL_USE_TLS", False),
            "use_ssl": config.get("EMAIL_USE_SSL", False),
            "timeout": 10,
        }
    return {"BACKEND": config["EMAIL_BACKEND"], "OPTIONS": options}


MAILERS = {
    "default": _mailer(
        env.str(
            "EMAIL_URL", default="consolemail://" if (DEBUG or TESTING) else "smtp://localhost:25"
        )
    )
}
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="directory@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security. Production serves HTTPS only; DJANGO_HTTPS=0 turns that off for a trial
# run of production mode on plain http://127.0.0.1 (benchmarks, local checks).
HTTPS = env.bool("DJANGO_HTTPS", default=not (DEBUG or TESTING))
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
# Behind our own reverse proxy: trust its X-Forwarded-Proto, and take the visitor's address
# from the X-Forwarded-For entry it appended (PROXY_COUNT proxies in a row).
BEHIND_PROXY = env.bool("DJANGO_BEHIND_PROXY", default=False)
PROXY_COUNT = env.int("DJANGO_PROXY_COUNT", default=1)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# The language chosen with the switcher; no script reads it.
LANGUAGE_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
# Powerful browser features the site never uses are switched off for every page.
PERMISSIONS_POLICY = {
    feature: []
    for feature in [
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
        "interest-cohort",
        "browsing-topics",
    ]
}
# Sign-in attempts: after this many failures from one address, wait this many seconds.
LOGIN_FAILURE_LIMIT = env.int("DJANGO_LOGIN_FAILURE_LIMIT", default=10)
LOGIN_FAILURE_WINDOW = 15 * 60

# Nothing from other hosts, no inline script or style.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Benchmarks only (bench/run.py): a fixed "hello" view at /bench/hello, the floor every page
# is compared with, and a plain 50-row list template at /bench/plain-list.
BENCHMARK = env.bool("DIRECTORY_BENCHMARK", default=False)

# Members sign in to follow their submissions; staff use the admin.
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "submissions:mine"
LOGOUT_REDIRECT_URL = "programs:home"

# Rendered public pages for anonymous visitors (directory/pagecache.py). On by default only
# with a shared cache: a per-process cache cannot tell other app servers of a change.
PAGE_CACHE = env.bool("DIRECTORY_PAGE_CACHE", default=bool(REDIS_URL))

# --- The directory itself
PROGRAMS_PER_PAGE = 25
# A listing not verified for this many days carries a quiet "not verified since" note.
STALE_AFTER_DAYS = env.int("DIRECTORY_STALE_AFTER_DAYS", default=365)
# The site's public address, for links in e-mail (sent outside any request).
SITE_URL = env.str("DIRECTORY_SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# Staff who hear of every new submission, besides the users allowed to moderate.
MANAGERS = [("Staff", address) for address in env.list("DIRECTORY_STAFF_EMAILS", default=[])]
# Public forms (submissions, suggested updates): entries per address and hour.
SUBMISSION_RATE_LIMIT = env.int("DIRECTORY_SUBMISSION_RATE_LIMIT", default=10)
# The contact form of a program page relays messages to the program's contacts, or here when
# the program gave no e-mail address. At most CONTACT_LIMIT messages per visitor's address
# in CONTACT_WINDOW seconds.
STAFF_EMAIL = env.str("DIRECTORY_STAFF_EMAIL", default=DEFAULT_FROM_EMAIL)
CONTACT_LIMIT = env.int("DIRECTORY_CONTACT_LIMIT", default=5)
CONTACT_WINDOW = 60 * 60
