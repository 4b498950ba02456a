"""Legal representatives (bewind, curatele, mentorschap), as the courts' register lists them:
loading the register into machtigingen, and the representative's choice of digital post for
the person they represent. A representation that starts ends the person's voluntary helpers;
one the register no longer lists ends, and with it the choice of digital post."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time

from services.box.account.repository import Citizens
from services.box.account.use_cases import AccountChanges
from services.box.delegation.records import Grant, Happening
from services.box.delegation.register import Row
from services.box.delegation.repository import Grants
from services.box.delegation.rules import AMSTERDAM, OPEN_END, Kind, Scope, today
from services.box.delegation.use_cases import Delegations
from shared.contracts.bsn import Bsn
from shared.contracts.ids import derived_id


@dataclass(frozen=True)
class Loaded:
    added: int
    changed: int
    ended: int
    without_account: int
    helpers_ended: int


class Representation:
    def __init__(
        self, grants: Grants, delegations: Delegations, citizens: Citizens, account: AccountChanges,
        clock: Callable[[], datetime],
    ) -> None:  # fmt: skip
        self.grants, self.delegations, self.citizens, self.account = grants, delegations, citizens, account
        self.clock = clock

    async def choose(self, representative_id: str, grant_id: str, digital: bool) -> bool:
        """The representative's choice for the person they represent: published as an account
        event of that person, which the router applies to the next messages."""
        grant = await self.delegations.helping(representative_id, grant_id)
        if grant is None or grant.kind is not Kind.REPRESENTATIVE:
            return False
        person = await self.citizens.by_account_id(grant.owner_id)
        if person is None:
            return False
        await self.account.set_represented_digitally(person.bsn, digital)
        await self.delegations.acted(grant, Happening.CHOSE_DIGITAL if digital else Happening.CHOSE_PAPER)
        return True

    async def load(self, rows: list[Row]) -> Loaded:
        """The register as it is now: new rows become machtigingen, changed end dates apply,
        and representations it no longer lists end. Loading the same file twice changes nothing."""
        now, listed, added, changed, missing = self.clock(), set(), 0, 0, 0
        for row in rows:
            grant = await self._grant(row, now)
            if grant is None:
                missing += 1
                continue
            listed.add(grant.grant_id)
            if await self.grants.add(grant):
                added += 1
            elif await self._follow(grant):
                changed += 1
        ended = 0
        for grant in await self.grants.representations():
            if grant.grant_id not in listed and await self.grants.end(grant.grant_id, now, "register"):
                ended += 1
                await self.delegations.acted(grant, Happening.ENDED, detail="register")
                await self._withdraw(grant)
        return Loaded(added, changed, ended, missing, await self.supersede())

    async def _grant(self, row: Row, now: datetime) -> Grant | None:
        person, representative = (
            await self.citizens.by_bsn(Bsn(row.person)),
            await self.citizens.by_bsn(Bsn(row.representative)),
        )
        if person is None or representative is None or person.state == "none":
            return None
        grant_id = derived_id("representation", person.account_id, representative.account_id, row.kind, str(row.start))
        starts = datetime.combine(row.start, time(), AMSTERDAM).astimezone(UTC)
        return Grant(
            grant_id=grant_id, kind=Kind.REPRESENTATIVE, owner_id=person.account_id, owner_name=person.name,
            helper_id=representative.account_id, helper_name=representative.name, scope=Scope.ORDER, senders=None,
            last_day=row.end or OPEN_END, created_at=now, accepted_at=starts, representation=row.kind,
        )  # fmt: skip

    async def _follow(self, grant: Grant) -> bool:
        stored = await self.grants.get(grant.grant_id)
        if stored is None or stored.ended_at is not None or stored.last_day == grant.last_day:
            return False
        return await self.grants.set_last_day(grant.grant_id, grant.last_day)

    async def _withdraw(self, grant: Grant) -> None:
        """A representation that ended leaves no choice of digital post behind: the person is
        exempt again, so paper (the law's default for them)."""
        person = await self.citizens.by_account_id(grant.owner_id)
        if person is not None and person.represented_digitally:
            await self.account.set_represented_digitally(person.bsn, False)

    async def supersede(self) -> int:
        """Ends the voluntary helpers of everyone whose representation has begun: from then on
        the representative decides who else reads. Each representation once (then marked)."""
        now, ended = self.clock(), 0
        for representation in await self.grants.begun_representations(now, limit=1000):
            for helper in await self.grants.of_owner(representation.owner_id):
                voluntary = helper.kind is Kind.HELPER and helper.ended_at is None
                if voluntary and await self.grants.end(helper.grant_id, now, "representation"):
                    ended += 1
                    await self.delegations.acted(helper, Happening.ENDED, detail="representation")
            await self.grants.helpers_ended(representation.grant_id)
        return ended

    async def sweep(self) -> None:
        """Periodic: grants past their end date ended in both logbooks, and helpers of those
        whose representation began since the last run ended."""
        await self.expire()
        await self.supersede()

    async def expire(self) -> int:
        """Records in both logbooks the grants that ran out by their end date (access stopped
        at that moment already: every request checks the date)."""
        now, count = self.clock(), 0
        for grant in await self.grants.due_to_expire(today(now), limit=500):
            if await self.grants.end(grant.grant_id, now, "expiry"):
                count += 1
                await self.delegations.acted(grant, Happening.EXPIRED)
                if grant.kind is Kind.REPRESENTATIVE:
                    await self._withdraw(grant)
        return count
