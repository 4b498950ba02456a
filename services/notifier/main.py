"""notifier: tells citizens that a message waits in their box (never what it says).

Walking skeleton: each (message, channel, kind) is claimed once in MongoDB (unique index),
so a repeated command never notifies twice. Delivery over SMTP and Web Push follows the claim.

Run: faststream run --factory services.notifier.main:create_app
"""

import logging

from faststream import FastStream

from services.notifier.claims import MongoNotificationClaims
from shared.broker import consumer, create_broker
from shared.messages import NotifyCitizen
from shared.mongo import create_client, database
from shared.service import create_service_app
from shared.settings import ServiceSettings
from shared.topology import Queues

logger = logging.getLogger(__name__)


class NotifierSettings(ServiceSettings):
    service_name: str = "notifier"


def create_app(settings: NotifierSettings | None = None) -> FastStream:
    settings = settings or NotifierSettings()
    broker = create_broker(settings)
    client = create_client(settings)
    claims = MongoNotificationClaims(database(client, settings))

    @consumer(broker, Queues.NOTIFIER_COMMANDS)
    async def on_notify_citizen(command: NotifyCitizen) -> None:
        for channel in command.channels:
            claimed = await claims.claim(command, channel)
            logger.info(
                "notification %s via %s: %s", command.message_id, channel, "claimed" if claimed else "already claimed"
            )

    return create_service_app(
        settings,
        broker,
        client,
        description="Notifies citizens by e-mail and push that a message is waiting.",
    )
