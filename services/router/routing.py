"""The routing use case: decide once, store the Route with its reasons, dispatch commands.

On redelivery the stored Route is reused and the same commands go out with the same ids.
"""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol

from pydantic import BaseModel, ConfigDict

from services.router.accounts import AccountStore, account_facts
from services.router.policy import AgencyFacts, MessageFacts, Route, Rule, decide
from shared.agencies import AgencyRegistry
from shared.dead_letter import PermanentError
from shared.ids import derived_id, receipt_id_for
from shared.messages import (
    Channel,
    MessageAccepted,
    NotifyCitizen,
    PrintLetter,
    Receipt,
    ReceiptStatus,
)
from shared.mongo import Document, stored_precision


class StoredRoute(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    box: bool
    paper: bool
    channels: list[Channel]
    rules: list[Rule]
    account_id: str | None
    routed_at: datetime


class MessageToRoute(BaseModel):
    """The fields of a stored message the router reads; a corrupt document fails validation."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    agency_id: str
    agency_reference: str
    recipient_bsn: str
    paper_copy_requested: bool = False


class RoutedMessageStore(Protocol):
    async def get(self, message_id: str) -> Document | None: ...
    async def store_route(self, message_id: str, message: Document, route: StoredRoute) -> StoredRoute: ...


class RouterOutbox(Protocol):
    async def notify(self, command: NotifyCitizen, correlation_id: str) -> None: ...
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

    async def route(self, event: MessageAccepted, correlation_id: str) -> StoredRoute:
        document = await self.messages.get(event.message_id)
        if document is None:
            raise PermanentError("no stored message with this id")
        message = MessageToRoute.model_validate(document)
        route = await self._decide(event.message_id, message, document)
        await self._dispatch(event.message_id, message, route, correlation_id)
        return route

    async def _decide(self, message_id: str, message: MessageToRoute, document: Document) -> StoredRoute:
        """Decide, and store the decision; on a redelivery the decision stored first wins
        (deciding again is cheaper than looking first, since it rarely happens)."""
        agency = await self.agencies.get(message.agency_id)
        if agency is None:
            raise PermanentError("message from an agency that is not in the registry")
        account = await self.accounts.by_bsn(message.recipient_bsn)
        route: Route = decide(
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
        return await self.messages.store_route(message_id, document, stored)

    async def _dispatch(
        self, message_id: str, message: MessageToRoute, route: StoredRoute, correlation_id: str
    ) -> None:
        if route.channels:
            if route.account_id is None:
                raise PermanentError("a route with notification channels but no account")
            command = NotifyCitizen(
                notification_id=derived_id("notification", message_id, "new_message"),
                message_id=message_id,
                account_id=route.account_id,
                delivered_at=route.routed_at,
                channels=route.channels,
            )
            await self.outbox.notify(command, correlation_id)
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
