"""In-memory machtigingen, invitations and activity, for the box's unit tests."""

from dataclasses import replace
from datetime import date, datetime

from services.box.account.records import Citizen, OwnChange
from services.box.delegation.records import Activity, Grant, Invitation
from services.box.delegation.rules import Kind
from shared.contracts.bsn import Bsn
from shared.contracts.messages import NotifyCitizens


class FakeGrants:
    def __init__(self) -> None:
        self.grants: dict[str, Grant] = {}
        self.superseded: set[str] = set()

    async def add(self, grant: Grant) -> bool:
        if grant.grant_id in self.grants:
            return False
        self.grants[grant.grant_id] = grant
        return True

    async def get(self, grant_id: str) -> Grant | None:
        return self.grants.get(grant_id)

    async def of_owner(self, owner_id: str) -> list[Grant]:
        return [g for g in self.grants.values() if g.owner_id == owner_id]

    async def of_helper(self, helper_id: str) -> list[Grant]:
        return [g for g in self.grants.values() if g.helper_id == helper_id]

    async def notified_of(self, owner_ids: list[str]) -> list[Grant]:
        return [g for g in self.grants.values() if g.owner_id in owner_ids and g.notify and g.ended_at is None]

    async def end(self, grant_id: str, now: datetime, by: str) -> bool:
        grant = self.grants.get(grant_id)
        if grant is None or grant.ended_at is not None:
            return False
        self.grants[grant_id] = replace(grant, ended_at=now, ended_by=by)
        return True

    async def set_last_day(self, grant_id: str, last_day: date) -> bool:
        grant = self.grants.get(grant_id)
        if grant is None or grant.ended_at is not None:
            return False
        self.grants[grant_id] = replace(grant, last_day=last_day)
        return True

    async def set_notify(self, grant_id: str, notify: bool) -> bool:
        grant = self.grants.get(grant_id)
        if grant is None or grant.ended_at is not None:
            return False
        self.grants[grant_id] = replace(grant, notify=notify)
        return True

    async def due_to_expire(self, day: date, limit: int) -> list[Grant]:
        due = [g for g in self.grants.values() if g.ended_at is None and g.accepted_at and g.last_day < day]
        return due[:limit]

    async def begun_representations(self, now: datetime, limit: int) -> list[Grant]:
        begun = [g for g in await self.representations() if g.accepted_at and g.accepted_at <= now]
        return [g for g in begun if g.grant_id not in self.superseded][:limit]

    async def helpers_ended(self, grant_id: str) -> None:
        self.superseded.add(grant_id)

    async def representations(self) -> list[Grant]:
        return [g for g in self.grants.values() if g.kind is Kind.REPRESENTATIVE and g.ended_at is None]


class FakeInvitations:
    def __init__(self) -> None:
        self.invitations: dict[str, Invitation] = {}

    async def add(self, invitation: Invitation) -> None:
        assert invitation.handle not in self.invitations
        self.invitations[invitation.handle] = invitation

    async def get(self, handle: str) -> Invitation | None:
        return self.invitations.get(handle)

    async def of_owner(self, owner_id: str, now: datetime) -> list[Invitation]:
        return [
            i for i in self.invitations.values() if i.owner_id == owner_id and i.expires_at > now and i.tries_left > 0
        ]

    async def spend(self, handle: str) -> None:
        found = self.invitations.get(handle)
        if found is not None and found.tries_left > 0:
            self.invitations[handle] = replace(found, tries_left=found.tries_left - 1)

    async def take(self, handle: str) -> bool:
        return self.invitations.pop(handle, None) is not None

    async def withdraw(self, handle: str, owner_id: str) -> bool:
        found = self.invitations.get(handle)
        return found is not None and found.owner_id == owner_id and await self.take(handle)


class FakeActivityLog:
    def __init__(self) -> None:
        self.lines: list[Activity] = []

    async def record(self, activity: Activity) -> None:
        if activity not in self.lines:
            self.lines.append(activity)

    async def of(self, account_id: str) -> list[Activity]:
        mine = [a for a in self.lines if account_id in (a.owner_id, a.helper_id)]
        return sorted(mine, key=lambda a: a.at, reverse=True)


class FakeCitizens:
    """Accounts by BSN and by id, and the account events the box would publish."""

    def __init__(self, *citizens: Citizen) -> None:
        self.by_id = {c.account_id: c for c in citizens}
        self.digital: list[tuple[str, bool]] = []

    async def by_bsn(self, bsn: Bsn) -> Citizen | None:
        return next((c for c in self.by_id.values() if c.bsn.value == bsn.value), None)

    async def by_account_id(self, account_id: str) -> Citizen | None:
        return self.by_id.get(account_id)

    async def next_sequence(self, bsn: Bsn) -> int:
        return 1

    async def remember(self, bsn: Bsn, change: OwnChange) -> None:
        pass

    async def set_represented_digitally(self, bsn: Bsn, digital: bool) -> None:
        """Stands in for AccountChanges: what was chosen, for whom."""
        citizen = await self.by_bsn(bsn)
        assert citizen is not None
        self.digital.append((citizen.account_id, digital))
        self.by_id[citizen.account_id] = replace(citizen, represented_digitally=digital)


class FakeNoticePublisher:
    def __init__(self) -> None:
        self.commands: list[NotifyCitizens] = []

    async def notify(self, command: NotifyCitizens, message_id: str) -> None:
        self.commands.append(command)
