"""A call to action as an iCalendar event (RFC 5545, by the `icalendar` library): an all-day
event on its deadline, linking to the message (the link carries only its opaque id)."""

from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event

from services.box.messages.records import Entry


def calendar_event(entry: Entry, agency_name: str, base_url: str) -> bytes:
    assert entry.deadline is not None
    calendar = Calendar()
    calendar.add("prodid", "-//Berichtenbox//Te doen//NL")
    calendar.add("version", "2.0")
    event = Event()
    event.add("uid", f"{entry.message_id}@berichtenbox")
    event.add("dtstamp", datetime.now(UTC))
    event.add("dtstart", entry.deadline)
    event.add("dtend", entry.deadline + timedelta(days=1))
    event.add("summary", f"{agency_name}: {entry.action_text or entry.subject}")
    event.add("description", f"Bericht in uw Berichtenbox: {entry.subject}")
    event.add("url", f"{base_url.rstrip('/')}/berichten/{entry.message_id}")
    calendar.add_component(event)
    return bytes(calendar.to_ical())
