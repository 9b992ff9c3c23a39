"""Logs: one JSON line per event (structlog), README "Operación".

Every line carries the context bound for its request — `request_id` and `user_id` (the staff member's or the
borrower's account id), bound by django-structlog's RequestMiddleware — and a job carries its request's:
`contexto_para_trabajo()` is handed to the RQ job when it is queued, `en_contexto()` binds it again in the
worker, so the job's lines and the e-mails it sends share the request id of the upload that started them.

Personal data never leaves in a log line: events name people and money by id (user, loan, payment, ledger
movement), and `ocultar_datos_personales`, the last step before the line is written, masks whatever
looks like a CURP, an RFC, a CLABE, an e-mail address or an amount of money in any value, a traceback
included — a stdlib logger elsewhere, or a message formatted with a record's data, cannot leak one.
"""

from __future__ import annotations

import contextlib
import re

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
# Context keys kept from a request for its jobs.
CLAVES_DE_TRABAJO = ("request_id", "user_id")


def ocultar(texto: str) -> str:
    for patron, sustituto in _PATRONES:
        texto = patron.sub(sustituto, texto)
    return texto


def _ocultar_valor(valor):
    if isinstance(valor, str):
        return ocultar(valor)
    if isinstance(valor, dict):
        return {k: _ocultar_valor(v) for k, v in valor.items()}
    if isinstance(valor, (list, tuple)):
        return [_ocultar_valor(v) for v in valor]
    return valor


def ocultar_datos_personales(logger, metodo, evento: dict) -> dict:
    """structlog processor: mask personal data in every value of the event (see the module's docstring)."""
    return {clave: _ocultar_valor(valor) for clave, valor in evento.items()}


# The steps every line goes through, from structlog's loggers and from the stdlib's (Django, allauth, rq).
PASOS_COMUNES = [
    structlog.contextvars.merge_contextvars,
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
        # django-structlog writes request_started and request_finished for every request; the second is the
        # access log (gunicorn's own, plain text and with query strings, is off: gunicorn.conf.py).
        # Django's own console handler (DEBUG) would write its lines a second time, in plain text.
        "loggers": {
            "django_structlog": {"level": nivel},
            "django": {"handlers": ["console"], "level": nivel, "propagate": False},
            "django.server": {"handlers": ["console"], "level": nivel, "propagate": False},
        },
    }


def configurar() -> None:
    """structlog's loggers hand their events to the stdlib logging set up by LOGGING."""
    structlog.configure(
        processors=[
            *PASOS_COMUNES,
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def _sin_consulta(sender, request, log_kwargs, **kwargs) -> None:
    # The path without its query string: an admin search carries what was searched for (a CURP, a name).
    log_kwargs["request"] = f"{request.method} {request.path}"


def instalar() -> None:
    """django-structlog's request lines name the path only (connected from oficina's AppConfig)."""
    from django_structlog import signals

    signals.bind_extra_request_metadata.connect(_sin_consulta, dispatch_uid="oficina.registro.inicio")
    signals.bind_extra_request_finished_metadata.connect(_sin_consulta, dispatch_uid="oficina.registro.fin")
    signals.bind_extra_request_failed_metadata.connect(_sin_consulta, dispatch_uid="oficina.registro.falla")


def contexto_para_trabajo() -> dict:
    """The request's context a background job should log under (request id, user id)."""
    actual = structlog.contextvars.get_contextvars()
    return {clave: actual[clave] for clave in CLAVES_DE_TRABAJO if clave in actual}


@contextlib.contextmanager
def en_contexto(contexto: dict | None):
    """Bind a request's context for the duration of a job (nothing when the job came without one)."""
    with structlog.contextvars.bound_contextvars(**(contexto or {})):
        yield
