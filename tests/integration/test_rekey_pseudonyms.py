"""Re-keying moves each citizen's box records to the new id, once, and can run again."""

from shared.contracts.bsn import Bsn
from shared.contracts.pseudonyms import Pseudonyms, legacy_citizen_key
from shared.storage.mongo import Collections, Database
from tools.rekey_pseudonyms import rekey

BSN = Bsn("111222333")


async def test_records_move_from_the_legacy_ids_to_the_keyed_ones_and_again_changes_nothing(db: Database) -> None:
    new = Pseudonyms("the new key").citizen
    await db[Collections.ACCOUNTS].insert_many([{"_id": "a-1", "bsn": BSN.value}, {"_id": "a-2", "bsn": "123456782"}])
    own = {"_id": legacy_citizen_key(BSN), "sequence": 7, "changes": {"email": {"sequence": 7, "fields": {}}}}
    await db[Collections.BOX_CITIZENS].insert_one(own)
    await db[Collections.BOX_CONFIRMATIONS].insert_one({"_id": legacy_citizen_key(BSN), "citizen": own["_id"]})
    assert await rekey(db, legacy_citizen_key, new) == 2
    assert await rekey(db, legacy_citizen_key, new) == 0
    moved = await db[Collections.BOX_CITIZENS].find_one({"_id": new(BSN)})
    assert moved is not None and moved["sequence"] == 7
    assert await db[Collections.BOX_CITIZENS].count_documents({}) == 1
    confirmation = await db[Collections.BOX_CONFIRMATIONS].find_one({})
    assert confirmation is not None and confirmation["_id"] == confirmation["citizen"] == new(BSN)
    rotated = Pseudonyms("the next key").citizen
    assert await rekey(db, new, rotated) == 2
    assert await db[Collections.BOX_CITIZENS].find_one({"_id": rotated(BSN)}) is not None
