"""Moves the box's records of each citizen from the id of one pseudonym key to the next (or
from the UUIDv5 ids used before pseudonyms were keyed). The BSNs come from the router's
accounts; only the box's own records change (`box_citizens`, `box_confirmations`). Safe to run
again, and to stop and resume: a record is written under its new id before the old one goes.

Rotation: start the box with the new key in BERICHTENBOX_PSEUDONYM_KEY and run
  python -m tools.rekey_pseudonyms --old-key-from OLD_KEY_VARIABLE
(or `--from-legacy` once, for data from before keyed pseudonyms). Until it has run, a
citizen's own changes not yet applied by the router are not shown; nothing is lost.
"""

import argparse
import asyncio
import os
from collections.abc import Callable

from services.box.settings import BoxSettings
from shared.contracts.bsn import Bsn
from shared.contracts.pseudonyms import Pseudonyms, legacy_citizen_key
from shared.storage.mongo import Collections, Database, create_client, database

KeyOf = Callable[[Bsn], str]
KEYED = (Collections.BOX_CITIZENS, Collections.BOX_CONFIRMATIONS)


async def rekey(db: Database, old: KeyOf, new: KeyOf) -> int:
    """The number of records moved."""
    moved = 0
    async for account in db[Collections.ACCOUNTS].find({}, {"bsn": 1}):
        bsn = Bsn(account["bsn"])
        was, now = old(bsn), new(bsn)
        if was == now:
            continue
        for name in KEYED:
            document = await db[name].find_one({"_id": was})
            if document is None:
                continue
            document["_id"] = now
            if "citizen" in document:
                document["citizen"] = now
            await db[name].replace_one({"_id": now}, document, upsert=True)
            await db[name].delete_one({"_id": was})
            moved += 1
    return moved


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--from-legacy", action="store_true", help="the ids from before keyed pseudonyms")
    source.add_argument("--old-key-from", metavar="VARIABLE", help="the environment variable holding the old key")
    args = parser.parse_args()
    settings = BoxSettings()
    old = legacy_citizen_key if args.from_legacy else Pseudonyms(os.environ[args.old_key_from]).citizen
    client = create_client(settings)
    try:
        moved = await rekey(
            database(client, settings), old, Pseudonyms(settings.pseudonym_key.get_secret_value()).citizen
        )
    finally:
        await client.close()
    print(f"moved {moved} records to the new key")


if __name__ == "__main__":
    asyncio.run(main())
