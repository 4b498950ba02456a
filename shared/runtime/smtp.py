"""The SMTP server the services send through (the notifier's notifications, the box's
address confirmations): one set of `BERICHTENBOX_SMTP_*` settings, one way to connect."""

from typing import Any, Literal

from pydantic import BaseModel, SecretStr


class SmtpSettings(BaseModel):
    """Mixed into a service's settings (`class XSettings(ServiceSettings, SmtpSettings)`)."""

    mail_from: str = "Berichtenbox <noreply@berichtenbox.example>"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_security: Literal["none", "starttls", "tls"] = "none"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None


def smtp_options(settings: SmtpSettings) -> dict[str, Any]:
    """Keyword arguments for `aiosmtplib.SMTP` and `aiosmtplib.send`."""
    return {
        "hostname": settings.smtp_host,
        "port": settings.smtp_port,
        "use_tls": settings.smtp_security == "tls",
        "start_tls": settings.smtp_security == "starttls",
        "username": settings.smtp_username,
        "password": settings.smtp_password.get_secret_value() if settings.smtp_password else None,
    }
