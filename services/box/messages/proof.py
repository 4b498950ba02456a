"""A proof of notification the citizen owns: when a message reached their box, each
notification about it (channel, kind, time, outcome), and whether and when it was opened,
as a statement signed by the Berichtenbox (JWS, compact, Ed25519, `kid` in the header). The
public keys are published at /.well-known/berichtenbox-sleutels.json; `tools/verify_proof.py`
checks a proof against them. The schema: docs/proof-of-notification.md. Agencies never get
it from us; the citizen may hand it over (in an objection procedure)."""

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from joserfc import jws
from joserfc.jwk import KeySet, OKPKey

SCHEMA = "berichtenbox/bewijs-van-melding/v1"
ALGORITHM = "Ed25519"
"""RFC 9864's fully specified name for EdDSA over Ed25519."""
DEVELOPMENT_SIGNING_KEY = json.dumps(
    {"crv": "Ed25519", "x": "FiicG9kNMCchQgQqS4a5IyAAk6_dTanBcsEfj5UJqbU",
     "d": "Y5ANRLoPm51i3PbJbNFUPHyRgtmZMtQfvU8mnLvBXjE", "kid": "berichtenbox-development", "kty": "OKP"}
)  # fmt: skip
"""Public (it is in this file): refused where citizens are (https), as the pseudonym key is."""
KINDS = {"new_message": "nieuw bericht", "reminder": "herinnering"}


@dataclass(frozen=True)
class Notified:
    channel: str
    kind: str
    status: str
    at: datetime


@dataclass(frozen=True)
class Statement:
    message_id: str
    agency_id: str
    agency_name: str
    reference: str
    subject: str
    delivered_at: datetime
    notifications: list[Notified]
    opened_at: datetime | None
    opened_by: str | None
    issued_at: datetime
    issuer: str

    def claims(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "uitgever": self.issuer,
            "afgegeven": self.issued_at.isoformat(),
            "bericht": {
                "id": self.message_id,
                "afzender": self.agency_id,
                "afzender_naam": self.agency_name,
                "kenmerk": self.reference,
                "onderwerp": self.subject,
            },
            "afgeleverd": self.delivered_at.isoformat(),
            "meldingen": [
                {
                    "kanaal": n.channel,
                    "soort": KINDS.get(n.kind, n.kind),
                    "uitkomst": n.status,
                    "tijd": n.at.isoformat(),
                }
                for n in self.notifications
            ],
            "geopend": self.opened_at.isoformat() if self.opened_at else None,
            "geopend_door": "een helper of vertegenwoordiger" if self.opened_by else None,
        }


class ProofSigner:
    def __init__(self, private_jwk: str, previous_public: str = "[]") -> None:
        self._key = OKPKey.import_key(json.loads(private_jwk))
        if not self._key.kid:
            raise ValueError("the proof signing key needs a kid")
        self._previous = [OKPKey.import_key(k) for k in json.loads(previous_public)]

    @property
    def kid(self) -> str:
        return str(self._key.kid)

    def sign(self, statement: Statement) -> str:
        payload = json.dumps(statement.claims(), ensure_ascii=False, sort_keys=True).encode()
        header = {"alg": ALGORITHM, "kid": self._key.kid, "typ": "bewijs+jws"}
        return jws.serialize_compact(header, payload, self._key, algorithms=[ALGORITHM])

    def public_keys(self) -> dict[str, Any]:
        """The JWKS to publish: the current key and the earlier ones, public parts only."""
        keys = [self._key.as_dict(private=False), *(k.as_dict(private=False) for k in self._previous)]
        return {"keys": keys}


class NotVerified(Exception):
    pass


def verified(token: str, public_keys: dict[str, Any]) -> dict[str, Any]:
    """The statement of a proof whose signature holds under one of the published keys."""
    try:
        found = jws.deserialize_compact(
            token.strip(), KeySet.import_key_set(cast(Any, public_keys)), algorithms=[ALGORITHM]
        )
        claims = json.loads(found.payload)
    except Exception as error:  # joserfc's and json's errors: all say "not a proof signed by these keys"
        raise NotVerified(f"{type(error).__name__}: {error}") from error
    if not isinstance(claims, dict) or claims.get("schema") != SCHEMA:
        raise NotVerified("not a Berichtenbox proof of notification")
    return claims
