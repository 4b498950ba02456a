from pydantic import Field, SecretStr, model_validator

from shared.messaging.topology import NOTIFIER_RETRY_DELAYS
from shared.runtime.settings import ServiceSettings
from shared.runtime.smtp import SmtpSettings

DEVELOPMENT_BOUNCE_KEY = "berichtenbox-development-bounce-key"
TEST_DOMAINS = (".example", ".test", ".invalid", ".localhost")
"""RFC 2606's reserved names: mail there never reaches anyone, so the development key may sign it."""


class NotifierSettings(ServiceSettings, SmtpSettings):
    service_name: str = "notifier"
    box_url: str = "https://mijn.berichtenbox.example/berichten"
    mail_domain: str = "berichtenbox.example"
    smtp_pool_size: int = Field(default=4, ge=1)
    smtp_timeout_seconds: float = Field(
        default=60.0,
        gt=0,
        description="per SMTP command; long, so a slow server that does accept is not sent the e-mail again "
        "(RFC 5321 allows minutes); only e-mail waits on it",
    )
    smtp_rate_per_second: float = Field(default=200.0, gt=0)
    vapid_private_key: SecretStr | None = Field(
        default=None, description="PEM or base64url DER; push is off without it"
    )
    vapid_subject: str = "mailto:beheer@berichtenbox.example"
    push_timeout_seconds: float = Field(default=10.0, gt=0)
    push_rate_per_second: float = Field(default=200.0, gt=0)
    provider_retry_delays: tuple[int, ...] = Field(
        default=NOTIFIER_RETRY_DELAYS,
        min_length=1,
        description="seconds a notification waits after an e-mail or push provider failed transiently",
    )
    bounce_key: SecretStr = Field(
        default=SecretStr(DEVELOPMENT_BOUNCE_KEY),
        description="signs each e-mail's bounce address (bounces.py); the development key only where mail_domain "
        "is a reserved test domain",
    )
    bounce_smtp_port: int | None = Field(
        default=None,
        description="where the bounce receiver listens for bounces (behind the mail domain's MX); off if unset",
    )
    bounce_smtp_host: str = "127.0.0.1"
    reminder_sweep_seconds: float = Field(default=60.0, gt=0)
    sweep_clock_file: str | None = Field(
        default=None,
        description="tests only: the reminder sweep's 'now' is read from this file (ISO 8601) instead of the clock",
    )
    reminder_sweep_batch: int = Field(default=500, ge=1)
    unsettled_after_seconds: float = Field(
        default=600.0, gt=0, description="a claim without an outcome this old is offered again (sends take seconds)"
    )
    unsettled_look_back_seconds: float = Field(
        default=86400.0, gt=0, description="how far back a freshly started notifier sweeps claims"
    )
    unsettled_sweep_seconds: float = Field(default=60.0, gt=0)
    record_gather_seconds: float = Field(
        default=0.02,
        ge=0,
        le=1,
        description="How long a notification's outcome and its reminder wait for others to be inserted with. "
        "Sends finish one by one, so without it outcomes go to the database in small groups; they are "
        "bookkeeping after the send, not on its path. Claims, which come before the send, do not wait.",
    )

    @model_validator(mode="after")
    def _no_development_key_for_real_mail(self) -> "NotifierSettings":
        real = not self.mail_domain.lower().endswith(TEST_DOMAINS)
        if real and self.bounce_key.get_secret_value() == DEVELOPMENT_BOUNCE_KEY:
            raise ValueError(
                "set BERICHTENBOX_BOUNCE_KEY: the development key cannot sign bounce addresses of a real domain"
            )
        return self
