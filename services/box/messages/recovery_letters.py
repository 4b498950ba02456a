"""The recovery sweep (contact recovery): the entries that asked for a recovery letter and are
due, box by box, decided by recovery_rules.py; a letter goes to the paper service as a
`PrintRecoveryLetter`, naming the senders of all the box's unopened post.

Killed mid-run, it finishes on the next run and prints nothing twice: a letter's id is derived
from the box and how many letters it was sent before, so one published again before it was
recorded is the same letter (the paper service keeps one per id); once recorded, the entries it
told of ask for nothing more, even if the run died before it cleared them."""

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from services.box.messages.recovery_log import RecoveryLog
from services.box.messages.recovery_rules import Later, Send, Told, asked_when_contact_lost, recovery_letter
from services.box.messages.repository import Box
from services.box.messages.sources import AccountFacts
from shared.contracts.ids import derived_id
from shared.contracts.messages import PrintRecoveryLetter

logger = logging.getLogger(__name__)


class RecoveryLetters:
    def __init__(
        self,
        box: Box,
        accounts: AccountFacts,
        log: RecoveryLog,
        publish: Callable[[PrintRecoveryLetter], Awaitable[None]],
        clock: Callable[[], datetime],
        batch: int = 500,
    ) -> None:
        self.box, self.accounts, self.log, self.publish = box, accounts, log, publish
        self.clock, self.batch = clock, batch

    async def contact_lost(self, account_id: str) -> int:
        """The citizen's e-mail address was found not working: what it may not have told of
        asks for a letter (sent only if no other channel reaches them by then)."""
        since, due = asked_when_contact_lost(self.clock())
        return await self.box.recovery_asked(account_id, since, due)

    async def run_once(self) -> int:
        """How many letters it sent."""
        now = self.clock()
        due = await self.box.recovery_due(now, self.batch)
        facts = await self.accounts.of(sorted(due))
        sent = 0
        for account_id, waiting in due.items():
            before = await self.log.of(account_id)
            account = facts.get(account_id)
            decision = recovery_letter(waiting, account.reach if account else None, before.last, now)
            ids = [w.message_id for w in waiting]
            if isinstance(decision, Later):
                await self.box.recovery_later(ids, decision.until)
                continue
            if isinstance(decision, Send):
                senders = decision.senders | await self.box.unopened_senders(account_id)
                letter_id = derived_id("recovery-letter", account_id, str(before.letters))
                await self.publish(PrintRecoveryLetter(letter_id=letter_id, account_id=account_id,
                                                       agency_ids=sorted(senders)))  # fmt: skip
                await self.log.sent(account_id, before, Told(now, decision.told_until))
                sent += 1
            await self.box.recovery_done(ids)
        if sent:
            logger.info("%d recovery letters to citizens no notification reaches", sent)
        return sent
