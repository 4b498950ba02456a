"""Filing deliveries: each message the router put in a box becomes one entry there, with the
subject and call to action it is listed by. Filing again (a redelivery) adds nothing."""

from datetime import date, datetime, timedelta

from services.box.messages.records import Entry
from services.box.messages.repository import Box
from services.box.messages.sources import Contents, SafetyNetChoices
from shared.contracts.messages import MessagesDeliveredToBox


class MessageNotStored(Exception):
    """The router routed a message ingest has not got (yet, on a lagging secondary): retried."""


class Filing:
    def __init__(self, box: Box, contents: Contents, safety_nets: SafetyNetChoices) -> None:
        self.box, self.contents, self.safety_nets = box, contents, safety_nets

    async def file(self, event: MessagesDeliveredToBox) -> int:
        """How many entries are new."""
        ids = [d.message_id for d in event.deliveries]
        summaries = await self.contents.summaries(ids)
        missing = [i for i in ids if i not in summaries]
        if missing:
            raise MessageNotStored(f"{len(missing)} delivered messages are not in the message store")
        nets = await self.safety_nets.of(sorted({d.account_id for d in event.deliveries}))
        entries = []
        for delivery in event.deliveries:
            summary = summaries[delivery.message_id]
            action = summary.get("call_to_action") or {}
            deadline = action.get("deadline")
            entries.append(
                Entry(
                    message_id=delivery.message_id,
                    account_id=delivery.account_id,
                    agency_id=delivery.agency_id,
                    subject=summary["subject"],
                    delivered_at=delivery.delivered_at,
                    action_text=action.get("text"),
                    deadline=date.fromisoformat(deadline) if deadline else None,
                    paper_copy=delivery.paper_copy,
                    safety_net_due=net_due(delivery.delivered_at, nets.get(delivery.account_id)),
                )
            )
        return await self.box.file(entries)


def net_due(delivered_at: datetime, days: int | None) -> datetime | None:
    return None if days is None else delivered_at + timedelta(days=days)
