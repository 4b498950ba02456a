"""paper: turns `PrintLetter` into a print-mail letter and collects letters into print batches.

Walking skeleton: each letter is recorded once (by its id) with status `queued`; rendering
and batching build on that record.

Run: faststream run --factory services.paper.main:create_app
"""

import logging
from datetime import UTC, datetime

from faststream import FastStream

from shared.broker import consumer, create_broker
from shared.messages import PrintLetter
from shared.mongo import Collections, create_client, database
from shared.service import create_service_app
from shared.settings import ServiceSettings
from shared.topology import Queues

logger = logging.getLogger(__name__)


class PaperSettings(ServiceSettings):
    service_name: str = "paper"


def create_app(settings: PaperSettings | None = None) -> FastStream:
    settings = settings or PaperSettings()
    broker = create_broker(settings)
    client = create_client(settings)
    letters = database(client, settings)[Collections.LETTERS]

    @consumer(broker, Queues.PAPER_COMMANDS)
    async def on_print_letter(command: PrintLetter) -> None:
        result = await letters.update_one(
            {"_id": command.letter_id},
            {
                "$setOnInsert": {
                    **command.model_dump(exclude={"schema_version"}),
                    "status": "queued",
                    "queued_at": datetime.now(UTC),
                }
            },
            upsert=True,
        )
        logger.info(
            "letter %s for message %s: %s",
            command.letter_id,
            command.message_id,
            "queued" if result.upserted_id else "already queued",
        )

    return create_service_app(
        settings,
        broker,
        client,
        description="Renders print-mail letters and builds print batches.",
    )
