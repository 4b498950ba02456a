"""The first openings waiting for their announcement (services/box/messages/openings.py),
and the only module that knows their documents: one per message, under its id."""

import contextlib
from datetime import datetime

from pymongo import ASCENDING, IndexModel
from pymongo.errors import DuplicateKeyError

from services.box.messages.openings import HeldOpening
from shared.storage.mongo import Collections, Database, Indexes

INDEXES: Indexes = {Collections.BOX_HELD_OPENINGS: [IndexModel([("opened_at", ASCENDING)], name="oldest")]}


class MongoHeldOpenings:
    def __init__(self, db: Database) -> None:
        self._held = db[Collections.BOX_HELD_OPENINGS]

    async def hold(self, opening: HeldOpening) -> None:
        document = {
            "_id": opening.message_id,
            "account_id": opening.account_id,
            "opened_at": opening.opened_at,
            "opened_by": opening.opened_by,
        }
        with contextlib.suppress(DuplicateKeyError):  # held already: the first opening's time stands
            await self._held.insert_one(document)

    async def release(self, message_id: str) -> None:
        await self._held.delete_one({"_id": message_id})

    async def held_since(self, before: datetime, limit: int) -> list[HeldOpening]:
        cursor = self._held.find({"opened_at": {"$lt": before}}).sort("opened_at", ASCENDING).limit(limit)
        return [HeldOpening(d["_id"], d["account_id"], d["opened_at"], d.get("opened_by")) async for d in cursor]
