"""The logbook's CSV: what an agency wrote never becomes a spreadsheet formula."""

import pytest

from services.box.messages.logbook import no_formula


@pytest.mark.parametrize(
    ("value", "guarded"),
    [
        ('=HYPERLINK("https://x")', True),
        ("+1", True),
        ("-1", True),
        ("@SUM(A1)", True),
        ("\n=cmd", True),
        ("   =cmd", True),
        ("\r\n+cmd", True),
        ("\t@x", True),
        ("\u00a0-x", True),
        (" \n \t=x", True),
        ("Uw aanslag 2025", False),
        ("  Uw aanslag", False),
        ("", False),
        ("a=b", False),
    ],
)
def test_a_value_that_a_spreadsheet_would_compute_is_quoted(value: str, guarded: bool) -> None:
    assert no_formula(value) == ("'" + value if guarded else value)
