"""SPEC §14, docs/reglas.md §14: a pensioner's pages and PDFs never speak of quincenas or of "tu dependencia";
periods read in words ("mayo de 2026"), from one source per period kind."""

import re
from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse

from fopi.models import Fopi
from fopi.services import fopi_emitir
from oficina.importacion import importar_archivo
from prestamos.models import Dependencia, Derechohabiente, Prestamo
from tests.fabricas import CURP_BOB, FOLIO_BOB
from tests.fabricas import texto as texto_pdf
from tests.recuperacion.test_pensionados import ENCABEZADO_PENSIONES, FOLIO_ROSA, remesa_pensiones, rosa  # noqa: F401


@pytest.fixture
def sin_mayo(rosa, hoy):  # noqa: F811
    """10 June 2026: May's pension payroll came for another pensioner but without Rosa's deduction."""
    hoy(date(2026, 6, 10))
    otro = Derechohabiente.objects.create(
        curp=CURP_BOB, nombre="Jorge", primer_apellido="Méndez", dependencia=Dependencia.objects.get(clave="PENSIONES"),
        tipo="PENSIONADO",
    )
    importar_archivo((ENCABEZADO_PENSIONES + f"{FOLIO_BOB},{otro.curp},ORDINARIO,20000.00,11.50,24,2025-12-20,"
                                               "2026-M01,VIGENTE,4,\n").encode())
    importar_archivo(remesa_pensiones("2026-M05", (FOLIO_BOB, CURP_BOB, Prestamo.objects.get(folio=FOLIO_BOB).cuota)))
    return rosa

PROHIBIDO = re.compile(r"quincena|tu dependencia|\b20\d\d-[QM]\d\d\b", re.IGNORECASE)


def sin_prohibidas(texto: str, donde: str) -> None:
    hallado = [texto[max(0, m.start() - 60): m.end() + 60] for m in PROHIBIDO.finditer(texto)]
    assert not hallado, f"{donde}: {hallado}"


def visible(html: str) -> str:
    """What a person reads: the page without scripts, styles and tags (attributes included)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.django_db
def test_no_page_or_pdf_of_a_pensioner_speaks_of_quincenas(sin_mayo, client):
    client.force_login(sin_mayo)
    prestamo = Prestamo.objects.get(folio=FOLIO_ROSA)
    paginas = [
        reverse("recuperacion"), reverse("estado_cuenta"), reverse("regularizacion"), reverse("fopi_nuevo"),
        reverse("fopi_lista"), reverse("pago_lista"), reverse("avisos"), reverse("aclaraciones"),
        reverse("aclaracion_nueva"), reverse("saldo_a_favor"), reverse("prestamo", args=[prestamo.folio]),
        reverse("mi_cuenta"),
    ]
    assert client.post(reverse("regularizacion"), {"prestamo": FOLIO_ROSA}).status_code == 302
    regularizacion = Fopi.objects.get(tipo="REGULARIZACION")
    liquidacion = fopi_emitir(prestamo=prestamo, tipo="LIQUIDACION", hoy=date(2026, 6, 10))
    parcial = fopi_emitir(prestamo=prestamo, tipo="PARCIAL", importe=D("500.00"), hoy=date(2026, 6, 10))
    for fopi in (regularizacion, liquidacion, parcial):
        paginas.append(reverse("fopi_detalle", args=[fopi.pk]))
    errores = []
    for url in paginas:
        respuesta = client.get(url)
        assert respuesta.status_code == 200, url
        try:
            sin_prohibidas(visible(respuesta.content.decode()), url)
        except AssertionError as e:
            errores.append(str(e))
    pdfs = [reverse("estado_cuenta_pdf")] + [reverse("fopi_pdf", args=[f.pk]) for f in (regularizacion, liquidacion, parcial)]
    for url in pdfs:
        respuesta = client.get(url)
        assert respuesta.status_code == 200 and respuesta["Content-Type"] == "application/pdf", url
        try:
            sin_prohibidas(texto_pdf(b"".join(respuesta) if respuesta.streaming else respuesta.content), url)
        except AssertionError as e:
            errores.append(str(e))
    assert not errores, "\n".join(errores)


@pytest.mark.django_db
def test_the_pensioner_reads_her_missing_month_in_words(sin_mayo, client):
    client.force_login(sin_mayo)
    html = visible(client.get(reverse("estado_cuenta")).content.decode())
    assert "Detectamos que tu nómina de pensiones no realizó tu descuento mensual del mes:" in " ".join(html.split())
    assert "mayo de 2026" in html
    assert "Subdelegación de Prestaciones" in html  # a suspended pension is reactivated there, not at the CAPP
    assert "El pago de tu pensión de mayo de 2026 llegó sin el descuento" in html
    regularizacion = client.get(reverse("regularizacion")).content.decode()
    assert "<caption>Meses sin descuento</caption>" in regularizacion and '<th scope="col">Mes</th>' in regularizacion
    assert 'data-etiqueta="Mes">mayo de 2026</td>' in regularizacion
    amortizacion = client.get(reverse("estado_cuenta")).content.decode()
    assert '<th scope="col">Mes</th>' in amortizacion and '<th scope="col">Quincena</th>' not in amortizacion


@pytest.mark.django_db
def test_a_worker_reads_quincenas_in_words(prestamo_alice, cliente_alice, hoy):
    hoy(date(2026, 6, 20))  # Q11 (1–15 June) due and unpaid, its remesa not in yet
    html = visible(cliente_alice.get(reverse("estado_cuenta")).content.decode())
    assert "1ª quincena de junio de 2026, del 1 al 15 de junio" in html
    assert not re.search(r"\b2026-Q\d\d\b", html)


@pytest.mark.django_db
def test_the_regularization_fopi_lists_what_it_pays_and_the_payoff_warns_of_saldo_a_favor(sin_mayo, client):
    """SPEC §13: a REGULARIZACION FOPI (page and PDF) lists the periods it covers; a LIQUIDACION FOPI says paying
    before its vigencia leaves the interest not yet accrued as saldo a favor."""
    client.force_login(sin_mayo)
    client.post(reverse("regularizacion"), {"prestamo": FOLIO_ROSA})
    fopi = Fopi.objects.get(tipo="REGULARIZACION")
    assert visible(client.get(reverse("fopi_detalle", args=[fopi.pk])).content.decode()).count(
        "Meses sin descuento: mayo de 2026") == 1
    pdf = texto_pdf(client.get(reverse("fopi_pdf", args=[fopi.pk])).content)
    assert "Meses sin descuento: mayo de 2026" in pdf
    liquidacion = fopi_emitir(prestamo=Prestamo.objects.get(folio=FOLIO_ROSA), tipo="LIQUIDACION", hoy=date(2026, 6, 10))
    pagina = " ".join(visible(client.get(reverse("fopi_detalle", args=[liquidacion.pk])).content.decode()).split())
    assert "Si pagas antes, los intereses que aún no se generan quedan como saldo a favor" in pagina
    pdf = " ".join(texto_pdf(client.get(reverse("fopi_pdf", args=[liquidacion.pk])).content).split())
    assert "los intereses que aún no se generan quedan como saldo a favor" in pdf
    assert "Meses sin descuento" not in pdf


def test_a_list_of_periods_reads_as_one_phrase():
    from prestamos.calculo import Periodo, periodos_en_palabras

    q = [Periodo.parse(c) for c in ("2026-Q12", "2026-Q11")]
    assert periodos_en_palabras(q) == "1ª quincena de junio de 2026 y 2ª quincena de junio de 2026"
    m = [Periodo.parse(c) for c in ("2026-M05", "2026-M07", "2026-M06")]
    assert periodos_en_palabras(m) == "de mayo de 2026 a julio de 2026 (3 meses)"
    assert periodos_en_palabras([Periodo.parse("2026-Q23")]) == "1ª quincena de diciembre de 2026"


@pytest.mark.django_db
def test_the_pensioners_emails_speak_of_her_pension(sin_mayo):
    """The missing-deduction e-mail and the payoff e-mail a pensioner gets (docs/reglas.md §14)."""
    from fopi.avisos import _mensaje
    from fopi.models import AvisoCorreo
    from recuperacion.models import AvisoOmision
    from recuperacion.omisiones import _mensaje_omision

    prestamo = Prestamo.objects.get(folio=FOLIO_ROSA)
    avisos = list(AvisoOmision.objects.filter(prestamo=prestamo))  # recorded when May's remesa came without her
    assert [str(a.quincena) for a in avisos] == ["2026-M05"]
    correo = _mensaje_omision(prestamo, avisos, "https://oficinavirtual.issste.gob.mx/")
    sin_prohibidas(correo.body, "correo de omisión")
    assert "mayo de 2026" in correo.body and "Subdelegación de Prestaciones" in correo.body
    _, texto = _mensaje(AvisoCorreo.Tipo.PRESTAMO_LIQUIDADO, prestamo.pk, prestamo)
    sin_prohibidas(texto, "correo de liquidación")
    assert "Tu nómina de pensiones dejará de descontarte" in texto
