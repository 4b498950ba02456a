"""An agency's receipts queue carries a receipt alone, or several at once."""

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from shared.messages import Receipt, Receipts, ReceiptStatus, receipts_in

ISSUED = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def receipt(n: int) -> Receipt:
    return Receipt(receipt_id=f"r{n}", status=ReceiptStatus.ACCEPTED, message_id=f"m{n}", issued_at=ISSUED)


def test_a_receipt_alone_and_several_at_once_read_the_same() -> None:
    assert receipts_in(receipt(1).model_dump_json().encode()) == [receipt(1)]
    several = Receipts(receipts=[receipt(1), receipt(2)])
    assert receipts_in(several.model_dump_json().encode()) == [receipt(1), receipt(2)]


def test_one_receipt_never_travels_as_a_list() -> None:
    with pytest.raises(ValidationError):
        Receipts(receipts=[receipt(1)])


def test_a_body_that_is_neither_is_refused() -> None:
    with pytest.raises(ValidationError):
        receipts_in(b'{"receipts": [], "extra": 1}')
