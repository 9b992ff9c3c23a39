"""Settings for the Oficina Virtual, read from environment variables.

DEBUG is off unless DJANGO_DEBUG says otherwise (the Makefile's development targets and the tests set it),
so a node started without configuration is never a development server. Production sets the variables
listed in README.md and `manage.py check --deploy` comes out clean.
"""

import os
import secrets
import shutil
import sys
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from oficina import registro
from oficina.bases import base_de_datos, replica_de

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "si", "sí"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# pytest sets PYTEST_VERSION before pytest-django reads these settings: the suite runs as a laptop does
# (DEBUG on) with a fixed secret of its own, and needs no environment.
PRUEBAS = bool(os.environ.get("PYTEST_VERSION"))
DEBUG = env_bool("DJANGO_DEBUG", PRUEBAS)

CLAVE_DESARROLLO = "solo-desarrollo-no-usar-en-produccion-0123456789abcdefghijklmnopqrstuvwxyz"
CLAVE_PRUEBAS = "pruebas-oficina-virtual-clave-fija-no-usar-fuera-de-las-pruebas-0123456789"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if DEBUG and not SECRET_KEY:
    SECRET_KEY = CLAVE_PRUEBAS if PRUEBAS else CLAVE_DESARROLLO
# Commands that only read the models sign nothing: `manage.py makemigrations --check` runs anywhere (CI,
# a checkout with no environment) with a throwaway key instead of refusing to start.
if not SECRET_KEY and sys.argv[1:2] == ["makemigrations"]:
    SECRET_KEY = secrets.token_urlsafe(50)
if not DEBUG and SECRET_KEY in ("", CLAVE_DESARROLLO, CLAVE_PRUEBAS):
    # Both keys are published in this file: sessions and password-reset links signed with them could be
    # forged by anyone.
    raise ImproperlyConfigured("DJANGO_SECRET_KEY es obligatoria con DJANGO_DEBUG=0 (y no puede ser la de desarrollo).")

# Reverse proxies of ours in front of gunicorn (nginx: 1). It decides which X-Forwarded-For address is the
# client's for the rate limits (oficina.cliente); 0 ignores the header, which anyone can forge.
TRUSTED_PROXY_COUNT = int(os.environ.get("DJANGO_TRUSTED_PROXY_COUNT", "0"))
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "oficina.apps.AdminOficinaConfig",  # django.contrib.admin with the project's site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "captcha",
    "csp",
    "accounts",
    "prestamos",
    "recuperacion",
    "dependencias",
    "fopi",
]

MIDDLEWARE = [
    # Observability first (README "Operación"): the probes answered before anything else runs, then the
    # metrics of every other request (and the metrics path, for the operator only).
    "oficina.salud.SaludMiddleware",
    "oficina.metricas.MetricasMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request_id and user_id bound to every log line of the request, and its request_finished line.
    "oficina.registro.RegistroPeticionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "oficina.replica.FijarPrimariaMiddleware",
    "dependencias.acceso.SoloPortalDependenciasMiddleware",
    "oficina.segundo_factor.SegundoFactorPersonalMiddleware",
    "oficina.errores.MetodoNoPermitidoMiddleware",
    "oficina.cache_privado.CachePrivadoMiddleware",
    "oficina.politica_contenido.PoliticaContenidoMiddleware",  # django-csp's, the header built once
]

ROOT_URLCONF = "oficina.urls"
CSRF_FAILURE_VIEW = "oficina.views.csrf_fallido"
# Form widgets render through TEMPLATES, so the project can override a widget's template (the captcha's).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
WSGI_APPLICATION = "oficina.wsgi.application"

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
                "oficina.context_processors.portal",
                "oficina.context_processors.palabras",
            ],
            "builtins": ["prestamos.templatetags.formato"],
        },
    },
]

# The primary, and optionally a streaming replica the borrower's read-only pages read from (SPEC §17,
# oficina/replica.py, docs/operacion.md). DATABASE_POOLER=pgbouncer: both reached through PgBouncer in
# transaction pooling (oficina/bases.py says what that changes).
DATABASE_POOLER = os.environ.get("DATABASE_POOLER", "")
DATABASES = {
    "default": base_de_datos(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        pooler=DATABASE_POOLER,
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
    )
}
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = replica_de(DATABASE_REPLICA_URL, pooler=DATABASE_POOLER,
                                      conn_max_age=DATABASES["default"]["CONN_MAX_AGE"])
    DATABASE_ROUTERS = ["oficina.replica.EnrutadorReplica"]
# Seconds of replay delay past which the replica is not read (the primary is); how often each process
# asks the replica for it; how long a borrower's reads stay on the primary after their own write.
REPLICA_RETRASO_MAXIMO = float(os.environ.get("REPLICA_RETRASO_MAXIMO", "10"))
REPLICA_COMPROBAR_CADA = float(os.environ.get("REPLICA_COMPROBAR_CADA", "5"))
REPLICA_FIJAR_SEGUNDOS = int(os.environ.get("REPLICA_FIJAR_SEGUNDOS", "15"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
if "sqlite" in DATABASES["default"]["ENGINE"]:
    # The ledger index's INCLUDE columns (prestamos.models.LIBRO_POR_PRESTAMO) serve PostgreSQL's
    # index-only scans; SQLite, the development database, builds the same index without them.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    # Shared by every process: sessions, allauth's rate limits and the captcha store.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "oficina",
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    # A laptop without Redis: still one cache for every process (the server, `manage.py importar`, the
    # worker), so a remesa loaded or reversed from the command line shows on the pages at once, not when a
    # per-process memory cache expires (docs/reglas.md §9).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": os.environ.get("DJANGO_CACHE_DIR") or str(BASE_DIR / ".cache"),
        }
    }

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "inicio"
LOGOUT_REDIRECT_URL = "inicio"

SITE_ID = 1
PORTAL_NOMBRE = "Oficina Virtual"
CAPP_TELEFONO = "55 4000 1000, opción 5 (CAPP)"
# The same number for `tel:` links (E.164): a phone dials it with one tap; the IVR option stays in the text.
CAPP_TELEFONO_MARCAR = "+525540001000"
CAPP_CORREO = "capp@issste.gob.mx"

# django-allauth: registration and login (docs/reglas.md §3).
ACCOUNT_ADAPTER = "accounts.adapter.OficinaAccountAdapter"
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.RegistroForm"
# allauth's forms relabelled in the portal's "tú" (accounts/formularios.py).
ACCOUNT_FORMS = {
    "login": "accounts.formularios.FormularioEntrada",
    "signup": "accounts.formularios.FormularioRegistro",
    "confirm_email_verification_code": "accounts.formularios.FormularioCodigoCorreo",
    "reset_password": "accounts.formularios.FormularioRecuperarContrasena",
    "reset_password_from_key": "accounts.formularios.FormularioContrasenaNueva",
    "change_password": "accounts.formularios.FormularioCambiarContrasena",
    "request_login_code": "accounts.formularios.FormularioPedirCodigoEntrada",
    "confirm_login_code": "accounts.formularios.FormularioCodigoEntrada",
    "set_password": "accounts.formularios.FormularioPonerContrasena",
    "add_email": "accounts.formularios.FormularioAgregarCorreo",
    "reauthenticate": "accounts.formularios.FormularioConfirmarContrasena",
}
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
# "Reenviar código" on the code page: up to 3 new codes per verification (with the first, within the
# per-address limit below).
ACCOUNT_EMAIL_VERIFICATION_SUPPORTS_RESEND = 3
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Oficina Virtual — "
# Adding, removing or changing an e-mail address asks for the password again, and the account's address is told
# of every such change and of a new password (docs/reglas.md §3, rev. 3; accounts/avisos.py adds "address added").
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_EMAIL_NOTIFICATIONS = True
# "Entrar con un código": a one-time code mailed to the account's address. Five wrong passwords from anywhere lock
# the password out of an account for 5 minutes ("login_failed" below); its owner gets in meanwhile by code (staff
# then still give their TOTP). The code request has its own limits ("request_login_code").
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    # Verification mails per address (a code is good for 15 minutes; a login meanwhile reuses it, see
    # accounts.verificacion): enough for the code and a few "send me another", not for flooding a mailbox.
    "confirm_email": "5/15m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
}
# Staff reach nothing with a borrower's data before their second factor (oficina.segundo_factor): TOTP, with
# recovery codes.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Oficina Virtual (ISSSTE)"
MFA_FORMS = {
    "authenticate": "accounts.formularios.FormularioSegundoFactor",
    "reauthenticate": "accounts.formularios.FormularioConfirmarSegundoFactor",
    "activate_totp": "accounts.formularios.FormularioActivarApp",
}
# Accounts whose e-mail is not verified within this many days are removed (depurar_registros).
REGISTRO_DIAS_PARA_VERIFICAR = 7

# Big enough to read on a phone without zooming (the widget's <img> gives the same size).
CAPTCHA_FONT_SIZE = 46
CAPTCHA_IMAGE_SIZE = (200, 70)
CAPTCHA_LENGTH = 5
CAPTCHA_TIMEOUT = 10
CAPTCHA_CHALLENGE_FUNCT = "accounts.captcha.reto_sin_confusiones"
# "Escuchar el código": django-simple-captcha speaks the code with flite (and adds noise with sox when found).
# Without flite the link is not shown and nothing else changes (README, "Código de seguridad").
CAPTCHA_FLITE_PATH = os.environ.get("CAPTCHA_FLITE_PATH") or shutil.which("flite")
CAPTCHA_SOX_PATH = os.environ.get("CAPTCHA_SOX_PATH") or shutil.which("sox")

EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "Oficina Virtual <no-responder@issste.gob.mx>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The public address in QR codes, verification links and e-mails. On a laptop it follows the port the development
# server listens on (`PORT=8301 make run`), so every link works there too.
PORTAL_URL = os.environ.get("PORTAL_URL") or f"http://127.0.0.1:{os.environ.get('PORT', '8000')}"

LANGUAGE_CODE = "es-mx"
LANGUAGES = [("es-mx", "Español (México)")]
TIME_ZONE = "America/Mexico_City"
USE_I18N = True
USE_TZ = True
# Months in lowercase in the admin's dates ("16 de enero de 2026"): oficina/formatos/es/formats.py, with the
# month names of oficina/locale (Django's es_MX catalogue capitalizes them).
FORMAT_MODULE_PATH = ["oficina.formatos"]
LOCALE_PATHS = [BASE_DIR / "oficina" / "locale"]
USE_THOUSAND_SEPARATOR = False

MEDIA_URL = "media/"
# Uploaded data files; on several nodes this must be storage the web nodes and the worker share.
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
# How admin uploads run: "rq" (REDIS_URL set), "hilo" (a thread of the web process) or "sincrono".
CARGAS_MODO = os.environ.get("CARGAS_MODO", "")
# An upload job writes a heartbeat this often; without one for CARGAS_SIN_LATIDO_SEGUNDOS its worker is
# taken for dead and the job marked FALLIDA (nothing of it was loaded: its transaction died with it).
CARGAS_LATIDO_SEGUNDOS = int(os.environ.get("CARGAS_LATIDO_SEGUNDOS", "30"))
CARGAS_SIN_LATIDO_SEGUNDOS = int(os.environ.get("CARGAS_SIN_LATIDO_SEGUNDOS", "300"))

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Production profile: HTTPS terminated by the proxy in front of gunicorn.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Content-Security-Policy (django-csp): the portal runs no inline script and loads nothing from elsewhere.
# Inline style attributes are allowed for the Django admin's own templates.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# One JSON line per event, with the request id and no personal data (oficina/registro.py, README "Operación").
LOGGING = registro.logging_json(os.environ.get("DJANGO_LOG_LEVEL", "INFO"))
registro.configurar()

# Observability (README "Operación"). /metricas/ answers a bearer token or a client in these networks (CIDR,
# comma-separated), nobody else. The readiness probe fails when the replica lags more than
# REPLICA_RETRASO_MAXIMO seconds or an upload waits in the queue more than CARGAS_COLA_ESPERA_MAXIMA.
METRICAS_TOKEN = os.environ.get("METRICAS_TOKEN", "")
METRICAS_REDES = env_list("METRICAS_REDES", "")
REPLICA_RETRASO_MAXIMO = float(os.environ.get("REPLICA_RETRASO_MAXIMO", "30"))
CARGAS_COLA_ESPERA_MAXIMA = float(os.environ.get("CARGAS_COLA_ESPERA_MAXIMA", "600"))

# Payments by SPEI transfer (docs/reglas.md §11, fopi/spei.py). STP assigns the 4-digit client prefix of our CLABEs;
# the secret signs each deposit notification (hex HMAC-SHA256 of the body, header X-Firma). Without a
# secret the endpoint refuses every notification.
SPEI_PREFIJO = os.environ.get("SPEI_PREFIJO", "2010")
# On a laptop (DEBUG) a development secret, so `manage.py simular_abono` can play the bank; in production only
# the environment's (empty: every notification is refused).
SPEI_SECRETO = os.environ.get("SPEI_SECRETO") or ("secreto-de-desarrollo-no-usar-en-produccion" if DEBUG else "")
# The account holder's name the borrower's banking app shows for our CLABEs.
SPEI_BENEFICIARIO = os.environ.get(
    "SPEI_BENEFICIARIO", "ISSSTE Préstamos Personales"
)
# Aclaraciones (docs/reglas.md §10): the payslip a borrower uploads is kept privately under MEDIA_ROOT
# (never served by a public URL) and may weigh at most this many bytes.
ACLARACION_TALON_MAXIMO = 5 * 1024 * 1024
# The payslip's CFDI (docs/reglas.md §18): a folder of certification authorities (.cer) a dependencia's CSD must
# chain to; empty means the SAT's production authorities committed in recuperacion/sat/ac/.
CFDI_ALMACEN_AC = os.environ.get("CFDI_ALMACEN_AC", "")
