"""The account as the box reads it, and the only module that knows its documents: the
account the router keeps (read only here) and the changes the box made that the router has
not applied yet, under a derived id (never the BSN)."""

import asyncio
from typing import Protocol

from pymongo import ReturnDocument

from services.box.account.records import Citizen, OwnChange
from services.box.account.rules import as_changed
from shared.contracts.bsn import Bsn
from shared.contracts.pseudonyms import Pseudonyms
from shared.storage.mongo import Collections, Database, Document


class Citizens(Protocol):
    async def by_bsn(self, bsn: Bsn) -> Citizen | None:
        """The account, with the box's own changes the router has not applied yet."""
        ...

    async def by_account_id(self, account_id: str) -> Citizen | None: ...
    async def next_sequence(self, bsn: Bsn) -> int: ...
    async def remember(self, bsn: Bsn, change: OwnChange) -> None:
        """Keep a published change, unless a later one of its aspect is kept already."""
        ...


class MongoCitizens:
    def __init__(self, db: Database, pseudonyms: Pseudonyms) -> None:
        self._accounts, self._own = db[Collections.ACCOUNTS], db[Collections.BOX_CITIZENS]
        self._key = pseudonyms.citizen

    async def by_bsn(self, bsn: Bsn) -> Citizen | None:
        document, own = await asyncio.gather(
            self._accounts.find_one({"bsn": bsn.value}), self._own.find_one({"_id": self._key(bsn)})
        )
        return None if document is None else _citizen(document, own)

    async def by_account_id(self, account_id: str) -> Citizen | None:
        """Whose box a machtiging opens, or who helps: by the account's id, never by BSN."""
        document = await self._accounts.find_one({"_id": account_id})
        if document is None:
            return None
        return _citizen(document, await self._own.find_one({"_id": self._key(Bsn(document["bsn"]))}))

    async def remember(self, bsn: Bsn, change: OwnChange) -> None:
        kept = f"changes.{change.aspect}"
        older = {"$or": [{kept: {"$exists": False}}, {f"{kept}.sequence": {"$lt": change.sequence}}]}
        await self._own.update_one(
            {"_id": self._key(bsn), **older}, {"$set": {kept: {"sequence": change.sequence, "fields": change.fields}}}
        )

    async def next_sequence(self, bsn: Bsn) -> int:
        """The sequence of this citizen's next account event: one counter per citizen, kept by
        the box under a derived id (never the BSN)."""
        found = await self._own.find_one_and_update(
            {"_id": self._key(bsn)}, {"$inc": {"sequence": 1}}, upsert=True, return_document=ReturnDocument.AFTER
        )
        assert found is not None
        return int(found["sequence"])


def _citizen(document: Document, own: Document | None) -> Citizen:
    citizen = Citizen(
        account_id=document["_id"],
        bsn=Bsn(document["bsn"]),
        state=document.get("state", "ready"),
        email=document.get("email") if isinstance(document.get("email"), str) else None,
        opted_in_agencies=list(document.get("opted_in_agencies") or []),
        paper_copy_agencies=list(document.get("paper_copy_agencies") or []),
        reminder_opt_in=bool(document.get("reminder_opt_in")),
        deadline_reminders=document.get("deadline_reminders") is not False,
        email_not_working=bool(document.get("email_not_working")),
        safety_net_days=document.get("safety_net_days"),
        push_subscriptions=list(document.get("push_subscriptions") or []),
        name=str(document.get("name") or ""),
        represented_digitally=bool(document.get("represented_digitally")),
    )
    changes = [
        OwnChange(aspect, c["sequence"], c["fields"]) for aspect, c in ((own or {}).get("changes") or {}).items()
    ]
    return as_changed(citizen, document.get("versions") or {}, changes)
