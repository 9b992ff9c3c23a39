from django.urls import path

from recuperacion import views

urlpatterns = [
    path("", views.recuperacion, name="recuperacion"),
    path("estado-de-cuenta/", views.estado_cuenta, name="estado_cuenta"),
    path("regularizacion/", views.regularizacion, name="regularizacion"),
    path("estado-de-cuenta/pdf/", views.estado_cuenta_pdf, name="estado_cuenta_pdf"),
    path("prestamos/<str:folio>/", views.prestamo, name="prestamo"),
    path("prestamos/<str:folio>/carta-de-liquidacion.pdf", views.carta_liquidacion, name="carta_liquidacion"),
]
