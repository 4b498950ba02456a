"""Bounce addresses (VERP with a keyed tag) and the reading of delivery status notifications."""

import uuid

import pytest
from pydantic import SecretStr, ValidationError

from scripts.smtp_sink import delivery_status_notification
from services.notifier.bounces import Bounce, BounceAddresses, permanent_failures
from services.notifier.settings import NotifierSettings

ACCOUNT = str(uuid.UUID(int=7))
ADDRESSES = BounceAddresses(b"key", "berichtenbox.example")
MAIL = b"Message-ID: <n-1@berichtenbox.example>\r\nTo: a@example.nl\r\n\r\nbody\r\n"


def test_a_bounce_address_names_its_account_and_fits_only_its_recipient() -> None:
    address = ADDRESSES.envelope_sender(ACCOUNT, "A@Example.nl ")
    assert address is not None and len(address.partition("@")[0]) <= 64  # SMTP's limit on a local part
    assert ADDRESSES.account_of(address) == ACCOUNT
    assert ADDRESSES.genuine(address, "a@example.nl")
    assert ADDRESSES.genuine(f"<{address.upper()}>", "a@example.nl")  # servers may change case
    assert not ADDRESSES.genuine(address, "b@example.nl")


@pytest.mark.parametrize(
    "forged",
    [
        lambda a: a[:8] + ("f" if a[8] != "f" else "e") + a[9:],  # another account, same tag
        lambda a: a[: a.index(".") + 1] + "a" * 16 + a[a.index("@") :],  # a tag made up
        lambda a: a.replace("berichtenbox.example", "elders.example"),  # not our domain
        lambda a: a.replace("bounces+", "noreply+"),
    ],
)
def test_a_bounce_address_changed_anywhere_is_not_genuine(forged: object) -> None:
    address = ADDRESSES.envelope_sender(ACCOUNT, "a@example.nl")
    assert address is not None and callable(forged)
    assert not ADDRESSES.genuine(forged(address), "a@example.nl")
    assert not BounceAddresses(b"other key", "berichtenbox.example").genuine(address, "a@example.nl")


def test_an_account_id_that_is_no_uuid_gets_no_bounce_address() -> None:
    assert ADDRESSES.envelope_sender("account-1", "a@example.nl") is None


POSTFIX_DELAY = (
    b'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
    b"--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example\r\n\r\n"
    b"Final-Recipient: rfc822; a@example.nl\r\nAction: delayed\r\nStatus: 4.4.1\r\n\r\n--b--\r\n"
)
SUCCESS_WITH_FAILURE_STATUS_MISSING = POSTFIX_DELAY.replace(b"delayed", b"failed").replace(b"4.4.1", b"")


@pytest.mark.parametrize(
    ("report", "expected"),
    [
        (
            delivery_status_notification(["a@example.nl", "b@example.nl"], MAIL),
            [
                Bounce("a@example.nl", "5.1.1", "<n-1@berichtenbox.example>"),
                Bounce("b@example.nl", "5.1.1", "<n-1@berichtenbox.example>"),
            ],
        ),
        (POSTFIX_DELAY, []),  # a delay is no failure
        (
            POSTFIX_DELAY.replace(b"delayed", b"failed").replace(b"4.4.1", b"5.2.2"),
            [Bounce("a@example.nl", "5.2.2", None)],
        ),
        (SUCCESS_WITH_FAILURE_STATUS_MISSING, []),
        (POSTFIX_DELAY.replace(b"delayed", b"failed").replace(b"4.4.1", b"4.2.2"), []),  # temporary
        (b"Subject: out of office\r\n\r\nI am away.\r\n", []),  # an auto-reply is no DSN
        (b"\xff\xfe garbage", []),
    ],
)
def test_a_report_yields_its_permanent_failures_only(report: bytes, expected: list[Bounce]) -> None:
    assert permanent_failures(report) == expected


def test_the_development_key_signs_bounce_addresses_only_of_a_test_domain() -> None:
    assert NotifierSettings(mail_domain="berichtenbox.example").mail_domain == "berichtenbox.example"
    with pytest.raises(ValidationError, match="BERICHTENBOX_BOUNCE_KEY"):
        NotifierSettings(mail_domain="berichtenbox.nl")
    assert NotifierSettings(mail_domain="berichtenbox.nl", bounce_key=SecretStr("k" * 32)).mail_domain
