import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from shared.contracts.bsn import Bsn, BsnField, passes_elfproef
from tools.population import bsn_from


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("111222333", True),
        ("123456782", True),
        ("123456789", False),  # fails the 11-check
        ("12345678", False),  # 8 digits
        ("1234567820", False),  # 10 digits
        ("12345678a", False),
        ("000000000", False),  # sums to 0 but is no number anyone has
        ("１２３４５６７８２", False),  # full-width digits are not ASCII
    ],
)
def test_elfproef(number: str, valid: bool) -> None:
    assert passes_elfproef(number) is valid


def test_bsn_prints_masked_everywhere() -> None:
    bsn = Bsn("111222333")
    assert str(bsn) == "*****2333"
    assert "111222333" not in repr(bsn)
    assert "111222333" not in f"{bsn} {bsn!r} {bsn!s}"
    assert bsn.value == "111222333"


class Holder(BaseModel):
    bsn: BsnField


def test_pydantic_field_validates_and_serialises_full_number() -> None:
    assert Holder.model_validate({"bsn": "111222333"}).model_dump(mode="json") == {"bsn": "111222333"}
    with pytest.raises(ValidationError) as error:
        Holder.model_validate({"bsn": "123456789"})
    assert error.value.errors()[0]["type"] == "invalid_bsn"


@given(st.integers(min_value=0, max_value=2**32))
def test_generated_bsns_pass(seed: int) -> None:
    import random

    assert passes_elfproef(bsn_from(random.Random(seed)))


@given(st.text(max_size=12))
def test_arbitrary_text_never_crashes_and_accepts_only_nine_ascii_digits(text: str) -> None:
    if passes_elfproef(text):
        assert len(text) == 9 and text.isascii() and text.isdigit()


@given(st.from_regex(r"\A[0-9]{9}\Z"))
def test_exactly_one_in_eleven_weighted_sums_pass(digits: str) -> None:
    weighted = sum(int(d) * w for d, w in zip(digits, (9, 8, 7, 6, 5, 4, 3, 2, -1), strict=True))
    assert passes_elfproef(digits) == (weighted % 11 == 0 and digits != "000000000")
