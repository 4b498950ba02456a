"""The routing use case with in-memory fakes: decide once, dispatch the same ids again; a
submission's messages are routed together and one that cannot be routed holds up none."""

from datetime import date
from typing import Any

from services.router.policy import Rule
from services.router.records import StoredRoute
from services.router.routing import MessageRouter
from shared.contracts.messages import (
    BoxDelivery,
    CallToAction,
    MessagesAccepted,
    MessagesDeliveredToBox,
    NotifyCitizen,
    NotifyCitizens,
    PrintLetter,
    Receipt,
    ReceiptStatus,
)
from tests.fakes.agencies import InMemoryAgencyRegistry
from tests.fakes.router import InMemoryAccountStore, InMemoryRoutedMessageStore
from tests.support.samples import AGENCIES
from tools.population import population


class RecordingPublisher:
    def __init__(self) -> None:
        self.sent: list[Any] = []
        self.deliveries: list[BoxDelivery] = []
        self.correlation_ids: set[tuple[str, str]] = set()
        self.receipt_correlation_ids: set[tuple[str, str]] = set()
        self.receipt_messages: list[int] = []
        """receipts per call"""
        """(message id, correlation id) of everything sent"""

    async def notify(self, command: NotifyCitizens, correlation_id: str) -> None:
        self.sent.extend(command.notifications)
        self.correlation_ids.update((n.message_id, n.correlation_id or correlation_id) for n in command.notifications)

    async def print_letter(self, command: PrintLetter, correlation_id: str) -> None:
        self.sent.append(command)
        self.correlation_ids.add((command.message_id, correlation_id))

    async def receipts(self, agency_id: str, receipts: list[Receipt]) -> None:
        self.sent.extend((agency_id, r.receipt_id, r.status) for r in receipts)
        self.receipt_messages.append(len(receipts))
        self.receipt_correlation_ids.update((r.message_id or "", r.correlation_id or "") for r in receipts)

    async def delivered(self, event: MessagesDeliveredToBox, correlation_id: str) -> None:
        self.deliveries.extend(event.deliveries)


ACCOUNTS = list(population(300, seed=3))


def account_where(**facts: Any) -> dict[str, Any]:
    return next(a for a in ACCOUNTS if all(a[k] == v for k, v in facts.items()))


def message(agency_id: str, bsn: str, message_id: str = "m-1", **extra: Any) -> dict[str, Any]:
    return {
        "_id": message_id,
        "agency_id": agency_id,
        "agency_reference": "r-1",
        "recipient_bsn": bsn,
        "status": "accepted",
        **extra,
    }


def accepted(agency_id: str, *message_ids: str) -> MessagesAccepted:
    return MessagesAccepted(agency_id=agency_id, message_ids=list(message_ids or ["m-1"]))


async def route_one(router: MessageRouter, event: MessagesAccepted) -> StoredRoute:
    routing = await router.route(event, "c")
    assert routing.unroutable == {}
    [decision] = routing.routed
    return decision.route


def router(documents: list[dict[str, Any]], outbox: RecordingPublisher) -> MessageRouter:
    return MessageRouter(
        InMemoryRoutedMessageStore(documents),
        InMemoryAccountStore(ACCOUNTS),
        InMemoryAgencyRegistry(list(AGENCIES.values())),
        outbox,
    )


async def test_paper_copy_sends_notify_letter_and_the_box_receipt() -> None:
    citizen = account_where(state="activated", guardianship=None, paper_copy_agencies=["belastingdienst"])
    outbox = RecordingPublisher()
    route = await route_one(router([message("belastingdienst", citizen["bsn"])], outbox), accepted("belastingdienst"))
    assert route.box and route.paper and Rule.PAPER_COPY_REQUESTED_BY_CITIZEN in route.rules
    kinds = [type(s).__name__ if not isinstance(s, tuple) else s[2] for s in outbox.sent]
    expected_notify = ["NotifyCitizen"] if route.channels else []
    expected = ["PrintLetter", ReceiptStatus.DELIVERED_TO_BOX, *expected_notify]  # sent_on_paper: by paper
    assert sorted(map(str, kinds)) == sorted(map(str, expected))
    commands = [s for s in outbox.sent if isinstance(s, NotifyCitizen | PrintLetter)]
    assert {c.account_id for c in commands} == {citizen["_id"]}  # so neither service reads the route
    assert all(c.delivered_at == route.routed_at for c in commands if isinstance(c, NotifyCitizen))


async def test_the_box_learns_of_each_box_route_with_its_paper_copy_and_of_no_other() -> None:
    copied = account_where(state="activated", guardianship=None, paper_copy_agencies=["belastingdienst"])
    documents = [
        message("belastingdienst", copied["bsn"], "copied"),
        message("belastingdienst", "111222333", "unknown"),
    ]
    outbox = RecordingPublisher()
    await router(documents, outbox).route(accepted("belastingdienst", "copied", "unknown"), "c")
    assert [(d.message_id, d.account_id, d.paper_copy) for d in outbox.deliveries] == [("copied", copied["_id"], True)]


async def test_redelivery_reuses_the_route_and_the_ids() -> None:
    citizen = account_where(state="ready", guardianship=None)
    documents = [message("uwv", citizen["bsn"])]
    first, second = RecordingPublisher(), RecordingPublisher()
    event = accepted("uwv")
    await router(documents, first).route(event, "c")
    await router(documents, second).route(event, "c")
    assert first.sent == second.sent
    assert isinstance(first.sent[0], PrintLetter)


async def test_unknown_citizen_goes_on_paper() -> None:
    outbox = RecordingPublisher()
    route = await route_one(router([message("rdw", "111222333")], outbox), accepted("rdw"))
    assert (route.box, route.paper, route.rules, route.account_id) == (False, True, [Rule.NO_ACCOUNT], None)


async def test_a_message_that_cannot_be_routed_holds_up_none_of_its_submission() -> None:
    citizen = account_where(state="ready", guardianship=None)
    documents = [
        message("uwv", citizen["bsn"], "good"),
        message("ministerie-van-x", citizen["bsn"], "unknown-agency"),
        {"_id": "corrupt", "agency_id": "uwv", "recipient_bsn": citizen["bsn"]},
    ]
    outbox = RecordingPublisher()
    routing = await router(documents, outbox).route(accepted("uwv", "good", "unknown-agency", "corrupt", "gone"), "c")
    assert [d.message_id for d in routing.routed] == ["good"]
    assert routing.unroutable == {
        "unknown-agency": "message from an agency that is not in the registry",
        "corrupt": "stored message is invalid (1 fields)",
        "gone": "no stored message with this id",
    }
    assert citizen["bsn"] not in routing.reason()  # it goes into the dead-letter headers
    assert routing.reason().startswith("3 of 4 messages not routed: unknown-agency: message from an agency")
    assert {s.message_id for s in outbox.sent if isinstance(s, PrintLetter)} == {"good"}


async def test_a_batch_stores_every_route_and_sends_every_command() -> None:
    citizens = [a for a in ACCOUNTS if a["state"] == "activated" and a["email"]][:5]
    documents = [message("belastingdienst", c["bsn"], f"m-{i}") for i, c in enumerate(citizens)]
    store, outbox = InMemoryRoutedMessageStore(documents), RecordingPublisher()
    router = MessageRouter(
        store, InMemoryAccountStore(ACCOUNTS), InMemoryAgencyRegistry(list(AGENCIES.values())), outbox
    )
    routing = await router.route(accepted("belastingdienst", *(d["_id"] for d in documents)), "c")
    assert sorted(store.routes) == sorted(d["_id"] for d in documents)
    notified = {s.message_id: s.account_id for s in outbox.sent if isinstance(s, NotifyCitizen)}
    assert notified  # activated citizens with an e-mail address: notified
    assert notified == {d.message_id: d.route.account_id for d in routing.routed if d.route.channels}
    assert {d.route.account_id for d in routing.routed} == {c["_id"] for c in citizens}


async def test_the_route_stored_first_wins_even_if_the_account_changed_since() -> None:
    citizen = account_where(state="ready", guardianship=None)
    store = InMemoryRoutedMessageStore([message("uwv", citizen["bsn"])])
    accounts = InMemoryAccountStore(ACCOUNTS)
    first, second = RecordingPublisher(), RecordingPublisher()
    event = accepted("uwv")
    await MessageRouter(store, accounts, InMemoryAgencyRegistry(list(AGENCIES.values())), first).route(event, "c")
    accounts.by_number[citizen["bsn"]].update(state="activated", opted_in_agencies=["uwv"], email="x@example.nl")
    route = await route_one(
        MessageRouter(store, accounts, InMemoryAgencyRegistry(list(AGENCIES.values())), second), event
    )
    assert (route.box, route.paper) == (False, True)
    assert first.sent == second.sent


async def test_messages_of_several_submissions_in_one_event_keep_their_own_correlation_ids() -> None:
    """Receipts name the agency's correlation id; commands carry our trace id, which is logged."""
    citizen = account_where(state="activated", guardianship=None)
    documents = [
        message("belastingdienst", citizen["bsn"], "m-1", correlation_id="submission-1", trace_id="trace-1"),
        message("belastingdienst", citizen["bsn"], "m-2", correlation_id="submission-2", trace_id="trace-2"),
        message("belastingdienst", citizen["bsn"], "m-3"),  # stored before correlation ids were kept
    ]
    outbox = RecordingPublisher()
    routing = await router(documents, outbox).route(accepted("belastingdienst", "m-1", "m-2", "m-3"), "event")
    assert len(routing.routed) == 3
    assert outbox.receipt_correlation_ids == {("m-1", "submission-1"), ("m-2", "submission-2"), ("m-3", "event")}
    assert outbox.correlation_ids == {("m-1", "trace-1"), ("m-2", "trace-2"), ("m-3", "event")}
    assert outbox.receipt_messages == [3]  # one message to the agency; each receipt names its submission


async def test_the_receipts_of_a_batch_go_to_the_agency_at_once() -> None:
    citizen = account_where(state="activated", guardianship=None)
    documents = [message("belastingdienst", citizen["bsn"], f"m-{n}", correlation_id="batch") for n in range(5)]
    outbox = RecordingPublisher()
    routing = await router(documents, outbox).route(
        accepted("belastingdienst", *(d["_id"] for d in documents)), "batch"
    )
    assert len(routing.routed) == 5
    assert outbox.receipt_messages == [5]


async def test_a_notification_carries_what_it_tells_so_the_notifier_reads_no_message() -> None:
    citizen = next(a for a in ACCOUNTS if a["state"] == "activated" and a["email"])
    action = {"text": "Betaal voor 1 mei", "deadline": "2027-05-01", "schema_version": 1}
    documents = [
        message("belastingdienst", citizen["bsn"], "with-action", call_to_action=action),
        message("belastingdienst", citizen["bsn"], "without-action"),
    ]
    outbox = RecordingPublisher()
    await router(documents, outbox).route(accepted("belastingdienst", "with-action", "without-action"), "c")
    notified = {s.message_id: s for s in outbox.sent if isinstance(s, NotifyCitizen)}
    assert {m: n.agency_id for m, n in notified.items()} == dict.fromkeys(notified, "belastingdienst")
    assert notified["with-action"].call_to_action == CallToAction(text="Betaal voor 1 mei", deadline=date(2027, 5, 1))
    assert notified["without-action"].call_to_action is None


async def test_an_unreadable_account_fails_only_its_own_message() -> None:
    good = [a for a in ACCOUNTS if a["state"] == "activated"][:19]
    broken = {**good[0], "_id": "broken", "bsn": "999993653"}
    del broken["state"]
    documents = [message("belastingdienst", a["bsn"], f"m-{i}") for i, a in enumerate(good)]
    documents.append(message("belastingdienst", broken["bsn"], "m-broken"))
    outbox = RecordingPublisher()
    routing = await MessageRouter(
        InMemoryRoutedMessageStore(documents),
        InMemoryAccountStore([*ACCOUNTS, broken]),
        InMemoryAgencyRegistry(list(AGENCIES.values())),
        outbox,
    ).route(accepted("belastingdienst", *(d["_id"] for d in documents)), "c")
    assert len(routing.routed) == 19
    assert list(routing.unroutable) == ["m-broken"]
    assert routing.unroutable["m-broken"].startswith("stored account is invalid")
