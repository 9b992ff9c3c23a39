from django.urls import path

from fopi import views

urlpatterns = [
    path("", views.fopi_lista, name="fopi_lista"),
    path("nuevo/", views.fopi_nuevo, name="fopi_nuevo"),
    path("<int:pk>/", views.fopi_detalle, name="fopi_detalle"),
    path("<int:pk>/pdf/", views.fopi_descargar, name="fopi_pdf"),
]
