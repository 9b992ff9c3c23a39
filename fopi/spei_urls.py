"""The bank's endpoint, outside the borrower's pages: mounted at /spei/abonos/ by oficina/urls.py."""

from django.urls import path

from fopi import views

urlpatterns = [path("", views.spei_abonos, name="spei_abonos")]
