"""Ids that stand for a citizen, derived from the BSN with a keyed hash (HMAC-SHA256) under a
secret of the operator's (`BERICHTENBOX_PSEUDONYM_KEY`). Without the key an id is useless: a
UUIDv5 of the BSN under a namespace in the source could be reversed by trying the ~90 million
valid BSNs in minutes. Re-keying: `tools/rekey_pseudonyms.py`."""

import hashlib
import hmac
import uuid

from shared.contracts.bsn import Bsn
from shared.contracts.ids import derived_id

DEVELOPMENT_KEY = "berichtenbox-development-pseudonym-key"
"""For development and tests only: the box refuses it where citizens reach it over https."""


class Pseudonyms:
    def __init__(self, key: str) -> None:
        self._key = key.encode()

    def citizen(self, bsn: Bsn) -> str:
        """The citizen's id in the box's own records (as a UUID's text, as ids are here)."""
        digest = hmac.new(self._key, b"citizen\x1f" + bsn.value.encode(), hashlib.sha256).digest()
        return str(uuid.UUID(bytes=digest[:16]))


def legacy_citizen_key(bsn: Bsn) -> str:
    """The id the box used before pseudonyms were keyed (UUIDv5 of the BSN): only for
    migrating existing records (`tools/rekey_pseudonyms.py`)."""
    return derived_id("citizen", bsn.value)
