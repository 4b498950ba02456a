"""The routing use case: decide once per message, store the Routes of a submission with
their reasons at once, dispatch the commands that follow.

On redelivery the stored Route is reused and the same commands go out with the same ids.
A message that cannot be routed does not hold up the others of its submission.
"""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from pydantic import BaseModel, ConfigDict, ValidationError

from services.router.accounts import AccountStore, account_facts
from services.router.policy import AgencyFacts, MessageFacts, Rule, decide
from shared.agencies import AgencyRegistry
from shared.ids import derived_id, receipt_id_for
from shared.messages import (
    MAX_BATCH_SIZE,
    Channel,
    MessagesAccepted,
    NotifyCitizen,
    NotifyCitizens,
    PrintLetter,
    Receipt,
    ReceiptStatus,
)
from shared.mongo import Document, stored_precision

CONCURRENT_LOOK_UPS = 100
"""Messages of one submission decided at a time (each needs a few look-ups)."""


class StoredRoute(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    box: bool
    paper: bool
    channels: list[Channel]
    rules: list[Rule]
    account_id: str | None
    routed_at: datetime

    @property
    def destination(self) -> str:
        return "box_and_paper" if self.box and self.paper else "box" if self.box else "paper"


class MessageToRoute(BaseModel):
    """The fields of a stored message the router reads; a corrupt document fails validation."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    agency_id: str
    agency_reference: str
    recipient_bsn: str
    paper_copy_requested: bool = False
    correlation_id: str | None = None
    """Its submission's: one event may carry the messages of several submissions."""


@dataclass(frozen=True)
class Decision:
    message_id: str
    message: MessageToRoute
    route: StoredRoute


@dataclass
class Routing:
    """What became of one submission's messages."""

    routed: list[Decision] = field(default_factory=list)
    unroutable: dict[str, str] = field(default_factory=dict)
    """message id -> why (never message content: it goes to the dead-letter headers)."""

    def reason(self, shown: int = 10) -> str:
        why = "; ".join(f"{m}: {r}" for m, r in list(self.unroutable.items())[:shown])
        return f"{len(self.unroutable)} of {len(self.unroutable) + len(self.routed)} messages not routed: {why}"


class RoutedMessageStore(Protocol):
    async def get(self, message_id: str) -> Document | None: ...
    async def store_routes(self, decisions: list[Decision]) -> list[Decision]:
        """Insert the routes at once; where one was stored before (a redelivery), it wins."""
        ...


class RouterOutbox(Protocol):
    async def notify(self, command: NotifyCitizens, correlation_id: str) -> None: ...
    async def print_letter(self, command: PrintLetter, correlation_id: str) -> None: ...
    async def receipt(self, agency_id: str, receipt: Receipt, correlation_id: str) -> None: ...


class MessageRouter:
    def __init__(
        self,
        messages: RoutedMessageStore,
        accounts: AccountStore,
        agencies: AgencyRegistry,
        outbox: RouterOutbox,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.messages, self.accounts, self.agencies, self.outbox, self.clock = (
            messages,
            accounts,
            agencies,
            outbox,
            clock,
        )

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
        notifications = [n for d in routing.routed if (n := _notification(d)) is not None]
        await asyncio.gather(
            *(self._dispatch(d, d.message.correlation_id or correlation_id) for d in routing.routed),
            *(
                self.outbox.notify(NotifyCitizens(notifications=notifications[i : i + MAX_BATCH_SIZE]), correlation_id)
                for i in range(0, len(notifications), MAX_BATCH_SIZE)
            ),
        )
        return routing

    async def _decide(self, message_id: str) -> Decision | str:
        """The decision for one message, or why there is none."""
        document = await self.messages.get(message_id)
        if document is None:
            return "no stored message with this id"
        try:
            message = MessageToRoute.model_validate(document)
        except ValidationError as error:  # its text would quote the document: only the count
            return f"stored message is invalid ({error.error_count()} fields)"
        agency = await self.agencies.get(message.agency_id)
        if agency is None:
            return "message from an agency that is not in the registry"
        account = await self.accounts.by_bsn(message.recipient_bsn)
        route = decide(
            MessageFacts(paper_copy_requested=message.paper_copy_requested),
            AgencyFacts(agency.agency_id, agency.mandatory_sender, agency.paper_copy_allowed),
            account_facts(account),
        )
        stored = StoredRoute(
            box=route.box,
            paper=route.paper,
            channels=list(route.channels),
            rules=list(route.rules),
            account_id=account["_id"] if account else None,
            routed_at=stored_precision(self.clock()),
        )
        return Decision(message_id, message, stored)

    async def _dispatch(self, decision: Decision, correlation_id: str) -> None:
        """The letter and the receipts of one message (its notification goes with the others')."""
        message_id, message, route = decision.message_id, decision.message, decision.route
        if route.paper:
            letter = PrintLetter(
                letter_id=derived_id("letter", message_id),
                message_id=message_id,
                account_id=route.account_id,
                copy_of_box_message=route.box,
            )
            await self.outbox.print_letter(letter, correlation_id)
        statuses = [
            s
            for s, on in ((ReceiptStatus.DELIVERED_TO_BOX, route.box), (ReceiptStatus.SENT_ON_PAPER, route.paper))
            if on
        ]
        for status in statuses:
            receipt = Receipt(
                receipt_id=receipt_id_for(message_id, status.value),
                status=status,
                agency_reference=message.agency_reference,
                message_id=message_id,
                issued_at=self.clock(),
            )
            await self.outbox.receipt(message.agency_id, receipt, correlation_id)


def _notification(decision: Decision) -> NotifyCitizen | None:
    route = decision.route
    if not (route.channels and route.account_id):  # the policy gives channels only to an account
        return None
    return NotifyCitizen(
        notification_id=derived_id("notification", decision.message_id, "new_message"),
        message_id=decision.message_id,
        account_id=route.account_id,
        delivered_at=route.routed_at,
        channels=route.channels,
        correlation_id=decision.message.correlation_id,
    )
