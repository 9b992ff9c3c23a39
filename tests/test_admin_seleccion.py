"""Issue 24 (low): an admin action posted with a crafted selection — empty, not an id, beyond any id — is a
Spanish message back on the list, never a 500, in every admin that has actions (ours and the third parties')."""

import pytest
from django.contrib import admin
from django.contrib.admin import helpers
from django.urls import reverse

from prestamos.models import Movimiento


def _listas_con_acciones():
    for modelo, modeladmin in admin.site._registry.items():
        for _funcion, accion, _descripcion in modeladmin._get_base_actions():
            if accion != "delete_selected":
                yield pytest.param(modelo, accion, id=f"{modelo._meta.label_lower}.{accion}")


@pytest.mark.django_db
@pytest.mark.parametrize(("modelo", "accion"), list(_listas_con_acciones()))
@pytest.mark.parametrize("seleccion", [[""], ["abc"], ["99999999999999999999999"], ["", "1"], [" "]])
def test_a_crafted_selection_is_a_spanish_message_not_a_500(cliente_staff, prestamo_alice, modelo, accion, seleccion):
    cliente_staff.raise_request_exception = False
    lista = reverse(f"admin:{modelo._meta.app_label}_{modelo._meta.model_name}_changelist")
    antes = Movimiento.objects.count()
    for extra in ({"index": "0"}, {}, {"index": "0", "confirmar": "1", "motivo": "Prueba."}):
        respuesta = cliente_staff.post(lista, {"action": accion, helpers.ACTION_CHECKBOX_NAME: seleccion, **extra})
        assert respuesta.status_code == 302 and respuesta.url == lista, (extra, respuesta.status_code)
        avisos = [str(m) for m in respuesta.wsgi_request._messages]
        assert set(avisos) == {"Selecciona en la lista los registros a los que quieres aplicar la acción; no se cambió nada."}
    assert Movimiento.objects.count() == antes


@pytest.mark.django_db
def test_a_real_selection_still_reaches_the_action(cliente_staff, prestamo_alice):
    lista = reverse("admin:prestamos_prestamo_changelist")
    datos = {"action": "condonar_moratorios", helpers.ACTION_CHECKBOX_NAME: [prestamo_alice.pk], "index": "0"}
    respuesta = cliente_staff.post(lista, datos)
    assert respuesta.status_code == 200 and "motivo" in respuesta.content.decode()
