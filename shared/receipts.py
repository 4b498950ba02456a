"""Receipts to an agency's own queue (the receipts exchange, keyed by agency id): a receipt
alone goes as a `Receipt`, several at once as one `Receipts`, so the receipts of a batch of
1,000 are one AMQP message instead of 1,000."""

import asyncio

from faststream.rabbit import RabbitBroker
from faststream.rabbit.publisher import RabbitPublisher

from shared.ids import derived_id
from shared.messages import Receipt, Receipts
from shared.topology import Exchanges

LARGEST = 2000
"""Receipts per `Receipts` message (a routed batch of 1,000 may have a box and a paper receipt each)."""


class ReceiptPublisher:
    def __init__(self, broker: RabbitBroker, what: str) -> None:
        self._one = _publisher(broker, Receipt, f"{what} (key: agency id).")
        self._many = _publisher(broker, Receipts, f"{what}, several at once (key: agency id).")

    async def send(self, agency_id: str, receipts: list[Receipt], correlation_id: str) -> None:
        chunks = [receipts[i : i + LARGEST] for i in range(0, len(receipts), LARGEST)]
        await asyncio.gather(*(self._send(agency_id, chunk, correlation_id) for chunk in chunks))

    async def _send(self, agency_id: str, receipts: list[Receipt], correlation_id: str) -> None:
        if len(receipts) == 1:
            [receipt] = receipts
            await self._one.publish(
                receipt, routing_key=agency_id, message_id=receipt.receipt_id, correlation_id=correlation_id
            )
            return
        await self._many.publish(
            Receipts(receipts=receipts),
            routing_key=agency_id,
            message_id=derived_id("receipts", *(r.receipt_id for r in receipts)),
            correlation_id=correlation_id,
        )


def _publisher(broker: RabbitBroker, schema: type[Receipt | Receipts], description: str) -> RabbitPublisher:
    title = f"{Exchanges.RECEIPTS.name}:{schema.__name__}"
    return broker.publisher(
        exchange=Exchanges.RECEIPTS, persist=True, schema=schema, title=title, description=description
    )
