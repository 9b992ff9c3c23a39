"""Business days skip weekends and Mexico's official holidays (oficina/calendario.py)."""

from datetime import date

import pytest

from oficina.calendario import dias_habiles_despues, es_habil


@pytest.mark.parametrize(
    ("dia", "habil"),
    [
        (date(2026, 12, 7), True),  # a Monday
        (date(2026, 12, 12), False),  # Saturday
        (date(2026, 12, 25), False),  # Navidad
        (date(2026, 11, 16), False),  # third Monday of November (Revolución)
        (date(2027, 2, 1), False),  # first Monday of February (Constitución)
        (date(2027, 3, 15), False),  # third Monday of March (Benito Juárez)
        (date(2030, 10, 1), False),  # transmisión del Poder Ejecutivo, every six years
        (date(2026, 10, 1), True),
    ],
)
def test_it_knows_the_official_holidays(dia, habil):
    assert es_habil(dia) is habil


def test_ten_business_days_skip_weekends_and_holidays():
    # From Friday 18/12/2026: 21–24 (4), 25 Navidad, 28–31 (4), 1/1 Año Nuevo, 4 and 5 January → 5/1/2027.
    assert dias_habiles_despues(date(2026, 12, 18), 10) == date(2027, 1, 5)
    assert dias_habiles_despues(date(2026, 12, 7), 0) == date(2026, 12, 7)
