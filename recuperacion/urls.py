from django.urls import path

from recuperacion import views

urlpatterns = [
    path("", views.recuperacion, name="recuperacion"),
]
