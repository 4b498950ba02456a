"""Filing deliveries: each message the router put in a box becomes one entry there, with the
subject and call to action it is listed by, and when it is due for the vangnet or asks for a
recovery letter if still unopened. Filing again (a redelivery) adds nothing."""

from datetime import date, datetime, timedelta

from services.box.messages.records import Entry
from services.box.messages.recovery_rules import recovery_due
from services.box.messages.repository import Box
from services.box.messages.sources import AccountFacts, Contents
from shared.contracts.messages import MessagesDeliveredToBox
from shared.storage.agencies import AgencyRegistry


class MessageNotStored(Exception):
    """The router routed a message ingest has not got (yet, on a lagging secondary): retried."""


class Filing:
    def __init__(self, box: Box, contents: Contents, accounts: AccountFacts, agencies: AgencyRegistry) -> None:
        self.box, self.contents, self.accounts, self.agencies = box, contents, accounts, agencies

    async def file(self, event: MessagesDeliveredToBox) -> int:
        """How many entries are new."""
        ids = [d.message_id for d in event.deliveries]
        summaries = await self.contents.summaries(ids)
        missing = [i for i in ids if i not in summaries]
        if missing:
            raise MessageNotStored(f"{len(missing)} delivered messages are not in the message store")
        accounts = await self.accounts.of(sorted({d.account_id for d in event.deliveries}))
        wanting = await self._wanting_recovery_letters({d.agency_id for d in event.deliveries})
        entries = []
        for delivery in event.deliveries:
            summary, account = summaries[delivery.message_id], accounts.get(delivery.account_id)
            reach, days = (account.reach, account.safety_net_days) if account else (None, None)
            wants = delivery.agency_id in wanting
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
                    safety_net_due=net_due(delivery.delivered_at, days),
                    recovery_due=recovery_due(delivery.delivered_at, reach, wants, delivery.paper_copy),
                )
            )
        return await self.box.file(entries)

    async def _wanting_recovery_letters(self, agency_ids: set[str]) -> set[str]:
        found = [await self.agencies.get(agency_id) for agency_id in sorted(agency_ids)]
        return {agency.agency_id for agency in found if agency is not None and agency.wants_recovery_letters}


def net_due(delivered_at: datetime, days: int | None) -> datetime | None:
    return None if days is None else delivered_at + timedelta(days=days)
