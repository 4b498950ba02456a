"""Deterministic ids: the same input always yields the same id, so a redelivered message
produces commands and receipts with the ids it had the first time, and receivers deduplicate."""

import uuid

_NAMESPACE = uuid.UUID("6f1c0a52-3b8e-4d5e-9a57-0b5e2f1c9d11")


def derived_id(*parts: str) -> str:
    """A stable UUID (as text) derived from the given parts."""
    return str(uuid.uuid5(_NAMESPACE, "\x1f".join(parts)))


def message_id_for(agency_id: str, agency_reference: str) -> str:
    return derived_id("message", agency_id, agency_reference)


def receipt_id_for(message_or_reference: str, status: str) -> str:
    return derived_id("receipt", message_or_reference, status)
