"""Settings every service shares; each service extends `ServiceSettings` with its own."""

import urllib.parse

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.contracts.push import PUSH_SERVICES
from shared.messaging.topology import RETRY_DELAYS


class ServiceSettings(BaseSettings):
    """Read from `BERICHTENBOX_*` environment variables; passed explicitly, never global."""

    model_config = SettingsConfigDict(env_prefix="BERICHTENBOX_", extra="ignore", frozen=True)

    service_name: str = "berichtenbox"
    rabbitmq_url: str = "amqp://guest:guest@127.0.0.1:5672/"
    mongodb_url: str = "mongodb://127.0.0.1:27017"
    mongodb_database: str = "berichtenbox"
    mongodb_pool_size: int | None = Field(
        default=None,
        ge=1,
        description="connections to the database at most (PyMongo's own default when unset); operations "
        "beyond it wait in the client, not in the database",
    )
    mongodb_server_selection_seconds: float | None = Field(
        default=None,
        gt=0,
        description="how long an operation waits for a reachable database before it fails (PyMongo's "
        "own 30 s when unset: a consumer may wait; a web page may not)",
    )
    log_level: str = "INFO"
    prefetch_count: int = Field(default=64, ge=1)
    event_prefetch_count: int = Field(
        default=32,
        ge=1,
        description="deliveries in work at once on a queue whose deliveries carry up to 1,000 ids "
        "(MessagesAccepted, NotifyCitizens): small, and the more in work, the larger the groups of "
        "look-ups and inserts they share",
    )
    ops_port: int | None = Field(default=None, description="HTTP port for /metrics, /healthz, /readyz")
    max_attempts: int = Field(default=5, ge=1, description="handler attempts before dead-lettering")
    push_services: tuple[str, ...] = Field(
        default=PUSH_SERVICES,
        description="origins of the push services a device may be registered at (JSON list; `*.` for subdomains)",
    )
    retry_delays: tuple[float, ...] = Field(
        default=RETRY_DELAYS,
        min_length=1,
        description="seconds a transiently failed delivery waits before its next attempt (the last repeats)",
    )

    @property
    def broker_user(self) -> str:
        """The broker user this service connects as (its `user_id` on what it publishes)."""
        return urllib.parse.unquote(urllib.parse.urlsplit(self.rabbitmq_url).username or "guest")
