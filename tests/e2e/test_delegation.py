"""Machtigingen end to end: the five services as processes, the identity provider, the SMTP
sink. An owner invites, the helper accepts with the code from the e-mail and opens the
owner's message (the owner's reminder is cancelled, the owner's Logboek names the helper),
is told of the next message without the owner's name, gets 404 outside the scope and in any
other box, and nothing once the grant expired or was ended. A representative from the register
chooses digital post for a person under guardianship: the next message goes to the box."""

import re
from datetime import date, timedelta
from pathlib import Path

import httpx2

from scripts.identity_provider import subject_of
from shared.storage.mongo import Collections, Database
from tests.conftest import Sandbox
from tests.e2e.box_world import BoxWorld
from tests.e2e.delegation_world import HELPER, OWNER, REPRESENTATIVE, STRANGER, WARD, load_register
from tests.e2e.test_box import entry, send
from tests.support.identity import access_token, log_in
from tests.support.wire import AgencyAccess, eventually


def csrf_of(text: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', text)
    assert found is not None
    return found[1]


def mails_to(world: BoxWorld, address: str) -> list[str]:
    found = []
    for mail in world.smtp.received:
        body = mail.get_body(("plain",))
        if mail["To"] == address and body is not None:
            found.append(f"{mail['Subject']}\n{body.get_content()}")
    return found


async def test_a_helper_reads_within_scope_until_the_grant_ends(
    sandbox: Sandbox, db: Database, delegation_agencies: dict[str, AgencyAccess], delegation_world: BoxWorld
) -> None:
    tax = await send(delegation_agencies["belastingdienst"], OWNER, "help-1")
    benefit = await send(
        delegation_agencies["uwv"], OWNER, "help-2", message_type="jaaropgave", subject="Uw jaaropgave"
    )
    theirs = await send(delegation_agencies["belastingdienst"], STRANGER, "help-3")
    for message_id in (tax, benefit, theirs):
        assert await entry(db, message_id) is not None
    scheduled = await eventually(lambda: db[Collections.REMINDERS].find_one({"_id": tax}), lambda d: d is not None)
    assert scheduled is not None and scheduled["status"] == "scheduled"
    last_day = date.today() + timedelta(days=30)
    async with delegation_world.browser_client() as owner:
        page = await log_in(owner, subject_of(OWNER), "/machtigingen")
        invited = await owner.post("/machtigingen/uitnodigen", data={
            "csrf": csrf_of(page.text), "bereik": "lezen", "afzenders": "gekozen", "afzender": "belastingdienst",
            "einddatum": last_day.isoformat(), "email": HELPER["email"]})  # fmt: skip
        assert invited.status_code == 200 and "Uitnodiging gemaakt" in invited.text
    mails = await eventually(lambda: _async(mails_to(delegation_world, HELPER["email"])), lambda m: len(m) == 1)
    assert OWNER["name"] not in mails[0]  # the invitation names nobody
    code = re.search(r"\b[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}\b", mails[0])
    assert code is not None

    async with delegation_world.browser_client() as helper:
        page = await log_in(helper, subject_of(HELPER), "/machtigingen/code")
        shown = await helper.post("/machtigingen/code", data={"csrf": csrf_of(page.text), "code": code[0]})
        assert OWNER["name"] in shown.text and "*****" + OWNER["bsn"][-4:] in shown.text
        assert OWNER["bsn"] not in shown.text
        accepted = await helper.post("/machtigingen/aannemen", data={"csrf": csrf_of(page.text), "code": code[0]})
        assert accepted.status_code == 303
        base = accepted.headers["location"].removesuffix("/berichten")
        inbox = await helper.get(f"{base}/berichten")
        assert f"U bekijkt de Berichtenbox van {OWNER['name']}" in inbox.text
        assert tax in inbox.text and benefit not in inbox.text  # one sender in scope
        opened = await helper.get(f"{base}/berichten/{tax}")
        assert opened.status_code == 200 and "Terug naar mijn eigen Berichtenbox" in opened.text
        outside = [
            await helper.get(f"{base}/berichten/{benefit}"),  # another sender
            await helper.get(f"{base}/berichten/{theirs}"),  # another box
            await helper.get(f"/berichten/{tax}"),  # the owner's message in the helper's own box
            await helper.post(
                f"{base}/berichten/{tax}/verplaatsen", data={"actie": "trash", "csrf": csrf_of(page.text)}
            ),
            await helper.post(f"{base}/prullenbak/legen", data={"csrf": csrf_of(page.text)}),
            await helper.get(f"{base}/voorkeuren"),
            await helper.get(f"{base}/logboek"),
            await helper.get(f"/hulp/made-up-grant/berichten/{tax}"),
        ]
        assert [a.status_code for a in outside] == [404] * len(outside)

        token = await access_token(delegation_world.provider.issuer, subject_of(HELPER))
        grant_id = base.removeprefix("/hulp/")
        auth = {"Authorization": f"Bearer {token}"}
        async with httpx2.AsyncClient(base_url=delegation_world.url, headers=auth) as app:
            boxes = (await app.get("/api/v1/boxes")).json()
            assert [b["id"] for b in boxes] == ["mine", grant_id] and boxes[1]["senders"] == ["belastingdienst"]
            listed = (await app.get(f"/api/v1/boxes/{grant_id}/messages")).json()["items"]
            assert [m["id"] for m in listed] == [tax]
            assert (await app.get(f"/api/v1/boxes/{grant_id}/messages/{theirs}")).status_code == 404
            assert (await app.get(f"/api/v1/boxes/{grant_id}/messages/{benefit}")).status_code == 404

        reminder = await eventually(
            lambda: db[Collections.REMINDERS].find_one({"_id": tax}),
            lambda d: d is not None and d["status"] != "scheduled",
        )
        assert reminder is not None and reminder["status"] == "cancelled"  # the helper's opening counts

        await helper.post(f"/machtigingen/{grant_id}/meldingen", data={"csrf": csrf_of(page.text), "meldingen": "aan"})
        later = await send(delegation_agencies["belastingdienst"], OWNER, "help-4")
        notices = await eventually(
            lambda: _async([m for m in mails_to(delegation_world, HELPER["email"]) if "waarbij u helpt" in m]),
            lambda m: len(m) == 1,
        )
        assert f"/hulp/{grant_id}/berichten/{later}" in notices[0] and OWNER["name"] not in notices[0]

        grants = db[Collections.BOX_GRANTS]
        real_last_day = (await grants.find_one({"_id": grant_id}))["last_day"]  # type: ignore[index]
        await grants.update_one(
            {"_id": grant_id}, {"$set": {"last_day": (date.today() - timedelta(days=2)).isoformat()}}
        )
        assert (await helper.get(f"{base}/berichten")).status_code == 404  # expired: nothing
        await grants.update_one({"_id": grant_id}, {"$set": {"last_day": real_last_day}})
        assert (await helper.get(f"{base}/berichten")).status_code == 200

        async with delegation_world.browser_client() as owner:
            page = await log_in(owner, subject_of(OWNER), "/logboek")
            assert f"door {HELPER['name']}" in page.text and "aangenomen" in page.text
            ended = await owner.post(f"/machtigingen/{grant_id}/beeindigen", data={"csrf": csrf_of(page.text)})
            assert ended.status_code == 303
        assert (await helper.get(f"{base}/berichten/{tax}")).status_code == 404  # the very next request
        async with httpx2.AsyncClient(base_url=delegation_world.url, headers=auth) as app:
            assert (await app.get(f"/api/v1/boxes/{grant_id}/messages")).status_code == 404
        own_log = await helper.get("/logboek")
        assert f"De machtiging van {HELPER['name']}" in own_log.text and OWNER["name"] in own_log.text
    stored = await db[Collections.BOX_ENTRIES].find_one({"_id": tax})
    assert stored is not None and stored["opened_by"] == HELPER["name"]


async def test_a_representative_from_the_register_chooses_digital_post(
    sandbox: Sandbox,
    db: Database,
    delegation_agencies: dict[str, AgencyAccess],
    delegation_world: BoxWorld,
    tmp_path: Path,
) -> None:
    before = await send(delegation_agencies["belastingdienst"], WARD, "ward-1")
    route = await eventually(lambda: db[Collections.ROUTES].find_one({"_id": before}), lambda d: d is not None)
    assert route is not None and route["rules"] == ["guardianship_exempt"]
    loaded = await load_register(sandbox, tmp_path)
    assert "1 new" in loaded

    async with delegation_world.browser_client() as representative:
        page = await log_in(representative, subject_of(REPRESENTATIVE), "/machtigingen")
        grant_id = re.search(r'href="/hulp/([^/"]+)/berichten"', page.text)
        assert grant_id is not None and WARD["name"] in page.text
        await representative.post(
            f"/machtigingen/{grant_id[1]}/meldingen", data={"csrf": csrf_of(page.text), "meldingen": "aan"}
        )
        chosen = await representative.post(
            f"/hulp/{grant_id[1]}/keuzes", data={"csrf": csrf_of(page.text), "post": "digitaal"}
        )
        assert chosen.status_code == 303
    await eventually(
        lambda: db[Collections.ACCOUNTS].find_one({"_id": WARD["_id"]}),
        lambda d: d is not None and d.get("represented_digitally") is True,
    )
    after = await send(delegation_agencies["belastingdienst"], WARD, "ward-2")
    routed = await eventually(lambda: db[Collections.ROUTES].find_one({"_id": after}), lambda d: d is not None)
    assert routed is not None and routed["rules"] == ["representative_chose_digital"]
    assert await entry(db, after) is not None
    notices = await eventually(
        lambda: _async([m for m in mails_to(delegation_world, REPRESENTATIVE["email"]) if "waarbij u helpt" in m]),
        lambda m: len(m) == 1,
    )
    assert WARD["name"] not in notices[0]


async def _async(value: list[str]) -> list[str]:
    return value
