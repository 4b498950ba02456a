"""A push service that answers 503 is a transient failure: the notification comes back
through the delay queue and is delivered on the second attempt."""

from datetime import UTC, datetime

from py_vapid import Vapid02

from scripts.push_sink import push_service
from services.notifier.main import create_app
from services.notifier.records import Status
from services.notifier.repository import MongoNotificationLog
from services.notifier.settings import NotifierSettings
from shared.contracts.ids import derived_id
from shared.contracts.messages import Channel, NotifyCitizen, NotifyCitizens
from shared.messaging.topology import Exchanges, RoutingKeys
from shared.storage.mongo import Collections, Database
from tests.conftest import Sandbox
from tests.support.wire import AgencyAccess, broker_of, eventually, running
from tools.population import population

CITIZEN = next(a for a in population(200, seed=6) if a["state"] == "activated")


async def test_busy_push_service_is_retried_through_the_delay_queue(
    sandbox: Sandbox, db: Database, agencies: dict[str, AgencyAccess]
) -> None:
    vapid = Vapid02()
    vapid.generate_keys()
    async with push_service() as pushes:
        phone = pushes.device("phone")
        pushes.busy_once.add(phone.endpoint)
        await db[Collections.ACCOUNTS].insert_one({**CITIZEN, "push_subscriptions": [phone.subscription()]})
        await db[Collections.MESSAGES].insert_one(
            {"_id": "m-busy", "agency_id": "rdw", "agency_reference": "APK-2", "subject": "s", "body": "b"}
        )
        settings = sandbox.settings(
            NotifierSettings, vapid_private_key=vapid.private_pem().decode(), provider_retry_delays=(1,)
        )
        app = create_app(settings)
        log = MongoNotificationLog(db)
        async with running(app):
            command = NotifyCitizen(
                notification_id=derived_id("n", "m-busy"),
                message_id="m-busy",
                account_id=CITIZEN["_id"],
                agency_id="rdw",
                delivered_at=datetime.now(UTC),
                channels=[Channel.PUSH],
            )
            await broker_of(app).publish(
                NotifyCitizens(notifications=[command]),
                exchange=Exchanges.COMMANDS,
                routing_key=RoutingKeys.NOTIFY_CITIZEN,
                persist=True,
            )
            outcome = await eventually(
                lambda: log.latest("m-busy", Channel.PUSH), lambda o: o is not None and o.status == Status.SENT
            )
    assert outcome is not None
    assert (outcome.status, outcome.attempt) == (Status.SENT, 2)
    assert [endpoint for endpoint, _ in pushes.delivered] == [phone.endpoint]
    first = await db[Collections.NOTIFICATION_OUTCOMES].find_one({"message_id": "m-busy", "attempt": 1})
    assert first is not None
    assert (first["status"], first["detail"]) == (
        Status.RETRYING,
        "no device reached; a push service failed temporarily",
    )
