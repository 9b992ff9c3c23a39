"""The account's address hears of an address added to it (docs/reglas.md §3, rev. 3).

allauth mails the old address when the main one changes or one is removed (ACCOUNT_EMAIL_NOTIFICATIONS), but not
when one is added, and any verified address of the account can reset its password: its owner must hear of it.
"""

from allauth.account.adapter import get_adapter


def correo_agregado_avisar(sender, request, user, email_address, **kwargs) -> None:
    """Receiver of allauth's `email_added`: at that moment the main address is still the old one."""
    get_adapter(request).send_notification_mail(
        "account/email/email_added", user, {"new_email": email_address.email}
    )
