"""The dependencias' portal (docs/reglas.md §16): the cédula's amounts, its round trip through the remesa
importer, and the scope of a payroll user."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from dependencias import cedula
from dependencias.models import AccesoDependencia, UsuarioDependencia
from prestamos import instantanea
from prestamos.calculo import Quincena, tabla_amortizacion
from prestamos.models import Dependencia, Prestamo
from tests.accounts.datos import con_segundo_factor
from tests.fabricas import FOLIO_ALICE

pytestmark = pytest.mark.django_db


@pytest.fixture
def pagador(django_user_model, sep):
    call_command("crear_usuario_dependencia", "SEP", "nomina_sep", "nomina@sep.gob.mx", "--password", "NominaDemo2026!")
    return django_user_model.objects.get(username="nomina_sep")


@pytest.fixture
def cliente_pagador(client, pagador):
    return con_segundo_factor(client, pagador)


def test_the_cedula_deducts_the_installment_of_the_period(prestamo_alice, hoy):
    hoy(date(2026, 6, 20))
    filas = list(cedula.filas(prestamo_alice.dependencia_id, Quincena(2026, 12)))
    tabla = tabla_amortizacion(principal=D("30000.00"), tasa_anual=D("11.50"), plazo=48, primer_periodo=Quincena(2026, 1))
    assert [(f.folio, f.importe) for f in filas] == [(FOLIO_ALICE, tabla[11].cuota)]
    # Not yet started, and after its last installment: nothing.
    assert list(cedula.filas(prestamo_alice.dependencia_id, Quincena(2025, 24))) == []
    assert list(cedula.filas(prestamo_alice.dependencia_id, Quincena(2028, 1))) == []
    # The last installment: its exact amount.
    ultima = list(cedula.filas(prestamo_alice.dependencia_id, Quincena(2027, 24)))
    assert [f.importe for f in ultima] == [tabla[47].cuota]


def test_the_cedula_reads_the_installments_the_snapshot_counts_as_if_written(prestamo_alice, hoy):
    # A remesa loaded set-based counts the installments it paid instead of rewriting the snapshot's JSON
    # (prestamos/instantanea.py, plegar): the cédula reads them as paid, as it reads them written in.
    hoy(date(2026, 7, 3))
    periodos = [Quincena(2026, n) for n in range(9, 17)]

    def cedulas():
        return {str(q): [(f.folio, f.importe) for f in cedula.filas(prestamo_alice.dependencia_id, q)] for q in periodos}

    datos = Prestamo.objects.get(pk=prestamo_alice.pk).posicion
    assert [len(c) for c in datos["cuotas"][9:13]] == [3, 2, 2, 2]  # ten paid when loaded
    Prestamo.objects.filter(pk=prestamo_alice.pk).update(posicion_al_corriente=2)
    contadas = cedulas()
    Prestamo.objects.filter(pk=prestamo_alice.pk).update(
        posicion=instantanea.plegar(datos, prestamo_alice.primera_quincena, 2), posicion_al_corriente=0)

    assert contadas == cedulas()
    assert contadas["2026-Q11"] == contadas["2026-Q12"] == [] and contadas["2026-Q10"] == []
    assert [folio for folio, _ in contadas["2026-Q13"]] == [FOLIO_ALICE]


def test_round_trip_cedula_to_remesa(cliente_pagador, prestamo_alice, hoy):
    hoy(date(2026, 6, 5))
    respuesta = cliente_pagador.get("/dependencias/cedula/SEP/2026-Q11.csv")
    assert respuesta.status_code == 200
    contenido = b"".join(respuesta.streaming_content)
    lineas = contenido.decode().splitlines()
    assert lineas[0] == "clave_dependencia,quincena,folio,curp,importe"
    assert len(lineas) == 2
    archivo = __import__("io").BytesIO(contenido)
    archivo.name = "remesa.csv"
    respuesta = cliente_pagador.post("/dependencias/cargar-remesa/", {"archivo": archivo})
    assert respuesta.status_code == 200
    assert "Remesa cargada" in respuesta.content.decode()
    from recuperacion.models import Descuento

    descuento = Descuento.objects.get(prestamo=prestamo_alice, quincena="2026-Q11")
    assert str(descuento.importe) == lineas[1].split(",")[4]
    # Deducted exactly: nothing is left to deduct for that period.
    assert list(cedula.filas(prestamo_alice.dependencia_id, Quincena(2026, 11))) == []
    assert set(AccesoDependencia.objects.values_list("accion", flat=True)) == {"CEDULA_CSV", "REMESA"}


def test_a_row_of_another_dependencia_refuses_the_file(cliente_pagador, prestamo_alice, hoy):
    Dependencia.objects.create(clave="IMSS", nombre="IMSS")
    hoy(date(2026, 6, 20))
    archivo = __import__("io").BytesIO(b"clave_dependencia,quincena,folio,curp,importe\nIMSS,2026-Q12,20000000001,X,1.00\n")
    archivo.name = "remesa.csv"
    respuesta = cliente_pagador.post("/dependencias/cargar-remesa/", {"archivo": archivo})
    assert "no es de las suyas" in respuesta.content.decode()
    assert not AccesoDependencia.objects.exists()


def test_the_portal_and_its_pages(cliente_pagador, prestamo_alice, hoy):
    hoy(date(2026, 6, 20))
    pagina = cliente_pagador.get("/dependencias/").content.decode()
    assert "Portal de dependencias" in pagina and "Cédula de descuentos" in pagina
    pagina = cliente_pagador.get("/dependencias/cedula/SEP/2026-Q12/").content.decode()
    assert "Préstamos a descontar" in pagina


def test_a_payroll_user_reaches_only_its_portal(cliente_pagador, prestamo_alice, hoy):
    hoy(date(2026, 6, 20))
    Dependencia.objects.create(clave="IMSS", nombre="IMSS")
    for url in ("/admin/", "/prestaciones/recuperacion-de-credito/", "/cuenta/mi-cuenta/",
                "/dependencias/cedula/IMSS/2026-Q12.csv", "/dependencias/cedula/SEP/2030-Q01.csv"):
        assert cliente_pagador.get(url).status_code == 404, url
    assert cliente_pagador.get("/").url == "/dependencias/"


def test_a_borrower_and_a_session_without_second_factor_do_not_reach_it(client, cliente_alice, pagador):
    assert cliente_alice.get("/dependencias/").status_code == 404
    client.force_login(pagador)
    assert client.get("/dependencias/").status_code == 302  # to the second factor


def test_the_command_without_password_prints_a_link(sep, capsys):
    call_command("crear_usuario_dependencia", "SEP", "otra", "otra@sep.gob.mx")
    assert "Enlace de un solo uso" in capsys.readouterr().out
    assert UsuarioDependencia.objects.get(usuario__username="otra").dependencias.get().clave == "SEP"


def test_the_demo_payroll_officer_logs_in_with_the_printed_second_factor(settings, client, capsys):
    from django.urls import reverse

    from prestamos.management.commands import cargar_demo
    from tests.accounts.datos import codigo_totp

    settings.DEBUG = True
    call_command("cargar_demo")
    assert cargar_demo.SECRETO_TOTP_NOMINA in capsys.readouterr().out
    respuesta = client.post(reverse("account_login"), {"login": "nomina_sep", "password": "NominaDemo2026!"})
    assert respuesta.url == reverse("mfa_authenticate")
    respuesta = client.post(reverse("mfa_authenticate"), {"code": codigo_totp(cargar_demo.SECRETO_TOTP_NOMINA)})
    assert client.get(respuesta.url, follow=True).request["PATH_INFO"] == "/dependencias/"
    assert "Portal de dependencias" in client.get("/dependencias/").content.decode()
    assert client.get("/admin/").status_code == 404


def _archivo(texto: str):
    import io

    archivo = io.BytesIO(texto.encode())
    archivo.name = "remesa.csv"
    return archivo


def test_the_result_says_missing_and_paid_in_excess(cliente_pagador, prestamo_alice, prestamo_bob, hoy):
    from tests.fabricas import CURP_ALICE, cargar_prestamos

    hoy(date(2026, 6, 5))
    cargar_prestamos(f"20000000009,{CURP_ALICE},ESPECIAL,20000.00,12.00,24,2025-12-20,2026-Q01,VIGENTE,8,")
    # Alice's second loan is in the cédula but not in the file; her first pays 10.00 above its cuota. Bob's
    # loan (SSA) is not this user's: never listed.
    texto = ("clave_dependencia,quincena,folio,curp,importe\n"
             f"SEP,2026-Q11,{FOLIO_ALICE},{prestamo_alice.derechohabiente.curp},711.12\n")
    pagina = cliente_pagador.post("/dependencias/cargar-remesa/", {"archivo": _archivo(texto)}).content.decode()
    assert "Aplicados: 1 descuento de SEP del periodo 2026-Q11, por $711.12" in pagina
    assert "Descuentos omitidos: 1 préstamo de la cédula no venía en el archivo" in pagina
    assert "20000000009" in pagina and prestamo_bob.folio not in pagina
    assert "Pagado en exceso: 1 fila por encima de su cuota, $10.00 en total" in pagina


def test_a_large_remesa_goes_to_the_worker_and_shows_its_outcome(cliente_pagador, prestamo_alice, hoy, monkeypatch):
    from dependencias import views

    monkeypatch.setattr(views, "UMBRAL_TRABAJADOR", 10)
    hoy(date(2026, 6, 5))
    texto = ("clave_dependencia,quincena,folio,curp,importe\n"
             f"SEP,2026-Q11,{FOLIO_ALICE},{prestamo_alice.derechohabiente.curp},701.12\n")
    respuesta = cliente_pagador.post("/dependencias/cargar-remesa/", {"archivo": _archivo(texto)})
    assert respuesta.url.startswith("/dependencias/cargas/")
    pagina = cliente_pagador.get(respuesta.url).content.decode()
    assert "Terminada" in pagina and "Aplicados: 1 descuento de SEP del periodo 2026-Q11, por $701.12" in pagina
    # Someone else's upload: 404.
    from prestamos.models import Carga

    otra = Carga.objects.get()
    Carga.objects.filter(pk=otra.pk).update(creada_por=prestamo_alice.derechohabiente.usuario)
    assert cliente_pagador.get(respuesta.url).status_code == 404


def test_the_menu_offers_only_the_portal(cliente_pagador):
    pagina = cliente_pagador.get("/dependencias/").content.decode()
    menu = pagina[pagina.index('aria-label="Menú principal"'):pagina.index("</nav>")]
    assert "/dependencias/" in menu and "Prestaciones" not in menu and "Mi cuenta" not in menu


def test_supervision_creates_a_payroll_user_in_the_admin_and_the_link_sets_its_password(
    client, django_user_model, sep
):
    import re

    from django.contrib.auth.models import Group

    from tests.fabricas import CONTRASENA

    supervisor = django_user_model.objects.create_user(username="super", email="s@issste.gob.mx", password=CONTRASENA,
                                                       is_staff=True)
    supervisor.groups.add(Group.objects.get(name="Supervisión"))
    cliente = con_segundo_factor(client, supervisor)
    respuesta = cliente.post("/admin/dependencias/usuariodependencia/add/", {
        "nombre_usuario": "nomina_nueva", "correo": "nueva@sep.gob.mx", "dependencias": [sep.pk]}, follow=True)
    pagina = respuesta.content.decode()
    perfil = UsuarioDependencia.objects.get(usuario__username="nomina_nueva")
    assert [d.clave for d in perfil.dependencias.all()] == ["SEP"] and not perfil.usuario.is_staff
    enlace = re.search(r"http://testserver(/cuenta/password/reset/key/[^\s<\"]+)", pagina).group(1)
    cliente.logout()
    respuesta = cliente.get(enlace, follow=True)
    assert respuesta.status_code == 200 and 'name="password1"' in respuesta.content.decode()


# Who is a payroll user travels in the session from login (issue 29: no query for it on every page); the portal
# itself still asks the database.


def test_login_records_in_the_session_who_is_a_payroll_user(cliente_alice, pagador):
    from dependencias.acceso import MARCA_SESION

    assert cliente_alice.session[MARCA_SESION] is False
    otro = Client()
    otro.force_login(pagador)
    assert otro.session[MARCA_SESION] is True


def test_a_session_from_before_the_mark_asks_once_keeps_the_answer_and_stays_confined(cliente_pagador):
    from dependencias.acceso import MARCA_SESION

    sesion = cliente_pagador.session
    del sesion[MARCA_SESION]
    sesion.save()
    assert cliente_pagador.get("/cuenta/mi-cuenta/").status_code == 404
    assert cliente_pagador.session[MARCA_SESION] is True
    assert cliente_pagador.get("/").url == "/dependencias/"


def test_a_borrower_made_a_payroll_officer_mid_session_meets_the_second_factor_at_the_portal(
    cliente_alice, alice, sep, prestamo_alice
):
    UsuarioDependencia.objects.create(usuario=alice.usuario).dependencias.add(sep)
    respuesta = cliente_alice.get("/dependencias/")
    assert respuesta.status_code == 302 and respuesta.url.startswith(reverse("mfa_activate_totp"))
    for url in ("/dependencias/cedula/SEP/2026-Q12/", "/dependencias/cedula/SEP/2026-Q12.csv"):
        assert cliente_alice.get(url).url.startswith(reverse("mfa_activate_totp")), url
    # Outside the portal her session still says borrower until she logs in again: her own pages only.
    assert cliente_alice.get(reverse("recuperacion")).status_code == 200


def test_a_payroll_user_removed_mid_session_gets_nothing_from_the_portal(cliente_pagador, pagador):
    UsuarioDependencia.objects.filter(usuario=pagador).delete()
    assert cliente_pagador.get("/dependencias/").status_code == 404
    assert cliente_pagador.get("/cuenta/mi-cuenta/").status_code == 404  # still confined until logging out


def test_a_payroll_user_without_second_factor_reaches_nothing_anywhere(client, pagador):
    client.force_login(pagador)
    for url in ("/dependencias/", "/dependencias/cedula/SEP/2026-Q12.csv"):
        respuesta = client.get(url)
        assert respuesta.status_code == 302, url
        assert respuesta.url.startswith((reverse("mfa_activate_totp"), reverse("mfa_reauthenticate"))), url
    for url in ("/admin/", "/prestaciones/recuperacion-de-credito/", "/cuenta/mi-cuenta/"):
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("importe", ["9" * 30, "9" * 30 + ".99", "NaN", "sNaN", "Infinity", "1e9999999", "1E+28"])
def test_an_amount_it_cannot_read_is_the_importers_message_and_loads_nothing(
    cliente_pagador, prestamo_alice, hoy, importe
):
    """The portal compares the file with the cédula before loading it: an amount of 30 digits, NaN or beyond
    Decimal's exponent must reach the importer's refusal by line, not a decimal error (a 500)."""
    from recuperacion.models import Descuento

    hoy(date(2026, 6, 5))
    texto = ("clave_dependencia,quincena,folio,curp,importe\n"
             f"SEP,2026-Q11,{FOLIO_ALICE},{prestamo_alice.derechohabiente.curp},{importe}\n")
    respuesta = cliente_pagador.post("/dependencias/cargar-remesa/", {"archivo": _archivo(texto)})
    pagina = respuesta.content.decode()
    assert respuesta.status_code == 200
    assert "línea 2: «importe» debe ser un importe con punto decimal" in pagina
    assert not Descuento.objects.exists()
