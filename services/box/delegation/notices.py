"""Telling helpers of new messages in the boxes they help with, when they asked for it: a
notice through the helper's own e-mail address and devices, sent by the notifier, that names
the sender and neither the owner nor the message. Only within the grant's scope."""

from collections.abc import Callable
from datetime import datetime

from services.box.account.repository import Citizens
from services.box.delegation.repository import Grants
from services.box.delegation.rules import active
from services.box.publishers import BoxPublisher
from shared.contracts.ids import derived_id
from shared.contracts.messages import MAX_BATCH_SIZE, Channel, MessagesDeliveredToBox, NotifyCitizen, NotifyCitizens


class HelperNotices:
    def __init__(
        self, grants: Grants, citizens: Citizens, publisher: BoxPublisher, clock: Callable[[], datetime]
    ) -> None:
        self.grants, self.citizens, self.publisher, self.clock = grants, citizens, publisher, clock

    async def notify(self, event: MessagesDeliveredToBox) -> int:
        """Idempotent: a notice's id is derived from the message and the grant, so a redelivered
        event is told once (the notifier claims by it)."""
        now = self.clock()
        owners = sorted({d.account_id for d in event.deliveries})
        grants = [g for g in await self.grants.notified_of(owners) if active(g.period, now)]
        notices = []
        for grant in grants:
            helper = None if grant.helper_id is None else await self.citizens.by_account_id(grant.helper_id)
            address = None if helper is None or helper.email_not_working else helper.email
            channels = [] if helper is None else channels_of(address, helper.push_subscriptions)
            if helper is None or not channels:
                continue
            for delivery in event.deliveries:
                if delivery.account_id == grant.owner_id and grant.access.allows_sender(delivery.agency_id):
                    notices.append(
                        NotifyCitizen(
                            notification_id=derived_id("helper-notice", delivery.message_id, grant.grant_id),
                            message_id=delivery.message_id,
                            account_id=helper.account_id,
                            agency_id=delivery.agency_id,
                            delivered_at=delivery.delivered_at,
                            channels=channels,
                            kind="helper_new_message",
                            grant_id=grant.grant_id,
                        )
                    )
        for i in range(0, len(notices), MAX_BATCH_SIZE):
            batch = NotifyCitizens(notifications=notices[i : i + MAX_BATCH_SIZE])
            command_id = derived_id("helper-notices", *(n.notification_id for n in batch.notifications))
            await self.publisher.notify(batch, command_id)
        return len(notices)


def channels_of(email: str | None, devices: list[dict[str, object]]) -> list[Channel]:
    return [c for c, on in ((Channel.EMAIL, bool(email)), (Channel.PUSH, bool(devices))) if on]
