"""The routing use case with in-memory fakes: decide once, dispatch the same ids again."""

from typing import Any

import pytest
from pydantic import ValidationError

from services.router.accounts import InMemoryAccountStore
from services.router.policy import Rule
from services.router.population import population
from services.router.repository import InMemoryRoutedMessageStore
from services.router.routing import MessageRouter
from shared.agencies import InMemoryAgencyRegistry
from shared.dead_letter import PermanentError
from shared.messages import MessageAccepted, NotifyCitizen, PrintLetter, Receipt, ReceiptStatus
from tests.support.samples import AGENCIES


class RecordingOutbox:
    def __init__(self) -> None:
        self.sent: list[Any] = []

    async def notify(self, command: NotifyCitizen, correlation_id: str) -> None:
        self.sent.append(command)

    async def print_letter(self, command: PrintLetter, correlation_id: str) -> None:
        self.sent.append(command)

    async def receipt(self, agency_id: str, receipt: Receipt, correlation_id: str) -> None:
        self.sent.append((agency_id, receipt.receipt_id, receipt.status))


ACCOUNTS = list(population(300, seed=3))


def account_where(**facts: Any) -> dict[str, Any]:
    return next(a for a in ACCOUNTS if all(a[k] == v for k, v in facts.items()))


def message(agency_id: str, bsn: str, **extra: Any) -> dict[str, Any]:
    return {
        "_id": "m-1",
        "agency_id": agency_id,
        "agency_reference": "r-1",
        "recipient_bsn": bsn,
        "status": "accepted",
        **extra,
    }


def router(documents: list[dict[str, Any]], outbox: RecordingOutbox) -> MessageRouter:
    return MessageRouter(
        InMemoryRoutedMessageStore(documents),
        InMemoryAccountStore(ACCOUNTS),
        InMemoryAgencyRegistry(list(AGENCIES.values())),
        outbox,
    )


async def test_paper_copy_sends_notify_letter_and_both_receipts() -> None:
    citizen = account_where(state="activated", guardianship=None, paper_copy_agencies=["belastingdienst"])
    outbox = RecordingOutbox()
    route = await router([message("belastingdienst", citizen["bsn"])], outbox).route(
        MessageAccepted(message_id="m-1", agency_id="belastingdienst"), "c"
    )
    assert route.box and route.paper and Rule.PAPER_COPY_REQUESTED_BY_CITIZEN in route.rules
    kinds = [type(s).__name__ if not isinstance(s, tuple) else s[2] for s in outbox.sent]
    expected_notify = ["NotifyCitizen"] if route.channels else []
    assert kinds == [*expected_notify, "PrintLetter", ReceiptStatus.DELIVERED_TO_BOX, ReceiptStatus.SENT_ON_PAPER]
    commands = [s for s in outbox.sent if isinstance(s, NotifyCitizen | PrintLetter)]
    assert {c.account_id for c in commands} == {citizen["_id"]}  # so neither service reads the route
    assert all(c.delivered_at == route.routed_at for c in commands if isinstance(c, NotifyCitizen))


async def test_redelivery_reuses_the_route_and_the_ids() -> None:
    citizen = account_where(state="ready", guardianship=None)
    documents = [message("uwv", citizen["bsn"])]
    first, second = RecordingOutbox(), RecordingOutbox()
    event = MessageAccepted(message_id="m-1", agency_id="uwv")
    await router(documents, first).route(event, "c")
    await router(documents, second).route(event, "c")
    assert first.sent == second.sent
    assert isinstance(first.sent[0], PrintLetter)


async def test_unknown_citizen_goes_on_paper() -> None:
    outbox = RecordingOutbox()
    route = await router([message("rdw", "111222333")], outbox).route(
        MessageAccepted(message_id="m-1", agency_id="rdw"), "c"
    )
    assert (route.box, route.paper, route.rules, route.account_id) == (False, True, [Rule.NO_ACCOUNT], None)


async def test_unknown_agency_and_unknown_message_are_permanent() -> None:
    with pytest.raises(PermanentError, match="not in the registry"):
        await router([message("ministerie-van-x", "111222333")], RecordingOutbox()).route(
            MessageAccepted(message_id="m-1", agency_id="x"), "c"
        )
    with pytest.raises(PermanentError, match="no stored message"):
        await router([], RecordingOutbox()).route(MessageAccepted(message_id="m-1", agency_id="x"), "c")


async def test_corrupt_message_document_fails_validation() -> None:
    with pytest.raises(ValidationError):
        await router([{"_id": "m-1", "agency_id": "uwv"}], RecordingOutbox()).route(
            MessageAccepted(message_id="m-1", agency_id="uwv"), "c"
        )


async def test_the_route_stored_first_wins_even_if_the_account_changed_since() -> None:
    citizen = account_where(state="ready", guardianship=None)
    store = InMemoryRoutedMessageStore([message("uwv", citizen["bsn"])])
    accounts = InMemoryAccountStore(ACCOUNTS)
    first, second = RecordingOutbox(), RecordingOutbox()
    event = MessageAccepted(message_id="m-1", agency_id="uwv")
    await MessageRouter(store, accounts, InMemoryAgencyRegistry(list(AGENCIES.values())), first).route(event, "c")
    accounts.by_number[citizen["bsn"]].update(state="activated", opted_in_agencies=["uwv"], email="x@example.nl")
    route = await MessageRouter(store, accounts, InMemoryAgencyRegistry(list(AGENCIES.values())), second).route(
        event, "c"
    )
    assert (route.box, route.paper) == (False, True)
    assert first.sent == second.sent
