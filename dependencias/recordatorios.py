"""Reminders of a remesa not received (docs/reglas.md §16): 5 days after a period's due date, once per period."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.mail import send_mail
from django.db import IntegrityError, transaction

from dependencias.models import RecordatorioRemesa, UsuarioDependencia
from prestamos.calculo import Mes, Quincena
from prestamos.models import Dependencia, Prestamo, Remesa

DIAS = 5


def periodo_vencido(clase, hoy: date):
    """The latest period whose due date plus 5 days has passed."""
    periodo = clase.de_fecha(hoy)
    while periodo.vencimiento + timedelta(days=DIAS) > hoy:
        periodo = periodo - 1
    return periodo


def tipo_periodo(dependencia_id: int):
    primera = Prestamo.objects.filter(dependencia_id=dependencia_id).values_list("primera_quincena", flat=True).first()
    return Mes if isinstance(primera, Mes) else Quincena


def avisar(hoy: date) -> list[tuple[str, str, list[str]]]:
    """E-mail the users of each dependencia whose remesa of its latest overdue period has not arrived."""
    enviados = []
    for dependencia in Dependencia.objects.filter(usuarios_pagaduria__isnull=False).distinct():
        periodo = periodo_vencido(tipo_periodo(dependencia.pk), hoy)
        codigo = str(periodo)
        if Remesa.objects.filter(dependencia=dependencia, quincena=codigo, revertida=False).exists():
            continue
        por_descontar = Prestamo.objects.filter(
            dependencia=dependencia, estado__in=[Prestamo.Estado.VIGENTE, Prestamo.Estado.EN_COBRANZA],
            primera_quincena__lte=codigo,
        ).exists()
        if not por_descontar or RecordatorioRemesa.objects.filter(dependencia=dependencia, periodo=codigo).exists():
            continue
        correos = sorted(
            u.usuario.email for u in UsuarioDependencia.objects.filter(dependencias=dependencia).select_related("usuario")
            if u.usuario.email and u.usuario.is_active
        )
        if not correos:
            continue
        try:
            with transaction.atomic():
                RecordatorioRemesa.objects.create(dependencia=dependencia, periodo=codigo, destinatarios=", ".join(correos))
                send_mail(
                    f"Remesa pendiente: {dependencia.clave} {codigo}",
                    f"No hemos recibido la remesa de {dependencia.nombre} ({dependencia.clave}) de "
                    f"{periodo.descripcion} ({codigo}), que venció el {periodo.vencimiento:%d/%m/%Y}.\n\n"
                    "Cárguela en el Portal de dependencias (Cargar remesa) antes de que termine el periodo de gracia, "
                    "para que sus trabajadores no caigan en mora. La cédula de descuentos del periodo está en el portal.",
                    None, correos,
                )
        except IntegrityError:
            continue  # another run recorded it first: once per period
        enviados.append((dependencia.clave, codigo, correos))
    return enviados
