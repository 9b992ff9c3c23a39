"""Issue 24, low: each showing of the signup form writes a captcha row; it is limited per client like
`/captcha/refresh/` (one budget for both), and expired rows are purged by the daily `depurar_registros`."""

from datetime import timedelta

import pytest
from captcha.models import CaptchaStore
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from oficina.views import CAPTCHA_NUEVOS_POR_MINUTO


@pytest.mark.django_db
def test_the_signup_page_writes_captcha_rows_only_up_to_the_clients_limit():
    cliente = Client(REMOTE_ADDR="203.0.113.7")
    codigos = [cliente.get(reverse("account_signup")).status_code for _ in range(CAPTCHA_NUEVOS_POR_MINUTO + 5)]
    assert codigos == [200] * CAPTCHA_NUEVOS_POR_MINUTO + [429] * 5
    assert CaptchaStore.objects.count() == CAPTCHA_NUEVOS_POR_MINUTO
    assert Client(REMOTE_ADDR="198.51.100.8").get(reverse("account_signup")).status_code == 200


@pytest.mark.django_db
def test_the_page_and_the_refresh_share_the_clients_budget():
    cliente = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(CAPTCHA_NUEVOS_POR_MINUTO):
        cliente.get("/captcha/refresh/", HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    assert cliente.get(reverse("account_signup")).status_code == 429


@pytest.mark.django_db
def test_the_daily_purge_removes_expired_captcha_rows(ana):
    CaptchaStore.objects.create(challenge="AAAAA", response="aaaaa", expiration=timezone.now() - timedelta(minutes=1))
    vigente = CaptchaStore.objects.create(
        challenge="BBBBB", response="bbbbb", expiration=timezone.now() + timedelta(minutes=5)
    )
    call_command("depurar_registros")
    assert list(CaptchaStore.objects.all()) == [vigente]
