"""Dutch wording shared by letters and notifications."""

from datetime import date

MONTHS = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)


def dutch_date(day: date) -> str:
    """`1 februari 2027`"""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
