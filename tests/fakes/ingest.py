from dataclasses import replace
from datetime import datetime

from services.ingest.records import AcceptedMessage, AcceptedPage, NewMessage, Prior, Rejection, Stored


class InMemoryMessageStore:
    def __init__(self) -> None:
        self.messages: dict[str, NewMessage] = {}
        self.rejections: list[Rejection] = []
        self.routed: set[str] = set()
        """Message ids the router has a route for."""

    async def add_many(self, messages: list[NewMessage]) -> list[Stored]:
        stored = []
        for message in messages:
            original = self.messages.setdefault(message.message_id, message)
            if original is message:
                stored.append(Stored(message, Prior.NONE))
            else:
                same = replace(original, accepted_at=message.accepted_at) == message
                stored.append(Stored(message, Prior.SAME if same else Prior.OTHER))
        return stored

    async def add_rejections(self, rejections: list[Rejection]) -> None:
        known = {r.rejection_id for r in self.rejections}
        self.rejections.extend(r for r in rejections if r.rejection_id not in known)

    async def unrouted(self, message_ids: list[str]) -> set[str]:
        return {m for m in message_ids if m in self.messages and m not in self.routed}

    async def accepted_between(self, accepted_from: datetime, accepted_until: datetime, limit: int) -> AcceptedPage:
        window = sorted(
            (m for m in self.messages.values() if accepted_from <= m.accepted_at < accepted_until),
            key=lambda m: m.accepted_at,
        )[:limit]
        found = [AcceptedMessage(m.message_id, m.agency_id, m.accepted_at) for m in window]
        return AcceptedPage(found, found[-1].accepted_at if found else None, len(found) == limit)
