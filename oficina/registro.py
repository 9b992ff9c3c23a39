"""Logs: one JSON line per event (structlog), README "Operación".

Every line carries the context bound for its request — `request_id` and `user_id` (the staff member's or the
borrower's account id), bound by `RegistroPeticionMiddleware` — and a job carries its request's:
`contexto_para_trabajo()` is handed to the RQ job when it is queued, `en_contexto()` binds it again in the
worker, so the job's lines and the e-mails it sends share the request id of the upload that started them.

Personal data never leaves in a log line: events name people and money by id (user, loan, payment, ledger
movement), and `ocultar_datos_personales`, the last step before the line is written, masks whatever
looks like a CURP, an RFC, a CLABE, an e-mail address or an amount of money in any value, a traceback
included — a stdlib logger elsewhere, or a message formatted with a record's data, cannot leak one.

What a request pays for its lines (issue 29): the middleware binds the user id as a `Diferido`, worked out when
a line is actually written and never by loading the user. An INFO line (the access log of a page that answered)
takes it only from what the request already loaded — the user, else a session some step already read; every
page with someone's data loads its user (the second-factor gate), so only the pages that show no one's data log
`user_id: null` for a signed-in visitor. A WARNING or worse line (4xx, 5xx, a failure, a job queued) reads the
session for it (one Redis GET, rare). A line below the log level is dropped before any step runs
(`filter_by_level`). `request_started` is a DEBUG line: the access line `request_finished` carries the user
agent and the time taken. Masking scans a value once for anything a pattern could start from and skips the
substitutions when there is nothing (`_CANDIDATO`; the two paths are compared by tests/test_registro.py).
"""

from __future__ import annotations

import contextlib
import logging
import re
import time
import uuid

import structlog

# What is masked. A CURP contains an RFC's shape, so the CURP goes first; CLABEs are 18 digits, card-like
# runs of 16 too; amounts are those written as money ("$1,426.08", "1426.08 MXN").
_PATRONES = (
    (re.compile(r"\b[A-Z][AEIOUX][A-Z]{2}\d{6}[HMX][A-Z]{5}[A-Z0-9]\d\b", re.IGNORECASE), "[CURP]"),
    (re.compile(r"\b[A-ZÑ&]{3,4}\d{6}[A-Z0-9]{3}\b", re.IGNORECASE), "[RFC]"),
    (re.compile(r"(?<!\d)\d{16,18}(?!\d)"), "[CUENTA]"),
    (re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+"), "[CORREO]"),
    (re.compile(r"\$\s?\d[\d,]*(?:\.\d{1,2})?|\b\d[\d,]*\.\d{2}\s?(?:MXN|pesos)\b", re.IGNORECASE), "[IMPORTE]"),
)
# What every match of a pattern above contains (its necessary condition), found in one scan: a letter then six
# digits (CURP, RFC), sixteen digits (CLABE, card), "@" (e-mail), "$" or ".dd MXN/pesos" (amount). A value with
# none of them is left as it is without running the substitutions; most values (ids, paths, event names, times)
# have none. Each substitution only writes bracketed words, so one that finds nothing cannot make another match.
_CANDIDATO = re.compile(r"[A-ZÑ&]\d{6}|\d{16}|@|\$|\.\d{2}\s?(?:MXN|pesos)", re.IGNORECASE)
# Context keys kept from a request for its jobs.
CLAVES_DE_TRABAJO = ("request_id", "user_id")


def ocultar_completo(texto: str) -> str:
    """Every substitution, in order: what `ocultar` does when a value could hold personal data."""
    for patron, sustituto in _PATRONES:
        texto = patron.sub(sustituto, texto)
    return texto


def ocultar(texto: str) -> str:
    if _CANDIDATO.search(texto) is None:
        return texto
    return ocultar_completo(texto)


def _ocultar_valor(valor):
    if isinstance(valor, str):
        return ocultar(valor)
    if isinstance(valor, dict):
        return {k: _ocultar_valor(v) for k, v in valor.items()}
    if isinstance(valor, (list, tuple)):
        return [_ocultar_valor(v) for v in valor]
    return valor


class Diferido:
    """A context value worked out only when a line is written (see the module's docstring); the function is told
    whether the line is a warning or worse (`importa`), which may pay more for it."""

    __slots__ = ("_funcion",)

    def __init__(self, funcion):
        self._funcion = funcion

    def __call__(self, importa: bool = True):
        return self._funcion(importa)


# The method names (structlog's, and the stdlib record's level name) of the lines below WARNING.
_MENORES = frozenset({"debug", "info", "notset"})


def resolver_diferidos(logger, metodo, evento: dict) -> dict:
    """structlog processor: the `Diferido` values of the context, worked out now."""
    for clave, valor in evento.items():
        if isinstance(valor, Diferido):
            evento[clave] = valor(metodo not in _MENORES)
    return evento


def ocultar_datos_personales(logger, metodo, evento: dict) -> dict:
    """structlog processor: mask personal data in every value of the event (see the module's docstring)."""
    return {clave: _ocultar_valor(valor) for clave, valor in evento.items()}


# The steps every line goes through, from structlog's loggers and from the stdlib's (Django, allauth, rq).
PASOS_COMUNES = [
    structlog.contextvars.merge_contextvars,
    resolver_diferidos,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def formateador() -> structlog.stdlib.ProcessorFormatter:
    """The logging formatter that writes a record as one JSON line (LOGGING's "json", and the log tests)."""
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*PASOS_COMUNES, structlog.stdlib.ExtraAdder()],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            ocultar_datos_personales,
            structlog.processors.JSONRenderer(ensure_ascii=False),
        ],
    )


def logging_json(nivel: str) -> dict:
    """settings.LOGGING: everything to stderr as JSON lines."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": formateador}},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
        "root": {"handlers": ["console"], "level": nivel},
        # RegistroPeticionMiddleware writes request_started and request_finished for every request; the second
        # is the access log (gunicorn's own, plain text and with query strings, is off: gunicorn.conf.py).
        # Django's own console handler (DEBUG) would write its lines a second time, in plain text.
        "loggers": {
            "oficina.peticiones": {"level": nivel},
            "django": {"handlers": ["console"], "level": nivel, "propagate": False},
            "django.server": {"handlers": ["console"], "level": nivel, "propagate": False},
        },
    }


def configurar() -> None:
    """structlog's loggers hand their events to the stdlib logging set up by LOGGING."""
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,  # a line below the level costs nothing more (no context, no time)
            *PASOS_COMUNES,
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def instalar() -> None:
    """A request that fails logs `request_failed` with its traceback (connected from oficina's AppConfig)."""
    from django.core.signals import got_request_exception

    got_request_exception.connect(_peticion_fallida, dispatch_uid="oficina.registro.falla")


def contexto_para_trabajo() -> dict:
    """The request's context a background job should log under (request id, user id)."""
    actual = structlog.contextvars.get_contextvars()
    return {
        clave: actual[clave]() if isinstance(actual[clave], Diferido) else actual[clave]
        for clave in CLAVES_DE_TRABAJO
        if clave in actual
    }


@contextlib.contextmanager
def en_contexto(contexto: dict | None):
    """Bind a request's context for the duration of a job (nothing when the job came without one)."""
    with structlog.contextvars.bound_contextvars(**(contexto or {})):
        yield


# --- each request's lines ----------------------------------------------------------------------------------

_peticiones = structlog.get_logger("oficina.peticiones")


def usuario_de(request, leer_sesion: bool = True):
    """The request's account id without loading the user: the user's if the request loaded it, else the
    session's (what login stored; a session whose user since changed password still names it), None for
    nobody. With `leer_sesion` false a session not yet read is not read either (None)."""
    from django.contrib.auth import SESSION_KEY, get_user_model
    from django.utils.functional import empty

    usuario = getattr(request, "user", None)
    cargado = getattr(usuario, "_wrapped", usuario)  # a lazy user not yet loaded holds `empty`
    if cargado is not empty:
        return getattr(cargado, "pk", None)
    sesion = getattr(request, "session", None)
    if sesion is None or not (leer_sesion or hasattr(sesion, "_session_cache")):  # the cache: a session read
        return None
    leida = sesion.accessed
    clave = sesion.get(SESSION_KEY)
    sesion.accessed = leida  # a log line does not make the response vary by cookie
    return None if clave is None else get_user_model()._meta.pk.to_python(clave)


def _ruta(request) -> str:
    # The path without its query string: an admin search carries what was searched for (a CURP, a name).
    return f"{request.method} {request.path}"


def _nivel(codigo: int) -> int:
    return {4: logging.WARNING, 5: logging.ERROR}.get(codigo // 100, logging.INFO)


def _peticion_fallida(sender, request=None, **kwargs) -> None:
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    if request is None or not getattr(request, "_registro", False) or getattr(request, "_registro_falla", False):
        return
    import sys

    if isinstance(sys.exc_info()[1], (Http404, PermissionDenied)):
        return  # answered as a page: its request_finished line says 404 or 403
    request._registro_falla = True
    _peticiones.exception("request_failed", code=500, request=_ruta(request))


def _con_contexto(contenido, contexto: dict):
    with structlog.contextvars.bound_contextvars(**contexto):
        _peticiones.info("streaming_started")
        try:
            yield from contenido
        except Exception:
            _peticiones.exception("streaming_failed")
            raise
        else:
            _peticiones.info("streaming_finished")


class RegistroPeticionMiddleware:
    """`request_id` and `user_id` on every line of the request, `request_started` (DEBUG), and `request_finished`
    (the access log, with the user agent and `duration_ms`; `request_failed` with the traceback instead when the
    view raised), in place of django-structlog's
    RequestMiddleware, which loaded the user on every request for the user id. The client's address is not
    logged (it would be the proxy's unless read as oficina.cliente does)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request._registro = True
        inicio = time.perf_counter()
        structlog.contextvars.bind_contextvars(
            request_id=str(uuid.uuid4()), user_id=Diferido(lambda importa: usuario_de(request, importa))
        )
        try:
            _peticiones.debug("request_started", request=_ruta(request))
            respuesta = self.get_response(request)
            if not getattr(request, "_registro_falla", False):
                _peticiones.log(
                    _nivel(respuesta.status_code),
                    "request_finished",
                    code=respuesta.status_code,
                    request=_ruta(request),
                    user_agent=request.META.get("HTTP_USER_AGENT"),
                    duration_ms=round((time.perf_counter() - inicio) * 1000, 1),
                )
                if getattr(respuesta, "streaming", False) and not respuesta.is_async:
                    contexto = contexto_para_trabajo()
                    respuesta.streaming_content = _con_contexto(respuesta.streaming_content, contexto)
            return respuesta
        finally:
            structlog.contextvars.clear_contextvars()
