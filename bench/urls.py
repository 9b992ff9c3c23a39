"""The product's URLs plus one trivial view, for the benchmarks only (never in oficina/urls.py).

The trivial view goes through the same middleware as every page (sessions, CSRF, auth, CSP, …) and
does nothing else: the floor a page's server time is compared with. It shows no one's data, and says so
(`@sin_datos`): the middleware decides about it without loading the session or the user, as about the
product's public pages. The second one also loads the session, the user and the padrón entry, as every
borrower page does before its own work.
"""

from django.http import HttpResponse
from django.urls import include, path

from oficina.segundo_factor import sin_datos
from prestamos.acceso import derechohabiente_requerido


@sin_datos
def trivial(request):
    return HttpResponse("ok", content_type="text/plain")


@derechohabiente_requerido
def trivial_con_sesion(request):
    return HttpResponse(request.derechohabiente.curp, content_type="text/plain")


urlpatterns = [
    path("bench/trivial/", trivial, name="bench_trivial"),
    path("bench/trivial-con-sesion/", trivial_con_sesion, name="bench_trivial_con_sesion"),
    path("", include("oficina.urls")),
]
