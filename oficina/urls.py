from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from accounts import views as accounts_views
from oficina import admin_views, salud, views
from recuperacion import escritorio
from recuperacion import views as recuperacion_views

# The admin logs in through allauth's login, so its rate limits guard staff passwords too.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Oficina Virtual — CAPP"
admin.site.site_title = "Oficina Virtual — CAPP"
admin.site.index_title = "Centro de Atención de Préstamos Personales"
# The lists staff work in (payments under review, loans) need the width more than a second menu: the index and
# the breadcrumbs lead everywhere (issue 15: "Resolver" was off-screen at 1280 px).
admin.site.enable_nav_sidebar = False
# The admin's first page is the CAPP desk, not a list of models (docs/reglas.md §15): what waits, one search box.
admin.site.index = escritorio.vista(admin.site)

# The portal's own error pages, in Spanish with the CAPP contact (templates 400/403/404.html by name; 405, which
# Django answers with an empty body, through oficina.errores).
handler429 = "oficina.views.demasiadas_peticiones"  # allauth's rate limits answer through this one
handler500 = "oficina.views.error_servidor"

urlpatterns = [
    path("", views.inicio, name="inicio"),
    # The load balancer's probes: oficina.salud.SaludMiddleware answers them first; named here for reverse().
    path("salud/", salud.vivo, name="salud"),
    path("salud/lista/", salud.lista, name="salud_lista"),
    path("prestaciones/", views.prestaciones, name="prestaciones"),
    path("dependencias/", include("dependencias.urls")),
    path("prestaciones/recuperacion-de-credito/", include("recuperacion.urls")),
    path("prestaciones/recuperacion-de-credito/fopi/", include("fopi.urls")),
    # Public, no login: whoever holds a carta, aviso or constancia checks its code here (docs/reglas.md §9).
    path("verificar/", recuperacion_views.verificar_inicio, name="verificar_inicio"),
    path("verificar/<str:codigo>/", recuperacion_views.verificar, name="verificar"),
    path("spei/abonos/", include("fopi.spei_urls")),
    # Before allauth's URLs: the signup form's captcha rows are limited per client (oficina.views.registro).
    path("cuenta/signup/", views.registro, name="account_signup"),
    path("cuenta/mi-cuenta/", accounts_views.mi_cuenta, name="mi_cuenta"),
    path("cuenta/mi-cuenta/cerrar-las-demas/", accounts_views.cerrar_las_demas, name="cerrar_las_demas_sesiones"),
    path("cuenta/", include("allauth.urls")),
    path("captcha/refresh/", views.captcha_nuevo, name="captcha-refresh"),
    path("captcha/", include("captcha.urls")),
    path("admin/cargar-archivo/", admin.site.admin_view(admin_views.cargar_archivo), name="admin_cargar_archivo"),
    path(
        "admin/cargar-archivo/plantilla-<slug:tipo>.csv",
        admin.site.admin_view(admin_views.plantilla),
        name="admin_cargar_archivo_plantilla",
    ),
    path("admin/cargas/<int:pk>/", admin.site.admin_view(admin_views.carga), name="admin_carga"),
    path(
        "admin/cargas/<int:pk>/reintentar/",
        admin.site.admin_view(views.carga_reintentar),
        name="admin_carga_reintentar",
    ),
    path("admin/", admin.site.urls),
]
