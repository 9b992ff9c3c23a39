"""oficina/rutas.py: the links every page draws, reversed once per process, never stale."""

from django.http import HttpResponse
from django.template import engines
from django.test import override_settings
from django.urls import clear_script_prefix, path, reverse, set_script_prefix

from oficina import rutas
from oficina.rutas import ruta


def _vista(request):
    return HttpResponse("")


# A URLconf of its own where "inicio" is somewhere else: a remembered URL of the project's must not leak here.
urlpatterns = [path("otra/parte/", _vista, name="inicio"), path("prestamo/<str:folio>/", _vista, name="prestamo")]


def test_lo_mismo_que_reverse_y_que_la_etiqueta_url():
    assert ruta("inicio") == reverse("inicio")
    assert ruta("prestamo", "00000000123") == reverse("prestamo", args=["00000000123"])
    plantilla = engines["django"].from_string(
        "{% url 'inicio' %}|{% ruta 'inicio' %}|{% url 'prestamo' folio %}|{% ruta 'prestamo' folio %}"
    )
    a, b, c, d = plantilla.render({"folio": "00000000009"}).split("|")
    assert a == b and c == d and d.endswith("00000000009/")


def test_otro_urlconf_y_otro_prefijo_no_reciben_la_ruta_recordada():
    propia = ruta("inicio")
    with override_settings(ROOT_URLCONF=__name__):
        assert ruta("inicio") == "/otra/parte/" != propia
        assert ruta("prestamo", "X1") == "/prestamo/X1/"
    assert ruta("inicio") == propia
    set_script_prefix("/portal/")
    try:
        assert ruta("inicio") == "/portal" + propia
    finally:
        clear_script_prefix()
    assert ruta("inicio") == propia


def test_la_memoria_tiene_tope(monkeypatch):
    monkeypatch.setattr(rutas, "MAXIMO", 3)
    rutas._RUTAS.clear()
    for k in range(10):
        assert ruta("prestamo", f"{k:011d}") == reverse("prestamo", args=[f"{k:011d}"])
        assert len(rutas._RUTAS) <= 3
