"""Issue 12, findings 4 and 12: the demo's staff member exists only in development, holds a role without
power over people, and gets in with the second factor `make run` prints."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from prestamos.management.commands import cargar_demo
from prestamos.models import Derechohabiente


@pytest.mark.django_db
def test_it_creates_no_staff_with_a_published_password_when_debug_is_off(settings, django_user_model, capsys):
    settings.DEBUG = False
    call_command("cargar_demo")
    assert not django_user_model.objects.filter(username="capp").exists()
    assert "no se crea el personal CAPP" in capsys.readouterr().out


@pytest.mark.django_db
def test_the_demo_staff_member_has_a_role_and_enters_the_admin_with_the_printed_second_factor(
    settings, client, capsys
):
    from tests.accounts.datos import codigo_totp

    settings.DEBUG = True
    call_command("cargar_demo")
    call_command("cargar_demo")  # twice: still one authenticator of each kind
    salida = capsys.readouterr().out
    assert cargar_demo.SECRETO_TOTP_CAPP in salida

    from django.contrib.auth import get_user_model

    capp = get_user_model().objects.get(username="capp")
    assert [g.name for g in capp.groups.all()] == ["Supervisión"] and not capp.is_superuser
    assert not capp.has_perm("accounts.change_user") and not capp.has_perm("auth.change_group")
    assert capp.authenticator_set.count() == 2

    respuesta = client.post(reverse("account_login"), {"login": "capp", "password": cargar_demo.CONTRASENA_CAPP})
    assert respuesta.url == reverse("mfa_authenticate")
    client.post(reverse("mfa_authenticate"), {"code": codigo_totp(cargar_demo.SECRETO_TOTP_CAPP)})
    assert client.get(reverse("admin:index")).status_code == 200


@pytest.mark.django_db
def test_the_demo_curp_to_register_has_the_rfc_make_run_prints(settings):
    from pathlib import Path

    settings.DEBUG = True
    call_command("cargar_demo")
    ana = Derechohabiente.objects.get(curp=cargar_demo.CURP_PARA_REGISTRO)
    assert ana.rfc == cargar_demo.RFC_PARA_REGISTRO and ana.usuario is None
    makefile = (Path(settings.BASE_DIR) / "Makefile").read_text()
    assert cargar_demo.RFC_PARA_REGISTRO in makefile and cargar_demo.SECRETO_TOTP_CAPP in makefile


@pytest.mark.django_db
def test_every_demo_rfc_is_valid():
    import csv
    from pathlib import Path

    from django.conf import settings
    from stdnum.mx import rfc

    with open(Path(settings.BASE_DIR) / "demo" / "derechohabientes.csv", encoding="utf-8") as archivo:
        for fila in csv.DictReader(archivo):
            assert rfc.is_valid(fila["rfc"], validate_check_digits=True) and len(fila["rfc"]) == 13, fila
