"""The proof of notification: signed under the published key, verified by it, refused after one
changed byte, under another key, or as another kind of JWS; the readable PDF is PDF/A."""

import json
from datetime import UTC, datetime

import pytest
from joserfc.jwk import OKPKey

from services.box.messages.proof import (
    DEVELOPMENT_SIGNING_KEY,
    SCHEMA,
    Notified,
    NotVerified,
    ProofSigner,
    Statement,
    verified,
)
from services.box.messages.proof_pdf import render_proof
from services.box.settings import BoxSettings

pytestmark = pytest.mark.unit
AT = datetime(2026, 12, 3, 9, 30, tzinfo=UTC)
STATEMENT = Statement(
    "m-1", "uwv", "UWV", "REF-1", "Uw jaaropgave", AT,
    [Notified("email", "new_message", "sent", AT), Notified("push", "reminder", "permanent-failure", AT)],
    AT, "Bram Jansen", AT, "https://mijn.berichtenbox.example",
)  # fmt: skip
SIGNER = ProofSigner(DEVELOPMENT_SIGNING_KEY)


def test_a_proof_says_when_it_arrived_how_it_was_told_and_when_it_was_opened() -> None:
    claims = verified(SIGNER.sign(STATEMENT), SIGNER.public_keys())
    assert claims["schema"] == SCHEMA and claims["bericht"]["kenmerk"] == "REF-1"
    assert [(n["kanaal"], n["soort"], n["uitkomst"]) for n in claims["meldingen"]] == [
        ("email", "nieuw bericht", "sent"), ("push", "herinnering", "permanent-failure")
    ]  # fmt: skip
    assert claims["geopend"] == AT.isoformat()
    assert claims["geopend_door"] == "een helper of vertegenwoordiger"  # never the helper's name to an agency
    assert "Bram" not in json.dumps(claims)


def test_the_published_keys_hold_no_private_part() -> None:
    [key] = SIGNER.public_keys()["keys"]
    assert "d" not in key and key["kid"] == "berichtenbox-development"


@pytest.mark.parametrize("position", [0, 10, 60, -5])
def test_one_changed_byte_anywhere_fails(position: int) -> None:
    token = SIGNER.sign(STATEMENT)
    index = position % len(token)
    changed = token[:index] + ("A" if token[index] != "A" else "B") + token[index + 1 :]
    with pytest.raises(NotVerified):
        verified(changed, SIGNER.public_keys())


def test_a_proof_under_another_key_fails() -> None:
    other = OKPKey.generate_key("Ed25519", parameters={"kid": "berichtenbox-development"})
    forged = ProofSigner(json.dumps(other.as_dict(private=True))).sign(STATEMENT)
    with pytest.raises(NotVerified):
        verified(forged, SIGNER.public_keys())


def test_an_earlier_key_still_verifies_what_it_signed() -> None:
    old = OKPKey.generate_key("Ed25519", parameters={"kid": "2025"})
    signed_then = ProofSigner(json.dumps(old.as_dict(private=True))).sign(STATEMENT)
    now = ProofSigner(DEVELOPMENT_SIGNING_KEY, json.dumps([old.as_dict(private=False)]))
    assert verified(signed_then, now.public_keys())["bericht"]["id"] == "m-1"


def test_the_readable_proof_is_pdf_a() -> None:
    pdf = render_proof(
        STATEMENT, SIGNER.sign(STATEMENT), SIGNER.kid, "https://x/.well-known/berichtenbox-sleutels.json"
    )
    assert pdf.startswith(b"%PDF") and b"pdfaid:part" in pdf


def test_the_development_signing_key_is_refused_where_citizens_are() -> None:
    with pytest.raises(ValueError, match="PROOF_SIGNING_KEY"):
        BoxSettings(public_base_url="https://mijn.berichtenbox.example", pseudonym_key="a-real-secret-key-0123456789")
