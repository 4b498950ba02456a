"""Invitation codes: 16 characters a person can read aloud and type (no 0/O, 1/I/L), shown in
groups of four. The first six are the handle that finds the invitation; the other ten are its
secret, kept only as a hash. A wrong secret spends one of the invitation's few tries."""

import hashlib
import hmac
import re
import secrets

from services.box.delegation.rules import CODE_LENGTH, HANDLE_LENGTH

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def shown(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def typed(text: str) -> str | None:
    """The code a person typed (any case, spaces or dashes), or None if it cannot be one."""
    code = re.sub(r"[\s-]", "", text[:64]).upper()
    return code if len(code) == CODE_LENGTH and all(c in ALPHABET for c in code) else None


def handle_of(code: str) -> str:
    return code[:HANDLE_LENGTH]


def secret_hash(code: str) -> str:
    return hashlib.sha256(code[HANDLE_LENGTH:].encode()).hexdigest()


def matches(code: str, stored_hash: str) -> bool:
    return hmac.compare_digest(secret_hash(code), stored_hash)
