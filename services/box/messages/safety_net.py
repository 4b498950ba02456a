"""The paper safety net (vangnet) the citizen chose: a message still unopened so many days
after it reached the box is printed by the paper service, with a cover note, and the agency
hears nothing of it (no receipt: it would say the message was unopened). Each entry knows when
it is due; the sweep prints the due ones; a message printed is marked, so a sweep run twice,
or killed mid-run, prints nothing twice (the letter id is derived, the paper service keeps one
letter per id)."""

import logging
from collections.abc import Callable
from datetime import datetime

from services.box.messages.repository import Box
from services.box.publishers import BoxPublisher
from shared.contracts.ids import derived_id
from shared.contracts.messages import PrintLetter

logger = logging.getLogger(__name__)


class SafetyNet:
    def __init__(self, box: Box, publisher: BoxPublisher, clock: Callable[[], datetime], batch: int = 500) -> None:
        self.box, self.publisher, self.clock, self.batch = box, publisher, clock, batch

    async def run_once(self) -> int:
        now, printed = self.clock(), 0
        for entry in await self.box.safety_net_due(now, self.batch):
            letter_id = derived_id("safety-net", entry.message_id)
            letter = PrintLetter(letter_id=letter_id, message_id=entry.message_id, account_id=entry.account_id,
                                 copy_of_box_message=True, purpose="safety_net")  # fmt: skip
            await self.publisher.print_letter(letter)
            await self.box.safety_net_printed(entry.message_id, now)
            printed += 1
        if printed:
            logger.info("%d unopened messages sent to paper (vangnet)", printed)
        return printed
