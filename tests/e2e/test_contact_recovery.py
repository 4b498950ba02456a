"""Contact recovery end to end: the SMTP sink refuses a citizen's address three times (550),
or accepts and bounces it later to the notifier's bounce receiver; the notifier counts the
failures and says so, the router marks the address not working, the box warns on every page,
the next message is routed without e-mail, and a newly confirmed address works again."""

import re

from scripts.identity_provider import subject_of
from shared.storage.mongo import Collections, Database, Document
from tests.e2e.box_world import READER, BoxWorld
from tests.e2e.test_box import entry, send
from tests.support.identity import log_in
from tests.support.wire import AgencyAccess, eventually


async def account(db: Database, done: object) -> Document:
    found = await eventually(
        lambda: db[Collections.ACCOUNTS].find_one({"_id": READER["_id"]}),
        lambda a: a is not None and a.get("email_not_working") is done,
    )
    assert found is not None and found.get("email_not_working") is done, found
    return found


async def test_three_refusals_mark_an_address_not_working_until_a_new_one_is_confirmed(
    db: Database, box_agencies: dict[str, AgencyAccess], world: BoxWorld
) -> None:
    world.smtp.next_answers = ["550 5.1.1 mailbox unavailable"] * 3
    for n in range(3):
        assert await entry(db, await send(box_agencies["belastingdienst"], READER, f"bounce-{n}")) is not None
    await account(db, True)
    assert world.smtp.received == []  # every one refused

    after = await send(box_agencies["belastingdienst"], READER, "bounce-after")
    route = await eventually(lambda: db[Collections.ROUTES].find_one({"_id": after}), lambda r: r is not None)
    assert route is not None and "email" not in route["channels"]  # no more mail to a dead address

    async with world.browser_client() as browser:
        page = await log_in(browser, subject_of(READER))
        assert "komt niet aan" in page.text  # on every page
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert csrf is not None
        await browser.post("/e-mailadres", data={"csrf": csrf[1], "email": "nieuw-werkend@example.nl"})
        mails = await eventually(lambda: _confirmations(world), lambda found: len(found) == 1)
        code = re.search(r"\?code=([A-Z0-9]{10})", mails[0])
        assert code is not None
        confirmed = await browser.post("/e-mailadres/bevestigen", data={"csrf": csrf[1], "code": code[1]})
        assert confirmed.status_code == 303
        assert "komt niet aan" not in (await browser.get("/berichten")).text
    cleared = await account(db, False)
    assert cleared["email"] == "nieuw-werkend@example.nl"


async def test_three_bounces_after_acceptance_mark_an_address_not_working(
    db: Database, box_agencies: dict[str, AgencyAccess], world: BoxWorld
) -> None:
    world.smtp.bounce = {"lezer@example.nl"}  # accepted with 250, bounced to the envelope sender later
    for n in range(3):
        assert await entry(db, await send(box_agencies["belastingdienst"], READER, f"late-bounce-{n}")) is not None
    await account(db, True)
    # the sink records a bounce once its SMTP session with the receiver has ended, which can be
    # after the receiver has counted it and the router has marked the address
    bounced = await eventually(lambda: _bounced(world), lambda senders: len(senders) == 3)
    assert len(bounced) == 3 and world.smtp.received == []
    assert all(sender.startswith("bounces+") for sender in bounced)  # VERP, not the From address
    async with world.browser_client() as browser:
        page = await log_in(browser, subject_of(READER))
        assert "komt niet aan" in page.text


async def _bounced(world: BoxWorld) -> list[str]:
    return list(world.smtp.bounced)


async def _confirmations(world: BoxWorld) -> list[str]:
    return [str(m.get_content()) for m in world.smtp.received if "Bevestig" in str(m["Subject"])]
