"""What a citizen, or their helper, does with the messages of a box: open, move between
folders, empty the trash, and read the logboek. Every call names the account, and a helper's
call the senders in scope: another citizen's message, or one outside the scope, is not found,
exactly as a message that does not exist."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.box.messages.openings import Openings
from services.box.messages.proof import Statement
from services.box.messages.records import Content, Entry, Folder
from services.box.messages.repository import Box
from services.box.messages.rules import Move, moved
from services.box.messages.sources import Contents, NotificationHistory
from services.box.publishers import BoxPublisher
from shared.contracts.ids import derived_id
from shared.contracts.messages import PrintLetter

CATCH_UP = timedelta(days=183)
"""Six months back."""


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
    opened_by: str | None = None


class CitizenBox:
    def __init__(
        self,
        box: Box,
        contents: Contents,
        history: NotificationHistory,
        publisher: BoxPublisher,
        openings: Openings,
        clock: Callable[[], datetime],
    ) -> None:
        self.box, self.contents, self.history, self.publisher, self.clock = box, contents, history, publisher, clock
        self.openings = openings

    async def entry(self, account_id: str, message_id: str, senders: frozenset[str] | None = None) -> Entry | None:
        entry = await self.box.get(account_id, message_id)
        return None if entry is None or (senders is not None and entry.agency_id not in senders) else entry

    async def read(
        self, account_id: str, message_id: str, opening: bool = True, senders: frozenset[str] | None = None,
        opener: str | None = None,
    ) -> tuple[Entry, Content] | None:  # fmt: skip
        """The message, opened if `opening` (the citizen's own act, not another site's request
        or a prefetch): the first opening tells the notifier (which cancels the three-week
        reminder), through the box's outbox (`openings.py`): never lost, even when the broker is
        away. A helper's opening counts (`opener` names them for the owner's logboek)."""
        entry = await self.entry(account_id, message_id, senders)
        content = None if entry is None else await self.contents.get(message_id)
        if entry is None or content is None:
            return None
        if opening and entry.opened_at is None:
            await self.openings.first(account_id, message_id, opener)
        return entry, content

    async def move(
        self, account_id: str, message_id: str, move: Move, senders: frozenset[str] | None = None
    ) -> Folder | None:
        """The new folder; None if there is no such message of this citizen's (in scope)."""
        entry = await self.entry(account_id, message_id, senders)
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
            LogLine(
                e.message_id,
                e.agency_id,
                e.subject,
                e.delivered_at,
                notified.get(e.message_id, []),
                e.opened_at,
                e.opened_by,
            )
            for e in entries
        ]

    async def statement(self, account_id: str, message_id: str, names: dict[str, str], issuer: str) -> Statement | None:
        """What a proof of notification says of one of the citizen's own messages; reading it
        opens nothing."""
        entry = await self.box.get(account_id, message_id)
        content = None if entry is None else await self.contents.get(message_id)
        if entry is None or content is None:
            return None
        return Statement(
            message_id, entry.agency_id, names.get(entry.agency_id, entry.agency_id), content.reference,
            content.subject, entry.delivered_at, await self.history.of_message(message_id), entry.opened_at,
            entry.opened_by, self.clock(), issuer,
        )  # fmt: skip

    async def catch_up(self, account_id: str, agencies: set[str]) -> int:
        """The unopened messages of the last six months from agencies the citizen just chose
        paper for, printed and sent (as Denmark does); the agency learns nothing of it. Each
        once: the letter's id is derived, and the entry remembers it."""
        if not agencies:
            return 0
        now = self.clock()
        entries = await self.box.unopened_from(account_id, agencies, now - CATCH_UP)
        for entry in entries:
            await self.publisher.print_letter(
                PrintLetter(letter_id=derived_id("catch-up", entry.message_id), message_id=entry.message_id,
                            account_id=account_id, copy_of_box_message=True, purpose="catch_up")
            )  # fmt: skip
        await self.box.caught_up(account_id, [e.message_id for e in entries], now)
        return len(entries)

    async def safety_net_chosen(self, account_id: str, days: int | None) -> None:
        """A changed vangnet applies to the messages waiting unopened too."""
        await self.box.safety_net_for(account_id, days)
