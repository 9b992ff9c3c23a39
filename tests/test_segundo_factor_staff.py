"""Issue 24, item 6 and docs/reglas.md §3 (rev. 3): a staff session that has not completed its second factor
reaches nothing a borrower's data lives behind — admin, console, payslips, documents, exports — whatever the
URL. Only public pages and the steps that sign in, sign out or complete the second factor answer it.

The gate decides by URL name, closed by default: every URL pattern of the project is walked here, so a new
page is covered the day it is added, and opening one to such sessions means adding it to the list below.
"""

import re

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from oficina import segundo_factor
from tests.accounts.personal import CON, PERSONAL, miembro, mundo
from tests.fabricas import CONTRASENA

# Reachable before the second factor (with what a staff session may do there). Nothing else is.
SIN_DATOS = {
    "inicio", "verificar_inicio", "verificar",  # public: anyone holding a document checks its code
    "spei_abonos",  # the bank's signed notifications, not a session's
    "salud", "salud_lista",  # the load balancer's probes
    "captcha-image", "captcha-image-2x", "captcha-audio", "captcha-refresh",
    "account_login", "account_logout", "admin:logout", "mfa_authenticate",  # signing in and out
}
PARA_ACTIVAR = {  # a staff account without TOTP sets it up (allauth asks for the password first)
    "mfa_activate_totp", "account_reauthenticate", "account_request_reauthentication_code",
    "account_confirm_reauthentication_code",
}
PARA_CONFIRMAR = {"mfa_reauthenticate"}  # one with TOTP types its code

# Values for the URL parameters the patterns take, by parameter name.
VALORES = {"uidb36": "1", "key": "abc", "app_label": "prestamos", "content_type_id": "1", "object_id": "1",
           "url": "prestamos/prestamo/", "slug": "fopi", "codigo": "ABCD2345EFGH6789", "id": "1"}


def _patrones(patrones=None, espacio=""):
    for p in get_resolver().url_patterns if patrones is None else patrones:
        if isinstance(p, URLResolver):
            yield from _patrones(p.url_patterns, f"{espacio}:{p.namespace}".strip(":") if p.namespace else espacio)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{espacio}:{p.name}".strip(":"), p


def _urls(o) -> dict[str, list[str]]:
    """A concrete URL of every named pattern; an object's URLs for real objects (the payslip of a case of any
    borrower, a loan folio) and for ids that exist for nothing."""
    urls = {}
    for nombre, patron in _patrones():
        grupos = getattr(patron.pattern, "converters", {}) or dict.fromkeys(re.compile(str(patron.pattern)).groupindex)
        if "folio" in grupos:
            folios = [o["aclaracion"].folio, "ACL-2026999999"] if "aclaracion" in nombre or "talon" in nombre else [o["prestamo"].folio]
            variantes = [{**{k: "1" for k in grupos}, "folio": f} for f in folios]
        else:
            variantes = [{k: VALORES.get(k, str(o["derechohabiente"].pk)) for k in grupos}]
        for kwargs in variantes:
            urls.setdefault(nombre, []).append(reverse(nombre, kwargs=kwargs or None))
    return urls


def _al_segundo_factor(respuesta, paso: str) -> bool:
    return respuesta.status_code == 302 and respuesta.url.startswith(reverse(paso))


@pytest.fixture
def o(django_user_model, db):
    return mundo(django_user_model.objects.create_user(username="autor", is_staff=True, is_superuser=True))


def test_the_gate_opens_exactly_the_pages_listed_here():
    assert segundo_factor.SIN_DATOS == SIN_DATOS
    assert segundo_factor.PARA_ACTIVAR == PARA_ACTIVAR
    assert segundo_factor.PARA_CONFIRMAR == PARA_CONFIRMAR


@pytest.mark.django_db
@pytest.mark.parametrize("rol", PERSONAL)
def test_a_staff_session_without_its_second_factor_reaches_no_page_with_data(o, django_user_model, rol):
    """A session from before the TOTP was set up (TOTP now active, the session never typed a code)."""
    cliente = Client()
    cliente.force_login(miembro(rol, django_user_model))
    abiertas = []
    for nombre, urls in _urls(o).items():
        if nombre in SIN_DATOS | PARA_CONFIRMAR:
            continue
        for url in urls:
            for metodo in (cliente.get, cliente.post):
                respuesta = metodo(url)
                if not _al_segundo_factor(respuesta, "mfa_reauthenticate"):
                    abiertas.append(f"{metodo.__name__.upper()} {url} ({nombre}): {respuesta.status_code}")
    assert not abiertas, "\n".join(abiertas)


@pytest.mark.django_db
def test_a_staff_member_who_signed_in_with_only_a_password_reads_no_payslip(o, django_user_model):
    """The report's case: staff without TOTP sign in with their password; no folio opens, theirs to guess."""
    nuevo = django_user_model.objects.create_user(
        username="becario", email="becario@ejemplo.mx", password=CONTRASENA, is_staff=True
    )
    EmailAddress.objects.create(user=nuevo, email=nuevo.email, verified=True, primary=True)
    nuevo.groups.add(*miembro(CON, django_user_model).groups.all())
    cliente = Client()
    respuesta = cliente.post(reverse("account_login"), {"login": "becario", "password": CONTRASENA})
    assert respuesta.status_code == 302 and "_auth_user_id" in cliente.session
    for folio in (o["aclaracion"].folio, "ACL-2026999999"):
        url = reverse("talon_aclaracion", args=[folio])
        assert _al_segundo_factor(cliente.get(url), "mfa_activate_totp"), url
    for url in (reverse("admin:index"), reverse("admin:recuperacion_consola_changelist"),
                reverse("admin:recuperacion_prestamoporsuspender_csv"), reverse("estado_cuenta_pdf")):
        assert _al_segundo_factor(cliente.get(url), "mfa_activate_totp"), url
    # What it may do: set up its second factor.
    assert cliente.get(reverse("mfa_activate_totp")).status_code in (200, 302)
    assert not _al_segundo_factor(cliente.get(reverse("mfa_activate_totp")), "mfa_activate_totp")


@pytest.mark.django_db
def test_with_the_second_factor_the_payslip_opens_for_those_who_review_cases(o, django_user_model):
    from tests.accounts.personal import cliente_de

    respuesta = cliente_de(miembro(CON, django_user_model)).get(reverse("talon_aclaracion", args=[o["aclaracion"].folio]))
    assert respuesta.status_code == 200


@pytest.mark.django_db
def test_borrowers_are_not_asked_for_a_second_factor(cliente_alice, prestamo_alice):
    assert cliente_alice.get(reverse("recuperacion")).status_code == 200
    assert cliente_alice.get(reverse("estado_cuenta_pdf")).status_code == 200


def test_no_page_of_the_product_is_marked_as_showing_nothing():
    """`@sin_datos` lets the gate pass a view without looking at the session: the benchmark's bare view only.
    A page of the product that holds no one's data is named in SIN_DATOS, where this file lists it."""
    marcadas = [nombre for nombre, patron in _patrones() if getattr(patron.callback, "sin_datos", False)]
    assert marcadas == []
