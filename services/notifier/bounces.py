"""Asynchronous bounces. A mail server that accepted a notification and finds later that it
cannot deliver it sends a delivery status notification (DSN, RFC 3464) to the envelope sender.
Each notification e-mail has an envelope sender of its own (VERP):
`bounces+<account>.<tag>@<mail domain>`, the tag a keyed hash of the account and the recipient.
So a bounce names the account and the address it was sent for, and a forged one is told apart:
only who holds the key makes a tag, and a tag fits one account and one address.

Pure: addresses and DSNs in, facts out; the bounce receiver (bounce_server.py) does the I/O."""

import base64
import hashlib
import hmac
import re
import uuid
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import Message

PREFIX = "bounces+"
TAG_CHARACTERS = 16
"""Base32 characters of the tag: 80 bits, and the local part stays within SMTP's 64."""
LOCAL_PART = re.compile(rf"{re.escape(PREFIX)}(?P<account>[0-9a-f]{{32}})\.(?P<tag>[a-z2-7]{{{TAG_CHARACTERS}}})")


@dataclass(frozen=True)
class Bounce:
    recipient: str
    """The address the mail could not be delivered to (the DSN's Final- or Original-Recipient)."""
    status: str
    """The enhanced status code, e.g. 5.1.1."""
    original_id: str | None
    """The bounced e-mail's Message-ID, when the DSN quotes it: one bounce counts once."""


class BounceAddresses:
    def __init__(self, key: bytes, domain: str) -> None:
        self._key, self.domain = key, domain.lower()

    def _tag(self, account_hex: str, recipient: str) -> str:
        signed = f"{account_hex}\x1f{recipient.strip().lower()}".encode()
        digest = hmac.new(self._key, signed, hashlib.sha256).digest()
        return base64.b32encode(digest).decode().lower()[:TAG_CHARACTERS]

    def envelope_sender(self, account_id: str, recipient: str) -> str | None:
        """The envelope sender for mail to `recipient` for `account_id`; None if the id is not a UUID."""
        try:
            account_hex = uuid.UUID(account_id).hex
        except ValueError:
            return None
        return f"{PREFIX}{account_hex}.{self._tag(account_hex, recipient)}@{self.domain}"

    def account_of(self, bounce_address: str) -> str | None:
        """The account a bounce address names, if it has the shape of ours (not yet its tag)."""
        found = self._parts(bounce_address)
        return None if found is None else str(uuid.UUID(found[0]))

    def genuine(self, bounce_address: str, recipient: str) -> bool:
        """Whether we made `bounce_address` for mail to `recipient`."""
        found = self._parts(bounce_address)
        return found is not None and hmac.compare_digest(found[1], self._tag(found[0], recipient))

    def _parts(self, bounce_address: str) -> tuple[str, str] | None:
        local, at, domain = bounce_address.strip().strip("<>").lower().rpartition("@")
        matched = LOCAL_PART.fullmatch(local)
        if not at or domain != self.domain or matched is None:
            return None
        return matched["account"], matched["tag"]


def permanent_failures(dsn: bytes) -> list[Bounce]:
    """The recipients a DSN reports as failed for good (action `failed`, status 5.x.x). A
    delay notice (4.x.x), a success report or anything that is not a DSN yields nothing."""
    report = message_from_bytes(dsn, policy=policy.compat32)
    if report.get_content_type() != "multipart/report":
        return []
    parts = [p for p in report.walk() if isinstance(p, Message)]
    status = next((p for p in parts if p.get_content_type() == "message/delivery-status"), None)
    if status is None:
        return []
    original = _original_id(parts)
    bounces = []
    for fields in _recipient_fields(status):
        code = (fields.get("Status") or "").strip().split(" ")[0]
        recipient = _address(fields.get("Final-Recipient") or fields.get("Original-Recipient"))
        action = (fields.get("Action") or "").strip().lower()
        if action == "failed" and code.startswith("5.") and recipient:
            bounces.append(Bounce(recipient, code, original))
    return bounces


def _recipient_fields(status: Message) -> list[Message]:
    """The per-recipient field groups (the first group is about the whole message)."""
    groups = status.get_payload()
    return [g for g in groups[1:] if isinstance(g, Message)] if isinstance(groups, list) else []


def _address(field: str | None) -> str | None:
    """`rfc822; someone@example.nl` -> someone@example.nl."""
    if not field or ";" not in field:
        return None
    kind, _, address = field.partition(";")
    address = address.strip().strip("<>")
    return address if kind.strip().lower() == "rfc822" and "@" in address else None


def _original_id(parts: list[Message]) -> str | None:
    for part in parts:
        if part.get_content_type() == "text/rfc822-headers":
            payload = part.get_payload(decode=True)
            headers = message_from_bytes(payload if isinstance(payload, bytes) else b"", policy=policy.compat32)
            return headers.get("Message-ID")
        if part.get_content_type() == "message/rfc822":
            quoted = part.get_payload()
            if isinstance(quoted, list) and quoted and isinstance(quoted[0], Message):
                return quoted[0].get("Message-ID")
    return None
