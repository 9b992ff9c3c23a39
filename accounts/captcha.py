"""The registration captcha (django-simple-captcha): its characters and whether it can be heard.

The library's default draws any letter A–Z, and older borrowers got stuck telling O from Q, I from L or U from V
in a distorted image. These characters have no look-alike among them; the answer is not case-sensitive.
The audio version ("Escuchar el código") needs the `flite` speech synthesizer: the link shows only where it is
installed (settings.CAPTCHA_FLITE_PATH, see README), so a laptop without it keeps working.
"""

import secrets

from django.conf import settings

CARACTERES = "ACDEFHJKMNPRTUVWXY34679"


def reto_sin_confusiones() -> tuple[str, str]:
    """(what the image shows, what the field expects): CAPTCHA_CHALLENGE_FUNCT."""
    reto = "".join(secrets.choice(CARACTERES) for _ in range(settings.CAPTCHA_LENGTH))
    return reto, reto.lower()
