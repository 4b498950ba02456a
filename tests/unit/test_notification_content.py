from datetime import date
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest

from services.notifier.content import NotificationFacts, email_content, message_link, push_payload
from services.notifier.email import OutgoingEmail, build_email
from services.notifier.repository import ACCOUNT_FIELDS
from shared.contracts.messages import NotifyCitizen

FACTS = NotificationFacts(
    "new_message", "UWV", "Stuur uw jaaropgave terug", date(2027, 3, 1), "https://box.example/berichten"
)


def test_dutch_e_mail_with_agency_call_to_action_and_deadline() -> None:
    content = email_content(FACTS)
    assert content.subject == "Nieuw bericht van UWV in uw Berichtenbox"
    assert "Er staat een nieuw bericht van UWV voor u klaar in uw Berichtenbox." in content.text
    assert "UWV vraagt u: Stuur uw jaaropgave terug" in content.text
    assert "Doe dit uiterlijk 1 maart 2027." in content.text
    assert "https://box.example/berichten" in content.text
    assert 'style="' in content.html  # CSS inlined for mail clients
    assert "<style>" not in content.html


def test_reminder_wording() -> None:
    content = email_content(NotificationFacts("reminder", "RDW", None, None, "https://box.example"))
    assert content.subject == "Herinnering: ongelezen bericht van RDW in uw Berichtenbox"
    assert "nog niet geopend" in content.text
    assert "vraagt u" not in content.text


def test_a_helpers_notice_says_whose_box_by_no_name_and_links_through_the_machtiging() -> None:
    content = email_content(NotificationFacts("helper_new_message", "UWV", None, None, "https://box.example/berichten"))
    assert content.subject == "Nieuw bericht van UWV in een Berichtenbox waarbij u helpt"
    assert "waarbij u helpt" in content.text and "uw Berichtenbox." not in content.text.split("\n\n")[1]
    assert message_link("https://box.example/berichten", "m-1", "g-1") == "https://box.example/hulp/g-1/berichten/m-1"
    assert message_link("https://box.example/berichten", "m-1") == "https://box.example/berichten/m-1"


def test_html_escapes_what_the_agency_wrote() -> None:
    content = email_content(
        NotificationFacts("new_message", "A & B", "<script>alert(1)</script>", None, "https://box.example")
    )
    assert "<script>" not in content.html
    assert "&lt;script&gt;" in content.html
    assert "A &amp; B" in content.html


def email_to(
    recipient: str, facts: NotificationFacts = FACTS, link: str | None = None
) -> tuple[OutgoingEmail, EmailMessage]:
    email = build_email(
        email_content(facts),
        sender="Berichtenbox <a@b.example>",
        recipient=recipient,
        notification_id="n-1",
        domain="b.example",
        box_url=facts.box_url,
        link=link,
    )
    parsed = message_from_bytes(email.data, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return email, parsed


def test_headers_identify_the_notification_and_point_to_the_box() -> None:
    email, message = email_to("c@d.example")
    assert (email.envelope_from, email.recipient) == ("a@b.example", "c@d.example")
    assert message["To"] == "c@d.example"
    assert message["X-Berichtenbox-Notification"] == "n-1"
    assert message["Message-ID"].startswith("<") and message["Message-ID"].endswith("@b.example>")
    assert message["Message-ID"] == "<n-1@b.example>"
    assert email_to("c@d.example")[1]["Message-ID"] == message["Message-ID"]  # a resend can be recognised
    assert message["List-Unsubscribe"] is None
    assert message.get_content_type() == "multipart/alternative"


def test_push_payload_carries_the_same_facts() -> None:
    assert push_payload(FACTS) == {
        "title": "Nieuw bericht van UWV in uw Berichtenbox",
        "body": "Stuur uw jaaropgave terug Uiterlijk 1 maart 2027.",
        "url": "https://box.example/berichten",
    }


def test_an_address_that_needs_encoding_gets_the_same_e_mail_built_in_full() -> None:
    facts = NotificationFacts(
        "new_message", "Gemeente Súdwest-Fryslân", "Betaal vóór 1 mei", None, "https://box.example"
    )
    _, shared = email_to("c@d.example", facts)
    _, full = email_to("Jàn <c@d.example>", facts)
    assert str(full["To"]) == "Jàn <c@d.example>"
    for name in ("From", "Subject", "X-Berichtenbox-Manage", "MIME-Version", "X-Berichtenbox-Notification"):
        assert shared[name] == full[name]
    assert [p.get_content() for p in shared.walk() if p.get_content_maintype() == "text"] == [
        p.get_content() for p in full.walk() if p.get_content_maintype() == "text"
    ]
    assert "Súdwest-Fryslân" in str(shared["Subject"])


def texts(message: EmailMessage) -> list[str]:
    return [p.get_content() for p in message.walk() if p.get_content_maintype() == "text"]


def test_each_e_mail_carries_its_own_link_in_both_parts_and_the_box_in_its_header() -> None:
    facts = NotificationFacts(
        "new_message", "Gemeente Súdwest-Fryslân", "Betaal vóór 1 mei = " + "lang " * 40, None, FACTS.box_url
    )
    link = message_link(FACTS.box_url, "5f0c2b1e-0000-4000-8000-000000000001")
    _, shared = email_to("c@d.example", facts, link)
    _, full = email_to("Jàn <c@d.example>", facts, link)
    assert texts(shared) == texts(full)  # the hand-built parts read back as the email package's do
    plain, html = texts(shared)
    assert link in plain and f'href="{link}"' in html
    assert "Betaal vóór 1 mei = lang" in plain  # non-ASCII, '=' and a line past 76 characters, intact
    assert shared["X-Berichtenbox-Manage"] == FACTS.box_url
    _, other = email_to("e@f.example", facts, link.replace("0001", "0002"))
    assert texts(other)[0] == plain.replace("0001", "0002")  # the mailing's shared part holds no link


def test_a_recipient_with_a_line_break_cannot_add_headers() -> None:
    with pytest.raises(ValueError, match="linefeed"):
        email_to("c@d.example\r\nBcc: everyone@example.org")


def test_the_notifier_is_given_neither_a_bsn_nor_what_a_message_says() -> None:
    """It reads accounts only (these fields), and its commands carry no message content."""
    assert "bsn" not in ACCOUNT_FIELDS
    assert not {"recipient_bsn", "bsn", "subject", "body", "attachments"} & set(NotifyCitizen.model_fields)
