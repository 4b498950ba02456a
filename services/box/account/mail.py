"""The confirmation e-mail for a new address, through the same SMTP settings as the
notifier's (`shared/runtime/smtp.py`). It carries a one-time code and a link with that code; nothing about messages."""

from email.message import EmailMessage
from typing import Protocol

import aiosmtplib

from services.box.settings import BoxSettings
from shared.runtime.smtp import smtp_options


class Mailer(Protocol):
    async def send_confirmation(self, to: str, code: str, link: str) -> None: ...
    async def send_invitation(self, to: str, code: str, link: str) -> None: ...


def _mail(sender: str, to: str, subject: str, text: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = sender, to, subject
    mail.set_content("Goedendag,\n\n" + text)
    return mail


def confirmation_mail(sender: str, to: str, code: str, link: str) -> EmailMessage:
    return _mail(sender, to, "Bevestig uw e-mailadres voor de Berichtenbox",
        "U heeft dit e-mailadres opgegeven in uw Berichtenbox. Bevestig het met deze link "
        f"(u logt eerst in):\n\n{link}\n\nOf vul deze code in op de pagina E-mailadres: {code}\n\n"
        "Heeft u dit niet gedaan? Dan hoeft u niets te doen; het adres wordt niet gebruikt.\n",
    )  # fmt: skip


def invitation_mail(sender: str, to: str, code: str, link: str) -> EmailMessage:
    """Names nobody: whose box it is, the helper sees only after logging in with their own DigiD."""
    return _mail(sender, to, "Uitnodiging om te helpen met een Berichtenbox",
        "Iemand nodigt u uit om te helpen met de post van de overheid in zijn of haar Berichtenbox. "
        f"Log in met uw eigen DigiD op {link} en vul deze code in:\n\n{code}\n\n"
        "U ziet dan van wie de Berichtenbox is en wat u mag doen, voordat u iets aanneemt. "
        "De code is 14 dagen geldig. Kent u deze uitnodiging niet? Dan hoeft u niets te doen.\n",
    )  # fmt: skip


class SmtpMailer:
    def __init__(self, settings: BoxSettings) -> None:
        self.settings = settings

    async def send_confirmation(self, to: str, code: str, link: str) -> None:
        await self._send(confirmation_mail(self.settings.mail_from, to, code, link))

    async def send_invitation(self, to: str, code: str, link: str) -> None:
        await self._send(invitation_mail(self.settings.mail_from, to, code, link))

    async def _send(self, mail: EmailMessage) -> None:
        await aiosmtplib.send(mail, **smtp_options(self.settings), timeout=30)
