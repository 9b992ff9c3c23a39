"""Identity data of the named people (their RFC as the padrón has it) and the staff's second factor."""

RFC_ANA = "LOSA820420TR5"
RFC_ALICE = "GAML850312AB4"
RFC_BOB = "HERJ790605KJ1"
# A fixed TOTP secret for staff in tests (base32), so a test can compute the current code.
SECRETO_TOTP = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def codigo_totp(secreto: str = SECRETO_TOTP, desfase: int = 0) -> str:
    """The 6-digit code an authenticator app shows now (desfase: periods later or earlier)."""
    import time

    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secreto, int(time.time()) // app_settings.TOTP_PERIOD + desfase))


def activar_totp(usuario, secreto: str = SECRETO_TOTP):
    """The staff member's TOTP authenticator, as allauth.mfa stores it after activation."""
    from allauth.mfa.totp.internal.auth import TOTP

    return TOTP.activate(usuario, secreto).instance


def con_segundo_factor(client, usuario):
    """Log `usuario` in and record in the session a TOTP authentication, as allauth.mfa does after the
    second-factor step; activates TOTP first if the user has none."""
    import time

    from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
    from allauth.account.internal.userkit import user_id_to_str
    from allauth.mfa.models import Authenticator

    autenticador = Authenticator.objects.filter(user=usuario, type=Authenticator.Type.TOTP).first()
    autenticador = autenticador or activar_totp(usuario)
    client.force_login(usuario)
    sesion = client.session
    ahora = time.time()
    sesion[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": ahora, "username": usuario.get_username()},
        {"method": "mfa", "at": ahora, "id": autenticador.pk, "type": "totp"},
    ]
    sesion["account_authentication_methods_user"] = user_id_to_str(usuario)
    sesion.save()
    return client


def entrar(client, usuario):
    """Log in as `usuario`: staff with the second factor the admin requires, borrowers as they are."""
    if usuario.is_staff:
        return con_segundo_factor(client, usuario)
    client.force_login(usuario)
    return client
