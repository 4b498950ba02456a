"""An agency's receipts queue carries a receipt alone, or several at once; the receipts of
concurrent senders to one agency travel together."""

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import pytest
from faststream.rabbit import RabbitBroker, RabbitMessage, TestRabbitBroker
from pydantic import ValidationError

from shared.contracts.messages import Receipt, Receipts, ReceiptStatus, receipts_in
from shared.messaging.receipts import LARGEST, ReceiptPublisher
from shared.messaging.topology import Exchanges, receipts_queue

ISSUED = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def receipt(n: int, correlation_id: str | None = None) -> Receipt:
    return Receipt(
        receipt_id=f"r{n}",
        status=ReceiptStatus.ACCEPTED,
        message_id=f"m{n}",
        issued_at=ISSUED,
        correlation_id=correlation_id,
    )


class ReceiptsQueues:
    """What each agency's receipts queue got: (AMQP correlation id, receipts) per message."""

    def __init__(self, broker: RabbitBroker, *agency_ids: str) -> None:
        self.got: dict[str, list[tuple[str | None, list[Receipt]]]] = {a: [] for a in agency_ids}
        for agency_id in agency_ids:
            broker.subscriber(receipts_queue(agency_id), exchange=Exchanges.RECEIPTS)(self._keep(agency_id))

    def _keep(self, agency_id: str) -> Callable[[RabbitMessage], Awaitable[None]]:
        async def keep(message: RabbitMessage) -> None:
            self.got[agency_id].append((message.correlation_id, receipts_in(message.body)))

        return keep


async def test_receipts_sent_to_one_agency_at_once_travel_as_one_message_naming_each_submission() -> None:
    broker = RabbitBroker()
    queues, publisher = ReceiptsQueues(broker, "uwv", "rdw"), ReceiptPublisher(broker, "Receipts")
    async with TestRabbitBroker(broker):
        await asyncio.gather(
            publisher.send("uwv", [receipt(1, "submission-1")]),
            publisher.send("rdw", [receipt(2, "submission-2")]),
            publisher.send("uwv", [receipt(3, "submission-3"), receipt(4, "submission-3")]),
        )
    [(correlation_id, receipts)] = queues.got["uwv"]
    assert [(r.receipt_id, r.correlation_id) for r in receipts] == [
        ("r1", "submission-1"),
        ("r3", "submission-3"),
        ("r4", "submission-3"),
    ]
    assert correlation_id not in {"submission-1", "submission-3"}  # several submissions: none of theirs
    assert queues.got["rdw"] == [("submission-2", [receipt(2, "submission-2")])]  # alone: a `Receipt`, its own


async def test_receipts_of_one_submission_keep_its_correlation_id_and_split_at_the_largest_message() -> None:
    broker = RabbitBroker()
    queues, publisher = ReceiptsQueues(broker, "uwv"), ReceiptPublisher(broker, "Receipts")
    async with TestRabbitBroker(broker):
        await publisher.send("uwv", [receipt(n, "batch") for n in range(LARGEST + 1)])
    assert [(c, len(rs)) for c, rs in queues.got["uwv"]] == [("batch", LARGEST), ("batch", 1)]


def test_a_receipt_alone_and_several_at_once_read_the_same() -> None:
    assert receipts_in(receipt(1).model_dump_json().encode()) == [receipt(1)]
    several = Receipts(receipts=[receipt(1), receipt(2)])
    assert receipts_in(several.model_dump_json().encode()) == [receipt(1), receipt(2)]


def test_one_receipt_never_travels_as_a_list() -> None:
    with pytest.raises(ValidationError):
        Receipts(receipts=[receipt(1)])


def test_a_body_that_is_neither_is_refused() -> None:
    with pytest.raises(ValidationError):
        receipts_in(b'{"receipts": [], "extra": 1}')
