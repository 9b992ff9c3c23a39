"""The cédula de descuentos: what each loan of a dependencia must have deducted in a period, in the remesa's
own format (docs/reglas.md §16).

The amount is the installment of that period in the loan's current schedule, as the payment engine expects
it (docs/reglas.md §5): the cuota, the last installment's exact amount, what is still pending of an
installment partly paid beforehand; no row for a settled loan, for a period before the loan's first one or
after its last, or for an installment already paid. Pensioners' loans go by months (docs/reglas.md §12).

Set-based and in bounded memory: keyset pages over the loan id, each one query that reads only the
installment of that period from the position snapshot (prestamos/instantanea.py) — no model objects, no
server-side cursor (PgBouncer in transaction pooling). A loan without a current snapshot has its schedule
from the amortization table (prestamos/calculo.py, cached by terms).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection

from prestamos import instantanea
from prestamos.calculo import Periodo, tabla_amortizacion
from prestamos.models import Derechohabiente, Prestamo

PAGINA = 5000
ENCABEZADO = "clave_dependencia,quincena,folio,curp,importe\r\n"
CERO = Decimal("0.00")


@dataclass(frozen=True)
class FilaCedula:
    folio: str
    curp: str
    importe: Decimal


def _sql(periodo: Periodo) -> str:
    p, d = Prestamo._meta.db_table, Derechohabiente._meta.db_table
    letra = str(periodo)[5]
    if connection.vendor == "postgresql":
        k = (f"(({periodo.anio} - substr(p.primera_quincena, 1, 4)::int) * {periodo.POR_ANIO} "
             f"+ {periodo.numero} - substr(p.primera_quincena, 7, 2)::int)")
        version = f"p.posicion->>'{instantanea.CLAVE_VERSION}'"
        cuota = f"(p.posicion->'cuotas'->{k})::text"
        n = "jsonb_array_length(p.posicion->'cuotas')"
        # The installment where the snapshot's count would have to start for k to be in it (see importe_del_periodo).
        inicio = (f"CASE WHEN p.posicion_al_corriente > 0 AND {k} - p.posicion_al_corriente >= 0 "
                  f"THEN (p.posicion->'cuotas'->({k} - p.posicion_al_corriente))::text END")
    else:
        k = (f"(({periodo.anio} - CAST(substr(p.primera_quincena, 1, 4) AS integer)) * {periodo.POR_ANIO} "
             f"+ {periodo.numero} - CAST(substr(p.primera_quincena, 7, 2) AS integer))")
        version = f"json_extract(p.posicion, '$.{instantanea.CLAVE_VERSION}')"
        cuota = f"json_extract(p.posicion, '$.cuotas[' || {k} || ']')"
        n = "json_array_length(p.posicion, '$.cuotas')"
        inicio = (f"CASE WHEN p.posicion_al_corriente > 0 AND {k} - p.posicion_al_corriente >= 0 "
                  f"THEN json_extract(p.posicion, '$.cuotas[' || ({k} - p.posicion_al_corriente) || ']') END")
    return f"""
        SELECT p.id, p.folio, d.curp, {k}, p.importe, p.tasa_anual, p.plazo, p.quincenas_pagadas_inicial,
               p.primera_quincena, {version}, {n}, {cuota}, p.posicion_al_corriente, {inicio}
        FROM {p} p JOIN {d} d ON d.id = p.derechohabiente_id
        WHERE p.dependencia_id = %s AND p.id > %s AND p.estado <> 'LIQUIDADO'
          AND substr(p.primera_quincena, 6, 1) = '{letra}' AND {k} >= 0
        ORDER BY p.id LIMIT %s
    """


def importe_del_periodo(k, importe, tasa, plazo, pagadas_inicial, primera, version, n_cuotas, cuota,
                        al_corriente=0, inicio=None) -> Decimal | None:
    """What the engine expects deducted for installment k+1 (0-based k), or None when nothing is.

    `al_corriente` is the snapshot's count of installments paid as scheduled outside its JSON
    (instantanea.plegar): the first that many the JSON holds untouched, right after its paid ones. An
    untouched installment k is one of them when the installment `al_corriente` places before it (`inicio`,
    stored form) is paid in the JSON, or there is none: the count then reaches k."""
    if version is not None and str(version) == str(instantanea.VERSION):
        if n_cuotas is None or k >= n_cuotas or cuota is None:
            return None
        valores = json.loads(cuota) if isinstance(cuota, str) else cuota
        if len(valores) == 2:
            if al_corriente and (k - al_corriente < 0 or instantanea.pagada(
                    json.loads(inicio) if isinstance(inicio, str) else inicio)):
                return None  # paid as scheduled, in the count
            return Decimal(valores[0]) + Decimal(valores[1])
        if len(valores) == 3:
            return None  # paid as scheduled
        pendiente = (Decimal(valores[0]) - Decimal(valores[3])) + (Decimal(valores[1]) - Decimal(valores[4]))
        return pendiente if pendiente > 0 else None
    if k < pagadas_inicial:
        return None
    tabla = tabla_amortizacion(
        principal=Decimal(importe), tasa_anual=Decimal(tasa), plazo=int(plazo),
        primer_periodo=Periodo.parse(primera),
    )
    return tabla[k].cuota if k < len(tabla) else None


def filas(dependencia_id: int, periodo: Periodo, *, pagina: int = PAGINA) -> Iterator[FilaCedula]:
    """The cédula's rows in loan id order, one query per `pagina` loans."""
    sql = _sql(periodo)
    ultimo = 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(sql, [dependencia_id, ultimo, pagina])
            lote = cursor.fetchall()
        for _pk, folio, curp, k, importe, tasa, plazo, pagadas, primera, version, n, cuota, al_corriente, inicio in lote:
            monto = importe_del_periodo(int(k), importe, tasa, plazo, pagadas, str(primera), version, n, cuota,
                                        al_corriente, inicio)
            if monto is not None:
                yield FilaCedula(folio, curp, monto)
        if len(lote) < pagina:
            return
        ultimo = lote[-1][0]


def csv(clave: str, periodo: Periodo, renglones) -> Iterator[str]:
    """The CSV in the remesa's format (docs/reglas.md §8), in chunks of rows."""
    yield ENCABEZADO
    codigo = str(periodo)
    bloque = []
    for fila in renglones:
        bloque.append(f"{clave},{codigo},{fila.folio},{fila.curp},{fila.importe}\r\n")
        if len(bloque) >= 1000:
            yield "".join(bloque)
            bloque = []
    if bloque:
        yield "".join(bloque)


def resumen(dependencia_id: int, periodo: Periodo) -> tuple[int, Decimal]:
    cuantos, total = 0, CERO
    for fila in filas(dependencia_id, periodo):
        cuantos += 1
        total += fila.importe
    return cuantos, total
