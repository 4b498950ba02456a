"""Ingest announces the messages of concurrent submissions of one agency in one event."""

import asyncio

from services.ingest.announcements import GroupedAnnouncements
from shared.contracts.messages import MessagesAccepted


class SlowBroker:
    def __init__(self) -> None:
        self.published: list[tuple[MessagesAccepted, str]] = []

    async def publish(self, event: MessagesAccepted, correlation_id: str) -> None:
        await asyncio.sleep(0.01)  # the confirm is in flight: the next submissions gather
        self.published.append((event, correlation_id))


def accepted(agency_id: str, *ids: str) -> MessagesAccepted:
    return MessagesAccepted(agency_id=agency_id, message_ids=list(ids))


async def test_submissions_arriving_while_an_event_is_in_flight_share_the_next_event() -> None:
    broker = SlowBroker()
    announcements = GroupedAnnouncements(broker.publish)
    first = asyncio.create_task(announcements.messages_accepted(accepted("uwv", "m0"), "c0"))
    await asyncio.sleep(0.001)
    await asyncio.gather(*(announcements.messages_accepted(accepted("uwv", f"m{i}"), f"c{i}") for i in range(1, 5)))
    await first
    assert [(e.message_ids, c) for e, c in broker.published] == [(["m0"], "c0"), (["m1", "m2", "m3", "m4"], "c1")]


async def test_each_agency_gets_its_own_events() -> None:
    broker = SlowBroker()
    announcements = GroupedAnnouncements(broker.publish)
    await asyncio.gather(
        announcements.messages_accepted(accepted("uwv", "u1"), "c"),
        announcements.messages_accepted(accepted("rdw", "r1"), "c"),
        announcements.messages_accepted(accepted("uwv", "u2"), "c"),
    )
    assert sorted((e.agency_id, e.message_ids) for e, _ in broker.published) == [("rdw", ["r1"]), ("uwv", ["u1", "u2"])]


async def test_an_event_never_carries_more_than_a_batch() -> None:
    broker = SlowBroker()
    announcements = GroupedAnnouncements(broker.publish)
    batch = [f"b{i}" for i in range(1000)]
    await asyncio.gather(
        announcements.messages_accepted(accepted("uwv", "first"), "c"),
        announcements.messages_accepted(accepted("uwv", *batch), "c"),
        announcements.messages_accepted(accepted("uwv", "last"), "c"),
    )
    assert [len(e.message_ids) for e, _ in broker.published] == [1, 1000, 1]


async def test_a_submission_returns_only_after_its_event_is_published() -> None:
    broker = SlowBroker()
    announcements = GroupedAnnouncements(broker.publish)
    await announcements.messages_accepted(accepted("uwv", "m1"), "c")
    assert [e.message_ids for e, _ in broker.published] == [["m1"]]
