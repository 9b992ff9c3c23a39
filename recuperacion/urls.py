from django.urls import path, register_converter

from fopi import views as fopi_views
from recuperacion import views


class FolioConverter:
    """A loan folio is 11 digits; anything else is a 404 before it reaches the database."""

    regex = "[0-9]{11}"

    def to_python(self, valor: str) -> str:
        return valor

    def to_url(self, valor: str) -> str:
        return valor


register_converter(FolioConverter, "folio")


class FolioAclaracionConverter(FolioConverter):
    regex = "ACL-[0-9]{10,12}"


register_converter(FolioAclaracionConverter, "aclaracion")

urlpatterns = [
    path("", views.recuperacion, name="recuperacion"),
    path("estado-de-cuenta/", views.estado_cuenta, name="estado_cuenta"),
    path("regularizacion/", views.regularizacion, name="regularizacion"),
    path("saldo-a-favor/", views.saldo_a_favor, name="saldo_a_favor"),
    path("saldo-a-favor/abonar/", views.saldo_a_favor_abonar, name="saldo_a_favor_abonar"),
    path("saldo-a-favor/solicitudes/<int:pk>/cancelar/", views.saldo_a_favor_cancelar, name="saldo_a_favor_cancelar"),
    path("estado-de-cuenta/pdf/", views.estado_cuenta_pdf, name="estado_cuenta_pdf"),
    path("prestamos/<folio:folio>/", views.prestamo, name="prestamo"),
    path("prestamos/<folio:folio>/carta-de-liquidacion.pdf", views.carta_liquidacion, name="carta_liquidacion"),
    path(
        "prestamos/<folio:folio>/aviso-de-suspension-de-descuentos.pdf", views.aviso_suspension, name="aviso_suspension"
    ),
    path("constancia-de-no-adeudo.pdf", views.constancia_no_adeudo, name="constancia_no_adeudo"),
    # Every notice e-mailed to the borrower, kept by fopi.buzon (docs/reglas.md §13).
    path("avisos/", fopi_views.avisos, name="avisos"),
    path("aclaraciones/", views.aclaraciones, name="aclaraciones"),
    path("aclaraciones/nueva/", views.aclaracion_nueva, name="aclaracion_nueva"),
    path("aclaraciones/<aclaracion:folio>/talon/", views.talon_aclaracion, name="talon_aclaracion"),
    path("aclaraciones/<aclaracion:folio>/talon/<int:pagina>.png", views.talon_pagina, name="talon_pagina"),
]
