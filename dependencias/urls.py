from django.urls import path

from dependencias import views

urlpatterns = [
    path("", views.inicio, name="dependencias_inicio"),
    path("cargar-remesa/", views.cargar_remesa, name="dependencias_cargar_remesa"),
    path("cedula/<str:clave>/<str:periodo>/", views.cedula_pagina, name="dependencias_cedula"),
    path("cedula/<str:clave>/<str:periodo>.csv", views.cedula_csv, name="dependencias_cedula_csv"),
]
