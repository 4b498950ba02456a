"""The confirmation e-mail for a new address, through the same SMTP settings as the
notifier's (`shared/runtime/smtp.py`). It carries a one-time code and a link with that code; nothing about messages."""

from email.message import EmailMessage
from typing import Protocol

import aiosmtplib

from services.box.settings import BoxSettings
from shared.runtime.smtp import smtp_options


class Mailer(Protocol):
    async def send_confirmation(self, to: str, code: str, link: str) -> None: ...


def confirmation_mail(sender: str, to: str, code: str, link: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"], mail["To"] = sender, to
    mail["Subject"] = "Bevestig uw e-mailadres voor de Berichtenbox"
    mail.set_content(
        "Goedendag,\n\n"
        "U heeft dit e-mailadres opgegeven in uw Berichtenbox. Bevestig het met deze link "
        f"(u logt eerst in):\n\n{link}\n\nOf vul deze code in op de pagina E-mailadres: {code}\n\n"
        "Heeft u dit niet gedaan? Dan hoeft u niets te doen; het adres wordt niet gebruikt.\n"
    )
    return mail


class SmtpMailer:
    def __init__(self, settings: BoxSettings) -> None:
        self.settings = settings

    async def send_confirmation(self, to: str, code: str, link: str) -> None:
        mail = confirmation_mail(self.settings.mail_from, to, code, link)
        await aiosmtplib.send(mail, **smtp_options(self.settings), timeout=30)
