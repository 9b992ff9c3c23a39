"""Issue 24, item 5 (docs/reglas.md §3, rev. 3): the CLABE of a refund asks for the password again and is told to
the account's e-mail; the owner can cancel a pending request and ask again with the right CLABE."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from recuperacion.devoluciones import devolucion_cancelar, devolucion_pagar, devolucion_solicitar
from recuperacion.models import SolicitudDevolucion
from tests.fabricas import CONTRASENA, FOLIO_ALICE
from tests.recuperacion import test_saldo_a_favor
from tests.recuperacion.test_saldo_a_favor import CLABE

liquidada_con_excedente = test_saldo_a_favor.liquidada_con_excedente  # Alice's loan paid off with saldo a favor

CLABE_LADRON = "002010077777777771"
CLABE_BUENA = "012180015041950012"


def pedir(cliente, clabe=CLABE, **extra):
    datos = {"prestamo": FOLIO_ALICE, "clabe": clabe, "titular": "Alicia García"}
    return cliente.post(reverse("saldo_a_favor"), datos, **extra)


def confirmar_contrasena(cliente, contrasena=CONTRASENA, *, pagina=None, **extra):
    """The "Confirma que eres tú" page, as the browser reaches it (with ?next= when a request was held)."""
    url = pagina or reverse("account_reauthenticate")
    assert "Confirma que eres tú" in cliente.get(url).content.decode()
    return cliente.post(url, {"password": contrasena}, **extra)


@pytest.mark.django_db
def test_a_stolen_session_cannot_send_the_refund_anywhere_without_the_password(
    liquidada_con_excedente, cliente_alice, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        respuesta = pedir(cliente_alice, CLABE_LADRON)
        assert respuesta.status_code == 302 and respuesta.url.startswith(reverse("account_reauthenticate"))
        assert confirmar_contrasena(cliente_alice, "no-la-se-2026", pagina=respuesta.url).status_code == 200
    assert not SolicitudDevolucion.objects.exists() and not mail.outbox


@pytest.mark.django_db
def test_with_the_password_the_request_goes_on_and_the_account_is_told(
    liquidada_con_excedente, cliente_alice, django_capture_on_commit_callbacks
):
    retenida = pedir(cliente_alice)
    with django_capture_on_commit_callbacks(execute=True):
        respuesta = confirmar_contrasena(cliente_alice, pagina=retenida.url, follow=True)
    assert "Recibimos tu solicitud" in respuesta.content.decode()
    solicitud = SolicitudDevolucion.objects.get()
    assert (solicitud.clabe, solicitud.estado) == (CLABE, "PENDIENTE")
    correo = mail.outbox[-1]
    assert correo.to == ["alice@ejemplo.mx"]
    assert "terminada en 9719" in correo.body and "Si no fuiste tú, llama al CAPP" in correo.body
    assert "55 4000 1000" in correo.body and CLABE not in correo.body


def reautenticada(cliente):
    confirmar_contrasena(cliente)
    return cliente


@pytest.mark.django_db
def test_the_owner_cancels_a_pending_request_and_asks_again_with_the_right_clabe(
    liquidada_con_excedente, cliente_alice, django_capture_on_commit_callbacks
):
    primera = devolucion_solicitar(prestamo=liquidada_con_excedente, clabe=CLABE_LADRON, titular="Alicia García")
    html = cliente_alice.get(reverse("saldo_a_favor")).content.decode()
    cancelar = reverse("saldo_a_favor_cancelar", args=[primera.pk])
    assert "En trámite" in html and f'action="{cancelar}"' in html and "Cancelar la solicitud" in html
    assert 'name="clabe"' not in html  # no second form while one is in process

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        respuesta = cliente_alice.post(cancelar, follow=True)
    assert "Cancelamos tu solicitud" in respuesta.content.decode()
    primera.refresh_from_db()
    assert primera.estado == SolicitudDevolucion.Estado.CANCELADA and primera.cancelada is not None
    assert "Cancelada" in respuesta.content.decode() and 'name="clabe"' in respuesta.content.decode()
    assert mail.outbox and "Si no fuiste tú, llama al CAPP" in mail.outbox[-1].body

    pedir(reautenticada(cliente_alice), CLABE_BUENA)
    nueva = SolicitudDevolucion.objects.get(estado="PENDIENTE")
    assert nueva.clabe == CLABE_BUENA and nueva.importe == primera.importe


@pytest.mark.django_db
def test_nobody_else_cancels_it_and_a_paid_or_cancelled_one_stays(liquidada_con_excedente, staff, client, bob):
    solicitud = devolucion_solicitar(prestamo=liquidada_con_excedente, clabe=CLABE, titular="Alicia García")
    client.force_login(bob.usuario)
    assert client.post(reverse("saldo_a_favor_cancelar", args=[solicitud.pk])).status_code == 404
    solicitud.refresh_from_db()
    assert solicitud.estado == "PENDIENTE"

    devolucion_cancelar(solicitud=solicitud, usuario=liquidada_con_excedente.derechohabiente.usuario)
    with pytest.raises(ValidationError, match="canceló"):
        devolucion_pagar(solicitud=solicitud, clave_rastreo="MBAN01002607200001", usuario=staff)
    with pytest.raises(ValidationError, match="ya no está en trámite"):
        devolucion_cancelar(solicitud=solicitud, usuario=liquidada_con_excedente.derechohabiente.usuario)


@pytest.mark.django_db
def test_the_bank_file_leaves_cancelled_requests_out(liquidada_con_excedente, cliente_staff):
    solicitud = devolucion_solicitar(prestamo=liquidada_con_excedente, clabe=CLABE_LADRON, titular="Alicia García")
    devolucion_cancelar(solicitud=solicitud, usuario=liquidada_con_excedente.derechohabiente.usuario)
    lista = reverse("admin:recuperacion_solicituddevolucion_changelist")
    csv = cliente_staff.post(lista, {"action": "exportar_pendientes", "_selected_action": [solicitud.pk]})
    assert CLABE_LADRON not in csv.content.decode()


@pytest.mark.django_db
def test_the_request_and_the_transfer_are_kept_on_the_avisos_page(
    liquidada_con_excedente, cliente_alice, staff, django_capture_on_commit_callbacks
):
    """SPEC §13: every notice e-mailed is on Avisos — the refund's request and its transfer among them."""
    retenida = pedir(cliente_alice)
    with django_capture_on_commit_callbacks(execute=True):
        confirmar_contrasena(cliente_alice, pagina=retenida.url)
    solicitud = SolicitudDevolucion.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        devolucion_pagar(solicitud=solicitud, clave_rastreo="MBAN01002606150001", usuario=staff)
    html = cliente_alice.get(reverse("avisos")).content.decode()
    assert mail.outbox[-1].subject in html and "MBAN01002606150001" in html
    assert html.index("te devolvimos tu saldo a favor") < html.index("solicitaste la devolución")  # newest first
