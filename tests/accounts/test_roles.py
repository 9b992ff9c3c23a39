"""Issue 12, finding 4 and docs/reglas.md §3: three staff roles with least privilege; only superusers manage people."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from accounts.roles import CONSULTA, OPERACION, SUPERVISION
from tests.accounts.datos import con_segundo_factor
from tests.fabricas import CONTRASENA


@pytest.fixture
def miembro(client, django_user_model):
    def hacer(rol: str):
        usuario = django_user_model.objects.create_user(
            username=f"capp-{rol.lower()}", email=f"{rol.lower()}@ejemplo.mx", password=CONTRASENA, is_staff=True
        )
        usuario.groups.add(Group.objects.get(name=rol))
        con_segundo_factor(client, usuario)
        return usuario

    return hacer


def permisos(rol: str) -> set[str]:
    return {
        f"{app}.{codename}"
        for app, codename in Permission.objects.filter(group__name=rol).values_list("content_type__app_label", "codename")
    }


@pytest.mark.django_db
def test_the_migration_creates_the_three_roles_without_any_power_over_people():
    for rol in (CONSULTA, OPERACION, SUPERVISION):
        assert not {p for p in permisos(rol) if p.split(".")[0] in ("auth", "mfa") or p.endswith("_user")}, rol
    assert permisos(CONSULTA) and all(".view_" in p for p in permisos(CONSULTA))
    assert permisos(CONSULTA) < permisos(OPERACION) < permisos(SUPERVISION)
    assert {"prestamos.add_carga", "fopi.add_fopi", "fopi.change_pagobancario"} <= permisos(OPERACION)
    assert "prestamos.add_parametromora" not in permisos(OPERACION)
    assert {"prestamos.add_parametromora", "prestamos.change_parametromora", "accounts.add_liberacioncurp"} <= permisos(
        SUPERVISION
    )


@pytest.mark.django_db
def test_an_operacion_member_cannot_touch_users_groups_or_permissions_nor_become_superuser(client, miembro, alice):
    yo = miembro(OPERACION)
    for url in (
        reverse("admin:accounts_user_changelist"),
        reverse("admin:accounts_user_change", args=[yo.pk]),
        reverse("admin:accounts_user_change", args=[alice.usuario.pk]),
        reverse("admin:auth_group_changelist"),
        reverse("admin:auth_group_add"),
        reverse("admin:auth_user_password_change", args=[alice.usuario.pk]),
    ):
        assert client.get(url).status_code == 403, url
    datos = {"username": yo.username, "is_staff": "on", "is_active": "on", "is_superuser": "on"}
    assert client.post(reverse("admin:accounts_user_change", args=[yo.pk]), datos).status_code == 403
    password = {"password1": "Toma-control-2026", "password2": "Toma-control-2026"}
    client.post(reverse("admin:auth_user_password_change", args=[alice.usuario.pk]), password)
    yo.refresh_from_db()
    alice.usuario.refresh_from_db()
    assert not yo.is_superuser and alice.usuario.check_password(CONTRASENA)
    # What Operación is for: loading files.
    assert client.get(reverse("admin_cargar_archivo")).status_code == 200


@pytest.mark.django_db
def test_a_consulta_member_reads_but_changes_nothing(client, miembro, alice):
    miembro(CONSULTA)
    assert client.get(reverse("admin:prestamos_derechohabiente_changelist")).status_code == 200
    assert client.get(reverse("admin:prestamos_derechohabiente_change", args=[alice.pk])).status_code == 200
    datos = {"curp": alice.curp, "nombre": "Otra", "primer_apellido": "X", "dependencia": alice.dependencia_id}
    client.post(reverse("admin:prestamos_derechohabiente_change", args=[alice.pk]), datos)
    alice.refresh_from_db()
    assert alice.nombre == "Alicia"
    for url in (
        reverse("admin_cargar_archivo"),
        reverse("admin:prestamos_parametromora_add"),
        reverse("admin:fopi_banco_add"),
        reverse("admin:accounts_liberacioncurp_add"),
        reverse("admin:accounts_user_changelist"),
    ):
        assert client.get(url).status_code == 403, url


@pytest.mark.django_db
def test_supervision_sets_parameters_and_gives_curps_back(client, miembro):
    miembro(SUPERVISION)
    assert client.get(reverse("admin:prestamos_parametromora_add")).status_code == 200
    assert client.get(reverse("admin:accounts_liberacioncurp_add")).status_code == 200
    assert client.get(reverse("admin:auth_group_changelist")).status_code == 403


@pytest.mark.django_db
def test_the_roles_come_back_with_permissions_of_models_added_later():
    from django.core.management import call_command

    Group.objects.get(name=OPERACION).permissions.clear()
    call_command("migrate", verbosity=0)
    assert "prestamos.add_carga" in permisos(OPERACION)
