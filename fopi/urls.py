from django.urls import path

from fopi import views

urlpatterns = [
    path("", views.fopi_lista, name="fopi_lista"),
    path("nuevo/", views.fopi_nuevo, name="fopi_nuevo"),
    path("<int:pk>/", views.fopi_detalle, name="fopi_detalle"),
    path("<int:pk>/pdf/", views.fopi_descargar, name="fopi_pdf"),
    path("pagos/", views.pago_lista, name="pago_lista"),
    path("pagos/<int:pk>/comprobante/", views.pago_comprobante, name="pago_comprobante"),
]
