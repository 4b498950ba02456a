"""The recovery letter (contact recovery): for a citizen no notification reaches, a letter that
says only that post waits in their Berichtenbox, from which senders, and how to read it or
choose paper. Never a subject, never content; no receipt to any agency (it would tell that
the message was unopened). The box decides who gets one (services/box/messages/recovery.py)."""

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime

from services.paper.address import Printable, window_address
from services.paper.printing import Renderer, spool_letter
from services.paper.records import Addressee, PrintedLetter, UndeliverableLetter
from services.paper.render import LetterContent, UnrenderableLetter
from services.paper.repository import LetterStore, PrintSources
from services.paper.rules import postage_for, sheets_for
from services.paper.spool import Spool
from shared.contracts.agencies import Letterhead
from shared.contracts.messages import PrintRecoveryLetter
from shared.dutch import dutch_date
from shared.messaging.dead_letter import PermanentError
from shared.storage.agencies import AgencyRegistry

SUBJECT = "Er staat post voor u klaar in uw Berichtenbox"


def recovery_paragraphs(senders: list[str], login_url: str) -> list[str]:
    return [
        "In uw Berichtenbox staan berichten die u nog niet heeft geopend. Ze komen van:",
        *(f"– {sender}" for sender in senders),
        "Wij sturen u deze brief omdat wij u niet per e-mail of via de app konden laten weten dat er post "
        "voor u is. Wat er in de berichten staat, leest alleen u: het staat niet in deze brief.",
        f"Zo leest u uw post: ga naar {login_url} en log in met DigiD. Geef daar ook een e-mailadres op, "
        "dan krijgt u voortaan bericht als er nieuwe post is.",
        "Liever post op papier? Kies na het inloggen bij Voorkeuren voor papier. Berichten die u nog niet "
        "had geopend, sturen wij u dan ook op papier.",
        "Hulp nodig? Iemand die u vertrouwt kan met uw toestemming meelezen: kies Machtigen in uw "
        "Berichtenbox. Ook de bibliotheek helpt u graag (Informatiepunt Digitale Overheid).",
    ]


class RecoveryLetterPrinter:
    def __init__(
        self,
        sources: PrintSources,
        agencies: AgencyRegistry,
        letters: LetterStore,
        spool: Spool,
        render: Renderer,
        letterhead: Letterhead,
        login_url: str,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.sources, self.agencies, self.letters, self.spool = sources, agencies, letters, spool
        self.render, self.letterhead, self.login_url, self.clock = render, letterhead, login_url, clock

    async def print(self, command: PrintRecoveryLetter) -> str:
        """The letter's final status: `rendered` or `undeliverable`; one letter per id."""
        done, addressee = await asyncio.gather(
            self.letters.status(command.letter_id), self.sources.addressee(command.account_id)
        )
        if done is not None:
            return done
        found = await asyncio.gather(*(self.agencies.get(a) for a in command.agency_ids))
        senders = sorted({agency.display_name for agency in found if agency is not None})
        if not senders:
            raise PermanentError("none of the letter's senders is in the registry")
        addressee = addressee or Addressee()
        address = window_address(addressee.name, addressee.address_lines, addressee.country)
        if not isinstance(address, Printable):
            return await self._undeliverable(command, address.reason)
        now = self.clock()
        content = LetterContent(
            agency={"display_name": "Berichtenbox", **self.letterhead.model_dump()},
            address_lines=list(address.lines),
            date=dutch_date(now),
            reference=command.letter_id[:8],
            subject=SUBJECT,
            paragraphs=recovery_paragraphs(senders, self.login_url),
            call_to_action=None,
            copy_of_box_message=False,
            created_at=now,
        )
        try:
            rendered, spooled = await spool_letter(self.render, self.spool, command.letter_id, content, [])
        except UnrenderableLetter as error:
            return await self._undeliverable(command, str(error))
        printed = PrintedLetter(
            letter_id=command.letter_id, message_id=None, copy_of_box_message=False, file=spooled.file,
            sha256=spooled.sha256, pages=rendered.pages, sheets=sheets_for(rendered.pages),
            postage=postage_for(addressee.country), rendered_at=now,
        )  # fmt: skip
        await self.letters.record(printed)
        return "rendered"

    async def _undeliverable(self, command: PrintRecoveryLetter, reason: str) -> str:
        await self.letters.record(UndeliverableLetter(command.letter_id, None, False, reason, self.clock()))
        return "undeliverable"
