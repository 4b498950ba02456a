"""What a citizen does with their own messages: open, move between folders, empty the
trash, and read their logboek. Every call names the account: another citizen's message is
not found, exactly as a message that does not exist."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from services.box.messages.records import Content, Entry, Folder
from services.box.messages.repository import Box, Contents, NotificationHistory
from services.box.messages.rules import Move, moved
from services.box.publishers import BoxPublisher
from shared.contracts.messages import MessageOpened


class MoveNotAllowed(Exception):
    pass


@dataclass(frozen=True)
class LogLine:
    message_id: str
    agency_id: str
    subject: str
    delivered_at: datetime
    notified: list[tuple[str, str, datetime]]
    """(channel, status, when) of each notification about it"""
    opened_at: datetime | None


class CitizenBox:
    def __init__(
        self,
        box: Box,
        contents: Contents,
        history: NotificationHistory,
        publisher: BoxPublisher,
        clock: Callable[[], datetime],
    ) -> None:
        self.box, self.contents, self.history, self.publisher, self.clock = box, contents, history, publisher, clock

    async def read(self, account_id: str, message_id: str, opening: bool = True) -> tuple[Entry, Content] | None:
        """The message, opened if `opening` (the citizen's own act, not another site's request
        or a prefetch): the first opening tells the notifier (which cancels the three-week
        reminder). It is published before `opened_at` is set, so a crash between the two
        publishes again on the next opening rather than never; its id is derived."""
        entry = await self.box.get(account_id, message_id)
        content = None if entry is None else await self.contents.get(message_id)
        if entry is None or content is None:
            return None
        if opening and entry.opened_at is None:
            now = self.clock()
            await self.publisher.opened(MessageOpened(message_id=message_id, opened_at=now))
            await self.box.first_opening(account_id, message_id, now)
        return entry, content

    async def move(self, account_id: str, message_id: str, move: Move) -> Folder | None:
        """The new folder; None if there is no such message of this citizen's."""
        entry = await self.box.get(account_id, message_id)
        if entry is None:
            return None
        folder = moved(entry.folder, move)
        if folder is None:
            raise MoveNotAllowed(f"{move.value} from {entry.folder.value}")
        await self.box.move(account_id, message_id, folder)
        return folder

    async def empty_trash(self, account_id: str) -> int:
        return await self.box.empty_trash(account_id)

    async def logboek(self, account_id: str) -> list[LogLine]:
        entries = await self.box.everything(account_id)
        notified = await self.history.of([e.message_id for e in entries])
        return [
            LogLine(e.message_id, e.agency_id, e.subject, e.delivered_at, notified.get(e.message_id, []), e.opened_at)
            for e in entries
        ]
