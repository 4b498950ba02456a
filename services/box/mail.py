"""The confirmation e-mail for a new address, over the same kind of SMTP settings as the
notifier's. It carries a one-time code and a link with that code; nothing about messages."""

from email.message import EmailMessage
from typing import Protocol

import aiosmtplib

from services.box.settings import BoxSettings


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
        s = self.settings
        await aiosmtplib.send(
            confirmation_mail(s.mail_from, to, code, link),
            hostname=s.smtp_host,
            port=s.smtp_port,
            use_tls=s.smtp_security == "tls",
            start_tls=s.smtp_security == "starttls",
            username=s.smtp_username,
            password=s.smtp_password.get_secret_value() if s.smtp_password else None,
            timeout=30,
        )
