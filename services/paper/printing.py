"""The printing use case: from `PrintLetter` to a spooled PDF/A letter, or to a letter
marked `undeliverable` (with a receipt to the agency) when its address cannot be printed. A
catch-up copy (the citizen chose paper) carries a cover note and tells the agency nothing."""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from services.paper.address import Printable, window_address
from services.paper.publishers import PaperPublisher
from services.paper.records import Addressee, MessageToPrint, PrintedLetter, UndeliverableLetter
from services.paper.render import LetterContent, RenderedFile, UnrenderableLetter
from services.paper.repository import LetterStore, PrintSources
from services.paper.rules import postage_for, sheets_for
from services.paper.spool import Spool, SpooledLetter, StagedLetter
from shared.contracts.agencies import Agency
from shared.contracts.ids import receipt_id_for
from shared.contracts.messages import PrintLetter, Reason, Receipt, ReceiptStatus
from shared.dutch import dutch_date
from shared.messaging.dead_letter import PermanentError
from shared.storage.agencies import AgencyRegistry

COVER_NOTES = {
    "safety_net": "Een papieren kopie van een bericht in uw Berichtenbox dat u nog niet had geopend.",
    "catch_up": "U heeft gekozen voor post op papier. Dit bericht stond nog ongeopend in uw Berichtenbox; "
    "hier is het op papier.",
}
"""What a letter says first when it is not the router's, but a copy the citizen chose."""
Renderer = Callable[[LetterContent, list[bytes], str], Awaitable[RenderedFile]]
"""Renders a letter into the file at the path given."""


@dataclass(frozen=True)
class Unmade:
    """Why a letter cannot be made: a reason code of the agency contract, and the detail."""

    code: str
    reason: str
    field: str | None = None


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
            unmade = Unmade("address_unprintable", address.reason, "recipient_address")
            return await self._undeliverable(command, message, unmade, correlation_id)
        content = _content(command, message, agency, address)
        try:
            rendered, spooled = await spool_letter(
                self.render, self.spool, command.letter_id, content, message.attachments
            )
        except UnrenderableLetter as error:
            return await self._undeliverable(
                command, message, Unmade("letter_unrenderable", str(error)), correlation_id
            )
        # told once the letter exists; recorded after, so a crash in between tells it again (same receipt id)
        if command.purpose == "route":  # a catch-up copy would tell the agency the message was unopened
            await self.publisher.receipt(
                message.agency_id, self._receipt(command, message, ReceiptStatus.SENT_ON_PAPER)
            )
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
        self, command: PrintLetter, message: MessageToPrint, unmade: Unmade, correlation_id: str
    ) -> str:
        reason = Reason(code=unmade.code, field=unmade.field, detail=unmade.reason)
        if command.purpose == "route":
            receipt = self._receipt(command, message, ReceiptStatus.UNDELIVERABLE, [reason])
            await self.publisher.receipt(message.agency_id, receipt)
        letter = UndeliverableLetter(
            command.letter_id, command.message_id, command.copy_of_box_message, unmade.reason, self.clock()
        )
        await self.letters.record(letter)
        return "undeliverable"

    def _receipt(
        self, command: PrintLetter, message: MessageToPrint, status: ReceiptStatus, reasons: list[Reason] | None = None
    ) -> Receipt:
        """Under the ids the router used to give these receipts (message id and status)."""
        key = command.message_id if status is ReceiptStatus.SENT_ON_PAPER else command.letter_id
        return Receipt(
            receipt_id=receipt_id_for(key, status.value),
            status=status,
            agency_reference=message.agency_reference,
            message_id=command.message_id,
            reasons=reasons or [],
            issued_at=self.clock(),
            correlation_id=message.correlation_id,
        )


async def spool_letter(
    render: Renderer, spool: Spool, letter_id: str, content: LetterContent, attachments: list[bytes]
) -> tuple[RenderedFile, SpooledLetter]:
    """Rendered into a staging file, then committed to the spool; nothing is left staged when
    that fails (`UnrenderableLetter`: no retry helps)."""
    staged = spool.staging_path(letter_id)
    try:
        rendered = await render(content, attachments, str(staged))
        return rendered, await spool.commit(StagedLetter(letter_id, staged, rendered.sha256, rendered.size))
    except BaseException:
        staged.unlink(missing_ok=True)
        raise


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
        cover_note=COVER_NOTES.get(command.purpose),
    )
