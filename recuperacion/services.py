"""Payroll deductions (remesas) and missing-deduction detection (SPEC §6).

Both work on a million loans in lotes: one query fetches a lote's loans with their position snapshots
(Prestamo.posicion), the engine runs in memory, and the writes go back in bulk.
"""

from __future__ import annotations

import gc
import logging
from collections import defaultdict
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import orjson
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection, models, transaction
from django.db.models import TextField
from django.db.models.functions import Cast
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from psycopg.types.json import Jsonb

from prestamos.calculo import Quincena, formato_moneda
from prestamos.cartera import CERO, Contexto, Posicion
from prestamos.models import Dependencia, Movimiento, Prestamo, Remesa
from prestamos.selectors import parametros_mora, quincenas_con_remesa
from prestamos.services import anotar_posicion, posiciones_al_dia
from recuperacion.models import AvisoOmision, Descuento
from recuperacion.selectors import ACTIVOS

logger = logging.getLogger(__name__)

LOTE = 5000
# What the engine needs of a loan, plus what the stored estado and the snapshot are compared with.
CAMPOS_PRESTAMO = (
    "id", "dependencia_id", "importe", "tasa_anual", "plazo", "primera_quincena", "fecha_otorgamiento",
    "estado", "fecha_liquidacion", "posicion", "posicion_hasta",
)

Progreso = Callable[[int, int], None]


@dataclass
class ResultadoRemesa:
    aplicados: int = 0
    ya_cargados: int = 0
    total: Decimal = CERO
    omisiones: int = 0
    remesa: Remesa | None = None


# --- remesas -------------------------------------------------------------------------------------------


@transaction.atomic
def remesa_cargar(
    *,
    dependencia: Dependencia,
    quincena: Quincena,
    descuentos: list[tuple[int, Decimal]],
    archivo: str = "",
    usuario=None,
    progreso: Progreso | None = None,
    hoy: date | None = None,
) -> ResultadoRemesa:
    """Apply a remesa's deductions `(prestamo_id, importe)` as of the quincena's due date.

    The dependencia row is locked first and the loaded keys are read after the lock: a second load of
    the same remesa started at the same time waits here and then finds every deduction already loaded.
    The unique (prestamo, quincena) constraint on Descuento is the backstop.
    """
    hoy = hoy or timezone.localdate()
    Dependencia.objects.select_for_update().get(pk=dependencia.pk)
    cargados = set(
        Descuento.objects.filter(remesa__dependencia=dependencia, quincena=str(quincena)).values_list(
            "prestamo_id", flat=True
        )
    )
    # In id order, so each lote is one index range of the loans table.
    nuevos = sorted((pk, importe) for pk, importe in descuentos if pk not in cargados)
    resultado = ResultadoRemesa(aplicados=len(nuevos), ya_cargados=len(descuentos) - len(nuevos))
    if nuevos:
        remesa = Remesa.objects.create(
            dependencia=dependencia, quincena=str(quincena), archivo=archivo[:255], cargada_por=usuario
        )
        # The remesa being loaded counts as arrived: an installment it leaves unpaid is missing at once.
        remesas = quincenas_con_remesa([dependencia.pk]).get(dependencia.pk, frozenset()) | {quincena}
        aplicacion = Contexto(parametros=parametros_mora(quincena.vencimiento), remesas=remesas)
        revision = Contexto(parametros=parametros_mora(hoy), remesas=remesas)
        avisos = Avisos(hoy)
        with sin_recolector():
            for inicio in range(0, len(nuevos), LOTE):
                resultado.total += _aplicar_lote(
                    remesa, nuevos[inicio : inicio + LOTE], aplicacion, revision, avisos, usuario, hoy
                )
                if progreso:
                    progreso(min(inicio + LOTE, len(nuevos)), len(nuevos))
        remesa.filas, remesa.total = len(nuevos), resultado.total
        remesa.save(update_fields=["filas", "total"])
        resultado.remesa = remesa
        # The loans this quincena's remesas left out: a missing deduction is detected now, not at the next
        # daily run. Not "left out of this file": a complementary remesa of a few rows would otherwise
        # re-examine every loan its dependencia's first remesa already paid. Told apart here, from the ids
        # already in memory: as a NOT EXISTS on the deductions, PostgreSQL (whose statistics have not yet
        # seen this quincena) walked the whole deductions index for every lote.
        con_descuento = cargados.union(pk for pk, _ in nuevos)
        activos = Prestamo.objects.filter(dependencia=dependencia, estado__in=ACTIVOS)
        faltan = sorted(pk for pk in activos.values_list("pk", flat=True).iterator(chunk_size=LOTE * 10)
                        if pk not in con_descuento)
        for inicio in range(0, len(faltan), LOTE):
            _revisar_prestamos(activos.filter(pk__in=faltan[inicio : inicio + LOTE]), revision, avisos, hoy)
        resultado.omisiones = avisos.enviar_al_confirmar()
    return resultado


@contextmanager
def sin_recolector():
    """Pause Python's cyclic garbage collector while lotes run.

    A lote allocates hundreds of thousands of small objects (installments, Decimals), which triggers
    collections, and each full collection walks every live object, including the whole file just parsed:
    with a million rows in memory that was a large share of the load. The engine's objects hold no
    reference cycles, so reference counting frees them anyway; the collector resumes afterwards.
    """
    activo = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if activo:
            gc.enable()


def _aplicar_lote(
    remesa: Remesa,
    lote: list[tuple[int, Decimal]],
    aplicacion: Contexto,
    revision: Contexto,
    avisos: Avisos,
    usuario,
    hoy: date,
) -> Decimal:
    importes = dict(lote)
    # Locked like prestamo_aplicar_pago does, so a bank payment on one of these loans waits.
    consulta = Prestamo.objects.select_for_update().filter(dependencia_id=remesa.dependencia_id)
    menor, mayor = lote[0][0], lote[-1][0]
    if mayor - menor < 2 * len(lote):
        # Dense ids (a full remesa): a range, as a 5,000-id IN list costs more to build than to run.
        consulta = consulta.filter(pk__range=(menor, mayor))
    else:
        consulta = consulta.filter(pk__in=importes)
    prestamos = [p for p in _filas_prestamo(consulta) if p.pk in importes]
    if len(prestamos) != len(importes):
        # Validated moments ago and loans are never deleted: refuse rather than drop a deduction.
        raise RuntimeError(f"{len(importes) - len(prestamos)} préstamo(s) de la remesa no se encontraron")
    fecha_valor = Quincena.parse(remesa.quincena).vencimiento
    # Only the installments due by the later of the value date and today are read or changed here
    # (allocation, estado, missing deductions); the rest of each schedule is written back as stored.
    posiciones = posiciones_al_dia(prestamos, hasta=max(fecha_valor, hoy))
    origen = f"Remesa {remesa.dependencia.clave} {remesa.quincena}"
    usuario_id = usuario.pk if usuario is not None else None
    ahora = timezone.now()
    movimientos = []
    for prestamo in prestamos:
        importe = importes[prestamo.pk]
        a = posiciones[prestamo.pk].aplicar(fecha_valor=fecha_valor, importe=importe, contexto=aplicacion)
        # Plain rows in Movimiento's column order: a model instance per row costs more than the engine.
        movimientos.append(
            [None, prestamo.pk, Movimiento.Tipo.DESCUENTO.value, fecha_valor, importe, a.moratorios, a.interes,
             a.capital, a.excedente, a.a_json(), origen, "", usuario_id, ahora]
        )
    ids = _insertar(Movimiento, COLUMNAS_MOVIMIENTO, movimientos)
    _insertar(
        Descuento,
        COLUMNAS_DESCUENTO,
        [[remesa.pk, m[1], remesa.quincena, m[4], pk] for m, pk in zip(movimientos, ids)],
        con_id=False,
    )
    for prestamo, movimiento_id in zip(prestamos, ids):
        anotar_posicion(prestamo, posiciones[prestamo.pk], movimiento_id)
        _poner_estado(prestamo, posiciones[prestamo.pk], hoy)
    avisos.revisar(prestamos, posiciones, revision)
    _guardar_prestamos(prestamos, ["posicion", "posicion_hasta", "estado", "fecha_liquidacion"])
    return sum(importes.values(), CERO)


# Movimiento's columns as _aplicar_lote fills them (the id first, given by _insertar).
COLUMNAS_MOVIMIENTO = (
    "id", "prestamo_id", "tipo", "fecha_valor", "importe", "moratorios", "interes", "capital", "excedente",
    "aplicacion", "origen", "motivo", "registrado_por_id", "creado",
)
COLUMNAS_DESCUENTO = ("remesa_id", "prestamo_id", "quincena", "importe", "movimiento_id")


class FilaPrestamo:
    """What a lote needs of a loan, read without building a model instance (a million per remesa).

    It has the attributes the engine's helpers read from a Prestamo (`selectors.condiciones`,
    `posiciones_al_dia`) and the ones `_guardar_prestamos` writes back.
    """

    __slots__ = CAMPOS_PRESTAMO

    def __init__(self, valores):
        for nombre, valor in zip(CAMPOS_PRESTAMO, valores):
            setattr(self, nombre, valor)
        if self.posicion is not None:  # read as text (see _filas_prestamo)
            self.posicion = orjson.loads(self.posicion)

    @property
    def pk(self) -> int:
        return self.id


def _filas_prestamo(consulta, limite: int | None = None) -> list[FilaPrestamo]:
    """The loans of `consulta` in id order (the first `limite` of them)."""
    # The snapshot comes as text and is parsed by orjson, twice as fast as the json module that
    # JSONField would use: a remesa parses a million of them.
    filas = consulta.order_by("pk").annotate(posicion_texto=Cast("posicion", TextField())).values_list(
        *(c if c != "posicion" else "posicion_texto" for c in CAMPOS_PRESTAMO)
    )
    return [FilaPrestamo(v) for v in (filas[:limite] if limite else filas)]


def _poner_estado(prestamo: Prestamo, posicion: Posicion, hoy: date) -> bool:
    """Set the stored estado from the position; True when it changed."""
    nuevo = (posicion.estado(hoy), posicion.fecha_liquidacion)
    if (prestamo.estado, prestamo.fecha_liquidacion) == nuevo:
        return False
    prestamo.estado, prestamo.fecha_liquidacion = nuevo
    return True


# PostgreSQL writes a lote by COPY, several times faster than the multi-row INSERT and CASE-per-row
# UPDATE that bulk_create and bulk_update build; other databases (SQLite in development) use those.


def _insertar(modelo, columnas: tuple[str, ...], filas: list[list], *, con_id: bool = True) -> list[int]:
    """Insert rows given as value lists in `columnas` order; returns their new ids when `con_id`.

    With `con_id`, the first column is the id, taken from the table's sequence and filled in here (the
    caller links other rows to these). JSON columns hold Python values, converted here.
    """
    if not filas:
        return []
    campos = [modelo._meta.get_field(c[:-3] if c.endswith("_id") and c != "id" else c) for c in columnas]
    if connection.vendor != "postgresql":
        instancias = modelo.objects.bulk_create(
            [modelo(**{c.attname: v for c, v in zip(campos, fila) if c.attname != "id" or v is not None}) for fila in filas]
        )
        return [o.pk for o in instancias]
    tabla = modelo._meta.db_table
    with connection.cursor() as cursor:
        ids: list[int] = []
        if con_id:
            cursor.execute(
                f"SELECT nextval(pg_get_serial_sequence('{tabla}', 'id')) FROM generate_series(1, %s)", [len(filas)]
            )
            ids = [pk for (pk,) in cursor.fetchall()]
            for fila, pk in zip(filas, ids):
                fila[0] = pk
        _copiar(cursor, tabla, campos, filas)
        return ids


def _copiar(cursor, tabla: str, campos, filas) -> None:
    # Our values are already Decimal, date, str, int or None, which psycopg writes as they are; only JSON
    # needs converting. (Field.get_db_prep_save for every cell costs more than the COPY itself.) orjson
    # encodes a snapshot ten times faster than the json module; it refuses a Decimal or a date, which
    # the engine's JSON never holds (amounts and dates are strings there).
    json = [i for i, c in enumerate(campos) if isinstance(c, models.JSONField)]
    with cursor.copy(f"COPY {tabla} ({', '.join(c.column for c in campos)}) FROM STDIN") as copia:
        for fila in filas:
            for i in json:
                if fila[i] is not None:
                    fila[i] = Jsonb(fila[i], dumps=orjson.dumps)
            copia.write_row(fila)


def _guardar_prestamos(prestamos: list, campos: list[str]) -> None:
    """Write `campos` of the loans (Prestamo instances or FilaPrestamo) back, in bulk."""
    if not prestamos:
        return
    if connection.vendor != "postgresql":
        instancias = [Prestamo(id=p.pk, **{c: getattr(p, c) for c in campos}) for p in prestamos]
        Prestamo.objects.bulk_update(instancias, campos)
        return
    tabla = Prestamo._meta.db_table
    columnas = [Prestamo._meta.pk] + [Prestamo._meta.get_field(c) for c in campos]
    with connection.cursor() as cursor:
        # A scratch table for this transaction only: the lote goes in by COPY, then one UPDATE … FROM.
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS lote_prestamo ON COMMIT DROP AS SELECT * FROM {tabla} WITH NO DATA"
        )
        cursor.execute("TRUNCATE lote_prestamo")
        _copiar(cursor, "lote_prestamo", columnas, [[getattr(p, c.attname) for c in columnas] for p in prestamos])
        asignaciones = ", ".join(f"{c.column} = v.{c.column}" for c in columnas[1:])
        cursor.execute(f"UPDATE {tabla} AS p SET {asignaciones} FROM lote_prestamo AS v WHERE p.id = v.id")


# --- missing deductions ----------------------------------------------------------------------------------


def detectar_omisiones(*, hoy: date | None = None, dependencias=None) -> int:
    """Daily: update every active loan's estado and tell borrowers of newly missing deductions.

    One transaction per dependencia, holding its row lock like a remesa load does, so the two never
    examine the same loans at once. Returns how many (loan, quincena) omissions were new.
    """
    hoy = hoy or timezone.localdate()
    nuevas = 0
    for dependencia in dependencias if dependencias is not None else Dependencia.objects.order_by("pk"):
        with transaction.atomic():
            Dependencia.objects.select_for_update().get(pk=dependencia.pk)
            remesas = quincenas_con_remesa([dependencia.pk]).get(dependencia.pk, frozenset())
            avisos = Avisos(hoy)
            _revisar_prestamos(
                Prestamo.objects.filter(dependencia=dependencia, estado__in=ACTIVOS),
                Contexto(parametros=parametros_mora(hoy), remesas=remesas),
                avisos,
                hoy,
            )
            nuevas += avisos.enviar_al_confirmar()
    return nuevas


def _revisar_prestamos(consulta, contexto: Contexto, avisos: Avisos, hoy: date) -> None:
    """Walk the loans in lotes by id (keyset, so each lote is one indexed query)."""
    ultimo = 0
    while True:
        prestamos = _filas_prestamo(consulta.select_for_update().filter(pk__gt=ultimo), LOTE)
        if not prestamos:
            return
        posiciones = posiciones_al_dia(prestamos)
        cambiados = [p for p in prestamos if _poner_estado(p, posiciones[p.pk], hoy)]
        avisos.revisar(prestamos, posiciones, contexto)
        _guardar_prestamos(cambiados, ["estado", "fecha_liquidacion"])
        ultimo = prestamos[-1].pk


class Avisos:
    """Records each (loan, quincena) missing deduction once and e-mails the borrower after commit."""

    def __init__(self, hoy: date):
        self.hoy = hoy
        self.nuevos: list[AvisoOmision] = []

    def revisar(self, prestamos: list, posiciones: dict[int, Posicion], contexto: Contexto) -> None:
        omisiones = {}
        for p in prestamos:
            posicion = posiciones[p.pk]
            if posicion.liquidado:
                continue
            vencidas = posicion.vencidas_sin_pagar(self.hoy)  # usually none: checked first, it is cheaper
            lista = [(c.quincena, c.pendiente) for c in vencidas if posicion.es_omitida(c, self.hoy, contexto)]
            if lista:
                omisiones[p.pk] = lista
        if not omisiones:
            return
        avisados = set(
            AvisoOmision.objects.filter(prestamo_id__in=omisiones).values_list("prestamo_id", "quincena")
        )
        nuevos = [
            AvisoOmision(prestamo_id=pk, quincena=str(q), pendiente=pendiente, detectada=self.hoy)
            for pk, lista in omisiones.items()
            for q, pendiente in lista
            if (pk, str(q)) not in avisados
        ]
        correos = dict(
            Prestamo.objects.filter(pk__in={a.prestamo_id for a in nuevos}, derechohabiente__usuario__is_active=True)
            .exclude(derechohabiente__usuario__email="")
            .values_list("pk", "derechohabiente__usuario__email")
        )
        for aviso in nuevos:
            aviso.correo = correos.get(aviso.prestamo_id, "")
        AvisoOmision.objects.bulk_create(nuevos)
        self.nuevos += nuevos

    def enviar_al_confirmar(self) -> int:
        """E-mails go out only once the detection is committed, never for one that rolled back."""
        por_enviar = [a for a in self.nuevos if a.correo]
        if por_enviar:
            transaction.on_commit(lambda: enviar_avisos(por_enviar))
        return len(self.nuevos)


def enviar_avisos(avisos: list[AvisoOmision]) -> None:
    """One e-mail per loan listing its newly missing quincenas; a failed send is logged, not retried."""
    por_prestamo: dict[int, list[AvisoOmision]] = defaultdict(list)
    for aviso in avisos:
        por_prestamo[aviso.prestamo_id].append(aviso)
    prestamos = Prestamo.objects.select_related("derechohabiente").in_bulk(por_prestamo)
    enlace = settings.PORTAL_URL.rstrip("/") + reverse("regularizacion")
    enviados = []
    with get_connection() as conexion:
        for pk, grupo in por_prestamo.items():
            mensaje = _mensaje_omision(prestamos[pk], grupo, enlace)
            mensaje.connection = conexion
            try:
                mensaje.send()
            except Exception:
                logger.exception("No se pudo enviar el aviso de omisión del préstamo %s", prestamos[pk].folio)
                continue
            enviados += [a.pk for a in grupo]
    AvisoOmision.objects.filter(pk__in=enviados).update(enviado=timezone.now())


def _mensaje_omision(prestamo: Prestamo, avisos: list[AvisoOmision], enlace: str) -> EmailMessage:
    contexto = {
        "portal": settings.PORTAL_NOMBRE,
        "nombre": prestamo.derechohabiente.nombre,
        "folio": prestamo.folio,
        "omisiones": [
            {"quincena": Quincena.parse(a.quincena).descripcion, "pendiente": formato_moneda(a.pendiente)}
            for a in sorted(avisos, key=lambda a: a.quincena)
        ],
        "total": formato_moneda(sum((a.pendiente for a in avisos), CERO)),
        "enlace": enlace,
        "telefono": settings.CAPP_TELEFONO,
        "correo_capp": settings.CAPP_CORREO,
    }
    asunto = render_to_string("recuperacion/email/omision_asunto.txt", contexto).strip()
    cuerpo = render_to_string("recuperacion/email/omision_mensaje.txt", contexto)
    return EmailMessage(asunto, cuerpo, to=[avisos[0].correo])
