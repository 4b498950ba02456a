"""What follows a submission's routes: each letter, the notifications in one command, the
receipts in one message per agency (each naming its submission's correlation id). Ids are
derived from the message, so a redelivery sends the same commands again under the same ids."""

import asyncio
from collections.abc import Callable
from datetime import datetime

from services.router.publishers import RouterPublisher
from services.router.records import Decision
from shared.contracts.ids import derived_id, receipt_id_for
from shared.contracts.messages import (
    MAX_BATCH_SIZE,
    BoxDelivery,
    MessagesDeliveredToBox,
    NotifyCitizen,
    NotifyCitizens,
    PrintLetter,
    Receipt,
    ReceiptStatus,
)


class Dispatcher:
    def __init__(self, publisher: RouterPublisher, clock: Callable[[], datetime]) -> None:
        self.publisher, self.clock = publisher, clock

    async def dispatch(self, routed: list[Decision], correlation_id: str) -> None:
        """What follows the routes: each letter, the notifications in one command, the receipts
        in one message per agency."""
        notifications = [n for d in routed if (n := _notification(d)) is not None]
        deliveries = [b for d in routed if (b := _box_delivery(d)) is not None]
        receipts: dict[str, list[Receipt]] = {}
        for d in routed:
            receipts.setdefault(d.message.agency_id, []).extend(
                self._receipts(d, d.message.correlation_id or correlation_id)
            )
        await asyncio.gather(
            *(
                self.publisher.print_letter(letter, d.message.trace_id or correlation_id)
                for d in routed
                if (letter := _letter(d)) is not None
            ),
            *(
                self.publisher.notify(
                    NotifyCitizens(notifications=notifications[i : i + MAX_BATCH_SIZE]), correlation_id
                )
                for i in range(0, len(notifications), MAX_BATCH_SIZE)
            ),
            *(
                self.publisher.delivered(
                    MessagesDeliveredToBox(deliveries=deliveries[i : i + MAX_BATCH_SIZE]), correlation_id
                )
                for i in range(0, len(deliveries), MAX_BATCH_SIZE)
            ),
            *(self.publisher.receipts(agency_id, rs) for agency_id, rs in receipts.items()),
        )

    def _receipts(self, decision: Decision, correlation_id: str) -> list[Receipt]:
        """`delivered_to_box` for a box route. Paper tells `sent_on_paper` itself, once the
        letter is in the spool (or `undeliverable`): a route to paper promises nothing yet."""
        if not decision.route.box:
            return []
        status = ReceiptStatus.DELIVERED_TO_BOX
        receipt = Receipt(
            receipt_id=receipt_id_for(decision.message_id, status.value),
            status=status,
            agency_reference=decision.message.agency_reference,
            message_id=decision.message_id,
            issued_at=self.clock(),
            correlation_id=correlation_id,
        )
        return [receipt]


def _box_delivery(decision: Decision) -> BoxDelivery | None:
    route = decision.route
    if not (route.box and route.account_id):
        return None
    return BoxDelivery(
        message_id=decision.message_id,
        account_id=route.account_id,
        agency_id=decision.message.agency_id,
        delivered_at=route.routed_at,
        paper_copy=route.paper,
    )


def _letter(decision: Decision) -> PrintLetter | None:
    if not decision.route.paper:
        return None
    return PrintLetter(
        letter_id=derived_id("letter", decision.message_id),
        message_id=decision.message_id,
        account_id=decision.route.account_id,
        copy_of_box_message=decision.route.box,
    )


def _notification(decision: Decision) -> NotifyCitizen | None:
    route = decision.route
    if not (route.channels and route.account_id):  # the policy gives channels only to an account
        return None
    return NotifyCitizen(
        notification_id=derived_id("notification", decision.message_id, "new_message"),
        message_id=decision.message_id,
        account_id=route.account_id,
        agency_id=decision.message.agency_id,
        call_to_action=decision.message.call_to_action,
        delivered_at=route.routed_at,
        channels=route.channels,
        correlation_id=decision.message.trace_id,
    )
