"""A remesa reversed after a refund of saldo a favor (docs/reglas.md §9, "Reversión antes de una devolución").

The refund is money already sent back to the borrower: a reversal cannot un-send it. The engine reverses the
refund's row like every later movement and books it again, for the same amount, when the saldo a favor still
covers it without the reversed money; when it does not, the whole reversal is refused and nothing is written.
The reversal entry of a refund mirrors it: its importe is `devuelto` (in the allocation), none of moratorios,
interés, capital or excedente — the row the conservation machine found on the monthly loan.
"""

import importlib
from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from fopi.services import fopi_emitir
from oficina.importacion import importar_archivo, revertir_archivo
from prestamos import posiciones
from prestamos.models import ArchivoAplicado, Movimiento, Prestamo
from recuperacion.devoluciones import devolucion_pagar, devolucion_solicitar
from recuperacion.models import SolicitudDevolucion
from tests.fabricas import CURP_ALICE, FOLIO_ALICE, cargar_prestamos

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

CUOTA = D("1405.21")  # 30,000.00 at 11.50 % in 24 months (docs/reglas.md §12)
REMESA = "clave_dependencia,quincena,folio,curp,importe\n"


def _remesa(periodo: str, importe: D) -> bytes:
    return (REMESA + f"SEP,{periodo},{FOLIO_ALICE},{CURP_ALICE},{importe}\n").encode()


def _dos_remesas_y_la_devolucion(prestamo, hoy) -> tuple[bytes, bytes, SolicitudDevolucion]:
    """February's and March's remesas loaded after the refund's money arrived, then the refund paid on 31 March."""
    hoy(date(2026, 3, 31))
    febrero, marzo = _remesa("2026-M02", CUOTA), _remesa("2026-M03", CUOTA)
    importar_archivo(febrero)
    importar_archivo(marzo)
    return febrero, marzo, _devolver(prestamo, date(2026, 3, 31))


def _devolver(prestamo, hoy) -> SolicitudDevolucion:
    solicitud = devolucion_solicitar(prestamo=prestamo, clabe="032180000118359719", titular="Alicia García")
    return devolucion_pagar(solicitud=solicitud, clave_rastreo="RASTREO1", usuario=None, hoy=hoy)


@pytest.fixture
def pago_en_exceso_devuelto(alice, hoy):
    """Alice's monthly loan from 2026-M01. On 03/02 she regularizes January with a FOPI, then the January
    remesa brings her cuota anyway: a pago en exceso, 1,405.21 of saldo a favor (docs/reglas.md §6)."""
    cargar_prestamos(f"{FOLIO_ALICE},{CURP_ALICE},ORDINARIO,30000.00,11.50,24,2025-12-20,2026-M01,VIGENTE,0,")
    prestamo = Prestamo.objects.get(folio=FOLIO_ALICE)
    assert prestamo.cuota == CUOTA
    hoy(date(2026, 2, 3))
    fopi = fopi_emitir(prestamo=prestamo, tipo="REGULARIZACION", hoy=date(2026, 2, 3), incluir_pendientes=True)
    assert fopi.importe == D("1424.06")  # what it pays beyond January's cuota goes to capital
    importar_archivo(
        f"banco,autorizacion,fecha_pago,referencia,importe\nBBVA,A1,2026-02-03,{fopi.referencia},{fopi.importe}\n".encode()
    )
    enero = _remesa("2026-M01", CUOTA)
    importar_archivo(enero)
    assert posiciones.posicion(prestamo).excedentes == CUOTA
    return prestamo, enero


def _filas(prestamo) -> list[Movimiento]:
    return list(Movimiento.objects.filter(prestamo=prestamo).order_by("id"))


def test_a_remesa_reversed_after_a_refund_books_the_refund_again(pago_en_exceso_devuelto, hoy):
    prestamo, _ = pago_en_exceso_devuelto
    hoy(date(2026, 2, 28))
    febrero = _remesa("2026-M02", CUOTA)
    importar_archivo(febrero)  # February's installment, paid on its due date
    solicitud = _devolver(prestamo, date(2026, 2, 28))  # the January excess goes back by SPEI
    devolucion = solicitud.movimiento
    antes = len(_filas(prestamo))

    revertir_archivo(febrero, motivo="archivo equivocado")

    nuevas = _filas(prestamo)[antes:]
    # The February deduction and the later refund are reversed; the refund is booked again, the deduction not.
    assert [(m.tipo, m.importe) for m in nuevas] == [
        (Movimiento.Tipo.REVERSION, CUOTA),
        (Movimiento.Tipo.REVERSION, CUOTA),
        (Movimiento.Tipo.DEVOLUCION, CUOTA),
    ]
    del_descuento, de_la_devolucion, otra_vez = nuevas
    assert (del_descuento.interes, del_descuento.capital) == (D("276.61"), D("1128.60"))  # installment 2
    # The reversal of the refund: its importe is not split into moratorios + interés + capital + excedente
    # (the "zero allocation" the machine found) because it is `devuelto`, exactly as the refund it mirrors.
    assert de_la_devolucion.revierte_id == devolucion.pk
    assert (
        (de_la_devolucion.moratorios, de_la_devolucion.interes, de_la_devolucion.capital, de_la_devolucion.excedente)
        == (0, 0, 0, 0)
        != (de_la_devolucion.importe,)
    )
    assert de_la_devolucion.aplicacion == devolucion.aplicacion == {**devolucion.aplicacion, "devuelto": str(CUOTA)}
    assert de_la_devolucion.fecha_valor == devolucion.fecha_valor
    # The money sent back stays sent back: the same refund, same amount and date, naming the one it replaces.
    assert (otra_vez.reaplica_id, otra_vez.importe, otra_vez.fecha_valor) == (devolucion.pk, CUOTA, date(2026, 2, 28))
    assert posiciones.aplicacion_de(otra_vez).devuelto == CUOTA
    # The request Operación paid names the refund in force, not the reversed row (the admin links to it).
    solicitud.refresh_from_db()
    assert solicitud.movimiento_id == otra_vez.pk != devolucion.pk

    # Conservation: received = applied + saldo a favor + refunded, counting what is in force.
    vigentes = posiciones.vigentes(_filas(prestamo))
    recibidos = [m for m in vigentes if m.tipo in Movimiento.RECIBIDOS]
    aplicado = sum((m.moratorios + m.interes + m.capital for m in recibidos), D("0"))
    devuelto = sum((posiciones.aplicacion_de(m).devuelto for m in vigentes), D("0"))
    posicion = posiciones.posicion(prestamo, reproducir=True)
    assert devuelto == CUOTA and posicion.excedentes == 0
    assert sum((m.importe for m in recibidos), D("0")) == aplicado + posicion.excedentes + devuelto
    # February is owed again (the borrower, not the refund, carries the reversed money), and the snapshot agrees.
    assert posicion.cuotas[1].pendiente == CUOTA
    assert posiciones.posicion(prestamo) == posicion


def test_a_second_reversal_keeps_the_request_on_the_refund_in_force(pago_en_exceso_devuelto, hoy):
    """Two remesas after the refund's money arrived, the refund, then each remesa reversed: the refund is
    booked a second and a third time, and the paid request follows it each time."""
    prestamo, _ = pago_en_exceso_devuelto
    febrero, marzo, solicitud = _dos_remesas_y_la_devolucion(prestamo, hoy)
    primera = solicitud.movimiento

    revertir_archivo(marzo, motivo="archivo equivocado")
    segunda = Movimiento.objects.get(reaplica=primera)
    solicitud.refresh_from_db()
    assert solicitud.movimiento_id == segunda.pk

    revertir_archivo(febrero, motivo="archivo equivocado")
    tercera = Movimiento.objects.get(reaplica=segunda)
    solicitud.refresh_from_db()
    assert solicitud.movimiento_id == tercera.pk
    # The one it names is the only refund in force, for what was paid by SPEI, with the request's date.
    en_vigor = [m for m in posiciones.vigentes(_filas(prestamo)) if m.tipo == Movimiento.Tipo.DEVOLUCION]
    assert [(m.pk, m.importe, m.fecha_valor) for m in en_vigor] == [(tercera.pk, solicitud.importe, date(2026, 3, 31))]
    assert Movimiento.objects.filter(revierte__in=[primera, segunda]).count() == 2


def test_a_remesa_whose_excess_was_refunded_cannot_be_reversed(pago_en_exceso_devuelto, hoy):
    prestamo, enero = pago_en_exceso_devuelto
    hoy(date(2026, 2, 10))
    _devolver(prestamo, date(2026, 2, 10))
    antes = [(m.pk, m.tipo, m.importe) for m in _filas(prestamo)]

    with pytest.raises(ValidationError, match="ya devolvió \\$1,405.21 de saldo a favor"):
        revertir_archivo(enero, motivo="la SEP no descontó enero")

    # Refused whole: not a row written, the file still applied, the refund still the only one.
    assert [(m.pk, m.tipo, m.importe) for m in _filas(prestamo)] == antes
    assert not ArchivoAplicado.objects.filter(revertido__isnull=False).exists()
    assert SolicitudDevolucion.objects.get().movimiento.reversion.count() == 0
    assert posiciones.posicion(prestamo) == posiciones.posicion(prestamo, reproducir=True)


def test_the_data_migration_moves_an_old_request_to_the_refund_in_force_and_back(pago_en_exceso_devuelto, hoy):
    """Requests paid before the pointer followed re-bookings (recuperacion/migrations/0011): forward they name
    the refund in force, backwards their chain's first DEVOLUCION again; running it twice changes nothing."""
    from django.apps import apps

    migracion = importlib.import_module("recuperacion.migrations.0011_devolucion_sigue_reasentada")
    prestamo, _ = pago_en_exceso_devuelto
    febrero, marzo, solicitud = _dos_remesas_y_la_devolucion(prestamo, hoy)
    primera = solicitud.movimiento
    revertir_archivo(marzo, motivo="archivo equivocado")
    revertir_archivo(febrero, motivo="archivo equivocado")
    tercera = Movimiento.objects.get(reaplica__reaplica=primera)
    # Another paid request whose refund was never reversed stays where it is.
    otra = SolicitudDevolucion.objects.create(
        prestamo=prestamo,
        importe=D("1.00"),
        clabe="032180000118359719",
        titular="Otra",
        estado="PAGADA",
        movimiento=Movimiento.objects.filter(prestamo=prestamo, tipo=Movimiento.Tipo.DESCUENTO).first(),
    )
    SolicitudDevolucion.objects.filter(pk=solicitud.pk).update(movimiento=primera)  # as the old code left it

    def apuntan():
        return list(SolicitudDevolucion.objects.order_by("pk").values_list("movimiento_id", flat=True))

    migracion.seguir(apps, None)
    assert apuntan() == [tercera.pk, otra.movimiento_id]
    migracion.seguir(apps, None)
    assert apuntan() == [tercera.pk, otra.movimiento_id]
    migracion.volver(apps, None)
    assert apuntan() == [primera.pk, otra.movimiento_id]
    migracion.volver(apps, None)
    assert apuntan() == [primera.pk, otra.movimiento_id]
