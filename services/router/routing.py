"""The routing use case: decide once per message, store the Routes of a submission with
their reasons at once, dispatch the commands that follow.

On redelivery the stored Route is reused and the same commands go out with the same ids.
A message that cannot be routed does not hold up the others of its submission.
"""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from services.router.dispatch import Dispatcher
from services.router.policy import AgencyFacts, MessageFacts, decide
from services.router.publishers import RouterPublisher
from services.router.records import Decision, StoredRoute, Unreadable
from services.router.repository import AccountStore, RoutedMessageStore
from shared.contracts.messages import MessagesAccepted
from shared.storage.agencies import AgencyRegistry

CONCURRENT_LOOK_UPS = 100
"""Messages of one submission decided at a time (each needs a few look-ups)."""


@dataclass
class Routing:
    """What became of one submission's messages."""

    routed: list[Decision] = field(default_factory=list)
    unroutable: dict[str, str] = field(default_factory=dict)
    """message id -> why (never message content: it goes to the dead-letter headers)."""

    def reason(self, shown: int = 10) -> str:
        why = "; ".join(f"{m}: {r}" for m, r in list(self.unroutable.items())[:shown])
        return f"{len(self.unroutable)} of {len(self.unroutable) + len(self.routed)} messages not routed: {why}"


class MessageRouter:
    def __init__(
        self,
        messages: RoutedMessageStore,
        accounts: AccountStore,
        agencies: AgencyRegistry,
        publisher: RouterPublisher,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.messages, self.accounts, self.agencies, self.clock = messages, accounts, agencies, clock
        self.dispatcher = Dispatcher(publisher, clock)

    async def route(self, event: MessagesAccepted, correlation_id: str) -> Routing:
        routing, decided = Routing(), []
        ids = event.message_ids
        for start in range(0, len(ids), CONCURRENT_LOOK_UPS):
            chunk = ids[start : start + CONCURRENT_LOOK_UPS]
            for message_id, outcome in zip(chunk, await asyncio.gather(*map(self._decide, chunk)), strict=True):
                if isinstance(outcome, Decision):
                    decided.append(outcome)
                else:
                    routing.unroutable[message_id] = outcome
        routing.routed = await self.messages.store_routes(decided) if decided else []
        await self.dispatcher.dispatch(routing.routed, correlation_id)
        return routing

    async def _decide(self, message_id: str) -> Decision | str:
        """The decision for one message, or why there is none."""
        message = await self.messages.get(message_id)
        if message is None:
            return "no stored message with this id"
        if isinstance(message, Unreadable):
            return message.reason
        agency = await self.agencies.get(message.agency_id)
        if agency is None:
            return "message from an agency that is not in the registry"
        account = await self.accounts.by_bsn(message.recipient_bsn)
        if isinstance(account, Unreadable):
            return account.reason
        route = decide(
            MessageFacts(paper_copy_requested=message.paper_copy_requested),
            AgencyFacts(agency.agency_id, agency.mandatory_sender, agency.paper_copy_allowed),
            None if account is None else account.facts,
        )
        stored = StoredRoute(
            box=route.box,
            paper=route.paper,
            channels=list(route.channels),
            rules=list(route.rules),
            account_id=account.account_id if account else None,
            routed_at=self.clock(),
        )
        return Decision(message_id, message, stored)
