"""The ledger's one writer (docs/reglas.md, "El libro"): how an allocation decided by the engine becomes a
`Movimiento` row, and the only functions that persist rows and move the loan row (stored estado, position
snapshot) with them.

- `bloquear`: every writer locks the loans it will book on through here, always in id order, so two
  writers over the same loans (a bank file and a remesa) wait for each other instead of deadlocking.
- `asiento` builds a row; `asentar` persists one loan's new rows with its snapshot and estado;
  `asentar_lote` does the same for thousands of loans by COPY (prestamos/escritura.py).
- `ajuste_por_redondeo`: the write-off that follows a last deduction short by at most 1.00 (§5).
- `asentar_ordinarias`: a remesa's ordinary deductions written by SQL inside the database, the same
  rows, proved equal by tests/recuperacion/test_remesa_en_bloque.py; the snapshot's SQL form lives in
  prestamos/instantanea.py with its Python form.
- `revertir_ordinarias`: the reversal of such movements when each is its loan's last, by SQL too
  (prestamos/reversion_en_bloque.py decides which), proved equal to the engine's reversal by
  tests/prestamos/test_reversion_en_bloque.py; `bloquear_en_tabla` locks their loans, in id order.
Nothing else inserts into the ledger or writes a snapshot (tests/prestamos/test_un_escritor.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from django.utils import timezone

from prestamos import escritura, instantanea
from prestamos.cartera import Aplicacion, Contexto, Posicion
from prestamos.models import Movimiento, Prestamo

ORIGEN_MAXIMO = 200  # Movimiento.origen's max_length
# What a booking changes on the loan row besides the ledger.
CAMPOS_PRESTAMO = ["posicion", "posicion_hasta", "posicion_al_corriente", "estado", "fecha_liquidacion"]
ORIGEN_AJUSTE = "Ajuste por redondeo"


def bloquear(ids: Iterable[int], *, consulta=None) -> list[Prestamo]:
    """Lock these loans for the rest of the transaction, in id order, and return them in that order.

    One order for every writer (pretix's locking.py does the same with its quotas): a bank file that
    pays loans 7 then 3 and a remesa on 3 then 7 would otherwise each hold one and wait for the other.
    `consulta`: the queryset to lock through (a lote reads only some columns); the loans' model by default.
    """
    ids = sorted(set(ids))
    if not ids:
        return []
    consulta = Prestamo.objects.all() if consulta is None else consulta
    return list(consulta.select_for_update().filter(pk__in=ids).order_by("pk"))


def asentar(prestamo, posicion: Posicion, asientos: list[dict], *, hoy: date) -> list[Movimiento]:
    """Persist one loan's new ledger rows (in order), then its snapshot and stored estado. The caller
    locked the loan (`bloquear`) before reading the position the rows were decided on."""
    movimientos = [Movimiento.objects.create(**fila) for fila in asientos]
    if movimientos:
        anotar_posicion(prestamo, posicion, movimientos[-1].pk)
    poner_estado(prestamo, posicion, hoy)
    prestamo.save(update_fields=CAMPOS_PRESTAMO)
    return movimientos


def asentar_lote(entradas: list[tuple[object, Posicion, list[dict]]], *, hoy: date) -> list[list[int]]:
    """`asentar` for many loans at once: every row by one COPY, every loan row by one UPDATE. Each entry
    is (loan or lote row, its position after the rows, its rows in booking order); returns each entry's
    new movement ids. A loan with no rows still gets its snapshot's estado (and, when it has none yet, a
    snapshot of its position: the opening of a loaded loan)."""
    ids = iter(escritura.insertar(Movimiento, [fila for _, _, filas in entradas for fila in filas]))
    resultado = []
    for prestamo, posicion, filas in entradas:
        propios = [next(ids) for _ in filas]
        if propios:
            anotar_posicion(prestamo, posicion, propios[-1])
        elif not prestamo.posicion:
            anotar_posicion(prestamo, posicion, prestamo.posicion_hasta or 0)
        poner_estado(prestamo, posicion, hoy)
        resultado.append(propios)
    escritura.actualizar(Prestamo, [prestamo for prestamo, _, _ in entradas], CAMPOS_PRESTAMO)
    return resultado


def ajuste_por_redondeo(*, prestamo_id: int, posicion: Posicion, fecha: date, contexto: Contexto,
                        creado: datetime | None = None) -> dict | None:
    """The "Ajuste por redondeo" row that settles a loan whose last deduction fell short by at most 1.00
    (docs/reglas.md §5), or None. Automatic: no staff member, the reason in `motivo`."""
    aplicacion = posicion.ajustar_redondeo(fecha=fecha, contexto=contexto)
    if aplicacion is None:
        return None
    return asiento(
        prestamo_id=prestamo_id, tipo=Movimiento.Tipo.AJUSTE, aplicacion=aplicacion, origen=ORIGEN_AJUSTE,
        motivo=f"Automático: la última cuota quedó corta por ${aplicacion.importe}; se da por pagada.",
        creado=creado or timezone.now(),
    )


def asiento(
    *,
    prestamo_id: int,
    tipo: str,
    aplicacion: Aplicacion,
    origen: str,
    creado: datetime,
    motivo: str = "",
    usuario_id: int | None = None,
    revierte_id: int | None = None,
    reaplica_id: int | None = None,
) -> dict:
    """The ledger row of `aplicacion`, keyed by Movimiento's attribute names.

    A REVERSION carries the allocation of the movement it cancels (`revierte_id`); a movement booked
    again after a reversal names the one it replaces (`reaplica_id`).
    """
    return {
        "prestamo_id": prestamo_id,
        "tipo": tipo,
        "fecha_valor": aplicacion.fecha_valor,
        "importe": aplicacion.importe,
        "moratorios": aplicacion.moratorios,
        "interes": aplicacion.interes,
        "capital": aplicacion.capital,
        "excedente": aplicacion.excedente,
        "aplicacion": aplicacion.a_json(),
        "origen": origen[:ORIGEN_MAXIMO],
        "motivo": motivo,
        "registrado_por_id": usuario_id,
        "creado": creado,
        "revierte_id": revierte_id,
        "reaplica_id": reaplica_id,
    }


def estado_derivado(posicion: Posicion, hoy: date) -> tuple[str, date | None]:
    """The (estado, fecha_liquidacion) a loan row stores for lists and filters: the position's, today."""
    return posicion.estado(hoy), posicion.fecha_liquidacion


def poner_estado(prestamo, posicion: Posicion, hoy: date) -> bool:
    """Set the loan's stored estado and payoff date from its position; True when they changed."""
    nuevo = estado_derivado(posicion, hoy)
    if (prestamo.estado, prestamo.fecha_liquidacion) == nuevo:
        return False
    prestamo.estado, prestamo.fecha_liquidacion = nuevo
    return True


def anotar_posicion(prestamo, posicion: Posicion, movimiento_id: int) -> None:
    """Set the snapshot fields after booking `movimiento_id` (the caller saves, alone or in bulk): the whole
    position in the JSON, so no installment is left counted apart (`instantanea.plegar`)."""
    prestamo.posicion = instantanea.guardar(posicion)
    prestamo.posicion_hasta = movimiento_id
    prestamo.posicion_al_corriente = 0


def asentar_ordinarias(cursor, tabla: str, *, periodo, origen: str, usuario_id: int | None,
                       creado: datetime) -> None:
    """Book, set-based, the ordinary deductions listed in the scratch table `tabla` (docs/reglas.md,
    "Remesas: la deducción ordinaria"): each a loan up to date paying exactly installment k + 1.

    `tabla` has (prestamo_id, importe, movimiento_id, k, interes, capital): interés and capital as the
    snapshot's strings. Writes the ledger row `asiento` writes for such a payment, with its allocation
    (`Aplicacion.a_json`: that installment paid in full on its due date, no moratorio charged, nothing to
    capital or refund), and moves the snapshot on as `anotar_posicion` and `poner_estado` would: one more
    installment paid as scheduled in its count (`instantanea.plegar` reads it as the engine writes it; the
    JSON is not rewritten), pointing at the new row, estado VIGENTE.
    """
    fecha_valor = periodo.vencimiento
    valores = {"fecha_valor": fecha_valor, "fecha_iso": fecha_valor.isoformat(), "origen": origen[:ORIGEN_MAXIMO],
               "periodo": str(periodo),
               "usuario": usuario_id, "creado": creado, "tipo": Movimiento.Tipo.DESCUENTO.value,
               "vigente": Prestamo.Estado.VIGENTE.value}
    cursor.execute(
        f"""
        INSERT INTO {Movimiento._meta.db_table} (id, prestamo_id, tipo, fecha_valor, importe, moratorios, interes,
            capital, excedente, aplicacion, origen, motivo, registrado_por_id, creado, revierte_id, reaplica_id)
        SELECT movimiento_id, prestamo_id, %(tipo)s, %(fecha_valor)s, importe, 0, interes::numeric, capital::numeric, 0,
            jsonb_build_object(
                'cuotas', jsonb_build_array(jsonb_build_array(k + 1, '0.00', '0.00', interes, capital, %(fecha_iso)s)),
                'abono_capital', '0.00', 'interes_devengado', '0.00', 'excedente', '0.00', 'liquida', false,
                'periodo', %(periodo)s),
            %(origen)s, '', %(usuario)s, %(creado)s, NULL, NULL
        FROM {tabla} ORDER BY movimiento_id
        """,
        valores,
    )
    cursor.execute(
        f"""
        UPDATE {Prestamo._meta.db_table} p SET
            posicion_al_corriente = p.posicion_al_corriente + 1,
            posicion_hasta = l.movimiento_id,
            estado = %(vigente)s,
            fecha_liquidacion = NULL
        FROM {tabla} l
        WHERE p.id = l.prestamo_id
        """,
        valores,
    )


def bloquear_en_tabla(cursor, tabla: str) -> None:
    """`bloquear` for the loans listed in the scratch table `tabla` (column prestamo_id), by one statement:
    in id order, like every writer."""
    cursor.execute(
        f"SELECT count(*) FROM (SELECT 1 FROM {Prestamo._meta.db_table} WHERE id IN "
        f"(SELECT prestamo_id FROM {tabla}) ORDER BY id FOR UPDATE) AS bloqueados"
    )


def revertir_ordinarias(cursor, tabla: str, *, motivo: str, usuario_id: int | None, creado: datetime) -> None:
    """Reverse, set-based, the movements listed in the scratch table `tabla`, each its loan's last and
    the snapshot's last (docs/reglas.md §9; prestamos/reversion_en_bloque.py chooses them): one installment
    paid as scheduled, nothing else.

    `tabla` has (prestamo_id, movimiento_id, reversion_id, k, interes, capital, capital_pagado, ultima, n):
    the movement to reverse and the id its REVERSION row takes; the installment it paid (0-based k, its
    interés and capital as the snapshot's jsonb strings); capital pagado and the last value date as they
    were before it; the snapshot's count of installments paid as scheduled outside its JSON. Writes what
    `asiento` and `asentar_lote` write when the engine reverses such a movement: the REVERSION row with the
    reversed allocation, origin, motivo and who, naming it; the snapshot as the replay without it, up to the
    REVERSION row — that installment untouched again, in the JSON (`instantanea.guardar`) or, when it is the
    last of the count, one fewer in the count (`instantanea.plegar`); estado VIGENTE.
    """
    valores = {"tipo": Movimiento.Tipo.REVERSION.value, "motivo": motivo, "usuario": usuario_id, "creado": creado,
               "prefijo": "Reversión: ", "maximo": ORIGEN_MAXIMO, "vigente": Prestamo.Estado.VIGENTE.value}
    cursor.execute(
        f"""
        INSERT INTO {Movimiento._meta.db_table} (id, prestamo_id, tipo, fecha_valor, importe, moratorios, interes,
            capital, excedente, aplicacion, origen, motivo, registrado_por_id, creado, revierte_id, reaplica_id)
        SELECT l.reversion_id, m.prestamo_id, %(tipo)s, m.fecha_valor, m.importe, m.moratorios, m.interes,
            m.capital, m.excedente, m.aplicacion, left(%(prefijo)s || m.origen, %(maximo)s), %(motivo)s,
            %(usuario)s, %(creado)s, m.id, NULL
        FROM {tabla} l JOIN {Movimiento._meta.db_table} m ON m.id = l.movimiento_id
        ORDER BY l.reversion_id
        """,
        valores,
    )
    sin_pagar = instantanea.SQL_CUOTA_SIN_PAGAR.format(interes="l.interes", capital="l.capital")
    cursor.execute(
        f"""
        UPDATE {Prestamo._meta.db_table} p SET
            posicion = CASE WHEN l.n > 0 THEN p.posicion ELSE
                jsonb_set(p.posicion, ARRAY['cuotas', l.k::text], {sin_pagar})
                || jsonb_build_object('capital_pagado', l.capital_pagado, 'ultima_fecha_valor', l.ultima) END,
            posicion_al_corriente = greatest(l.n - 1, 0),
            posicion_hasta = l.reversion_id,
            estado = %(vigente)s,
            fecha_liquidacion = NULL
        FROM {tabla} l
        WHERE p.id = l.prestamo_id
        """,
        valores,
    )
