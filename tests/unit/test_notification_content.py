from datetime import date

from services.notifier.content import NotificationFacts, email_content, push_payload
from services.notifier.email import build_email

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


def test_html_escapes_what_the_agency_wrote() -> None:
    content = email_content(
        NotificationFacts("new_message", "A & B", "<script>alert(1)</script>", None, "https://box.example")
    )
    assert "<script>" not in content.html
    assert "&lt;script&gt;" in content.html
    assert "A &amp; B" in content.html


def test_headers_identify_the_notification_and_point_to_the_box() -> None:
    message = build_email(
        email_content(FACTS),
        sender="Berichtenbox <a@b.example>",
        recipient="c@d.example",
        notification_id="n-1",
        domain="b.example",
        box_url="https://box.example",
    )
    assert message["X-Berichtenbox-Notification"] == "n-1"
    assert message["Message-ID"].startswith("<") and message["Message-ID"].endswith("@b.example>")
    assert "n-1" in message["Message-ID"]
    assert message["List-Unsubscribe"] is None
    assert message.get_content_type() == "multipart/alternative"


def test_push_payload_carries_the_same_facts() -> None:
    assert push_payload(FACTS) == {
        "title": "Nieuw bericht van UWV in uw Berichtenbox",
        "body": "Stuur uw jaaropgave terug Uiterlijk 1 maart 2027.",
        "url": "https://box.example/berichten",
    }
