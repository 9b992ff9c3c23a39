"""The position snapshot format: its one owner, in both of its forms.

The snapshot (`Prestamo.posicion`) is a cache of the ledger replay (docs/reglas.md, "Posición");
`prestamos/posiciones.py` is its only reader. Compact because a remesa writes a million of them: each
installment is a short list of strings (`_cuota_a_json`), its number and period implied by its place in
the schedule.

- Python form: `guardar` and `restaurar`.
- SQL form (PostgreSQL's jsonb, for the set-based remesa: recuperacion/en_bloque.py and
  `libro.asentar_ordinarias`; for its set-based reversal: prestamos/reversion_en_bloque.py and
  `libro.revertir_ordinarias`): the `SQL_*` fragments and `sql_*` builders below, which read and write exactly what the Python
  form does. tests/prestamos/test_instantanea_contrato.py holds both to one contract.
- The snapshot is the JSON (`Prestamo.posicion`) and a count (`Prestamo.posicion_al_corriente`): how many
  installments after the JSON's paid ones a remesa paid as scheduled set-based, without rewriting the JSON (a
  million JSON rewrites were a third of a remesa: docs/performance.md). Those are the first `al_corriente`
  installments the JSON holds untouched: every one before them is paid in full (an ordinary deduction needs
  that), and nothing else touched them since (every other booking writes the whole snapshot with the count
  back at 0). `plegar` writes them into the JSON as the engine would have; `restaurar` reads both.
- `VERSION` travels in every snapshot (key "v"). A snapshot of another version is not read: the loan is
  replayed from its ledger and its next booking writes the current form. Version 2: installment interest
  computed exactly (docs/reglas.md §5), so schedules written before may differ by a centavo.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import date
from decimal import Decimal
from functools import cache

from prestamos.calculo import Mes, Periodo, Quincena
from prestamos.cartera import CERO, Condiciones, Cuota, Posicion

VERSION = 2
CLAVE_VERSION = "v"

# --- the SQL form (jsonb; `{pos}` is a snapshot expression, `{k}` an installment's 0-based index) ---------

# The snapshot is of the current format.
SQL_VIGENTE = "({pos}->>'" + CLAVE_VERSION + "') = '" + str(VERSION) + "'"
# Installment k as stored, and whether it is untouched ([interés, capital]).
SQL_CUOTA = "({pos}->'cuotas'->{k})"
SQL_CUOTA_INTACTA = "jsonb_array_length({pos}->'cuotas'->{k}) = 2"
SQL_CUOTA_MONTO = "(({pos}->'cuotas'->{k}->>0)::numeric + ({pos}->'cuotas'->{k}->>1)::numeric)"
# A jsonpath true when some installment 0..$n is not paid in full: neither "paid as scheduled"
# ([interés, capital, fecha]) nor the long form with interés and capital paid (fields 3 and 4).
SQL_ALGUNA_SIN_PAGAR = (
    "strict $.cuotas[0 to $n] ? (@.size() != 3 && !(@.size() == 7 && @[0] == @[3] && @[1] == @[4]))"
)


def sql_pagadas_hasta(pos: str, hasta: str, al_corriente: str) -> str:
    """SQL: true when every installment 0…`hasta` (0-based; none when negative) is paid in full, those of the
    snapshot's count included (`plegar`). The count's installments are the first the JSON holds untouched,
    right after the ones it holds paid, so that is: the JSON's installments 0…`hasta` − `al_corriente` all
    paid there (SQL_ALGUNA_SIN_PAGAR). `pos`, `hasta` and `al_corriente` are SQL expressions."""
    hasta_en_el_json = f"(({hasta}) - ({al_corriente}))"
    return (f"({hasta_en_el_json} < 0 OR NOT jsonb_path_exists({pos}, '{SQL_ALGUNA_SIN_PAGAR}'::jsonpath, "
            f"jsonb_build_object('n', {hasta_en_el_json})))")


# Installment k untouched ({interes} and {capital}: jsonb strings): the form `_cuota_a_json` writes for it.
# The set-based reversal (prestamos/reversion_en_bloque.py) turns a "paid as scheduled" one back to it.
SQL_CUOTA_SIN_PAGAR = "jsonb_build_array({interes}, {capital})"


def pagada(valores: list) -> bool:
    """Whether an installment in its stored form is paid in full (interés and capital): what
    SQL_ALGUNA_SIN_PAGAR counts as paid."""
    return len(valores) == 3 or (len(valores) == 7 and valores[0] == valores[3] and valores[1] == valores[4])


def ultima_vencida(tipo: type[Periodo], hoy: date) -> Periodo:
    """The last period of this kind whose due date is on or before `hoy`."""
    periodo = tipo.de_fecha(hoy)
    return periodo if periodo.vencimiento <= hoy else periodo - 1


def sql_indice_vencida(hoy: date, primera: str = "p.primera_quincena") -> str:
    """SQL: the 0-based place in a snapshot's "cuotas" of the last installment due on or before `hoy`
    (negative: none due yet), for a loan whose first period's code is the SQL expression `primera`.
    Installment j falls due in period primera + j (its place implies its period), so the place is that
    period's distance from the first."""
    ramas = []
    for tipo in (Quincena, Mes):
        u = ultima_vencida(tipo, hoy)
        ramas.append(f"WHEN '{tipo.LETRA}' THEN {u.anio * u.POR_ANIO + u.numero - 1} "
                     f"- (substr({primera}, 1, 4)::int * {u.POR_ANIO} + substr({primera}, 7, 2)::int - 1)")
    return f"(CASE substr({primera}, 6, 1) {' '.join(ramas)} END)"


def vigente(datos: dict | None) -> bool:
    """Whether `datos` is a snapshot this code reads (present, and of the current version)."""
    return bool(datos) and datos.get(CLAVE_VERSION) == VERSION


def guardar(posicion: Posicion) -> dict:
    """The snapshot of `posicion`, which `restaurar` turns back into an equal position."""
    cuotas = [_cuota_a_json(c) for c in posicion._cuotas]
    if posicion._por_restaurar:
        cuotas += posicion._por_restaurar  # never restored, so never changed: written back as they were read
    return {
        CLAVE_VERSION: VERSION,
        "cuotas": cuotas,
        "capital_pagado": str(posicion.capital_pagado),
        "excedentes": str(posicion.excedentes),
        "liquidacion": posicion.fecha_liquidacion.isoformat() if posicion.fecha_liquidacion else None,
        "ultima_fecha_valor": posicion.ultima_fecha_valor.isoformat() if posicion.ultima_fecha_valor else None,
        **({"abonos": [[f.isoformat(), str(i)] for f, i in posicion.abonos]} if posicion.abonos else {}),
    }


def plegar(datos: dict, primer_periodo: Periodo, al_corriente: int) -> dict:
    """The snapshot JSON with its `al_corriente` installments written in: each paid as scheduled on its due date
    (`_cuota_a_json`'s short form), capital pagado moved on by their capital, the last value date the last one's
    due date. What `libro.asentar_ordinarias` wrote into the JSON before the count existed, to the character.
    `datos` is not changed."""
    if not al_corriente:
        return datos
    cuotas = list(datos["cuotas"])
    intactas = [i for i, valores in enumerate(cuotas) if len(valores) == 2][:al_corriente]
    if len(intactas) < al_corriente:
        raise ValueError(f"La posición guardada cuenta {al_corriente} cuotas al corriente y tiene {len(intactas)} sin tocar.")
    calendario = _calendario(primer_periodo, len(cuotas))
    capital = Decimal(datos["capital_pagado"])
    for i in intactas:
        interes_cuota, capital_cuota = cuotas[i]
        cuotas[i] = [interes_cuota, capital_cuota, calendario[i][2].isoformat()]
        capital += Decimal(capital_cuota)
    return {
        **datos,
        "cuotas": cuotas,
        "capital_pagado": str(capital),
        "excedentes": str(Decimal(datos["excedentes"]) + Decimal("0.00")),
        "ultima_fecha_valor": calendario[intactas[-1]][2].isoformat(),
    }


def restaurar(datos: dict, condiciones: Condiciones, *, corte: date | None = None, al_corriente: int = 0) -> Posicion:
    """The position `guardar` wrote, with the `al_corriente` installments the count adds (`plegar`); with `corte`,
    building only the installments due by that date.

    A remesa's deduction reaches only installments already due, so the rest of the schedule (on average
    most of it) need not become objects and be encoded again: the position keeps it as stored and
    restores it the first time anything reads beyond `corte` (`Posicion.completar`).
    """
    datos = plegar(datos, condiciones.primer_periodo, al_corriente)
    valores_cuotas = datos["cuotas"]
    calendario = _calendario(condiciones.primer_periodo, len(valores_cuotas))
    resto = None
    if corte is not None:
        n = bisect_right(calendario, corte, key=_vencimiento_calendario)
        if n < len(valores_cuotas):
            calendario, valores_cuotas, resto = calendario[:n], valores_cuotas[:n], valores_cuotas[n:]
    # One loop with the constructors bound locally: a remesa restores ~60 installments per loan.
    cuotas = []
    pagadas = 0  # leading installments in the "paid as scheduled" form
    agregar, nueva, decimal, de_iso = cuotas.append, Cuota, Decimal, date.fromisoformat
    for (numero, periodo, vencimiento), valores in zip(calendario, valores_cuotas):
        interes, capital = decimal(valores[0]), decimal(valores[1])
        if len(valores) == 2:
            agregar(nueva(numero, periodo, interes, capital, vencimiento=vencimiento))
        elif len(valores) == 3:
            devengado = valores[2]
            agregar(nueva(numero, periodo, interes, capital, CERO, interes, capital, CERO,
                          de_iso(devengado) if devengado else None, vencimiento))
            if pagadas == numero - 1:
                pagadas = numero
        else:
            agregar(_cuota_de_json(numero, periodo, vencimiento, valores))
    return Posicion(
        condiciones=condiciones,
        _cuotas=cuotas,
        capital_pagado=Decimal(datos["capital_pagado"]),
        fecha_liquidacion=_fecha(datos["liquidacion"]),
        excedentes=Decimal(datos["excedentes"]),
        ultima_fecha_valor=_fecha(datos["ultima_fecha_valor"]),
        abonos=[(date.fromisoformat(f), Decimal(i)) for f, i in datos.get("abonos", ())],
        _por_restaurar=resto,
        _restaurada_hasta=corte if resto else None,
        pagadas_al_inicio=pagadas,
    )


def restaurar_cuotas(primera: Periodo, inicio: int, valores: list) -> list[Cuota]:
    """Installments inicio+1… of a schedule from `primera`, from their stored values."""
    calendario = _calendario(primera, inicio + len(valores))[inicio:]
    return [_cuota_de_json(n, q, v, guardadas) for (n, q, v), guardadas in zip(calendario, valores)]


def _vencimiento_calendario(entrada: tuple[int, Periodo, date]) -> date:
    return entrada[2]


@cache
def _calendario(primera: Periodo, n: int) -> tuple[tuple[int, Periodo, date], ...]:
    """(número, periodo, vencimiento) of n installments from `primera`.

    Period arithmetic builds a validated frozen dataclass and a due date needs the month's length; a
    restore would otherwise do both for every installment of every loan, and there are few distinct calendars.
    """
    return tuple((k + 1, primera + k, (primera + k).vencimiento) for k in range(n))


def _fecha(valor: str | None) -> date | None:
    return date.fromisoformat(valor) if valor else None


def _cuota_a_json(c: Cuota) -> list:
    """[interés, capital] untouched; [interés, capital, fecha] paid as scheduled; all fields otherwise."""
    # Attributes read once into locals: this runs for every installment of every loan in a remesa.
    interes, capital, hasta = c.interes, c.capital, c.devengado_hasta
    pagado_moratorio, pagado_interes, pagado_capital, cargado = (
        c.pagado_moratorio, c.pagado_interes, c.pagado_capital, c.moratorio_cargado
    )
    if not (pagado_moratorio or pagado_interes or pagado_capital or cargado) and hasta is None:
        return [str(interes), str(capital)]
    hasta = hasta.isoformat() if hasta else None
    if pagado_interes == interes and pagado_capital == capital and not cargado and not pagado_moratorio:
        return [str(interes), str(capital), hasta]
    return [
        str(interes), str(capital), str(pagado_moratorio), str(pagado_interes), str(pagado_capital), str(cargado), hasta,
    ]


def _cuota_de_json(numero: int, periodo: Periodo, vencimiento: date, valores: list) -> Cuota:
    interes, capital = Decimal(valores[0]), Decimal(valores[1])
    if len(valores) == 2:
        return Cuota(numero, periodo, interes, capital, vencimiento=vencimiento)
    if len(valores) == 3:
        hasta = valores[2]
        return Cuota(numero, periodo, interes, capital, CERO, interes, capital, CERO,
                     date.fromisoformat(hasta) if hasta else None, vencimiento)
    pagado_moratorio, pagado_interes, pagado_capital, cargado = (Decimal(v) for v in valores[2:6])
    return Cuota(
        numero, periodo, interes, capital, pagado_moratorio, pagado_interes, pagado_capital, cargado,
        _fecha(valores[6]), vencimiento,
    )
