"""The printing use case: from `PrintLetter` to a spooled PDF/A letter, or to a letter
marked `undeliverable` (with a receipt to the agency) when its address cannot be printed."""

import asyncio
import base64
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Protocol

from services.paper.address import Printable, window_address
from services.paper.commits import GroupedSpoolCommits, StagedLetter
from services.paper.letters import LetterStore, sheets_for
from services.paper.render import LetterContent, RenderedFile
from services.paper.spool import Spool
from shared.contracts.ids import receipt_id_for
from shared.contracts.messages import PrintLetter, Reason, Receipt, ReceiptStatus
from shared.dutch import dutch_date
from shared.messaging.dead_letter import PermanentError
from shared.storage.agencies import Agency, AgencyRegistry
from shared.storage.mongo import Document

Renderer = Callable[[LetterContent, list[bytes], str], Awaitable[RenderedFile]]
"""Renders a letter into the file at the path given."""


MESSAGE_FIELDS = dict.fromkeys(
    ["agency_id", "agency_reference", "subject", "body", "call_to_action", "attachments", "accepted_at"], 1
)
ACCOUNT_FIELDS = {"name": 1, "address_lines": 1, "country": 1}
"""The window address and the postage: not the BSN."""


class Sources(Protocol):
    async def message(self, message_id: str) -> Document | None: ...
    async def account(self, account_id: str) -> Document | None: ...


class ReceiptSender(Protocol):
    async def __call__(self, agency_id: str, receipt: Receipt, correlation_id: str) -> None: ...


class LetterPrinter:
    def __init__(
        self,
        sources: Sources,
        agencies: AgencyRegistry,
        letters: LetterStore,
        spool: Spool,
        render: Renderer,
        send_receipt: ReceiptSender,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        gather_seconds: float = 0.0,
    ) -> None:
        """`gather_seconds`: how long a rendered letter waits for others to be fsynced with."""
        self.sources, self.agencies, self.letters, self.spool = sources, agencies, letters, spool
        self.render, self.send_receipt, self.clock = render, send_receipt, clock
        self.commits = GroupedSpoolCommits(spool, gather_seconds)

    async def print(self, command: PrintLetter, correlation_id: str) -> str:
        """The letter's final status: `rendered` or `undeliverable`."""
        done, message, account = await asyncio.gather(  # one wait for the three look-ups
            self.letters.get(command.letter_id),
            self.sources.message(command.message_id),
            self._account(command.account_id),
        )
        if done is not None:
            return str(done["status"])
        if message is None:
            raise PermanentError("no stored message for this letter")
        agency = await self.agencies.get(message["agency_id"])
        if agency is None:
            raise PermanentError("message from an agency that is not in the registry")
        address = window_address(account.get("name"), account.get("address_lines", []), account.get("country", "NL"))
        if not isinstance(address, Printable):
            return await self._undeliverable(command, message, address.reason, correlation_id)
        staged = self.spool.staging_path(command.letter_id)
        try:
            rendered = await self.render(
                self._content(command, message, agency, address), _attachments(message), str(staged)
            )
            spooled = await self.commits.commit(StagedLetter(command.letter_id, staged, rendered.sha256, rendered.size))
        except BaseException:
            staged.unlink(missing_ok=True)
            raise
        await self.letters.record(
            {
                "_id": command.letter_id,
                "message_id": command.message_id,
                "copy_of_box_message": command.copy_of_box_message,
                "status": "rendered",
                "file": spooled.file,
                "sha256": spooled.sha256,
                "pages": rendered.pages,
                "sheets": sheets_for(rendered.pages),
                "postage": "standaard" if account.get("country", "NL") == "NL" else "internationaal",
                "rendered_at": self.clock(),
            }
        )
        return "rendered"

    async def _account(self, account_id: str | None) -> Document:
        return (await self.sources.account(account_id) if account_id else None) or {}

    def _content(self, command: PrintLetter, message: Document, agency: Agency, address: Printable) -> LetterContent:
        action = message.get("call_to_action")
        return LetterContent(
            agency={
                "display_name": agency.display_name,
                "return_address": agency.letterhead.return_address,
                "contact_lines": agency.letterhead.contact_lines,
            },
            address_lines=list(address.lines),
            date=dutch_date(message["accepted_at"]),
            reference=message["agency_reference"],
            subject=message["subject"],
            paragraphs=[p.strip() for p in message["body"].split("\n\n") if p.strip()],
            call_to_action=None
            if action is None
            else {
                "text": action["text"],
                "deadline": action.get("deadline") and dutch_date(datetime.fromisoformat(action["deadline"])),
            },
            copy_of_box_message=command.copy_of_box_message,
            created_at=message["accepted_at"],
        )

    async def _undeliverable(self, command: PrintLetter, message: Document, reason: str, correlation_id: str) -> str:
        receipt = Receipt(
            receipt_id=receipt_id_for(command.letter_id, ReceiptStatus.UNDELIVERABLE.value),
            status=ReceiptStatus.UNDELIVERABLE,
            agency_reference=message["agency_reference"],
            message_id=command.message_id,
            reasons=[Reason(code="address_unprintable", field="recipient_address", detail=reason)],
            issued_at=self.clock(),
            correlation_id=correlation_id or None,
        )
        await self.send_receipt(message["agency_id"], receipt, correlation_id)
        await self.letters.record(
            {
                "_id": command.letter_id,
                "message_id": command.message_id,
                "copy_of_box_message": command.copy_of_box_message,
                "status": "undeliverable",
                "reason": reason,
                "rendered_at": self.clock(),
            }
        )
        return "undeliverable"


def _attachments(message: Document) -> list[bytes]:
    return [base64.b64decode(a["content_base64"]) for a in message.get("attachments", [])]
