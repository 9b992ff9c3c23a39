"""Issue 24, item 2 (docs/reglas.md §3, rev. 3): the RFC is guessable, so failed RFC attempts count per CURP,
whatever the client; after 5 the CURP's registration is closed until Supervisión reopens it, with a reason."""

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.models import IntentosRegistro, ReaperturaRegistro
from accounts.roles import CONSULTA, OPERACION, SUPERVISION
from prestamos.models import Derechohabiente
from tests.accounts.datos import RFC_ANA, con_segundo_factor
from tests.accounts.test_registro import datos_registro
from tests.fabricas import CONTRASENA, CURP_ANA, a_la_vez

User = get_user_model()
RFC_MALOS = ["LOSA820420TR6", "LOSA820420TR7", "LOSA820420TR8", "LOSA820420TR9", "LOSA820420TRA", "LOSA820420TRB"]


def registrar(rfc: str, *, ip: str, **cambios):
    """A registration attempt from its own client and address: the per-client limits never see it twice."""
    return Client(REMOTE_ADDR=ip).post(reverse("account_signup"), datos_registro(rfc=rfc, **cambios))


def errores(respuesta) -> dict:
    return {campo: [str(e) for e in lista] for campo, lista in respuesta.context["form"].errors.items()}


def fallar(veces: int) -> None:
    for n in range(veces):
        assert registrar(RFC_MALOS[n % len(RFC_MALOS)], ip=f"198.51.100.{n}").status_code == 200


@pytest.mark.django_db
def test_four_wrong_rfcs_from_any_clients_still_let_the_owner_register(ana):
    fallar(4)
    assert registrar(RFC_ANA, ip="203.0.113.9").status_code == 302
    assert Derechohabiente.objects.get(pk=ana.pk).usuario.username == "ana.lopez"


@pytest.mark.django_db
def test_five_wrong_rfcs_from_five_clients_close_the_curp_even_to_the_right_rfc(ana):
    fallar(5)
    cerrado = registrar(RFC_ANA, ip="203.0.113.9")
    assert cerrado.status_code == 200
    assert not User.objects.filter(username="ana.lopez").exists()
    assert Derechohabiente.objects.get(pk=ana.pk).usuario is None
    # The same words as a wrong RFC or a CURP outside the padrón: the closure tells a stranger nothing.
    otro_rfc = registrar(RFC_MALOS[0], ip="203.0.113.10")
    fuera = registrar("TOVE881130VZ4", ip="203.0.113.11", curp="TOVE881130MVZRLL01")
    assert errores(cerrado) == errores(otro_rfc) == errores(fuera)
    mensaje = errores(cerrado)["__all__"][0]
    assert "llama al CAPP" in mensaje and "55 4000 1000" in mensaje and "capp@issste.gob.mx" in mensaje
    assert IntentosRegistro.objects.get(derechohabiente=ana).fallidos == 6


@pytest.mark.django_db
def test_a_wrong_captcha_counts_nothing(ana):
    for n in range(8):
        registrar(RFC_MALOS[0], ip=f"198.51.100.{n}", captcha_1="MAL")
    assert not IntentosRegistro.objects.filter(derechohabiente=ana, fallidos__gt=0).exists()
    assert registrar(RFC_ANA, ip="203.0.113.9").status_code == 302


@pytest.mark.django_db
def test_the_padron_entry_shows_the_attempts_and_the_closure(ana, cliente_staff):
    fallar(5)
    html = cliente_staff.get(reverse("admin:prestamos_derechohabiente_change", args=[ana.pk])).content.decode()
    assert "5 intentos fallidos" in html and "Registro cerrado" in html
    assert reverse("admin:accounts_reaperturaregistro_add") in html


@pytest.fixture
def miembro(django_user_model):
    def hacer(rol: str):
        usuario = django_user_model.objects.create_user(
            username=f"capp-{rol.lower()}", email=f"{rol.lower()}@ejemplo.mx", password=CONTRASENA, is_staff=True
        )
        usuario.groups.add(Group.objects.get(name=rol))
        return con_segundo_factor(Client(), usuario), usuario

    return hacer


@pytest.mark.django_db
def test_supervision_reopens_the_curp_with_a_reason_and_the_owner_registers(ana, miembro):
    fallar(6)
    cliente, supervisor = miembro(SUPERVISION)
    url = reverse("admin:accounts_reaperturaregistro_add")
    sin_motivo = cliente.post(url, {"curp": CURP_ANA.lower(), "motivo": " "})
    assert sin_motivo.status_code == 200 and IntentosRegistro.objects.get(derechohabiente=ana).fallidos == 6
    motivo = "INE y talón revisados en ventanilla; atención 2026-301."
    assert cliente.post(url, {"curp": CURP_ANA.lower(), "motivo": motivo}).status_code == 302

    reapertura = ReaperturaRegistro.objects.get()
    assert (reapertura.derechohabiente, reapertura.por, reapertura.motivo, reapertura.fallidos) == (
        ana, supervisor, motivo, 6
    )
    assert reapertura.cuando is not None
    assert LogEntry.objects.filter(user=supervisor, object_id=str(reapertura.pk)).exists()
    assert IntentosRegistro.objects.get(derechohabiente=ana).fallidos == 0
    assert registrar(RFC_ANA, ip="203.0.113.9").status_code == 302


@pytest.mark.django_db
def test_only_a_closed_curp_can_be_reopened_and_the_record_is_never_changed(ana, miembro):
    cliente, _ = miembro(SUPERVISION)
    url = reverse("admin:accounts_reaperturaregistro_add")
    abierta = cliente.post(url, {"curp": CURP_ANA, "motivo": "Sin razón"})
    assert abierta.status_code == 200 and "no está cerrado" in abierta.content.decode()
    fallar(5)
    cliente.post(url, {"curp": CURP_ANA, "motivo": "INE revisada"})
    reapertura = ReaperturaRegistro.objects.get()
    cliente.post(reverse("admin:accounts_reaperturaregistro_change", args=[reapertura.pk]), {"motivo": "otro"})
    assert cliente.post(
        reverse("admin:accounts_reaperturaregistro_delete", args=[reapertura.pk]), {"post": "yes"}
    ).status_code == 403
    reapertura.refresh_from_db()
    assert reapertura.motivo == "INE revisada"


@pytest.mark.django_db
@pytest.mark.parametrize("rol", [CONSULTA, OPERACION])
def test_consulta_and_operacion_cannot_reopen(ana, miembro, rol):
    fallar(5)
    cliente, _ = miembro(rol)
    url = reverse("admin:accounts_reaperturaregistro_add")
    assert cliente.post(url, {"curp": CURP_ANA, "motivo": "Quiero reabrir"}).status_code == 403
    assert IntentosRegistro.objects.get(derechohabiente=ana).fallidos == 5
    assert not ReaperturaRegistro.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_attempts_neither_lose_a_count_nor_slip_past_five(ana):
    # 12 wrong RFCs at once: the padrón row is locked, so each attempt sees every earlier one. Exactly 5 are
    # compared with the padrón; the other 7 find the CURP closed. Nothing is lost from the count.
    resultados, errores = a_la_vez(lambda: services.registro_comprobar(curp=CURP_ANA, rfc=RFC_MALOS[0]), veces=12)
    assert errores == []
    por_resultado = sorted(c.resultado.name for c in resultados)
    assert por_resultado == ["CERRADO"] * 7 + ["NO_COINCIDE"] * 5
    assert IntentosRegistro.objects.get(derechohabiente=ana).fallidos == 12
    assert services.registro_comprobar(curp=CURP_ANA, rfc=RFC_ANA).derechohabiente is None
