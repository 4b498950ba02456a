"""Machtigingen as owner and helper handle them, on in-memory stores: invitation codes, tries,
limits, ending at once, expiry, representations from the register, and helpers' notices."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from services.box.account.records import Citizen
from services.box.delegation import codes
from services.box.delegation.notices import HelperNotices
from services.box.delegation.register import Row
from services.box.delegation.representation import Representation
from services.box.delegation.rules import CODE_TRIES, HELPERS_PER_OWNER, OWNERS_PER_HELPER, Kind, Scope
from services.box.delegation.use_cases import Delegations, Refused
from shared.contracts.bsn import Bsn
from shared.contracts.messages import BoxDelivery, MessagesDeliveredToBox
from tests.fakes.delegation import FakeActivityLog, FakeCitizens, FakeGrants, FakeInvitations, FakeNoticePublisher

pytestmark = pytest.mark.unit
START = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
OWNER = Citizen("owner", Bsn("999990019"), "activated", name="Anna de Vries")
HELPER = Citizen("helper", Bsn("999990020"), "activated", email="hulp@example.nl", name="Bram Jansen")
OTHER = Citizen("other", Bsn("999990032"), "activated", name="Cor Bakker")


class World:
    def __init__(self) -> None:
        self.now = START
        self.grants, self.invitations, self.activity = FakeGrants(), FakeInvitations(), FakeActivityLog()
        self.citizens = FakeCitizens(OWNER, HELPER, OTHER)
        self.delegations = Delegations(self.grants, self.invitations, self.activity, self.citizens, lambda: self.now)
        self.representation = Representation(
            self.grants, self.delegations, self.citizens,
            self.citizens, lambda: self.now,  # type: ignore[arg-type]  # stands in for AccountChanges
        )  # fmt: skip


async def invited_and_accepted(world: World, scope: Scope = Scope.READ, senders: frozenset[str] | None = None):  # type: ignore[no-untyped-def]
    code = await world.delegations.invite(OWNER, scope, senders, date(2027, 1, 31))
    return await world.delegations.accept(HELPER, code)


async def test_a_helper_accepts_with_the_code_and_then_opens_the_box_until_it_is_ended() -> None:
    world = World()
    code = await world.delegations.invite(OWNER, Scope.READ, None, date(2027, 1, 31))
    assert await world.delegations.helping(HELPER.account_id, "nothing") is None
    grant = await world.delegations.accept(HELPER, codes.shown(code).lower())
    assert (grant.owner_id, grant.helper_id, grant.kind) == ("owner", "helper", Kind.HELPER)
    assert await world.delegations.helping(HELPER.account_id, grant.grant_id) == grant
    assert await world.delegations.helping(OTHER.account_id, grant.grant_id) is None
    with pytest.raises(Refused):  # one use only
        await world.delegations.accept(OTHER, code)
    assert await world.delegations.end(OWNER.account_id, grant.grant_id) is not None
    assert await world.delegations.helping(HELPER.account_id, grant.grant_id) is None
    seen = [a.what.value for a in await world.activity.of(HELPER.account_id)]
    assert sorted(seen) == ["accepted", "ended"]


async def test_wrong_codes_spend_the_tries_and_then_the_right_code_opens_nothing() -> None:
    world = World()
    code = await world.delegations.invite(OWNER, Scope.READ, None, date(2027, 1, 31))
    wrong = code[:6] + ("B" if code[6] != "B" else "C") + code[7:]
    for _ in range(CODE_TRIES):
        with pytest.raises(Refused):
            await world.delegations.invitation(wrong)
    with pytest.raises(Refused):
        await world.delegations.accept(HELPER, code)


async def test_an_invitation_lasts_fourteen_days() -> None:
    world = World()
    code = await world.delegations.invite(OWNER, Scope.READ, None, date(2027, 1, 31))
    world.now = START + timedelta(days=14, seconds=1)
    with pytest.raises(Refused):
        await world.delegations.accept(HELPER, code)


async def test_nobody_helps_themselves_and_an_owner_has_at_most_five_helpers() -> None:
    world = World()
    code = await world.delegations.invite(OWNER, Scope.READ, None, date(2027, 1, 31))
    with pytest.raises(Refused, match="uzelf"):
        await world.delegations.accept(OWNER, code)
    for _ in range(HELPERS_PER_OWNER - 1):
        await world.delegations.invite(OWNER, Scope.READ, None, date(2027, 1, 31))
    with pytest.raises(Refused, match="hoogstens"):
        await world.delegations.invite(OWNER, Scope.READ, None, date(2027, 1, 31))


async def test_a_helper_helps_at_most_twenty_boxes() -> None:
    owners = [Citizen(f"owner-{n}", Bsn("999990019"), "activated", name=f"Eigenaar {n}") for n in range(21)]
    world = World()
    world.citizens.by_id.update({o.account_id: o for o in owners})
    codes_given = [await world.delegations.invite(o, Scope.READ, None, date(2027, 1, 31)) for o in owners]
    for code in codes_given[:OWNERS_PER_HELPER]:
        await world.delegations.accept(HELPER, code)
    with pytest.raises(Refused, match="meer kan niet"):
        await world.delegations.accept(HELPER, codes_given[OWNERS_PER_HELPER])
    await world.delegations.end(HELPER.account_id, (await world.delegations.boxes(HELPER.account_id))[0].grant_id)
    assert (await world.delegations.accept(HELPER, codes_given[OWNERS_PER_HELPER])).owner_id == "owner-20"


async def test_the_helper_can_end_it_too_and_both_logbooks_say_who_did() -> None:
    world = World()
    grant = await invited_and_accepted(world)
    assert await world.delegations.end(OTHER.account_id, grant.grant_id) is None  # a stranger cannot
    assert await world.delegations.helping(HELPER.account_id, grant.grant_id) is not None
    assert await world.delegations.end(HELPER.account_id, grant.grant_id) is not None
    assert await world.delegations.helping(HELPER.account_id, grant.grant_id) is None
    for who in (OWNER, HELPER):
        ended = [a for a in await world.activity.of(who.account_id) if a.what.value == "ended"]
        assert [a.detail for a in ended] == ["helper"]


async def test_an_end_date_beyond_a_year_is_refused_and_renewal_moves_it() -> None:
    world = World()
    with pytest.raises(Refused):
        await world.delegations.invite(OWNER, Scope.READ, None, date(2028, 1, 31))
    grant = await invited_and_accepted(world)
    renewed = await world.delegations.renew(OWNER, grant.grant_id, date(2027, 6, 30))
    assert renewed is not None
    assert (await world.grants.get(grant.grant_id)).last_day == date(2027, 6, 30)  # type: ignore[union-attr]
    assert await world.delegations.renew(HELPER, grant.grant_id, date(2027, 6, 30)) is None  # only the owner


async def test_an_expired_grant_opens_nothing_and_the_sweep_logs_it_in_both_logbooks() -> None:
    world = World()
    grant = await invited_and_accepted(world)
    world.now = datetime(2027, 2, 1, 0, 0, tzinfo=UTC)  # 01:00 in Amsterdam: past 31 January
    assert await world.delegations.helping(HELPER.account_id, grant.grant_id) is None
    assert await world.representation.expire() == 1
    for who in (OWNER, HELPER):
        assert "expired" in [a.what.value for a in await world.activity.of(who.account_id)]


async def test_a_representation_from_the_register_ends_voluntary_helpers_and_loads_once() -> None:
    world = World()
    voluntary = await invited_and_accepted(world)
    rows = [Row(OWNER.bsn.value, OTHER.bsn.value, "curatele", date(2026, 12, 1), None)]
    loaded = await world.representation.load(rows)
    assert (loaded.added, loaded.helpers_ended) == (1, 1)
    assert await world.delegations.helping(HELPER.account_id, voluntary.grant_id) is None
    [representation] = await world.grants.representations()
    assert (representation.helper_id, representation.scope) == (OTHER.account_id, Scope.ORDER)
    assert await world.delegations.helping(OTHER.account_id, representation.grant_id) is not None
    again = await world.representation.load(rows)
    assert (again.added, again.changed, again.ended) == (0, 0, 0)
    assert await world.representation.choose(OTHER.account_id, representation.grant_id, True)
    assert world.citizens.digital == [(OWNER.account_id, True)]
    gone = await world.representation.load([])
    assert gone.ended == 1
    assert world.citizens.digital[-1] == (OWNER.account_id, False)  # paper again without a representative


async def test_a_voluntary_helper_cannot_choose_digital_post() -> None:
    world = World()
    grant = await invited_and_accepted(world)
    assert not await world.representation.choose(HELPER.account_id, grant.grant_id, True)


async def test_helpers_who_asked_are_told_of_new_messages_in_scope_only_without_naming_the_owner() -> None:
    world = World()
    grant = await invited_and_accepted(world, senders=frozenset({"uwv"}))
    publisher = FakeNoticePublisher()
    notices = HelperNotices(world.grants, world.citizens, publisher, lambda: world.now)  # type: ignore[arg-type]
    event = MessagesDeliveredToBox(
        deliveries=[
            BoxDelivery(message_id=m, account_id="owner", agency_id=a, delivered_at=START, paper_copy=False)
            for m, a in (("m-uwv", "uwv"), ("m-rdw", "rdw"))
        ]
    )
    assert await notices.notify(event) == 0  # not asked for
    await world.delegations.notify(HELPER.account_id, grant.grant_id, True)
    assert await notices.notify(event) == 1
    [notice] = publisher.commands[0].notifications
    assert (notice.message_id, notice.account_id, notice.kind) == ("m-uwv", "helper", "helper_new_message")
    assert notice.logged_as == "helper:helper"
    assert "owner" not in notice.model_dump_json().replace('"account_id":"helper"', "")
    await world.delegations.end(OWNER.account_id, grant.grant_id)
    assert await notices.notify(event) == 0


async def test_representative_grants_are_not_ended_from_the_box() -> None:
    world = World()
    await world.representation.load([Row(OWNER.bsn.value, OTHER.bsn.value, "bewind", date(2026, 1, 1), None)])
    [representation] = await world.grants.representations()
    assert await world.delegations.end(OWNER.account_id, representation.grant_id) is None
    assert replace(representation) == await world.grants.get(representation.grant_id)


async def test_nobody_is_invited_or_accepted_into_a_box_that_has_a_representative() -> None:
    world = World()
    code = await world.delegations.invite(OWNER, Scope.READ, None, date(2027, 1, 31))
    await world.representation.load([Row(OWNER.bsn.value, OTHER.bsn.value, "mentorschap", date(2026, 1, 1), None)])
    with pytest.raises(Refused, match="vertegenwoordiger"):
        await world.delegations.accept(HELPER, code)
    with pytest.raises(Refused, match="vertegenwoordiger"):
        await world.delegations.invite(OWNER, Scope.READ, None, date(2027, 1, 31))
    assert await world.representation.supersede() == 0  # done once, at the load
