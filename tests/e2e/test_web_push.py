"""Web Push end to end: router and notifier as processes; a local push service verifies the
VAPID JWT and decrypts the payload with the subscription's private key; a 410 from it
removes that subscription from the citizen's account."""

from datetime import UTC, date, datetime
from pathlib import Path

from py_vapid import Vapid02

from scripts.harness import ServiceProcesses
from scripts.push_sink import push_service
from services.notifier.content import NotificationFacts, push_payload
from services.notifier.repository import MongoNotificationLog
from shared.contracts.ids import derived_id
from shared.contracts.messages import CallToAction, Channel, NotifyCitizen, NotifyCitizens
from shared.messaging.topology import Exchanges, RoutingKeys
from shared.storage.agencies import MongoAgencyRegistry
from shared.storage.mongo import Collections, Database, ensure_indexes
from tests.conftest import Sandbox
from tests.support.samples import AGENCIES
from tests.support.wire import eventually, replay_json
from tools.indexes import EVERY_INDEX
from tools.population import population

CITIZEN = next(a for a in population(200, seed=4) if a["state"] == "activated")


async def test_push_is_encrypted_signed_and_gone_subscriptions_are_removed(
    sandbox: Sandbox, db: Database, tmp_path: Path
) -> None:
    vapid = Vapid02()
    vapid.generate_keys()
    async with push_service() as pushes:
        phone, old_tablet = pushes.device("phone"), pushes.device("old-tablet", gone=True)
        await ensure_indexes(db, EVERY_INDEX)
        await MongoAgencyRegistry(db).save(AGENCIES["rdw"])
        await db[Collections.ACCOUNTS].insert_one(
            {**CITIZEN, "push_subscriptions": [phone.subscription(), old_tablet.subscription()]}
        )
        message_id = "m-push-1"
        await db[Collections.MESSAGES].insert_one(
            {
                "_id": message_id,
                "agency_id": "rdw",
                "agency_reference": "APK-1",
                "subject": "geheim onderwerp",
                "body": "geheime inhoud",
                "call_to_action": {"text": "Laat uw auto keuren", "deadline": "2027-04-30"},
            }
        )
        env = {
            **sandbox.environment(),
            "BERICHTENBOX_VAPID_PRIVATE_KEY": vapid.private_pem().decode(),
            "BERICHTENBOX_VAPID_SUBJECT": "mailto:push@berichtenbox.example",
        }
        with ServiceProcesses(env, tmp_path / "logs", services=("router", "notifier")):
            command = NotifyCitizen(
                notification_id=derived_id("n", message_id),
                message_id=message_id,
                account_id=CITIZEN["_id"],
                agency_id="rdw",
                call_to_action=CallToAction(text="Laat uw auto keuren", deadline=date(2027, 4, 30)),
                delivered_at=datetime.now(UTC),
                channels=[Channel.PUSH],
            )
            await replay_json(
                sandbox.rabbitmq_url,
                Exchanges.COMMANDS.name,
                RoutingKeys.NOTIFY_CITIZEN,
                NotifyCitizens(notifications=[command]).model_dump_json(),
            )
            account = await eventually(
                lambda: db[Collections.ACCOUNTS].find_one({"_id": CITIZEN["_id"]}),
                lambda a: a is not None and len(a["push_subscriptions"]) == 1,
            )
    assert account is not None
    assert [s["endpoint"] for s in account["push_subscriptions"]] == [phone.endpoint]
    expected = push_payload(
        NotificationFacts(
            "new_message",
            "RDW",
            "Laat uw auto keuren",
            date(2027, 4, 30),
            "https://mijn.berichtenbox.example/berichten",
        ),
        f"https://mijn.berichtenbox.example/berichten/{message_id}",  # the message, by its opaque id only
    )
    assert pushes.delivered == [(phone.endpoint, expected)]
    assert {c["sub"] for c in pushes.claims} == {"mailto:push@berichtenbox.example"}
    assert len(pushes.claims) == 2  # both devices were tried, each with its own signed claims
    assert len(set(pushes.topics)) == 1 and len(pushes.topics[0]) == 32  # one Topic: a resend replaces
    outcome = await MongoNotificationLog(db).latest(message_id, Channel.PUSH)
    assert outcome is not None
    assert outcome is not None and outcome.status == "sent"
