"""What pages, PDFs and the admin show of a loan, built in a fixed number of queries however many
loans and movements: its position (read through prestamos/posiciones.py), its amortization table, its
missing deductions, whether it is up to date and its next deduction, each movement in the borrower's words,
and its balance over time for the chart."""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import connections, router
from django.db.models import signals
from django.db.models.base import ModelState

from oficina.formatos import formato_fecha
from prestamos import posiciones
from prestamos.calculo import Periodo
from prestamos.cartera import CERO, Contexto, Cuota, Posicion
from prestamos.models import COLUMNAS_ESTADO_CUENTA, Dependencia, Movimiento, Prestamo

ACTIVOS = (Prestamo.Estado.VIGENTE, Prestamo.Estado.EN_COBRANZA)


class EstadoCuota(enum.Enum):
    """An installment's state as the amortization table shows it: its label and its row's CSS class."""

    PAGADA = ("Pagada", "fila--pagada")
    PARCIAL = ("Parcial", "fila--vencida")
    VENCIDA = ("Vencida", "fila--vencida")
    POR_VENCER = ("Por vencer", "")

    def __init__(self, etiqueta: str, clase: str):
        self.etiqueta = etiqueta
        self.clase = clase

    @property
    def atrasada(self) -> bool:
        return self in (EstadoCuota.VENCIDA, EstadoCuota.PARCIAL)


class Situacion(enum.Enum):
    """Whether a loan is up to date, as the section's summary says it: its label and its CSS class."""

    AL_CORRIENTE = ("Al corriente", "situacion--al-corriente")
    CON_OMISIONES = ("Con descuentos omitidos", "situacion--omisiones")
    EN_COBRANZA = ("En cobranza", "situacion--cobranza")
    LIQUIDADO = ("Liquidado", "situacion--liquidado")

    def __init__(self, etiqueta: str, clase: str):
        self.etiqueta = etiqueta
        self.clase = clase


@dataclass(frozen=True)
class Concepto:
    """A ledger entry as the borrower reads it: what it was, and the line under it (periods with their dates)."""

    titulo: str
    detalle: str


# The opening entry holds the installments paid before the loan was loaded: to the borrower, payments made
# before this statement begins (the ledger's own words, "Carga inicial: …", are the staff's).
TITULO_APERTURA = "Pagos anteriores a tu estado de cuenta"
# A movement's kind as `get_tipo_display()` names it, without building the choices' dict on every call
# (≈ 6 µs a movement, 25–100 per statement).
_TITULOS = {valor: str(texto) for valor, texto in Movimiento._meta.get_field("tipo").flatchoices}


def _titulo(movimiento: Movimiento) -> str:
    return _TITULOS.get(movimiento.tipo, movimiento.tipo)


@dataclass(frozen=True)
class SerieSaldo:
    """Capital owed over time, for the chart (recuperacion/grafica.py): what the payments brought it down to,
    from origination to today, and what the schedule takes it down to from today until it is paid off."""

    folio: str
    importe: Decimal
    otorgado: date
    hoy: date
    pagado: tuple[tuple[date, Decimal], ...]
    proyectado: tuple[tuple[date, Decimal], ...]  # empty for a loan paid off
    termino: date | None  # the last installment's due date, for a loan in force
    liquidado_el: date | None
    adjetivo: str  # "descuento quincenal", "descuento mensual"


@dataclass(frozen=True)
class FilaTabla:
    numero: int
    periodo: Periodo
    cuota: Decimal
    interes: Decimal
    capital: Decimal
    saldo: Decimal
    pagado: Decimal
    estado: EstadoCuota

    @property
    def vencimiento(self) -> date:
        return self.periodo.vencimiento


@dataclass(frozen=True)
class Omision:
    """An installment whose payroll deduction is missing (docs/reglas.md §6)."""

    numero: int
    periodo: Periodo
    pendiente: Decimal
    moratorio: Decimal

    @property
    def total(self) -> Decimal:
        return self.pendiente + self.moratorio


# `VistaPrestamo.entrada` of a loan whose cache entry the page did not read with the remesas.
SIN_LEER = object()


@dataclass
class VistaPrestamo:
    prestamo: Prestamo
    posicion: Posicion
    contexto: Contexto
    hoy: date
    movimientos: list[Movimiento]
    saldo_deudor: Decimal = CERO
    estado: str = ""
    omisiones: list[Omision] = field(default_factory=list)
    # The page's own cache entry for this loan (`vistas_prestamos(entrada=)`), read with the remesas:
    # None when the cache holds none, SIN_LEER when the page did not ask for it.
    entrada: object = SIN_LEER

    @property
    def cuotas_pagadas(self) -> int:
        return self.posicion.cuotas_pagadas()

    @property
    def cuotas_por_pagar(self) -> int:
        return self.posicion.cuotas_por_pagar()

    @property
    def fecha_termino(self) -> date | None:
        return None if self.posicion.liquidado else self.posicion.fecha_termino()

    @property
    def liquidado(self) -> bool:
        return self.posicion.liquidado

    @property
    def en_cobranza(self) -> bool:
        return self.estado == Prestamo.Estado.EN_COBRANZA

    @property
    def estado_texto(self) -> str:
        return Prestamo.Estado(self.estado).label

    @property
    def capital_insoluto(self) -> Decimal:
        return CERO if self.liquidado else self.posicion.capital_insoluto

    @property
    def moratorios(self) -> Decimal:
        return CERO if self.liquidado else self.posicion.moratorios(self.hoy, self.contexto)

    @property
    def primer_periodo(self) -> Periodo:
        """The loan's first period: its kind (quincena, or month for a pensioner) gives the pages' words."""
        return self.posicion.condiciones.primer_periodo

    @property
    def saldo_a_favor(self) -> Decimal:
        """Received beyond what the loan owed, not yet paid back (docs/reglas.md §9)."""
        return self.posicion.excedentes

    @property
    def interes_vencido(self) -> Decimal:
        return CERO if self.liquidado else self.posicion.interes_vencido(self.hoy)

    @property
    def en_vigor(self) -> bool:
        """VIGENTE or EN_COBRANZA: a loan the borrower is still paying."""
        return self.estado in ACTIVOS

    @property
    def situacion(self) -> Situacion:
        if self.liquidado:
            return Situacion.LIQUIDADO
        if self.en_cobranza:
            return Situacion.EN_COBRANZA
        return Situacion.CON_OMISIONES if self.omisiones else Situacion.AL_CORRIENTE

    @property
    def proxima_cuota(self) -> Cuota | None:
        """The next installment to be deducted: the first one not yet due and not paid in full."""
        if self.liquidado:
            return None
        return next((c for c in self.posicion.cuotas if c.vencimiento > self.hoy and c.pendiente > 0), None)

    @property
    def en_espera(self) -> list[Cuota]:
        """Installments due and unpaid whose remesa may still come (within the grace period): not missing yet."""
        if self.liquidado:
            return []
        omitidas = {o.numero for o in self.omisiones}
        return [c for c in self.posicion.vencidas_sin_pagar(self.hoy) if c.numero not in omitidas]

    def concepto(self, movimiento: Movimiento) -> Concepto:
        """How the statement (page and PDF) names a movement: in the borrower's words, periods with their dates."""
        clase = type(self.primer_periodo)
        if movimiento.tipo == Movimiento.Tipo.APERTURA:
            n = self.prestamo.quincenas_pagadas_inicial
            primero, ultimo = self.primer_periodo, self.primer_periodo + (n - 1)
            if n <= 1:
                detalle = primero.descripcion[:1].upper() + primero.descripcion[1:]
            else:
                detalle = (
                    f"{n} {clase.PLURAL}, de {primero.con_articulo} a {ultimo.con_articulo} "
                    f"({formato_fecha(primero.inicio)} – {formato_fecha(ultimo.vencimiento)})"
                )
            return Concepto(TITULO_APERTURA, detalle)
        if movimiento.tipo == Movimiento.Tipo.DESCUENTO:
            # A deduction's value date is its period's due date (docs/reglas.md §5): the period it paid.
            descripcion = clase.de_fecha(movimiento.fecha_valor).descripcion
            detalle = descripcion[:1].upper() + descripcion[1:]
            if not movimiento.origen.startswith("Remesa "):
                detalle += f" · {movimiento.origen}"
            return Concepto(_titulo(movimiento), detalle)
        return Concepto(_titulo(movimiento), movimiento.origen)

    @property
    def movimientos_por_fecha(self) -> list[Movimiento]:
        """The ledger as people read it: by value date, then in booking order (a back-dated movement — a late
        remesa, an aclaración — sits at its date, not at the end). The ledger itself stays in booking order."""
        return sorted(self.movimientos, key=lambda m: (m.fecha_valor, m.id))

    def serie_saldo(self) -> SerieSaldo:
        """Capital owed over time: what the movements brought it down to, then the schedule to the last due date.

        The opening entry pays its installments on their due dates (it is booked on the last one's), so the line
        falls as the borrower paid rather than in one step.
        """
        cambios: dict[date, Decimal] = defaultdict(lambda: CERO)
        for m in self.movimientos:
            if m.tipo == Movimiento.Tipo.APERTURA:
                for c in self.posicion.cuotas[: self.prestamo.quincenas_pagadas_inicial]:
                    cambios[c.vencimiento] -= c.capital
            elif m.tipo == Movimiento.Tipo.REVERSION:
                cambios[m.fecha_valor] += m.capital  # it gives back what the reversed movement paid
            else:
                cambios[m.fecha_valor] -= m.capital
        saldo, pagado = self.prestamo.importe, [(self.prestamo.fecha_otorgamiento, self.prestamo.importe)]
        for fecha in sorted(cambios):
            saldo += cambios[fecha]
            pagado.append((fecha, saldo))
        proyectado: list[tuple[date, Decimal]] = []
        if not self.liquidado:
            saldo = self.capital_insoluto
            if pagado[-1][0] < self.hoy:
                pagado.append((self.hoy, saldo))
            proyectado.append((self.hoy, saldo))
            # Capital of installments already due and unpaid is projected as paid with the next deduction.
            atrasado = sum((c.pendiente_capital for c in self.posicion.vencidas(self.hoy)), CERO)
            for c in self.posicion.cuotas:
                if c.vencimiento > self.hoy:
                    saldo = max(saldo - c.pendiente_capital - atrasado, CERO)
                    atrasado = CERO
                    proyectado.append((c.vencimiento, saldo))
        return SerieSaldo(
            folio=self.prestamo.folio,
            importe=self.prestamo.importe,
            otorgado=self.prestamo.fecha_otorgamiento,
            hoy=self.hoy,
            pagado=tuple(pagado),
            proyectado=tuple(proyectado),
            termino=self.fecha_termino,
            liquidado_el=self.posicion.fecha_liquidacion,
            adjetivo=self.primer_periodo.ADJETIVO,
        )

    def tabla(self) -> list[FilaTabla]:
        """The schedule with each row's balance after it (docs/reglas.md §9): an installment already due
        keeps the balance it had when it fell due (abonos a capital made later do not rewrite it); the
        rows still to come follow the re-projected schedule, down to zero."""
        abonos = sorted(self.posicion.abonos)
        total_abonos = sum((importe for _, importe in abonos), CERO)
        filas, capital_pagado, k, abonado = [], CERO, 0, CERO
        for cuota in self.posicion.cuotas:
            capital_pagado += cuota.capital
            if cuota.vencimiento <= self.hoy:
                while k < len(abonos) and abonos[k][0] <= cuota.vencimiento:
                    abonado += abonos[k][1]
                    k += 1
                restante = self.prestamo.importe - capital_pagado - abonado
            else:
                restante = self.prestamo.importe - capital_pagado - total_abonos
            filas.append(
                FilaTabla(
                    numero=cuota.numero,
                    periodo=cuota.periodo,
                    cuota=cuota.monto,
                    interes=cuota.interes,
                    capital=cuota.capital,
                    saldo=restante,
                    pagado=cuota.pagado,
                    estado=_estado_cuota(cuota, self.hoy),
                )
            )
        return filas


def _estado_cuota(cuota: Cuota, hoy: date) -> EstadoCuota:
    if cuota.pendiente == 0:
        return EstadoCuota.PAGADA
    if cuota.vencimiento > hoy:
        return EstadoCuota.POR_VENCER
    return EstadoCuota.PARCIAL if cuota.pagado else EstadoCuota.VENCIDA


def _vista(
    prestamo: Prestamo, posicion: Posicion, movimientos: list[Movimiento], contexto: Contexto, hoy: date
) -> VistaPrestamo:
    vista = VistaPrestamo(prestamo=prestamo, posicion=posicion, contexto=contexto, hoy=hoy, movimientos=movimientos)
    vista.estado = posicion.estado(hoy)
    vista.saldo_deudor = posicion.saldo_deudor_total(hoy, contexto)
    if not posicion.liquidado:
        vista.omisiones = [
            Omision(c.numero, c.periodo, c.pendiente, posicion.moratorio_pendiente(c, hoy, contexto))
            for c in posicion.cuotas
            if posicion.es_omitida(c, hoy, contexto)
        ]
    return vista


def vistas_prestamos(
    prestamos: list[Prestamo],
    hoy: date,
    *,
    entrada: Callable[[int], str] | None = None,
    leidos: list[Movimiento] | None = None,
) -> list[VistaPrestamo]:
    """Views of several loans: one query for their movements; remesas and parameters from the cache.

    `entrada`: the cache key of the page's own entry for a loan in force (by the loan's id), read in the
    same round trip to the cache as the remesas and parameters and left in `VistaPrestamo.entrada`
    (the statement's parts, recuperacion/partes.py). `leidos`: the loans' movements, already read with
    them (`prestamos_y_movimientos`).

    The movements are read with only the columns the pages show, which the ledger index carries
    (an index-only scan on PostgreSQL). The recorded allocation is needed only for the movements the
    position must replay — those after a loan's snapshot, or all of a loan without one — and those are
    normally none: when there are, one more query reads it for all of them.
    """
    if not prestamos:
        return []
    movimientos: dict[int, list[Movimiento]] = defaultdict(list)
    for m in _leer_movimientos(prestamos) if leidos is None else leidos:
        movimientos[m.prestamo_id].append(m)
    _leer_aplicaciones([m for p in prestamos for m in posiciones.por_reproducir(p, movimientos[p.id])])
    leidas = posiciones.posiciones(prestamos, movimientos=movimientos)
    claves = {p.pk: entrada(p.pk) for p in prestamos if not leidas[p.pk].liquidado} if entrada else {}
    contextos, entradas = posiciones.contextos_y_entradas((p.dependencia_id for p in prestamos), hoy, claves.values())
    vistas = [_vista(p, leidas[p.pk], movimientos[p.pk], contextos[p.dependencia_id], hoy) for p in prestamos]
    for vista in vistas:
        vista.entrada = entradas.get(claves[vista.prestamo.pk]) if vista.prestamo.pk in claves else SIN_LEER
    return vistas


def _leer_aplicaciones(movimientos: list[Movimiento]) -> None:
    """The recorded allocation (and the movement a reversal cancels) of the movements to replay."""
    if movimientos:
        leidos = {
            pk: (aplicacion, revierte_id)
            for pk, aplicacion, revierte_id in Movimiento.objects.filter(
                id__in=[m.id for m in movimientos]
            ).values_list("id", "aplicacion", "revierte_id")
        }
        for m in movimientos:
            m.aplicacion, m.revierte_id = leidos[m.id]


# --- the pages' two reads, as fixed SQL on PostgreSQL ---------------------------------------------------
#
# Every borrower page reads the borrower's loans (with their dependencia) and their movements. Through the
# ORM, compiling those two statements cost more than running them (≈ 0.4 ms each of ≈ 0.6 ms, measured on
# the statement page, docs/performance.md); here the SQL is built once per process and the rows become
# the same model instances the ORM would give (`Model.from_db`, each field's `from_db_value`), as
# `tests/prestamos/test_lecturas_paginas.py` compares field by field. SQLite keeps the ORM (its decimals
# and dates need the backend's converters).

_CAMPOS_MOVIMIENTO = ("id", "prestamo_id", *COLUMNAS_ESTADO_CUENTA)


class _Campos:
    """The columns one read selects of a model, and what turning a row into an instance needs."""

    def __init__(self, modelo, alias: str, nombres=None) -> None:
        self.modelo = modelo
        self.campos = [modelo._meta.get_field(n) for n in nombres] if nombres else list(modelo._meta.concrete_fields)
        self.sql = ", ".join(f'{alias}."{f.column}"' for f in self.campos)
        self.nombres = [f.attname for f in self.campos]
        # Only the fields whose value the ORM converts (e.g. a JSONField's text, a PeriodoField); PostgreSQL
        # gives the rest (int, Decimal, date, str) as the ORM keeps them.
        self.convertidos = [(i, f) for i, f in enumerate(self.campos) if hasattr(f, "from_db_value")]
        # The instance is built as `Model.from_db` builds it, without running `Model.__init__`: the field
        # values go straight into its __dict__ (a field not selected is deferred, as with `.only`). That
        # skips what __init__ would do for nobody here: the pre_init/post_init signals (a model with
        # receivers of either keeps `from_db`) and the descriptors' setters of a new instance.
        self.directa = not (signals.pre_init.has_listeners(modelo) or signals.post_init.has_listeners(modelo))

    def __len__(self) -> int:
        return len(self.campos)

    def instancia(self, conexion, valores):
        if self.convertidos:
            valores = list(valores)
            for i, f in self.convertidos:
                if valores[i] is not None:
                    valores[i] = f.from_db_value(valores[i], None, conexion)
        if not self.directa:
            return self.modelo.from_db(conexion.alias, self.nombres, valores)
        instancia = self.modelo.__new__(self.modelo)
        estado = instancia._state = ModelState()
        estado.adding, estado.db = False, conexion.alias
        instancia.__dict__.update(zip(self.nombres, valores))
        return instancia


class _Lecturas:
    """The SQL of both reads, built on first use (the models' columns are known only once apps load)."""

    def __init__(self) -> None:
        self.movimiento = _Campos(Movimiento, "m", _CAMPOS_MOVIMIENTO)
        self.sql_movimientos = (
            f'SELECT {self.movimiento.sql} FROM "{Movimiento._meta.db_table}" m '
            "WHERE m.prestamo_id = ANY(%s) ORDER BY m.id"
        )
        self.prestamo = _Campos(Prestamo, "p")
        self.dependencia = _Campos(Dependencia, "d")
        self.sql_prestamos = (
            f'SELECT {self.prestamo.sql}, {self.dependencia.sql} FROM "{Prestamo._meta.db_table}" p '
            f'JOIN "{Dependencia._meta.db_table}" d ON d.id = p.dependencia_id '
            "WHERE p.derechohabiente_id = %s ORDER BY p.fecha_otorgamiento DESC, p.folio DESC"
        )
        # Both reads of a borrower's page in one round trip: the movements of the loans the first statement
        # reads, found by the same owner (an index-only scan of the ledger index, as above).
        self.sql_prestamos_y_movimientos = (
            f"{self.sql_prestamos};\n"
            f'SELECT {self.movimiento.sql} FROM "{Movimiento._meta.db_table}" m WHERE m.prestamo_id = ANY(ARRAY('
            f'SELECT p.id FROM "{Prestamo._meta.db_table}" p WHERE p.derechohabiente_id = %s)) ORDER BY m.id'
        )


_lecturas: _Lecturas | None = None


def _sql() -> _Lecturas:
    global _lecturas
    if _lecturas is None:
        _lecturas = _Lecturas()
    return _lecturas


def _leer_movimientos(prestamos: list[Prestamo]) -> list[Movimiento]:
    """The loans' movements in booking order, with only the statement's columns (the ledger index's)."""
    conexion = connections[router.db_for_read(Movimiento)]
    if conexion.vendor != "postgresql":
        return list(
            Movimiento.objects.filter(prestamo__in=prestamos)
            .only("prestamo_id", *COLUMNAS_ESTADO_CUENTA)
            .order_by("id")
        )
    lecturas = _sql()
    with conexion.cursor() as cursor:
        cursor.execute(lecturas.sql_movimientos, [[p.pk for p in prestamos]])
        filas = cursor.fetchall()
    return [lecturas.movimiento.instancia(conexion, fila) for fila in filas]


def prestamos_de(derechohabiente_id: int) -> list[Prestamo]:
    """A borrower's loans with their dependencia, newest first (the statement's order)."""
    conexion = connections[router.db_for_read(Prestamo)]
    if conexion.vendor != "postgresql":
        return list(
            Prestamo.objects.filter(derechohabiente_id=derechohabiente_id)
            .select_related("dependencia")
            .order_by("-fecha_otorgamiento", "-folio")
        )
    with conexion.cursor() as cursor:
        cursor.execute(_sql().sql_prestamos, [derechohabiente_id])
        return _prestamos(conexion, cursor.fetchall())


def _prestamos(conexion, filas) -> list[Prestamo]:
    lecturas = _sql()
    n = len(lecturas.prestamo)
    prestamos = []
    for fila in filas:
        prestamo = lecturas.prestamo.instancia(conexion, fila[:n])
        Prestamo.dependencia.field.set_cached_value(prestamo, lecturas.dependencia.instancia(conexion, fila[n:]))
        prestamos.append(prestamo)
    return prestamos


def prestamos_y_movimientos(derechohabiente_id: int) -> tuple[list[Prestamo], list[Movimiento]]:
    """`prestamos_de` and those loans' movements (`_leer_movimientos`). On PostgreSQL with client-side
    binding (Django's default) both statements go in one execute, one round trip, and their two results
    are read in turn (`nextset`); else two queries."""
    conexion = connections[router.db_for_read(Prestamo)]
    if conexion.vendor != "postgresql" or conexion.settings_dict["OPTIONS"].get("server_side_binding"):
        prestamos = prestamos_de(derechohabiente_id)
        return prestamos, (_leer_movimientos(prestamos) if prestamos else [])
    lecturas = _sql()
    with conexion.cursor() as cursor:
        cursor.execute(lecturas.sql_prestamos_y_movimientos, [derechohabiente_id, derechohabiente_id])
        prestamos = _prestamos(conexion, cursor.fetchall())
        cursor.nextset()
        movimientos = [lecturas.movimiento.instancia(conexion, fila) for fila in cursor.fetchall()]
    return prestamos, movimientos
