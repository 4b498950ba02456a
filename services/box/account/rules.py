"""The account's pure rules, without I/O: what a preference form becomes, what a page warns
about for an account, and how the box sees an account it changed."""

from collections.abc import Mapping
from dataclasses import dataclass, replace

from services.box.account.records import Citizen, OwnChange
from shared.contracts.agencies import Agency


@dataclass(frozen=True)
class AgencyChoice:
    """One row of the preferences page."""

    agency_id: str
    name: str
    digital: bool
    locked_reason: str | None
    paper_copy: bool
    paper_copy_allowed: bool


MANDATORY_REASON = "Verplicht digitaal volgens de Wet elektronisch berichtenverkeer (Wet EBV)"


def choices(citizen: Citizen, agencies: list[Agency]) -> list[AgencyChoice]:
    return [
        AgencyChoice(
            agency_id=a.agency_id,
            name=a.display_name,
            digital=a.mandatory_sender or a.agency_id in citizen.opted_in_agencies,
            locked_reason=MANDATORY_REASON if a.mandatory_sender else None,
            paper_copy=a.paper_copy_allowed and a.agency_id in citizen.paper_copy_agencies,
            paper_copy_allowed=a.paper_copy_allowed,
        )
        for a in sorted(agencies, key=lambda a: a.display_name)
    ]


@dataclass(frozen=True)
class Preferences:
    opted_in_agencies: list[str]
    paper_copy_agencies: list[str]
    reminder_opt_in: bool
    deadline_reminders: bool = True
    safety_net_days: int | None = None


SAFETY_NET_DAYS = (14, 21, 28)


def preferences_from(
    digital: set[str], paper: set[str], reminder: bool, agencies: list[Agency], deadline_reminders: bool = True,
    safety_net_days: int | None = None,
) -> Preferences:  # fmt: skip
    """What a submitted form means: a mandatory sender stays on whatever the form says, paper
    copies only where the agency allows them, unknown agency ids are ignored."""
    known = {a.agency_id: a for a in agencies}
    opted_in = sorted(a for a in known if a in digital or known[a].mandatory_sender)
    copies = sorted(a for a in known if a in paper and known[a].paper_copy_allowed)
    net = safety_net_days if safety_net_days in SAFETY_NET_DAYS else None
    return Preferences(opted_in, copies, reminder, deadline_reminders, net)


def paper_now(citizen: Citizen, chosen: Preferences) -> set[str]:
    """The agencies this change turns digital post off for: their unopened messages come on paper."""
    return set(citizen.opted_in_agencies) - set(chosen.opted_in_agencies)


def warnings(citizen: Citizen | None) -> list[str]:
    """What every page tells this citizen before anything else."""
    if citizen is not None and citizen.email and citizen.email_not_working:
        return [
            "E-mail aan uw e-mailadres komt niet aan: de mailserver weigerde het drie keer. U krijgt geen "
            "bericht meer als er nieuwe post is. Geef een ander adres op, of bevestig dit adres opnieuw."
        ]
    if citizen is not None and citizen.state == "activated" and not citizen.email:
        return [
            "U heeft geen bevestigd e-mailadres. U krijgt dan geen bericht als er nieuwe post is, "
            "en u kunt berichten missen."
        ]
    return []


def as_changed(citizen: Citizen, applied: Mapping[str, int], own: list[OwnChange]) -> Citizen:
    """The account as the router keeps it, with the box's own changes the router has not
    applied yet (`applied`: the sequence it last applied per aspect) laid over it."""
    pending = sorted((c for c in own if c.sequence > applied.get(c.aspect, 0)), key=lambda c: c.sequence)
    for change in pending:
        citizen = replace(citizen, **change.fields)
    return citizen
