from dataclasses import replace

from services.ingest.records import NewMessage, Prior, Rejection, Stored


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
