"""The `MessagesAccepted` of concurrent submissions of one agency go out as one event (up to
1,000 ids), so single submissions also reach the router as batches. While one event is in
flight, the next submissions' ids gather; an idle ingest publishes at once.

Each submission returns when the event that carries its ids is confirmed by the broker, so
the order of effects of one submission (stored; announced and receipted; acked) holds. Each message
keeps its submission's correlation id in MongoDB; the event carries the first one's."""

from collections.abc import Awaitable, Callable

from shared.contracts.messages import MAX_BATCH_SIZE, MessagesAccepted
from shared.runtime.grouping import GroupCommit, Request

Publish = Callable[[MessagesAccepted, str], Awaitable[None]]
Announced = tuple[str, str]
"""A message id, and the correlation id of its submission."""


class _AgencyAnnouncements(GroupCommit[Announced, None]):
    def __init__(self, agency_id: str, publish: Publish) -> None:
        super().__init__(MAX_BATCH_SIZE)
        self._agency_id, self._publish = agency_id, publish

    async def announce(self, event: MessagesAccepted, correlation_id: str) -> None:
        await self._submit([(message_id, correlation_id) for message_id in event.message_ids])

    async def _run(self, group: list[Request[Announced, None]]) -> None:
        announced = [item for request in group for item in request.items]
        event = MessagesAccepted(agency_id=self._agency_id, message_ids=[message_id for message_id, _ in announced])
        await self._publish(event, announced[0][1])
        for request in group:
            request.answer(None)


class GroupedAnnouncements:
    def __init__(self, publish: Publish) -> None:
        self._publish = publish
        self._agencies: dict[str, _AgencyAnnouncements] = {}

    async def messages_accepted(self, event: MessagesAccepted, correlation_id: str) -> None:
        agency = self._agencies.get(event.agency_id)
        if agency is None:
            agency = self._agencies[event.agency_id] = _AgencyAnnouncements(event.agency_id, self._publish)
        await agency.announce(event, correlation_id)
