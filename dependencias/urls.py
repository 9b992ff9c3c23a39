from django.urls import path

from dependencias import views

urlpatterns = [
    path("", views.inicio, name="dependencias_inicio"),
    path("cargar-remesa/", views.cargar_remesa, name="dependencias_cargar_remesa"),
    path("cargas/<int:pk>/", views.carga, name="dependencias_carga"),
    path("cedula/<str:clave>/<str:periodo>/", views.cedula_pagina, name="dependencias_cedula"),
    path("cedula/<str:clave>/<str:periodo>.csv", views.cedula_csv, name="dependencias_cedula_csv"),
    path("descuentos-omitidos/", views.descuentos_omitidos, name="dependencias_omitidos"),
    path("avisos-de-suspension/", views.avisos_suspension, name="dependencias_avisos"),
    path("avisos-de-suspension/<str:folio>/acusar-recibo/", views.acusar_recibo, name="dependencias_acusar_recibo"),
    path("avisos-de-suspension/<str:folio>.pdf", views.aviso_pdf, name="dependencias_aviso_pdf"),
]
