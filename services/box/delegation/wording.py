"""What a machtiging's activity says in a logbook, in Dutch, seen from the owner's side or
the helper's. Pure: a record in, a sentence out."""

from datetime import date

from services.box.delegation.records import Activity, Happening
from shared.dutch import dutch_date

ENDED_BY = {
    "owner": "door de eigenaar",
    "helper": "door de helper",
    "expiry": "op de einddatum",
    "representation": "omdat een wettelijk vertegenwoordiger is aangewezen",
    "register": "omdat het register haar niet meer noemt",
}
MOVED_TO = {"inbox": "Postvak IN", "archive": "het Archief", "trash": "de Prullenbak"}


def activity_text(activity: Activity, me: str) -> str:
    owner_side = activity.owner_id == me
    helper = activity.helper_name or "een helper"
    who = helper if owner_side else "U"
    box = "uw Berichtenbox" if owner_side else f"de Berichtenbox van {activity.owner_name}"
    message = f"bericht {activity.message_id}"
    match activity.what:
        case Happening.INVITED:
            return f"U heeft een uitnodiging gemaakt om te helpen ({activity.detail or ''})."
        case Happening.ACCEPTED:
            return f"{who} heeft de machtiging voor {box} aangenomen."
        case Happening.ENDED:
            return f"De machtiging van {helper} voor {box} is beëindigd {ENDED_BY.get(activity.detail or '', '')}."
        case Happening.EXPIRED:
            return f"De machtiging van {helper} voor {box} is afgelopen op de einddatum."
        case Happening.RENEWED:
            until = dutch_date(date.fromisoformat(activity.detail)) if activity.detail else "?"
            return f"De machtiging van {helper} voor {box} is verlengd tot en met {until}."
        case Happening.OPENED:
            return f"{who} opende {message} in {box}."
        case Happening.DOWNLOADED:
            return f"{who} downloadde de bijlage {activity.detail or ''} van {message} in {box}."
        case Happening.MOVED:
            return f"{who} verplaatste {message} in {box} naar {MOVED_TO.get(activity.detail or '', activity.detail)}."
        case Happening.CHOSE_DIGITAL:
            return f"{who} koos digitale post voor {box}."
        case Happening.CHOSE_PAPER:
            return f"{who} koos papieren post voor {box}."
    return f"{activity.what.value}"
