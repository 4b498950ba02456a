"""One e-mail address, one person: what the box accepts as an address to confirm."""

import pytest

from services.box.account.addresses import InvalidAddress, checked_address


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("burger@example.nl", "burger@example.nl"),
        ("  Burger@Example.NL ", "Burger@example.nl"),
        ("jan.jansen@müller.de", "jan.jansen@xn--mller-kva.de"),
        ("a+box@example.nl", "a+box@example.nl"),
    ],
)
def test_one_mailbox_is_kept(text: str, stored: str) -> None:
    assert checked_address(text) == stored


@pytest.mark.parametrize(
    "text",
    [
        "a@b.nl,c@d.nl",  # passed before: aiosmtplib then sent the confirmation to both
        "a@b.nl;c@d.nl",
        "a@b.nl c@d.nl",
        "Jan <a@b.nl>",
        '"a@b.nl, c"@d.nl',
        "a@b.nl\r\nBcc: c@d.nl",
        "a@[10.0.0.1]",
        "a@localhost",
        "jösé@example.nl",
        "",
        "a" * 250 + "@b.nl",
    ],
)
def test_anything_but_one_plain_address_is_refused(text: str) -> None:
    with pytest.raises(InvalidAddress):
        checked_address(text)
