"""Ids that stand for a citizen cannot be turned back into the BSN without the operator's key."""

from shared.contracts.bsn import Bsn
from shared.contracts.ids import derived_id
from shared.contracts.pseudonyms import Pseudonyms, legacy_citizen_key

BSN = Bsn("111222333")


def test_the_id_depends_on_the_key_and_is_not_the_public_derivation() -> None:
    one, other = Pseudonyms("key one"), Pseudonyms("key two")
    assert one.citizen(BSN) == one.citizen(Bsn("111222333"))  # stable
    assert one.citizen(BSN) != other.citizen(BSN)
    assert one.citizen(BSN) != derived_id("citizen", BSN.value) == legacy_citizen_key(BSN)


def test_without_the_key_trying_every_bsn_finds_nothing() -> None:
    """What an attacker with the source does: derive each candidate's id and compare. With the
    public derivation this finds the citizen; with a keyed one it cannot."""
    seen = Pseudonyms("the operator's secret").citizen(BSN)
    candidates = [Bsn(b) for b in ("111222333", "123456782", "999999990")]
    assert [b for b in candidates if legacy_citizen_key(b) == legacy_citizen_key(BSN)] == [BSN]
    assert [b for b in candidates if Pseudonyms("").citizen(b) == seen] == []
    assert [b for b in candidates if legacy_citizen_key(b) == seen] == []
