"""A stateful test: random sequences of remesas, FOPIs, bank payments and staff actions never create or
lose a centavo (money received = applied to loans + pending review + marked for refund) and never leave
a negative balance."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.db import connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from fopi.clabe import clabe_para
from fopi.models import DevolucionPago, Fopi, PagoBancario
from fopi.notificacion import Abono
from fopi.services import devolucion_pago_pagar, fopi_emitir, pago_aplicar_a_prestamo, pago_marcar_devolucion
from fopi.spei import abono_recibir
from oficina.importacion import ArchivoRechazado, importar_archivo, revertir_archivo
from prestamos import posiciones, reversion_en_bloque
from prestamos.calculo import Mes, Quincena
from prestamos.models import Movimiento, Prestamo
from recuperacion.models import SolicitudDevolucion
from tests.fabricas import CURP_ALICE, FOLIO_ALICE, cargar_prestamos

SUMA_CERO = D("0.00")
FOLIO_CORTO = "20000000009"
CURP_CARLOS = "RUCC800101HDFZRR02"


def _suma(qs, campo="importe"):
    return sum((getattr(x, campo) for x in qs), SUMA_CERO)


class Cartera(RuleBasedStateMachine):
    """Two loans of one dependencia living through random events: Alice's (the worked example from 2026-Q01)
    and Carlos's short one (1,000.00 in 4 periods, 2 paid when loaded), which reaches its payoff often: exact payoffs, a last
    deduction short by a centavo (written off), and moratorio factors that change on the way."""

    PERIODO = Quincena
    FILA = f"{FOLIO_ALICE},{CURP_ALICE},ORDINARIO,30000.00,11.50,48,2025-12-20,2026-Q01,VIGENTE,0,"
    FILA_CORTO = f"{FOLIO_CORTO},{CURP_CARLOS},ORDINARIO,1000.00,12.00,4,2025-12-20,2026-Q01,VIGENTE,2,"

    def __init__(self):
        super().__init__()
        self.punto = transaction.savepoint()
        self.hoy = date(2026, 1, 2)
        self.autorizacion = 0
        self.archivos: list[bytes] = []  # every file that loaded, to reverse one at random
        self.original = timezone.localdate
        timezone.localdate = lambda *a, **k: self.hoy

    def teardown(self):
        timezone.localdate = self.original
        transaction.savepoint_rollback(self.punto)

    @initialize()
    def cargar(self):
        from prestamos.models import Dependencia, Derechohabiente

        dependencia = Dependencia.objects.get_or_create(clave="SEP", defaults={"nombre": "SEP"})[0]
        Derechohabiente.objects.get_or_create(
            curp=CURP_ALICE, defaults={"nombre": "Alicia", "primer_apellido": "García", "dependencia": dependencia}
        )
        Derechohabiente.objects.get_or_create(
            curp=CURP_CARLOS, defaults={"nombre": "Carlos", "primer_apellido": "Ruiz", "dependencia": dependencia}
        )
        cargar_prestamos(self.FILA, self.FILA_CORTO)
        self.prestamo = Prestamo.objects.get(folio=FOLIO_ALICE)
        self.corto = Prestamo.objects.get(folio=FOLIO_CORTO)
        self.prestamos = [self.prestamo, self.corto]

    def _pagos(self, *filas):
        encabezado = "banco,autorizacion,fecha_pago,referencia,importe\n"
        contenido = (encabezado + "\n".join(filas) + "\n").encode()
        importar_archivo(contenido)
        self.archivos.append(contenido)

    @rule(dias=st.integers(min_value=1, max_value=90))
    def pasa_el_tiempo(self, dias):
        self.hoy += timedelta(days=dias)

    @rule(
        fraccion=st.sampled_from([D("1"), D("0.5"), D("0"), D("1.7")]),
        del_corto=st.sampled_from(["cuota", "exacto", "corto", "nada", "doble"]),
        atras=st.integers(min_value=0, max_value=3),
    )
    def llega_una_remesa(self, fraccion, del_corto, atras):
        """The SEP's remesa: Alice's row as a fraction of her cuota; Carlos's as his cuota, exactly what his
        oldest unpaid installment owes, a centavo less (the write-off when it is the last), or nothing."""
        quincena = self.PERIODO.de_fecha(self.hoy) - 1 - atras
        filas = []
        importe = (self.prestamo.cuota * fraccion).quantize(D("0.01"))
        if importe > 0:
            filas.append(f"SEP,{quincena},{FOLIO_ALICE},{CURP_ALICE},{importe}")
        posicion = posiciones.posicion(self.corto)
        debe = next((c.pendiente for c in posicion.vencidas_sin_pagar(quincena.vencimiento)), self.corto.cuota)
        corto = {
            "cuota": self.corto.cuota,
            "exacto": debe,
            "corto": debe - D("0.01"),
            "nada": D("0"),
            "doble": 2 * self.corto.cuota,
        }[del_corto]
        if corto > 0:
            filas.append(f"SEP,{quincena},{FOLIO_CORTO},{CURP_CARLOS},{corto}")
        if not filas:
            return
        encabezado = "clave_dependencia,quincena,folio,curp,importe\n"
        contenido = (encabezado + "\n".join(filas) + "\n").encode()
        try:
            importar_archivo(contenido)
        except ArchivoRechazado:
            pass  # e.g. a quincena before the loan existed, or re-sent with another amount: nothing written
        else:
            self.archivos.append(contenido)

    @rule(
        modo=st.sampled_from(["exacto", "corto", "corto por un peso", "corto por más"]),
        dias=st.integers(min_value=0, max_value=45),
    )
    def la_dependencia_descuenta_a_carlos_lo_que_debe(self, modo, dias):
        """Some days later, a remesa for the period of Carlos's oldest unpaid installment, for what it owes or
        a little less: on the last one, a centavo to 1.00 short is written off and the loan settles; more is
        a missing deduction."""
        self.hoy += timedelta(days=dias)
        posicion = posiciones.posicion(self.corto)
        sin_pagar = posicion.vencidas_sin_pagar(self.hoy)
        if posicion.liquidado or not sin_pagar:
            return
        cuota = sin_pagar[0]
        menos = {"exacto": D("0"), "corto": D("0.01"), "corto por un peso": D("1.00"), "corto por más": D("1.01")}[modo]
        if cuota.pendiente - menos <= 0:
            return
        contenido = (
            "clave_dependencia,quincena,folio,curp,importe\n"
            f"SEP,{cuota.periodo},{FOLIO_CORTO},{CURP_CARLOS},{cuota.pendiente - menos}\n"
        ).encode()
        try:
            importar_archivo(contenido)
        except ArchivoRechazado:
            pass  # that period's row already loaded
        else:
            self.archivos.append(contenido)

    @rule(corto=st.booleans())
    def abona_su_saldo_a_favor(self, corto):
        """The borrower applies a pago en exceso (or any saldo a favor) to the loan: "Abonar a capital"."""
        from django.core.exceptions import ValidationError

        from prestamos.services import prestamo_abonar_saldo

        try:
            prestamo_abonar_saldo(prestamo=self.corto if corto else self.prestamo, hoy=self.hoy)
        except ValidationError:
            pass  # no saldo a favor, or settled

    @rule(atras=st.integers(min_value=1, max_value=3), dias=st.integers(min_value=10, max_value=60))
    def regulariza_y_despues_llega_la_remesa(self, atras, dias):
        """Some days on, Alice regularizes what she owes by a FOPI paid today; then the SEP's remesa of that
        period arrives with her cuota anyway: a pago en exceso, saldo a favor (docs/reglas.md §6)."""
        from django.core.exceptions import ValidationError

        self.hoy += timedelta(days=dias)
        try:
            fopi = fopi_emitir(prestamo=self.prestamo, tipo="REGULARIZACION", hoy=self.hoy, incluir_pendientes=True)
        except ValidationError:
            return
        self.autorizacion += 1
        self._pagos(f"BBVA,A{self.autorizacion},{self.hoy},{fopi.referencia},{fopi.importe}")
        quincena = self.PERIODO.de_fecha(self.hoy) - atras
        contenido = (
            "clave_dependencia,quincena,folio,curp,importe\n"
            f"SEP,{quincena},{FOLIO_ALICE},{CURP_ALICE},{self.prestamo.cuota}\n"
        ).encode()
        try:
            importar_archivo(contenido)
        except ArchivoRechazado:
            pass
        else:
            self.archivos.append(contenido)

    @rule(dias=st.integers(min_value=1, max_value=40), factor=st.sampled_from([D("1.00"), D("1.50"), D("3.00")]))
    def supervision_cambia_el_factor(self, dias, factor):
        """A new moratorio factor from a later day: it prices only the days from then on."""
        from prestamos.models import ParametroMora

        ParametroMora.objects.update_or_create(
            vigente_desde=self.hoy + timedelta(days=dias), defaults={"dias_gracia": 20, "factor": factor}
        )

    @rule(corto=st.booleans())
    def liquida_antes_de_la_vigencia(self, corto):
        """A payoff slip charges interest to its vigencia: paid today, the difference is saldo a favor."""
        from django.core.exceptions import ValidationError

        try:
            fopi = fopi_emitir(prestamo=self.corto if corto else self.prestamo, tipo="LIQUIDACION", hoy=self.hoy)
        except ValidationError:
            return
        self.autorizacion += 1
        self._pagos(f"BBVA,A{self.autorizacion},{self.hoy},{fopi.referencia},{fopi.importe}")

    @precondition(lambda self: self.archivos)
    @rule(cual=st.integers(min_value=0, max_value=20))
    def se_revierte_un_archivo(self, cual):
        """Supervisión reverses a loaded file: the later movements are decided again."""
        from django.core.exceptions import ValidationError

        try:
            revertir_archivo(self.archivos[cual % len(self.archivos)], motivo="archivo equivocado")
        except (ArchivoRechazado, ValidationError):
            pass  # already reversed, or its money was already refunded: refused whole

    @rule(corto=st.booleans(), revertir=st.booleans(), dias=st.integers(min_value=0, max_value=3))
    def llega_la_remesa_de_la_cuota_mas_vieja(self, corto, revertir, dias):
        """The remesa of the oldest unpaid installment's period (on its due date or a few days on, if that is
        still to come), for exactly what it owes: untouched, an ordinary deduction (docs/reglas.md, "Remesas:
        la deducción ordinaria"); maybe reversed at once, while it is the loan's last movement (set-based on
        PostgreSQL, prestamos/reversion_en_bloque.py)."""
        prestamo = self.corto if corto else self.prestamo
        posicion = posiciones.posicion(prestamo)
        cuota = next((c for c in posicion.cuotas if c.pendiente > 0), None)
        if posicion.liquidado or cuota is None:
            return
        self.hoy = max(self.hoy, cuota.vencimiento + timedelta(days=dias))
        contenido = (
            "clave_dependencia,quincena,folio,curp,importe\n"
            f"SEP,{cuota.periodo},{prestamo.folio},{prestamo.derechohabiente.curp},{cuota.pendiente}\n"
        ).encode()
        try:
            importar_archivo(contenido)
        except ArchivoRechazado:
            return  # that period's row already loaded with another amount
        self.archivos.append(contenido)
        if revertir:
            self.se_revierte_el_ultimo_archivo()

    @precondition(lambda self: self.archivos)
    @rule()
    def se_revierte_el_ultimo_archivo(self):
        """The file just loaded is reversed: its movements are usually still their loans' last, which
        PostgreSQL reverses set-based (prestamos/reversion_en_bloque.py), the rest by the engine."""
        from django.core.exceptions import ValidationError

        try:
            revertir_archivo(self.archivos[-1], motivo="archivo equivocado")
        except (ArchivoRechazado, ValidationError):
            pass  # already reversed, or its money was already refunded

    @rule()
    def supervision_condona_moratorios(self):
        from django.core.exceptions import ValidationError

        from prestamos.correcciones import condonar_moratorios

        try:
            condonar_moratorios(prestamo=self.prestamo, motivo="condonación de prueba", usuario=None, hoy=self.hoy)
        except ValidationError:
            pass  # nothing owed

    @rule()
    def se_devuelve_el_saldo_a_favor(self):
        from recuperacion.devoluciones import devolucion_pagar, devolucion_solicitar

        if posiciones.posicion(self.prestamo).excedentes <= 0:
            return
        solicitud = devolucion_solicitar(prestamo=self.prestamo, clabe="032180000118359719", titular="Alicia García")
        devolucion_pagar(solicitud=solicitud, clave_rastreo=f"R{self.autorizacion}", usuario=None, hoy=self.hoy)

    @rule(
        tipo=st.sampled_from(["PARCIAL", "LIQUIDACION", "REGULARIZACION"]),
        importe=st.integers(min_value=100, max_value=40000),
        corto=st.booleans(),
    )
    def emite_un_fopi(self, tipo, importe, corto):
        from django.core.exceptions import ValidationError

        try:
            fopi_emitir(prestamo=self.corto if corto else self.prestamo, tipo=tipo, importe=D(importe), hoy=self.hoy)
        except ValidationError:
            pass

    @precondition(lambda self: Fopi.objects.exists())
    @rule(exacto=st.booleans(), tarde=st.booleans(), dos_veces=st.booleans())
    def paga_en_el_banco(self, exacto, tarde, dos_veces):
        fopi = Fopi.objects.order_by("-id").first()
        fecha = min(self.hoy, fopi.vigencia + timedelta(days=5 if tarde else 0))
        importe = fopi.importe if exacto else fopi.importe + D("1.00")
        filas = []
        for _ in range(2 if dos_veces else 1):
            self.autorizacion += 1
            filas.append(f"BBVA,A{self.autorizacion},{fecha},{fopi.referencia},{importe}")
        self._pagos(*filas)

    @precondition(lambda self: Fopi.objects.exists())
    @rule(exacto=st.booleans(), tarde=st.booleans(), repetido=st.booleans(), clabe_conocida=st.booleans())
    def transfiere_por_spei(self, exacto, tarde, repetido, clabe_conocida):
        """A SPEI deposit to the newest FOPI's CLABE (or to one no FOPI has), maybe delivered twice: it is
        a PagoBancario like a bank's, so the invariant below counts it."""
        fopi = Fopi.objects.order_by("-id").first()
        self.rastreo = getattr(self, "rastreo", 0) + 1
        abono = Abono(
            id=str(self.rastreo),
            fecha_operacion=min(self.hoy, fopi.vigencia + timedelta(days=5 if tarde else 0)),
            institucion_ordenante="40012",
            clave_rastreo=f"SPEI{self.rastreo:08d}",
            monto=fopi.importe if exacto or fopi.importe <= D("0.01") else fopi.importe - D("0.01"),
            cuenta_beneficiario=fopi.clabe if clabe_conocida else clabe_para(9_999_999),
            nombre_ordenante="ALICIA GARCIA",
            cuenta_ordenante="012180004567891234",
            concepto_pago=fopi.referencia,
        )
        for _ in range(2 if repetido else 1):
            abono_recibir(abono=abono, hoy=self.hoy)

    @precondition(lambda self: PagoBancario.objects.filter(estado="EN_REVISION").exists())
    @rule(aplicar=st.booleans())
    def el_capp_resuelve(self, aplicar):
        from django.contrib.auth import get_user_model

        usuario = get_user_model().objects.get_or_create(username="capp-maquina", defaults={"is_staff": True})[0]
        pago = PagoBancario.objects.filter(estado="EN_REVISION").first()
        if aplicar:
            pago_aplicar_a_prestamo(pago=pago, prestamo=self.prestamo, usuario=usuario, motivo="revisado")
        else:
            pago_marcar_devolucion(pago=pago, usuario=usuario, motivo="revisado")

    @precondition(lambda self: DevolucionPago.objects.filter(estado="PENDIENTE").exists())
    @rule()
    def operacion_devuelve_un_pago(self):
        """A payment marked for refund is paid back by SPEI (docs/reglas.md §13): it never entered the ledger, so
        nothing is booked there; the invariant below still counts it among the money marked for refund."""
        from django.contrib.auth import get_user_model

        usuario = get_user_model().objects.get_or_create(username="capp-maquina", defaults={"is_staff": True})[0]
        devolucion_pago_pagar(
            devolucion=DevolucionPago.objects.filter(estado="PENDIENTE").first(),
            clave_rastreo=f"DEV{self.hoy:%Y%m%d}",
            usuario=usuario,
            cuenta="032180000118359719",
        )

    @rule(procede=st.booleans(), atras=st.integers(min_value=0, max_value=3))
    def una_aclaracion_se_resuelve(self, procede, atras):
        """A payslip shows a deduction the ledger lacks; Operación resolves the aclaración. Procedente books
        it as money received, as of its quincena's due date (docs/reglas.md §10)."""
        from django.contrib.auth import get_user_model
        from django.core.exceptions import ValidationError

        from recuperacion.aclaraciones import aclaracion_presentar, aclaracion_resolver
        from recuperacion.talones import PDF, Talon

        usuario = get_user_model().objects.get_or_create(username="capp-maquina", defaults={"is_staff": True})[0]
        talon = Talon(contenido=b"%PDF-1.4\n%%EOF\n", tipo=PDF, nombre="talon.pdf", sha256="0" * 64)
        try:
            aclaracion = aclaracion_presentar(
                prestamo=self.prestamo,
                quincena=self.PERIODO.de_fecha(self.hoy) - 1 - atras,
                importe=self.prestamo.cuota,
                talon=talon,
                hoy=self.hoy,
            )
        except ValidationError:
            return  # paid off, a quincena before the loan began, or already recognised
        aclaracion_resolver(
            aclaracion=aclaracion,
            procedente=procede,
            respuesta="Revisada con la remesa de la dependencia.",
            usuario=usuario,
            hoy=self.hoy,
        )

    @rule(atras=st.integers(min_value=0, max_value=3), importe_distinto=st.booleans())
    def un_cfdi_resuelve_la_aclaracion_solo(self, atras, importe_distinto):
        """The borrower uploads her payslip's CFDI: genuine and for the installment due, the aclaración is
        Procedente on the spot when the remesa lacks the deduction (docs/reglas.md §18); an amount that
        differs leaves it in Operación's queue with nothing booked."""
        from django.core.exceptions import ValidationError

        from prestamos.models import Dependencia
        from recuperacion import cfdi
        from recuperacion.aclaraciones import XmlCfdi, aclaracion_presentar
        from recuperacion.models import DeduccionPrestamo
        from tests.recuperacion import cfdi_fabrica

        llaves = cfdi_fabrica.llaves("SEP850101AB1")
        sep = self.prestamo.dependencia
        Dependencia.objects.filter(pk=sep.pk).update(rfc="SEP850101AB1")
        DeduccionPrestamo.objects.get_or_create(dependencia=sep)
        periodo = self.PERIODO.de_fecha(self.hoy) - 1 - atras
        if periodo < self.prestamo.primera_quincena:
            return
        derechohabiente = self.prestamo.derechohabiente
        recibo = cfdi_fabrica.recibo(
            llaves=llaves,
            receptor_rfc=derechohabiente.rfc or "XAXX010101000",
            curp=derechohabiente.curp,
            fecha_pago=periodo.vencimiento.isoformat(),
            inicial=periodo.inicio.isoformat(),
            final=periodo.vencimiento.isoformat(),
            importe=self.prestamo.cuota + (1 if importe_distinto else 0),
        )
        contenido = cfdi_fabrica.xml(recibo)
        verificado = cfdi.verificar(
            contenido, almacen=[llaves.ac], certificados_pac={cfdi.no_certificado(llaves.pac): llaves.pac}
        )
        try:
            aclaracion_presentar(
                prestamo=self.prestamo,
                quincena=periodo,
                importe=self.prestamo.cuota,
                cfdi=XmlCfdi(contenido, verificado),
                hoy=self.hoy,
            )
        except ValidationError:
            return  # paid off, or that period already has its aclaración

    @invariant()
    def no_se_crea_ni_se_pierde_un_centavo(self):
        """received = applied + saldo a favor + refunded + in review, counting only what a reversal has
        not taken back (docs/reglas.md §9). A write-off ("Ajuste por redondeo") is not money received."""
        if not hasattr(self, "prestamo"):
            return
        aplicado_banco = SUMA_CERO
        for prestamo in self.prestamos:
            libro = list(Movimiento.objects.filter(prestamo=prestamo).order_by("id"))
            vigentes = posiciones.vigentes(libro)
            por_id = {m.id: m for m in libro}
            for m in libro:
                # Every row's importe is split whole; money sent back (a refund) is `devuelto`, none of the
                # columns, and only a refund — or the reversal entry that mirrors one — carries it (§9).
                devuelto_aqui = posiciones.aplicacion_de(m).devuelto
                assert m.importe == m.moratorios + m.interes + m.capital + m.excedente + devuelto_aqui
                refleja = por_id[m.revierte_id] if m.tipo == Movimiento.Tipo.REVERSION else m
                if refleja.tipo == Movimiento.Tipo.DEVOLUCION:
                    assert devuelto_aqui == m.importe > 0
                else:
                    assert devuelto_aqui == 0
                if m.tipo == Movimiento.Tipo.AJUSTE:
                    assert m.importe <= D("1.00") and m.excedente == 0
            for r in (m for m in libro if m.tipo == Movimiento.Tipo.REVERSION):
                o = por_id[r.revierte_id]
                assert (r.fecha_valor, r.importe, r.moratorios, r.interes, r.capital, r.excedente, r.aplicacion) == (
                    o.fecha_valor,
                    o.importe,
                    o.moratorios,
                    o.interes,
                    o.capital,
                    o.excedente,
                    o.aplicacion,
                )
                # A refund is never un-sent: a reversed one is booked again, same amount and date (or the
                # reversal was refused whole and wrote nothing).
                if o.tipo == Movimiento.Tipo.DEVOLUCION:
                    otra = [m for m in libro if m.reaplica_id == o.id]
                    assert [(m.tipo, m.importe, m.fecha_valor) for m in otra] == [(o.tipo, o.importe, o.fecha_valor)]
            # What the ledger says went back is what Operación paid back by SPEI.
            pagadas = SolicitudDevolucion.objects.filter(prestamo=prestamo, estado=SolicitudDevolucion.Estado.PAGADA)
            assert _suma(m for m in vigentes if m.tipo == Movimiento.Tipo.DEVOLUCION) == _suma(pagadas)
            # Each paid request names a refund in force (the one booked again after a reversal), its own.
            en_vigor = {m.id: m for m in vigentes if m.tipo == Movimiento.Tipo.DEVOLUCION}
            assert sorted(en_vigor) == sorted(s.movimiento_id for s in pagadas)
            assert all(en_vigor[s.movimiento_id].importe == s.importe for s in pagadas)
            recibidos = [m for m in vigentes if m.tipo in Movimiento.RECIBIDOS]
            recibido = _suma(recibidos)
            aplicado = sum((m.moratorios + m.interes + m.capital for m in recibidos), SUMA_CERO)
            # Money that moves inside the loan, none coming in or going out (docs/reglas.md §6, §10): saldo a
            # favor applied at the borrower's request, and moratorios an aclaración proved undue, back to it.
            aplicado += sum(
                (m.moratorios + m.interes + m.capital for m in vigentes if m.tipo == Movimiento.Tipo.ABONO_SALDO),
                SUMA_CERO,
            )
            aplicado -= _suma(m for m in vigentes if m.tipo == Movimiento.Tipo.MORATORIO_DEVUELTO)
            devuelto = _suma(m for m in vigentes if m.tipo == Movimiento.Tipo.DEVOLUCION)
            saldo_a_favor = posiciones.posicion(prestamo, reproducir=True).excedentes
            assert saldo_a_favor >= 0
            assert recibido == aplicado + saldo_a_favor + devuelto
            aplicado_banco += _suma(m for m in vigentes if m.tipo in ("PAGO", "PAGO_CAPP", "PAGO_SPEI"))

        cargados = PagoBancario.objects.exclude(estado="REVERTIDO")
        recibido_banco = _suma(cargados)
        en_revision = _suma(cargados.filter(estado__in=["EN_REVISION", "DEVOLUCION"]))
        assert recibido_banco == aplicado_banco + en_revision
        # Each payment marked for refund has its refund, for the same amount, paid back or pending.
        marcados = cargados.filter(estado="DEVOLUCION")
        assert DevolucionPago.objects.filter(pago__in=marcados).count() == marcados.count()
        assert _suma(DevolucionPago.objects.all()) == _suma(marcados)

    @invariant()
    def la_instantanea_es_el_libro(self):
        if not hasattr(self, "prestamo"):
            return
        for p in self.prestamos:
            prestamo = Prestamo.objects.get(pk=p.pk)
            assert posiciones.posicion(prestamo) == posiciones.posicion(prestamo, reproducir=True)

    @invariant()
    def ningun_saldo_negativo(self):
        if not hasattr(self, "prestamo"):
            return
        for prestamo in self.prestamos:
            posicion = posiciones.posicion(prestamo, reproducir=True)
            contexto = posiciones.contexto(prestamo, self.hoy)
            assert posicion.capital_insoluto >= 0
            assert posicion.saldo_deudor_total(self.hoy, contexto) >= 0
            assert all(c.pendiente >= 0 for c in posicion.cuotas)
            assert posicion.capital_insoluto == sum(c.pendiente_capital for c in posicion.cuotas)

    @invariant()
    def sin_capital_ni_deuda_es_liquidado(self):
        """An exact payoff settles: no loan is left VIGENTE owing nothing (docs/reglas.md §5)."""
        if not hasattr(self, "prestamo"):
            return
        for p in self.prestamos:
            prestamo = Prestamo.objects.get(pk=p.pk)
            posicion = posiciones.posicion(prestamo)
            if posicion.capital_insoluto == 0:
                assert posicion.liquidado and prestamo.estado == "LIQUIDADO"


class CarteraMensual(Cartera):
    """The same events for a pensioner's monthly loan (docs/reglas.md §12): the worked example in months."""

    PERIODO = Mes
    FILA = f"{FOLIO_ALICE},{CURP_ALICE},ORDINARIO,30000.00,11.50,24,2025-12-20,2026-M01,VIGENTE,0,"
    FILA_CORTO = f"{FOLIO_CORTO},{CURP_CARLOS},ORDINARIO,1000.00,12.00,4,2025-12-20,2026-M01,VIGENTE,2,"


@pytest.mark.django_db
@pytest.mark.parametrize("maquina", [Cartera, CarteraMensual], ids=["quincenal", "mensual"])
def test_it_conserves_money_through_random_sequences(alice, maquina, monkeypatch):
    clasificar, rapidas = reversion_en_bloque.clasificar, []
    monkeypatch.setattr(
        reversion_en_bloque,
        "clasificar",
        lambda cursor, **datos: rapidas.append(clasificar(cursor, **datos)) or rapidas[-1],
    )
    run_state_machine_as_test(
        maquina,
        settings=settings(
            max_examples=50,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
    if connection.vendor == "postgresql":
        assert sum(rapidas) > 0, "no sequence reversed a movement set-based"
