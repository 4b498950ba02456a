import copy
import hashlib
from collections.abc import Iterable
from dataclasses import replace

from services.router.records import Decision, MessageToRoute, Recipient, StoredRoute, Unreadable
from services.router.repository import change_of, message_to_route, recipient, route_document
from shared.contracts.messages import AccountEvent
from shared.messaging.dead_letter import PermanentError
from shared.storage.mongo import Document


class InMemoryRoutedMessageStore:
    """Stored message documents in, read through the repository's own mapping."""

    def __init__(self, documents: list[Document]) -> None:
        self.documents = {d["_id"]: d for d in documents}
        self.routes: dict[str, Document] = {}

    async def get(self, message_id: str) -> MessageToRoute | Unreadable | None:
        document = self.documents.get(message_id)
        return None if document is None else message_to_route(document)

    async def store_routes(self, decisions: list[Decision]) -> list[Decision]:
        for d in decisions:
            self.routes.setdefault(d.message_id, route_document(d))
        return [replace(d, route=StoredRoute.model_validate(self.routes[d.message_id])) for d in decisions]


class InMemoryAccountStore:
    """Account documents (as tools/population.py makes them), changed as the repository would."""

    def __init__(self, documents: Iterable[Document] = ()) -> None:
        self.by_number = {d["bsn"]: copy.deepcopy(d) for d in documents}

    async def by_bsn(self, bsn: str) -> Recipient | Unreadable | None:
        return recipient(self.by_number.get(bsn))

    async def apply(self, event: AccountEvent) -> bool:
        aspect, fields = change_of(event)
        account = self.by_number.get(event.bsn.value)
        if account is None:
            raise PermanentError("account event for a citizen without an account record")
        if account["versions"][aspect] >= event.sequence:
            return False
        account.update(fields)
        account["versions"][aspect] = event.sequence
        return True

    async def mark_email_not_working(self, account_id: str, address_sha256: str) -> bool:
        for account in self.by_number.values():
            email = account.get("email")
            if (
                account["_id"] == account_id
                and email
                and hashlib.sha256(email.lower().encode()).hexdigest() == address_sha256
            ):
                account["email_not_working"] = True
                return True
        return False

    async def remove_push_subscription(self, account_id: str, endpoint: str) -> None:
        for account in self.by_number.values():
            if account["_id"] == account_id:
                kept = [s for s in account["push_subscriptions"] if s.get("endpoint") != endpoint]
                account["push_subscriptions"] = kept
