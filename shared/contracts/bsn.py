"""The BSN (burgerservicenummer): 9 digits passing the elfproef. Personal data: the value
prints masked everywhere, so it cannot leak into a log line or an f-string by accident."""

from typing import Annotated, Any

from pydantic import PlainSerializer, PlainValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)


def passes_elfproef(digits: str) -> bool:
    """The 11-check: weighted sum (9..2, and -1 for the last digit) divisible by 11."""
    if len(digits) != 9 or not digits.isascii() or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits, _WEIGHTS, strict=True))
    return total % 11 == 0 and digits != "000000000"


class Bsn:
    """A validated BSN. `str()` and `repr()` mask it; `.value` is the full number."""

    __slots__ = ("value",)

    def __init__(self, value: str) -> None:
        if not passes_elfproef(value):
            raise ValueError("not a valid BSN (9 digits passing the 11-check)")
        self.value = value

    @property
    def masked(self) -> str:
        return "*****" + self.value[-4:]

    def __str__(self) -> str:
        return self.masked

    def __repr__(self) -> str:
        return f"Bsn({self.masked!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Bsn) and other.value == self.value

    def __hash__(self) -> int:
        return hash(self.value)


def _to_bsn(value: Any) -> Bsn:
    if isinstance(value, Bsn):
        return value
    if not isinstance(value, str) or not passes_elfproef(value):
        raise PydanticCustomError("invalid_bsn", "BSN must be 9 digits passing the 11-check")
    return Bsn(value)


BsnField = Annotated[
    Bsn,
    PlainValidator(_to_bsn),
    PlainSerializer(lambda b: b.value, return_type=str),
    WithJsonSchema({"type": "string", "pattern": "^[0-9]{9}$", "description": "BSN passing the 11-check"}),
]
"""A pydantic field type: validates as a BSN, serialises to the full number (for the wire
and the database only; `str()` of the value stays masked)."""
