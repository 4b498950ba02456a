"""Invitation codes: 16 characters a person can read aloud and type (no 0/O, 1/I/L), shown in
groups of four. The first six are the handle that finds the invitation; the other ten are its
secret, kept only as a hash. A wrong secret spends one of the invitation's few tries. The
invitations' store is here too, the only code that knows their documents."""

import hashlib
import hmac
import re
import secrets
from datetime import date, datetime
from typing import Protocol

from pymongo import ASCENDING, DESCENDING, IndexModel

from services.box.delegation.records import Invitation
from services.box.delegation.rules import CODE_LENGTH, HANDLE_LENGTH, Scope
from shared.storage.mongo import Collections, Database, Document, Indexes

INDEXES: Indexes = {Collections.BOX_INVITATIONS: [IndexModel([("owner_id", ASCENDING)], name="owner")]}

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def shown(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def typed(text: str) -> str | None:
    """The code a person typed (any case, spaces or dashes), or None if it cannot be one."""
    code = re.sub(r"[\s-]", "", text[:64]).upper()
    return code if len(code) == CODE_LENGTH and all(c in ALPHABET for c in code) else None


def handle_of(code: str) -> str:
    return code[:HANDLE_LENGTH]


def secret_hash(code: str) -> str:
    return hashlib.sha256(code[HANDLE_LENGTH:].encode()).hexdigest()


def matches(code: str, stored_hash: str) -> bool:
    return hmac.compare_digest(secret_hash(code), stored_hash)


class Invitations(Protocol):
    async def add(self, invitation: Invitation) -> None: ...
    async def get(self, handle: str) -> Invitation | None: ...
    async def of_owner(self, owner_id: str, now: datetime) -> list[Invitation]: ...
    async def spend(self, handle: str) -> None:
        """One try fewer: a wrong secret was typed."""
        ...

    async def take(self, handle: str) -> bool:
        """True for the one call that used it up (its acceptance)."""
        ...

    async def withdraw(self, handle: str, owner_id: str) -> bool: ...


class MongoInvitations:
    def __init__(self, db: Database) -> None:
        self._invitations = db[Collections.BOX_INVITATIONS]

    async def add(self, invitation: Invitation) -> None:
        await self._invitations.insert_one(
            {
                "_id": invitation.handle,
                "owner_id": invitation.owner_id,
                "secret_hash": invitation.secret_hash,
                "scope": invitation.scope.value,
                "senders": None if invitation.senders is None else sorted(invitation.senders),
                "last_day": invitation.last_day.isoformat(),
                "expires_at": invitation.expires_at,
                "tries_left": invitation.tries_left,
            }
        )

    async def get(self, handle: str) -> Invitation | None:
        found = await self._invitations.find_one({"_id": handle})
        return None if found is None else _invitation(found)

    async def of_owner(self, owner_id: str, now: datetime) -> list[Invitation]:
        cursor = self._invitations.find({"owner_id": owner_id, "expires_at": {"$gt": now}, "tries_left": {"$gt": 0}})
        return [_invitation(d) async for d in cursor.sort("expires_at", DESCENDING).limit(50)]

    async def spend(self, handle: str) -> None:
        await self._invitations.update_one({"_id": handle, "tries_left": {"$gt": 0}}, {"$inc": {"tries_left": -1}})

    async def take(self, handle: str) -> bool:
        return (await self._invitations.delete_one({"_id": handle})).deleted_count == 1

    async def withdraw(self, handle: str, owner_id: str) -> bool:
        return (await self._invitations.delete_one({"_id": handle, "owner_id": owner_id})).deleted_count == 1


def _invitation(d: Document) -> Invitation:
    senders = d.get("senders")
    return Invitation(
        handle=d["_id"],
        owner_id=d["owner_id"],
        secret_hash=d["secret_hash"],
        scope=Scope(d["scope"]),
        senders=None if senders is None else frozenset(senders),
        last_day=date.fromisoformat(d["last_day"]),
        expires_at=d["expires_at"],
        tries_left=int(d["tries_left"]),
    )
