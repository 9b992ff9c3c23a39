"""The CAPP console (docs/reglas.md §10): find a borrower by CURP or folio, see her pages exactly as she sees
them (read only, inside the admin), issue a FOPI on her behalf and e-mail it, and record every call or
e-mail as an atención."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse

from fopi.models import Fopi
from fopi.services import fopi_emitir
from recuperacion.models import Atencion
from tests.accounts.datos import entrar
from tests.fabricas import CONTRASENA, CURP_ALICE, FOLIO_ALICE, texto

BUSCAR = reverse("admin:recuperacion_consola_changelist")
HOY = date(2026, 7, 20)  # Ramón's case on Alice's loan: Q11 missing, Q12 and Q13 awaiting their remesa


def url(pk, seccion=""):
    if not seccion:
        return reverse("admin:recuperacion_consola_detalle", args=[pk])
    return reverse("admin:recuperacion_consola_seccion", args=[pk, seccion])


@pytest.fixture
def alice_en_julio(prestamo_alice, hoy):
    hoy(HOY)
    return prestamo_alice.derechohabiente


def personal(django_user_model, nombre, *codenames):
    usuario = django_user_model.objects.create_user(
        username=nombre, email=f"{nombre}@issste.gob.mx", password=CONTRASENA, is_staff=True
    )
    usuario.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return usuario


@pytest.fixture
def operacion(django_user_model):
    return personal(
        django_user_model, "operacion", "view_consola", "emitir_fopi_consola", "add_atencion", "view_aclaracion"
    )


@pytest.fixture
def cliente_operacion(client, operacion):
    entrar(client, operacion)
    return client


def parte_del_derechohabiente(html: str) -> str:
    inicio = html.index("Así ve esta página el derechohabiente")
    return html[inicio : html.index('<div class="consola__lado">')]


# --- search --------------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("clave", [CURP_ALICE, CURP_ALICE.lower(), f" {FOLIO_ALICE} "])
def test_a_curp_or_a_folio_opens_the_borrowers_console(cliente_operacion, alice_en_julio, clave):
    respuesta = cliente_operacion.get(BUSCAR, {"q": clave})
    assert respuesta.status_code == 302 and respuesta.url == url(alice_en_julio.pk)


@pytest.mark.django_db
def test_a_fopi_reference_or_an_aclaracion_folio_finds_her_too(cliente_operacion, alice_en_julio, prestamo_alice):
    fopi = fopi_emitir(prestamo=prestamo_alice, tipo="LIQUIDACION", hoy=HOY)
    assert cliente_operacion.get(BUSCAR, {"q": fopi.referencia}).url == url(alice_en_julio.pk)


@pytest.mark.django_db
def test_a_name_lists_the_matches_and_nothing_says_so(cliente_operacion, alice_en_julio, bob):
    html = cliente_operacion.get(BUSCAR, {"q": "alicia garcía"}).content.decode()
    assert CURP_ALICE in html and bob.curp not in html
    html = cliente_operacion.get(BUSCAR, {"q": "ZAZZ000000HDFRRR09"}).content.decode()
    assert "No encontramos a nadie" in html


@pytest.mark.django_db
def test_the_console_is_in_the_admin_index(cliente_operacion):
    assert BUSCAR in cliente_operacion.get(reverse("admin:index")).content.decode()


# --- what the borrower sees --------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("seccion", "portal"),
    [
        ("", "recuperacion"),
        ("estado-de-cuenta", "estado_cuenta"),
        ("regularizacion", "regularizacion"),
        ("saldo-a-favor", "saldo_a_favor"),
        ("aclaraciones", "aclaraciones"),
    ],
)
def test_each_page_shows_what_the_borrower_sees(client, cliente_operacion, alice_en_julio, operacion, seccion, portal):
    """The same figures and texts as her own page: the console renders the same selectors and partials."""
    import re

    def contenido(html, desde):
        parte = html[html.index(desde) :]
        return [re.sub(r"\s+", " ", t).strip() for t in re.findall(r">([^<>]*[\w$][^<>]*)<", parte)]

    consola = parte_del_derechohabiente(cliente_operacion.get(url(alice_en_julio.pk, seccion)).content.decode())
    entrar(client, alice_en_julio.usuario)
    suya = client.get(reverse(portal)).content.decode()
    suya = suya[suya.index("<h1>") : suya.index("</main>")]
    # Every text of her page is in the console's copy, but her forms' buttons (read only).
    faltan = set(contenido(suya, "</h1>")) - set(contenido(consola, "</h2>"))
    assert faltan <= {
        "Presentar una aclaración",
        "Generar FOPI de regularización",
        "Generar FOPI incluyendo las quincenas en espera",
    }


@pytest.mark.django_db
def test_the_statement_as_she_sees_it_read_only(cliente_operacion, alice_en_julio):
    html = parte_del_derechohabiente(cliente_operacion.get(url(alice_en_julio.pk, "estado-de-cuenta")).content.decode())
    assert (
        "Saldo deudor total" in html and "Condiciones del préstamo vigente" in html and "Histórico de préstamos" in html
    )
    assert "1ª quincena de junio de 2026, del 1 al 15 de junio" in html and "<td data-etiqueta=\"Estado\">Vencida</td>" in html
    assert f'href="{url(alice_en_julio.pk, "regularizacion")}">Regularización</a>' in html
    assert "/prestaciones/" not in html  # no link leads to her own (login-only) pages
    assert "<form" not in html
    pdf = cliente_operacion.get(reverse("admin:recuperacion_consola_estado_cuenta_pdf", args=[alice_en_julio.pk]))
    assert pdf.status_code == 200 and CURP_ALICE in texto(pdf.content)


@pytest.mark.django_db
def test_regularization_read_only_with_the_installments_awaiting_their_remesa(cliente_operacion, alice_en_julio):
    html = parte_del_derechohabiente(cliente_operacion.get(url(alice_en_julio.pk, "regularizacion")).content.decode())
    assert "Quincenas sin descuento" in html and "en espera de remesa (sin moratorios)" in html
    assert "$716.57" in html and "$2,129.22" in html and "<form" not in html


@pytest.mark.django_db
def test_notices_include_the_omission_emails_sent(
    cliente_operacion, alice_en_julio, django_capture_on_commit_callbacks
):
    from recuperacion.omisiones import detectar_omisiones

    with django_capture_on_commit_callbacks(execute=True):
        detectar_omisiones(hoy=HOY)
    html = cliente_operacion.get(url(alice_en_julio.pk, "avisos")).content.decode()
    assert "Detectamos que tu dependencia no realizó" in html and "enviado a alice@ejemplo.mx" in html


@pytest.mark.django_db
def test_a_borrower_without_an_account_can_be_attended(cliente_operacion, ana):
    html = cliente_operacion.get(url(ana.pk)).content.decode()
    assert "sin cuenta en la Oficina Virtual" in html


# --- Operación issues a FOPI and e-mails it ---------------------------------------------------------------


@pytest.mark.django_db
def test_operacion_issues_a_fopi_on_her_behalf_and_emails_it(cliente_operacion, operacion, alice_en_julio):
    emitir = reverse("admin:recuperacion_consola_emitir_fopi", args=[alice_en_julio.pk])
    respuesta = cliente_operacion.post(
        emitir, {"prestamo": FOLIO_ALICE, "tipo": "REGULARIZACION", "incluir_pendientes": "1"}, follow=True
    )
    fopi = Fopi.objects.get()
    assert fopi.emitido_por == operacion and fopi.importe == D("2129.22")
    assert f"referencia {fopi.referencia}" in respuesta.content.decode()
    enviar = reverse("admin:recuperacion_consola_enviar_fopi", args=[alice_en_julio.pk, fopi.pk])
    html = cliente_operacion.post(enviar, follow=True).content.decode()
    assert "Enviamos el FOPI" in html and "alice@ejemplo.mx" in html
    [correo] = mail.outbox
    assert correo.to == ["alice@ejemplo.mx"] and fopi.referencia in correo.subject and "$2,129.22" in correo.body
    [(nombre, pdf, tipo)] = correo.attachments
    assert nombre == f"fopi-{fopi.referencia}.pdf" and tipo == "application/pdf" and fopi.referencia in texto(pdf)
    atencion = Atencion.objects.get()
    assert (atencion.canal, atencion.motivo, atencion.usuario, atencion.fopi) == ("CORREO", "FOPI", operacion, fopi)
    assert atencion.nota in html  # listed on her console page


@pytest.mark.django_db
def test_the_fopi_form_says_why_it_cannot_be_issued(cliente_operacion, alice_en_julio):
    emitir = reverse("admin:recuperacion_consola_emitir_fopi", args=[alice_en_julio.pk])
    html = cliente_operacion.post(
        emitir, {"prestamo": FOLIO_ALICE, "tipo": "PARCIAL", "importe": "50"}
    ).content.decode()
    assert "El pago parcial mínimo es de $100.00" in html and not Fopi.objects.exists()


@pytest.mark.django_db
def test_only_a_pending_fopi_is_emailed(cliente_operacion, alice_en_julio, prestamo_alice):
    viejo = fopi_emitir(prestamo=prestamo_alice, tipo="LIQUIDACION", hoy=HOY)
    fopi_emitir(prestamo=prestamo_alice, tipo="LIQUIDACION", hoy=HOY)  # cancels the first
    enviar = reverse("admin:recuperacion_consola_enviar_fopi", args=[alice_en_julio.pk, viejo.pk])
    assert "está cancelado: emite uno nuevo" in cliente_operacion.post(enviar, follow=True).content.decode()
    assert mail.outbox == [] and not Atencion.objects.exists()


@pytest.mark.django_db
def test_another_borrowers_fopi_is_a_404(cliente_operacion, alice_en_julio, prestamo_bob):
    fopi = fopi_emitir(prestamo=prestamo_bob, tipo="LIQUIDACION", hoy=HOY)
    enviar = reverse("admin:recuperacion_consola_enviar_fopi", args=[alice_en_julio.pk, fopi.pk])
    assert cliente_operacion.post(enviar).status_code == 404
    pdf = reverse("admin:recuperacion_consola_fopi_pdf", args=[alice_en_julio.pk, fopi.pk])
    assert cliente_operacion.get(pdf).status_code == 404


# --- atenciones --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_call_is_recorded_and_listed(cliente_operacion, operacion, alice_en_julio):
    registrar = reverse("admin:recuperacion_consola_atencion", args=[alice_en_julio.pk])
    respuesta = cliente_operacion.post(
        registrar,
        {
            "canal": "TELEFONO",
            "motivo": "REGULARIZACION",
            "seccion": "regularizacion",
            "nota": "Preguntó por qué debe Q11; se le explicó la omisión de SEP.",
        },
    )
    assert respuesta.url == url(alice_en_julio.pk, "regularizacion") + "#atenciones"
    atencion = Atencion.objects.get()
    assert (atencion.canal, atencion.motivo, atencion.usuario, atencion.derechohabiente) == (
        "TELEFONO",
        "REGULARIZACION",
        operacion,
        alice_en_julio,
    )
    html = cliente_operacion.get(url(alice_en_julio.pk)).content.decode()
    assert "Preguntó por qué debe Q11" in html and "Teléfono" in html and "Regularización y moratorios" in html


@pytest.mark.django_db
def test_an_atencion_needs_its_note_and_a_motivo_from_the_list(cliente_operacion, alice_en_julio):
    registrar = reverse("admin:recuperacion_consola_atencion", args=[alice_en_julio.pk])
    html = cliente_operacion.post(registrar, {"canal": "TELEFONO", "motivo": "CHISME", "nota": ""}).content.decode()
    assert "Escribe una nota de la atención." in html and "CHISME no es una de las opciones" in html
    assert not Atencion.objects.exists()


# --- who may do what --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_consulta_reads_but_neither_issues_nor_records(client, django_user_model, alice_en_julio):
    consulta = personal(django_user_model, "consulta", "view_consola")
    entrar(client, consulta)
    html = client.get(url(alice_en_julio.pk, "fopi")).content.decode()
    assert "Emitir un FOPI a su nombre" not in html and "Registrar atención" not in html
    emitir = reverse("admin:recuperacion_consola_emitir_fopi", args=[alice_en_julio.pk])
    assert client.post(emitir, {"prestamo": FOLIO_ALICE, "tipo": "LIQUIDACION"}).status_code == 403
    registrar = reverse("admin:recuperacion_consola_atencion", args=[alice_en_julio.pk])
    assert client.post(registrar, {"canal": "TELEFONO", "motivo": "OTRO", "nota": "x"}).status_code == 403
    assert not Fopi.objects.exists() and not Atencion.objects.exists()


@pytest.mark.django_db
def test_staff_without_the_permission_and_borrowers_stay_out(client, django_user_model, alice_en_julio, cliente_alice):
    assert cliente_alice.get(url(alice_en_julio.pk)).status_code == 302
    entrar(client, personal(django_user_model, "otro"))
    assert client.get(url(alice_en_julio.pk)).status_code == 403
    assert client.get(BUSCAR).status_code == 403


# --- queries ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("n", [1, 10])
@pytest.mark.parametrize(
    "seccion", ["", "estado-de-cuenta", "regularizacion", "fopi", "aclaraciones", "avisos", "saldo-a-favor"]
)
def test_every_console_page_takes_a_fixed_number_of_queries(
    cliente_operacion, operacion, alice_en_julio, prestamo_alice, django_assert_max_num_queries, n, seccion
):
    from recuperacion.consola import atencion_registrar

    for k in range(n):
        fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("100.00") + k, hoy=HOY)
        atencion_registrar(
            derechohabiente=alice_en_julio, canal="TELEFONO", motivo="OTRO", nota=f"llamada {k}", usuario=operacion
        )
    with django_assert_max_num_queries(13):  # 12 + the second-factor check of every admin request
        assert cliente_operacion.get(url(alice_en_julio.pk, seccion)).status_code == 200
