"""Receipts to an agency's own queue (the receipts exchange, keyed by agency id). The receipts
of concurrent senders to one agency travel together (a group commit): a batch's, those of
single submissions handled at the same time, the delivery receipts of messages routed
together. Several go as one `Receipts`, a receipt alone as a `Receipt`; each names its
submission's correlation id. The AMQP `correlation_id` is theirs when they all share one,
else the message's own id. A sender returns when the message that carries its receipts is
confirmed by the broker."""

import asyncio

from faststream.rabbit import RabbitBroker
from faststream.rabbit.publisher import RabbitPublisher

from shared.contracts.ids import derived_id
from shared.contracts.messages import Receipt, Receipts
from shared.messaging.topology import Exchanges
from shared.runtime.grouping import GroupCommit, Request

LARGEST = 2000
"""Receipts per `Receipts` message (a routed batch of 1,000 may have a box and a paper receipt each)."""


class ReceiptPublisher:
    def __init__(self, broker: RabbitBroker, what: str) -> None:
        self._one = _publisher(broker, Receipt, f"{what} (key: agency id).")
        self._many = _publisher(broker, Receipts, f"{what}, several at once (key: agency id).")
        self._agencies: dict[str, _AgencyReceipts] = {}

    async def send(self, agency_id: str, receipts: list[Receipt]) -> None:
        agency = self._agencies.get(agency_id) or self._agencies.setdefault(agency_id, _AgencyReceipts(self, agency_id))
        chunks = [receipts[i : i + LARGEST] for i in range(0, len(receipts), LARGEST)]
        await asyncio.gather(*(agency.send(chunk) for chunk in chunks))

    async def publish(self, agency_id: str, receipts: list[Receipt]) -> None:
        """One AMQP message now, without waiting for other senders."""
        if len(receipts) == 1:
            [receipt] = receipts
            await self._one.publish(
                receipt, routing_key=agency_id, message_id=receipt.receipt_id, correlation_id=receipt.correlation_id
            )
            return
        message_id = derived_id("receipts", *(r.receipt_id for r in receipts))
        correlation_ids = {r.correlation_id for r in receipts}
        shared = correlation_ids.pop() if len(correlation_ids) == 1 else None
        await self._many.publish(
            Receipts(receipts=receipts),
            routing_key=agency_id,
            message_id=message_id,
            correlation_id=shared or message_id,
        )


class _AgencyReceipts(GroupCommit[Receipt, None]):
    def __init__(self, publisher: ReceiptPublisher, agency_id: str) -> None:
        super().__init__(LARGEST)
        self._publisher, self._agency_id = publisher, agency_id

    async def send(self, receipts: list[Receipt]) -> None:
        await self._submit(receipts)

    async def _run(self, group: list[Request[Receipt, None]]) -> None:
        await self._publisher.publish(self._agency_id, [r for request in group for r in request.items])
        for request in group:
            request.answer(None)


def _publisher(broker: RabbitBroker, schema: type[Receipt | Receipts], description: str) -> RabbitPublisher:
    title = f"{Exchanges.RECEIPTS.name}:{schema.__name__}"
    return broker.publisher(
        exchange=Exchanges.RECEIPTS, persist=True, schema=schema, title=title, description=description
    )
