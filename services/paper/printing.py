"""The printing use case: from `PrintLetter` to a spooled PDF/A letter, or to a letter
marked `undeliverable` (with a receipt to the agency) when its address cannot be printed."""

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from services.paper.address import Printable, window_address
from services.paper.publishers import PaperPublisher
from services.paper.records import Addressee, MessageToPrint, PrintedLetter, UndeliverableLetter
from services.paper.render import LetterContent, RenderedFile
from services.paper.repository import LetterStore, PrintSources
from services.paper.rules import postage_for, sheets_for
from services.paper.spool import Spool, StagedLetter
from shared.contracts.agencies import Agency
from shared.contracts.ids import receipt_id_for
from shared.contracts.messages import PrintLetter, Reason, Receipt, ReceiptStatus
from shared.dutch import dutch_date
from shared.messaging.dead_letter import PermanentError
from shared.storage.agencies import AgencyRegistry

Renderer = Callable[[LetterContent, list[bytes], str], Awaitable[RenderedFile]]
"""Renders a letter into the file at the path given."""


class LetterPrinter:
    def __init__(
        self,
        sources: PrintSources,
        agencies: AgencyRegistry,
        letters: LetterStore,
        spool: Spool,
        render: Renderer,
        publisher: PaperPublisher,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.sources, self.agencies, self.letters, self.spool = sources, agencies, letters, spool
        self.render, self.publisher, self.clock = render, publisher, clock

    async def print(self, command: PrintLetter, correlation_id: str) -> str:
        """The letter's final status: `rendered` or `undeliverable`."""
        done, message, addressee = await asyncio.gather(  # one wait for the three look-ups
            self.letters.status(command.letter_id),
            self.sources.message(command.message_id),
            self._addressee(command.account_id),
        )
        if done is not None:
            return done
        if message is None:
            raise PermanentError("no stored message for this letter")
        agency = await self.agencies.get(message.agency_id)
        if agency is None:
            raise PermanentError("message from an agency that is not in the registry")
        address = window_address(addressee.name, addressee.address_lines, addressee.country)
        if not isinstance(address, Printable):
            return await self._undeliverable(command, message, address.reason, correlation_id)
        staged = self.spool.staging_path(command.letter_id)
        try:
            rendered = await self.render(_content(command, message, agency, address), message.attachments, str(staged))
            spooled = await self.spool.commit(StagedLetter(command.letter_id, staged, rendered.sha256, rendered.size))
        except BaseException:
            staged.unlink(missing_ok=True)
            raise
        printed = PrintedLetter(
            letter_id=command.letter_id,
            message_id=command.message_id,
            copy_of_box_message=command.copy_of_box_message,
            file=spooled.file,
            sha256=spooled.sha256,
            pages=rendered.pages,
            sheets=sheets_for(rendered.pages),
            postage=postage_for(addressee.country),
            rendered_at=self.clock(),
        )
        await self.letters.record(printed)
        return "rendered"

    async def _addressee(self, account_id: str | None) -> Addressee:
        return (await self.sources.addressee(account_id) if account_id else None) or Addressee()

    async def _undeliverable(
        self, command: PrintLetter, message: MessageToPrint, reason: str, correlation_id: str
    ) -> str:
        receipt = Receipt(
            receipt_id=receipt_id_for(command.letter_id, ReceiptStatus.UNDELIVERABLE.value),
            status=ReceiptStatus.UNDELIVERABLE,
            agency_reference=message.agency_reference,
            message_id=command.message_id,
            reasons=[Reason(code="address_unprintable", field="recipient_address", detail=reason)],
            issued_at=self.clock(),
            correlation_id=correlation_id or None,
        )
        await self.publisher.undeliverable(message.agency_id, receipt, correlation_id)
        letter = UndeliverableLetter(
            command.letter_id, command.message_id, command.copy_of_box_message, reason, self.clock()
        )
        await self.letters.record(letter)
        return "undeliverable"


def _content(command: PrintLetter, message: MessageToPrint, agency: Agency, address: Printable) -> LetterContent:
    action = message.call_to_action
    return LetterContent(
        agency={
            "display_name": agency.display_name,
            "return_address": agency.letterhead.return_address,
            "contact_lines": agency.letterhead.contact_lines,
        },
        address_lines=list(address.lines),
        date=dutch_date(message.accepted_at),
        reference=message.agency_reference,
        subject=message.subject,
        paragraphs=[p.strip() for p in message.body.split("\n\n") if p.strip()],
        call_to_action=None
        if action is None
        else {"text": action.text, "deadline": dutch_date(action.deadline) if action.deadline else None},
        copy_of_box_message=command.copy_of_box_message,
        created_at=message.accepted_at,
    )
