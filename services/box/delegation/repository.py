"""Machtigingen and the activity of helpers, and the only module that knows their documents
(invitations: codes.py). A grant's id is random (it names a box in URLs, and says nothing of whose); an
activity line's id is derived from what happened, so a repeated write adds nothing."""

import contextlib
from datetime import date, datetime
from typing import Protocol

from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument
from pymongo.errors import DuplicateKeyError

from services.box.delegation.records import Activity, Grant, Happening
from services.box.delegation.rules import Kind, Scope
from shared.contracts.ids import derived_id
from shared.storage.mongo import Collections, Database, Document, Indexes

INDEXES: Indexes = {
    Collections.BOX_GRANTS: [
        IndexModel([("owner_id", ASCENDING)], name="owner"),
        IndexModel([("helper_id", ASCENDING)], name="helper"),
        IndexModel([("last_day", ASCENDING)], name="last_day"),
    ],
    Collections.BOX_ACTIVITY: [
        IndexModel([("owner_id", ASCENDING)], name="owner"),
        IndexModel([("helper_id", ASCENDING)], name="helper"),
    ],
}


class Grants(Protocol):
    async def add(self, grant: Grant) -> bool:
        """False if a grant with its id exists already (a repeated registry load)."""
        ...

    async def get(self, grant_id: str) -> Grant | None: ...
    async def of_owner(self, owner_id: str) -> list[Grant]: ...
    async def of_helper(self, helper_id: str) -> list[Grant]: ...
    async def notified_of(self, owner_ids: list[str]) -> list[Grant]:
        """The not-ended grants of these owners whose helpers want to hear of new messages."""
        ...

    async def end(self, grant_id: str, now: datetime, by: str) -> bool:
        """True for the one call that ended it."""
        ...

    async def set_last_day(self, grant_id: str, last_day: date) -> bool: ...
    async def set_notify(self, grant_id: str, notify: bool) -> bool: ...
    async def due_to_expire(self, day: date, limit: int) -> list[Grant]:
        """Not ended, accepted, with a last day before `day`."""
        ...

    async def representations(self) -> list[Grant]:
        """Every representation not ended: what the register listed when it was last loaded."""
        ...

    async def begun_representations(self, now: datetime, limit: int) -> list[Grant]:
        """Representations that have begun and whose owner's voluntary helpers were not yet ended."""
        ...

    async def helpers_ended(self, grant_id: str) -> None: ...


class MongoGrants:
    def __init__(self, db: Database) -> None:
        self._grants = db[Collections.BOX_GRANTS]

    async def add(self, grant: Grant) -> bool:
        try:
            await self._grants.insert_one({"_id": grant.grant_id, **_document(grant)})
        except DuplicateKeyError:
            return False
        return True

    async def get(self, grant_id: str) -> Grant | None:
        found = await self._grants.find_one({"_id": grant_id})
        return None if found is None else _grant(found)

    async def of_owner(self, owner_id: str) -> list[Grant]:
        return [_grant(d) async for d in self._grants.find({"owner_id": owner_id}).limit(500)]

    async def of_helper(self, helper_id: str) -> list[Grant]:
        return [_grant(d) async for d in self._grants.find({"helper_id": helper_id}).limit(500)]

    async def notified_of(self, owner_ids: list[str]) -> list[Grant]:
        query = {"owner_id": {"$in": owner_ids}, "notify": True, "ended_at": None}
        return [_grant(d) async for d in self._grants.find(query)]

    async def end(self, grant_id: str, now: datetime, by: str) -> bool:
        found = await self._grants.find_one_and_update(
            {"_id": grant_id, "ended_at": None},
            {"$set": {"ended_at": now, "ended_by": by}},
            return_document=ReturnDocument.AFTER,
        )
        return found is not None

    async def set_last_day(self, grant_id: str, last_day: date) -> bool:
        result = await self._grants.update_one(
            {"_id": grant_id, "ended_at": None}, {"$set": {"last_day": last_day.isoformat()}}
        )
        return result.matched_count == 1

    async def set_notify(self, grant_id: str, notify: bool) -> bool:
        result = await self._grants.update_one({"_id": grant_id, "ended_at": None}, {"$set": {"notify": notify}})
        return result.matched_count == 1

    async def representations(self) -> list[Grant]:
        query = {"kind": Kind.REPRESENTATIVE.value, "ended_at": None}
        return [_grant(d) async for d in self._grants.find(query)]

    async def begun_representations(self, now: datetime, limit: int) -> list[Grant]:
        query = {"kind": Kind.REPRESENTATIVE.value, "ended_at": None, "accepted_at": {"$lte": now},
                 "helpers_ended": {"$ne": True}}  # fmt: skip
        return [_grant(d) async for d in self._grants.find(query).limit(limit)]

    async def helpers_ended(self, grant_id: str) -> None:
        await self._grants.update_one({"_id": grant_id}, {"$set": {"helpers_ended": True}})

    async def due_to_expire(self, day: date, limit: int) -> list[Grant]:
        query = {"ended_at": None, "accepted_at": {"$ne": None}, "last_day": {"$lt": day.isoformat()}}
        return [_grant(d) async for d in self._grants.find(query).limit(limit)]


def _document(grant: Grant) -> Document:
    return {
        "kind": grant.kind.value,
        "owner_id": grant.owner_id,
        "owner_name": grant.owner_name,
        "helper_id": grant.helper_id,
        "helper_name": grant.helper_name,
        "scope": grant.scope.value,
        "senders": None if grant.senders is None else sorted(grant.senders),
        "last_day": grant.last_day.isoformat(),
        "created_at": grant.created_at,
        "accepted_at": grant.accepted_at,
        "ended_at": grant.ended_at,
        "ended_by": grant.ended_by,
        "notify": grant.notify,
        "representation": grant.representation,
    }


def _grant(d: Document) -> Grant:
    senders = d.get("senders")
    return Grant(
        grant_id=d["_id"],
        kind=Kind(d["kind"]),
        owner_id=d["owner_id"],
        owner_name=d.get("owner_name") or "",
        helper_id=d.get("helper_id"),
        helper_name=d.get("helper_name"),
        scope=Scope(d["scope"]),
        senders=None if senders is None else frozenset(senders),
        last_day=date.fromisoformat(d["last_day"]),
        created_at=d["created_at"],
        accepted_at=d.get("accepted_at"),
        ended_at=d.get("ended_at"),
        ended_by=d.get("ended_by"),
        notify=bool(d.get("notify")),
        representation=d.get("representation"),
    )


class ActivityLog(Protocol):
    async def record(self, activity: Activity) -> None: ...
    async def of(self, account_id: str) -> list[Activity]:
        """Lines where the account is the owner or the helper, newest first."""
        ...


class MongoActivityLog:
    def __init__(self, db: Database) -> None:
        self._activity = db[Collections.BOX_ACTIVITY]

    async def record(self, activity: Activity) -> None:
        line_id = derived_id("activity", activity.grant_id, activity.what.value, activity.message_id or "",
                             activity.detail or "", activity.at.isoformat())  # fmt: skip
        with contextlib.suppress(DuplicateKeyError):  # written before: at-least-once, kept once
            await self._activity.insert_one({"_id": line_id, **vars(activity), "what": activity.what.value})

    async def of(self, account_id: str) -> list[Activity]:
        query = {"$or": [{"owner_id": account_id}, {"helper_id": account_id}]}
        cursor = self._activity.find(query).sort("at", DESCENDING).limit(2000)
        return [_activity(d) async for d in cursor]


def _activity(d: Document) -> Activity:
    return Activity(
        grant_id=d["grant_id"], owner_id=d["owner_id"], helper_id=d.get("helper_id"), owner_name=d["owner_name"],
        helper_name=d.get("helper_name"), what=Happening(d["what"]), at=d["at"], message_id=d.get("message_id"),
        detail=d.get("detail"),
    )  # fmt: skip
