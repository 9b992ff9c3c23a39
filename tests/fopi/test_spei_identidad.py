"""A SPEI deposit is identified by (institucionOrdenante, claveRastreo, fechaOperacion) (docs/reglas.md §11,
rev. 3): a redelivery is confirmed and records nothing; other data under a known identity, or a CLABE no FOPI
ever had, is answered "devolver" with STP's cause and shown to Operación as an alert; the same clave de
rastreo from another bank, or on another day, is another deposit."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from fopi.clabe import clabe_para
from fopi.models import AlertaSpei, PagoBancario
from fopi.services import fopi_emitir
from fopi.spei import CAUSA_BENEFICIARIO_NO_RECONOCE, CAUSA_CUENTA_INEXISTENTE
from prestamos.models import Movimiento
from tests.accounts.datos import con_segundo_factor
from tests.fabricas import CONTRASENA
from tests.fopi.abonos import SECRETO, del_dia, enviar, notificacion

HOY = date(2026, 6, 5)
DESCONOCIDA = clabe_para(9_999_999)  # a valid CLABE of ours that no FOPI ever had


@pytest.fixture(autouse=True)
def _secreto(settings):
    settings.SPEI_SECRETO = SECRETO


@pytest.fixture
def fopi(prestamo_alice, hoy):
    hoy(date(2026, 6, 10))
    return fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("1500.00"), hoy=HOY)


def devolver(causa: int) -> dict:
    return {"mensaje": "devolver", "id": causa}


def test_the_causes_are_stps_catalogue_numbers():
    assert (CAUSA_CUENTA_INEXISTENTE, CAUSA_BENEFICIARIO_NO_RECONOCE) == (1, 13)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "cambios, diferencia",
    [
        ({"monto": 99.0}, "importe"),
        ({"cuentaOrdenante": "002180700012345678"}, "cuenta ordenante"),
        ({"cuentaBeneficiario": "CLABE_OTRO_FOPI"}, "CLABE"),
    ],
)
def test_other_data_under_a_known_identity_is_returned_and_alerted(client, fopi, prestamo_alice, cambios, diferencia):
    enviar(client, notificacion(fopi))
    if cambios.get("cuentaBeneficiario") == "CLABE_OTRO_FOPI":
        otro = fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("900.00"), hoy=HOY)
        cambios = {"cuentaBeneficiario": otro.clabe, "monto": 900.0}

    respuesta = enviar(client, notificacion(fopi, id=7654321, **cambios))

    assert respuesta.status_code == 200 and respuesta.json() == devolver(13)
    assert PagoBancario.objects.count() == 1 and Movimiento.objects.filter(tipo="PAGO_SPEI").count() == 1
    alerta = AlertaSpei.objects.get()
    assert (alerta.causa, alerta.clave_rastreo, alerta.institucion_ordenante) == (13, "MBAN01002606100000001", "40012")
    assert alerta.pago == PagoBancario.objects.get() and alerta.id_spei == "7654321"
    assert diferencia in alerta.motivo


@pytest.mark.django_db
def test_a_returned_notification_delivered_again_is_answered_the_same_and_alerted_once(client, fopi):
    enviar(client, notificacion(fopi))
    otra = notificacion(fopi, monto=99.0)
    assert enviar(client, otra).json() == enviar(client, otra).json() == devolver(13)
    assert AlertaSpei.objects.count() == 1 and PagoBancario.objects.count() == 1


@pytest.mark.django_db
def test_the_same_data_again_is_a_redelivery_confirmed_with_nothing_new(client, fopi):
    enviar(client, notificacion(fopi))
    # The bank retries with the same deposit; names and concept may come formatted otherwise.
    respuesta = enviar(client, notificacion(fopi, nombreOrdenante="Alicia  Garcia", conceptoPago="pago"))
    assert respuesta.json() == {"mensaje": "confirmar"}
    assert PagoBancario.objects.count() == 1 and not AlertaSpei.objects.exists()


@pytest.mark.django_db
def test_the_same_clave_de_rastreo_from_another_bank_is_another_deposit(client, fopi):
    enviar(client, notificacion(fopi))
    respuesta = enviar(client, notificacion(fopi, institucionOrdenante=40072))

    assert respuesta.json() == {"mensaje": "confirmar"}
    pagos = list(PagoBancario.objects.order_by("id"))
    assert [(p.banco, p.clave_rastreo, p.estado) for p in pagos] == [
        ("BBVA MEXICO", "MBAN01002606100000001", "APLICADO"),
        ("BANORTE", "MBAN01002606100000001", "EN_REVISION"),
    ]
    assert pagos[1].motivo == "Segundo pago del mismo FOPI" and not AlertaSpei.objects.exists()


@pytest.mark.django_db
def test_the_same_clave_de_rastreo_on_another_day_is_another_deposit(client, fopi):
    enviar(client, notificacion(fopi))
    respuesta = enviar(client, notificacion(fopi, fechaOperacion=del_dia(11)))
    assert respuesta.json() == {"mensaje": "confirmar"} and PagoBancario.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("clabe", [DESCONOCIDA, DESCONOCIDA[:-1] + str((int(DESCONOCIDA[-1]) + 1) % 10), "12345"])
def test_a_clabe_no_fopi_ever_had_is_returned_as_cuenta_inexistente(client, fopi, clabe):
    respuesta = enviar(client, notificacion(fopi, cuentaBeneficiario=clabe))

    assert respuesta.status_code == 200 and respuesta.json() == devolver(1)
    assert not PagoBancario.objects.exists()
    alerta = AlertaSpei.objects.get()
    assert (alerta.causa, alerta.cuenta_beneficiario, alerta.monto, alerta.pago) == (1, clabe, D("1500.00"), None)
    assert alerta.get_causa_display() == "Cuenta inexistente"


@pytest.mark.django_db
def test_a_cancelled_fopis_clabe_is_not_inexistent_its_deposit_waits_for_review(client, fopi, prestamo_alice):
    fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("900.00"), hoy=HOY)  # cancels `fopi`
    assert enviar(client, notificacion(fopi)).json() == {"mensaje": "confirmar"}
    assert PagoBancario.objects.get().estado == "EN_REVISION" and not AlertaSpei.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_transfers_under_one_identity_to_two_loans_at_once_record_one_and_return_the_other(
    prestamo_alice, prestamo_bob, hoy
):
    from django.test import Client

    from tests.fabricas import a_la_vez

    hoy(date(2026, 6, 10))
    de_alice = fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("1500.00"), hoy=HOY)
    de_bob = fopi_emitir(prestamo=prestamo_bob, tipo="PARCIAL", importe=D("800.00"), hoy=HOY)
    envios = iter([notificacion(de_alice), notificacion(de_bob)])

    respuestas, errores = a_la_vez(lambda: enviar(Client(), next(envios)), veces=2)

    assert errores == []
    assert sorted(r.json()["mensaje"] for r in respuestas) == ["confirmar", "devolver"]
    assert PagoBancario.objects.count() == 1 and AlertaSpei.objects.get().causa == 13
    assert Movimiento.objects.filter(tipo="PAGO_SPEI").count() == 1


# --- what Operación sees ----------------------------------------------------------------------------------


@pytest.fixture
def con_rol(client, django_user_model):
    def entrar(rol: str):
        usuario = django_user_model.objects.create_user(username=f"capp-{rol}", password=CONTRASENA, is_staff=True)
        usuario.groups.add(Group.objects.get(name=rol))
        return con_segundo_factor(client, usuario)

    return entrar


@pytest.mark.django_db
@pytest.mark.parametrize("rol", ["Operación", "Supervisión", "Consulta"])
def test_staff_read_the_alerts_in_the_admin_and_nobody_edits_them(client, fopi, con_rol, rol):
    enviar(client, notificacion(fopi, cuentaBeneficiario=DESCONOCIDA, nombreOrdenante="JUAN PEREZ"))
    cliente = con_rol(rol)
    lista = cliente.get(reverse("admin:fopi_alertaspei_changelist"))
    html = lista.content.decode()
    assert lista.status_code == 200 and "Alertas SPEI" in html
    assert "Cuenta inexistente" in html and DESCONOCIDA in html and "$1,500.00" in html
    alerta = AlertaSpei.objects.get()
    assert cliente.get(reverse("admin:fopi_alertaspei_change", args=[alerta.pk])).status_code == 200
    assert cliente.get(reverse("admin:fopi_alertaspei_add")).status_code == 403
    assert cliente.get(reverse("admin:fopi_alertaspei_delete", args=[alerta.pk])).status_code == 403
