"""Machtigingen as the owner and the helper handle them: inviting, accepting with the code,
ending, renewing, choosing to be notified; and what a helper did, for both logbooks. Every
call names the account that asks: a grant of someone else's is not found."""

import secrets
from collections.abc import Callable
from datetime import date, datetime

from services.box.account.records import Citizen
from services.box.account.repository import Citizens
from services.box.delegation import codes
from services.box.delegation.codes import Invitations
from services.box.delegation.records import Activity, Grant, Happening, Invitation
from services.box.delegation.repository import ActivityLog, Grants
from services.box.delegation.rules import (
    CODE_TRIES,
    CODE_VALID,
    HELPERS_PER_OWNER,
    OWNERS_PER_HELPER,
    Kind,
    Scope,
    active,
    end_date_refusal,
)


class Refused(Exception):
    """Why a step cannot be taken, in Dutch, for the page that asked."""


UNKNOWN_CODE = "Deze code kennen we niet, of hij is verlopen, al gebruikt of te vaak verkeerd ingevoerd."


class Delegations:
    def __init__(
        self, grants: Grants, invitations: Invitations, activity: ActivityLog, citizens: Citizens,
        clock: Callable[[], datetime],
    ) -> None:  # fmt: skip
        self.grants, self.invitations, self.activity, self.clock = grants, invitations, activity, clock
        self.citizens = citizens

    async def invite(self, owner: Citizen, scope: Scope, senders: frozenset[str] | None, last_day: date | None) -> str:
        """A new code (shown once, never stored): the helper accepts with it."""
        now = self.clock()
        refusal = end_date_refusal(last_day, now)
        if refusal or last_day is None:
            raise Refused(refusal)
        if senders is not None and not senders:
            raise Refused("Kies ten minste één afzender, of alle afzenders.")
        grants = [g for g in await self.grants.of_owner(owner.account_id) if active(g.period, now)]
        if any(g.kind is Kind.REPRESENTATIVE for g in grants):
            raise Refused("U heeft een wettelijk vertegenwoordiger; die beslist wie uw post nog meeleest.")
        helpers = sum(g.kind is Kind.HELPER for g in grants)
        if helpers + len(await self.invitations.of_owner(owner.account_id, now)) >= HELPERS_PER_OWNER:
            raise Refused(f"U kunt hoogstens {HELPERS_PER_OWNER} helpers hebben (uitnodigingen meegeteld).")
        code = codes.new_code()
        await self.invitations.add(
            Invitation(codes.handle_of(code), owner.account_id, codes.secret_hash(code), scope, senders, last_day,
                       now + CODE_VALID, CODE_TRIES)
        )  # fmt: skip
        await self._log(owner.account_id, None, owner.name, None, Happening.INVITED, now, detail=scope.value)
        return code

    async def _represented(self, owner_id: str) -> bool:
        now = self.clock()
        grants = await self.grants.of_owner(owner_id)
        return any(g.kind is Kind.REPRESENTATIVE and active(g.period, now) for g in grants)

    async def invitation(self, code_text: str) -> Invitation:
        """The invitation a code opens; a wrong secret spends one of its tries."""
        code = codes.typed(code_text)
        found = None if code is None else await self.invitations.get(codes.handle_of(code))
        if code is None or found is None or found.tries_left <= 0 or found.expires_at <= self.clock():
            raise Refused(UNKNOWN_CODE)
        if not codes.matches(code, found.secret_hash):
            await self.invitations.spend(found.handle)
            raise Refused(UNKNOWN_CODE)
        return found

    async def offered(self, code_text: str) -> tuple[Invitation, Citizen]:
        """What a helper sees before accepting: the invitation and whose box it opens."""
        invitation = await self.invitation(code_text)
        owner = await self.citizens.by_account_id(invitation.owner_id)
        if owner is None:  # the account is gone: nothing to help with
            raise Refused(UNKNOWN_CODE)
        return invitation, owner

    async def accept(self, helper: Citizen, code_text: str) -> Grant:
        invitation, owner = await self.offered(code_text)
        now = self.clock()
        if invitation.owner_id == helper.account_id:
            raise Refused("Dit is uw eigen uitnodiging: u kunt uzelf niet machtigen.")
        if await self._represented(invitation.owner_id):
            raise Refused(
                "Voor deze persoon is een wettelijk vertegenwoordiger aangewezen; de uitnodiging geldt niet meer."
            )
        mine = [g for g in await self.grants.of_helper(helper.account_id) if active(g.period, now)]
        if any(g.owner_id == invitation.owner_id for g in mine):
            raise Refused("U helpt al bij deze Berichtenbox.")
        if len(mine) >= OWNERS_PER_HELPER:
            raise Refused(f"U helpt al bij {OWNERS_PER_HELPER} Berichtenboxen; meer kan niet.")
        if not await self.invitations.take(invitation.handle):
            raise Refused(UNKNOWN_CODE)
        grant = Grant(
            grant_id=secrets.token_urlsafe(12), kind=Kind.HELPER, owner_id=invitation.owner_id, owner_name=owner.name,
            helper_id=helper.account_id, helper_name=helper.name, scope=invitation.scope, senders=invitation.senders,
            last_day=invitation.last_day, created_at=now, accepted_at=now,
        )  # fmt: skip
        await self.grants.add(grant)
        await self.acted(grant, Happening.ACCEPTED)
        return grant

    async def withdraw(self, owner: Citizen, handle: str) -> bool:
        return await self.invitations.withdraw(handle, owner.account_id)

    async def end(self, account_id: str, grant_id: str) -> Grant | None:
        """Ended by its owner or its helper, at once; a representation only the registry ends."""
        grant = await self.grants.get(grant_id)
        if grant is None or account_id not in (grant.owner_id, grant.helper_id) or grant.kind is not Kind.HELPER:
            return None
        by = "owner" if account_id == grant.owner_id else "helper"
        if await self.grants.end(grant_id, self.clock(), by):
            await self.acted(grant, Happening.ENDED, detail=by)
        return grant

    async def renew(self, owner: Citizen, grant_id: str, last_day: date | None) -> Grant | None:
        grant = await self.grants.get(grant_id)
        if grant is None or grant.owner_id != owner.account_id or grant.kind is not Kind.HELPER:
            return None
        if not active(grant.period, self.clock()):
            raise Refused("Deze machtiging is al beëindigd; nodig de helper opnieuw uit.")
        refusal = end_date_refusal(last_day, self.clock())
        if refusal or last_day is None:
            raise Refused(refusal)
        await self.grants.set_last_day(grant_id, last_day)
        await self.acted(grant, Happening.RENEWED, detail=last_day.isoformat())
        return grant

    async def notify(self, helper_id: str, grant_id: str, on: bool) -> bool:
        grant = await self.helping(helper_id, grant_id)
        return grant is not None and await self.grants.set_notify(grant_id, on)

    async def helping(self, helper_id: str, grant_id: str) -> Grant | None:
        """The grant through which this helper opens a box, only while it holds."""
        grant = await self.grants.get(grant_id)
        ok = grant is not None and grant.helper_id == helper_id and active(grant.period, self.clock())
        return grant if ok else None

    async def boxes(self, helper_id: str) -> list[Grant]:
        now = self.clock()
        return [g for g in await self.grants.of_helper(helper_id) if active(g.period, now)]

    async def of_owner(self, owner_id: str) -> tuple[list[Grant], list[Invitation]]:
        now = self.clock()
        grants = [g for g in await self.grants.of_owner(owner_id) if active(g.period, now)]
        return grants, await self.invitations.of_owner(owner_id, now)

    async def acted(
        self, grant: Grant, what: Happening, message_id: str | None = None, detail: str | None = None
    ) -> None:
        await self._log(grant.owner_id, grant.helper_id, grant.owner_name, grant.helper_name, what, self.clock(),
                        grant.grant_id, message_id, detail)  # fmt: skip

    async def _log(
        self, owner_id: str, helper_id: str | None, owner_name: str, helper_name: str | None, what: Happening,
        at: datetime, grant_id: str = "", message_id: str | None = None, detail: str | None = None,
    ) -> None:  # fmt: skip
        await self.activity.record(
            Activity(grant_id, owner_id, helper_id, owner_name, helper_name, what, at, message_id, detail)
        )

    async def history(self, account_id: str) -> list[Activity]:
        return await self.activity.of(account_id)
