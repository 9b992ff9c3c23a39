"""What the borrower's pages show, built in a fixed number of queries however many loans and movements."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cached_property

from django.db.models import Count, Q, Sum
from django.http import Http404

from fopi.services import CuotaEnEspera, OmisionRegularizable, Regularizacion, regularizacion
from oficina.dinero import round2
from oficina.formatos import formato_moneda
from prestamos import posiciones
from prestamos.calculo import Periodo
from prestamos.cartera import CERO
from prestamos.models import Dependencia, Derechohabiente, Movimiento, Prestamo, Remesa
from prestamos.selectors import ACTIVOS, VistaPrestamo, prestamos_y_movimientos, vistas_prestamos
from recuperacion import partes
from recuperacion.models import AdeudoDependencia


@dataclass
class EstadoCuenta:
    derechohabiente: Derechohabiente
    hoy: date
    prestamos: list[VistaPrestamo]

    @property
    def saldo_deudor_total(self) -> Decimal:
        return sum((v.saldo_deudor for v in self.prestamos), CERO)

    @property
    def saldo_a_favor(self) -> Decimal:
        return sum((v.saldo_a_favor for v in self.prestamos), CERO)

    @property
    def con_saldo_a_favor(self) -> list[VistaPrestamo]:
        return [v for v in self.prestamos if v.saldo_a_favor > 0]

    @property
    def vigente(self) -> VistaPrestamo | None:
        return next((v for v in self.prestamos if not v.liquidado), None)

    @property
    def omisiones(self) -> bool:
        return any(v.omisiones for v in self.prestamos)

    @property
    def pension_suspendida(self) -> bool:
        """The pension payroll's remesa came without a pensioner's deduction: the usual cause is a pension
        suspended for want of the yearly proof of life (docs/reglas.md §12)."""
        return self.derechohabiente.tipo == Derechohabiente.Tipo.PENSIONADO and any(
            o.periodo in v.contexto.remesas for v in self.prestamos for o in v.omisiones
        )

    @property
    def meses_de_pension_sin_descuento(self) -> list:
        """The months whose pension payroll came without the deduction (what `pension_suspendida` is about)."""
        return sorted({o.periodo for v in self.prestamos for o in v.omisiones if o.periodo in v.contexto.remesas})

    @property
    def palabras(self):
        """The words of this borrower's period kind (docs/reglas.md §14), for the PDFs built from this state."""
        return self.derechohabiente.palabras

    @property
    def en_cobranza(self) -> bool:
        return any(v.en_cobranza for v in self.prestamos)

    @cached_property
    def regularizaciones(self) -> list[tuple[VistaPrestamo, Regularizacion]]:
        """Per loan with installments due and unpaid: the missing ones and those awaiting their remesa
        (docs/reglas.md §6, §10), as the regularization page, the notices and the FOPI count them."""
        regs = [
            (v, regularizacion(posicion=v.posicion, contexto=v.contexto, hoy=self.hoy))
            for v in self.prestamos
            if not v.liquidado
        ]
        return [(v, reg) for v, reg in regs if reg.hay_algo]

    @property
    def quincenas_omitidas(self) -> list[tuple[VistaPrestamo, OmisionRegularizable]]:
        return [(v, o) for v, reg in self.regularizaciones for o in reg.omisiones]

    @property
    def quincenas_en_espera(self) -> list[tuple[VistaPrestamo, CuotaEnEspera]]:
        return [(v, c) for v, reg in self.regularizaciones for c in reg.en_espera]

    @property
    def varios_activos(self) -> bool:
        """More than one loan in force: the notices then name the loan of each quincena."""
        return sum(1 for v in self.prestamos if not v.liquidado) > 1

    @property
    def sin_adeudo(self) -> bool:
        """No loan in force (none VIGENTE or EN_COBRANZA): what a constancia de no adeudo attests (docs/reglas.md §9)."""
        return not any(v.estado in ACTIVOS for v in self.prestamos)

    @property
    def liquidados(self) -> list[VistaPrestamo]:
        return [v for v in self.prestamos if v.liquidado]


def estado_de_cuenta(*, derechohabiente: Derechohabiente, hoy: date, con_partes: bool = False) -> EstadoCuenta:
    """`con_partes`: the statement page, which also reads each loan in force's cached parts
    (recuperacion/partes.py) in the round trip that reads the remesas."""
    prestamos, movimientos = prestamos_y_movimientos(derechohabiente.pk)
    vistas = vistas_prestamos(prestamos, hoy, entrada=partes.clave if con_partes else None, leidos=movimientos)
    return EstadoCuenta(derechohabiente=derechohabiente, hoy=hoy, prestamos=vistas)


def prestamo_del_derechohabiente(*, derechohabiente: Derechohabiente, folio: str, hoy: date) -> VistaPrestamo:
    """One of the borrower's own loans; anyone else's folio is a 404."""
    prestamo = (
        Prestamo.objects.filter(derechohabiente=derechohabiente, folio=folio)
        .select_related("dependencia", "derechohabiente")
        .first()
    )
    if prestamo is None:
        raise Http404("Préstamo no encontrado")
    return vistas_prestamos([prestamo], hoy)[0]


# --- Dependencias omisas (staff report) ------------------------------------------------------------------


@dataclass(frozen=True)
class FilaOmisa:
    dependencia: Dependencia
    remesas: int
    prestamos_esperados: int
    descuentos_recibidos: int
    importe_esperado: Decimal
    importe_recibido: Decimal
    # Deductions it took from payslips and never sent, found by aclaraciones (docs/reglas.md §10).
    aclaraciones: int = 0
    adeudo_aclaraciones: Decimal = CERO

    @property
    def diferencia(self) -> Decimal:
        return self.importe_esperado - self.importe_recibido


def dependencias_omisas(quincena: Periodo) -> list[FilaOmisa]:
    """Dependencias that sent no remesa for `quincena` (a month for the pension payroll), or less than their
    active borrowers' cuotas, or that owe deductions recognised through aclaraciones procedentes.

    Expected: loans VIGENTE or EN_COBRANZA of the same period kind whose first period is on or before it
    (codes AAAA-Xnn of one kind sort as dates). Received: what that period's remesas applied. Owed: the
    `AdeudoDependencia` rows of that period. Four grouped queries in all.
    """
    codigo = str(quincena)
    del_mismo_tipo = f"-{quincena.LETRA}"
    esperado = {
        fila["dependencia_id"]: fila
        for fila in Prestamo.objects.filter(
            estado__in=ACTIVOS, primera_quincena__lte=codigo, primera_quincena__contains=del_mismo_tipo
        )
        .values("dependencia_id")
        .annotate(n=Count("id"), total=Sum("cuota"))
    }
    recibido = {
        fila["dependencia_id"]: fila
        for fila in Remesa.objects.filter(quincena=codigo, revertida=False)
        .values("dependencia_id")
        .annotate(remesas=Count("id"), n=Sum("filas"), total=Sum("total"))
    }
    adeudado = {
        fila["dependencia_id"]: fila
        for fila in AdeudoDependencia.objects.filter(quincena=codigo)
        .order_by().values("dependencia_id").annotate(n=Count("id"), total=Sum("importe"))
    }
    dependencias = Dependencia.objects.in_bulk(esperado.keys() | recibido.keys() | adeudado.keys())
    filas = []
    for pk, dependencia in dependencias.items():
        e, r, a = esperado.get(pk, {}), recibido.get(pk, {}), adeudado.get(pk, {})
        fila = FilaOmisa(
            dependencia=dependencia,
            remesas=r.get("remesas", 0),
            prestamos_esperados=e.get("n", 0),
            descuentos_recibidos=r.get("n") or 0,
            # round2: SQLite sums decimals as floats (886.410000000000); PostgreSQL's are exact already.
            importe_esperado=round2(e.get("total") or CERO),
            importe_recibido=round2(r.get("total") or CERO),
            aclaraciones=a.get("n", 0),
            adeudo_aclaraciones=round2(a.get("total") or CERO),
        )
        if (fila.remesas == 0 and fila.prestamos_esperados) or fila.diferencia > 0 or fila.aclaraciones:
            filas.append(fila)
    return sorted(filas, key=lambda f: (-(f.diferencia + f.adeudo_aclaraciones), f.dependencia.clave))


# --- Saldo a favor: where it came from (docs/reglas.md §6, §9) ----------------------------------------------

DIAS_HABILES_DEVOLUCION = 10  # a refund requested is paid within 10 business days (the date the page promises)


@dataclass(frozen=True)
class OrigenSaldo:
    """One movement that left money in the borrower's favour, in the borrower's words."""

    folio: str
    fecha: date
    importe: Decimal
    texto: str


def origenes_saldo_a_favor(vistas: list[VistaPrestamo]) -> list[OrigenSaldo]:
    """Each movement still standing that left saldo a favor, newest first: one query for all the loans."""
    por_pk = {v.prestamo.pk: v for v in vistas}
    if not por_pk:
        return []
    filas = list(
        Movimiento.objects.filter(prestamo_id__in=por_pk)
        # What can leave saldo a favor, and the reversals that may have taken it back.
        .filter(Q(excedente__gt=0) | Q(tipo=Movimiento.Tipo.REVERSION))
        .only("prestamo_id", "tipo", "fecha_valor", "importe", "excedente", "aplicacion", "origen", "revierte_id")
        .order_by("id")
    )
    origenes = []
    for m in posiciones.vigentes(filas):
        if m.excedente <= 0 or m.tipo == Movimiento.Tipo.ABONO_SALDO:
            continue
        vista = por_pk[m.prestamo_id]
        periodo = m.aplicacion.get("periodo")
        periodo = Periodo.parse(periodo) if periodo else None
        descripcion = periodo.con_articulo if periodo else ""
        pagador = (periodo or vista.primer_periodo).PALABRAS.pagador
        monto = formato_moneda(m.excedente)
        if m.tipo == Movimiento.Tipo.MORATORIO_DEVUELTO:
            texto = (f"Moratorios de {descripcion} devueltos ({monto}): tu aclaración probó que {pagador} sí "
                     "te descontó a tiempo.")
        elif m.aplicacion.get("exceso") and m.tipo == Movimiento.Tipo.ACLARACION:
            texto = f"Pago en exceso: tu aclaración de {descripcion} reconoció {monto} que ya habías pagado."
        elif m.aplicacion.get("exceso"):
            texto = f"Pago en exceso: la remesa de {descripcion} trajo {monto} que ya habías pagado."
        elif m.tipo in (Movimiento.Tipo.DESCUENTO, Movimiento.Tipo.ACLARACION):
            texto = f"Descuento de {descripcion or 'tu nómina'} después de liquidar tu préstamo ({monto})."
        else:
            texto = (f"Pagaste más de lo que debías ({monto}); por ejemplo, una liquidación antes de su vigencia: "
                     "el interés que no se generó es tuyo.")
        origenes.append(OrigenSaldo(folio=vista.prestamo.folio, fecha=m.fecha_valor, importe=m.excedente, texto=texto))
    return sorted(origenes, key=lambda o: o.fecha, reverse=True)

