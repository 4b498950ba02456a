"""notifier: tells citizens by e-mail and push that a message waits in their box (never what
it says), and climbs the reminder ladder (ladder.py).

Run: faststream run --factory services.notifier.main:create_app
"""

import asyncio
import logging
from datetime import timedelta

from faststream import FastStream

from services.notifier import handlers, repository
from services.notifier.bounce_server import BounceReceiver, serve_bounces
from services.notifier.bounces import BounceAddresses
from services.notifier.contact import AddressFailures
from services.notifier.email import SmtpSender
from services.notifier.notifying import Notifier
from services.notifier.publishers import BrokerNotifierPublisher
from services.notifier.push import PushSender
from services.notifier.reminders import ReminderSweep
from services.notifier.repository import (
    MongoAddressHealth,
    MongoBoxReadings,
    MongoNotificationLog,
    MongoRecipients,
    MongoReminders,
)
from services.notifier.settings import NotifierSettings
from services.notifier.unsettled import UnsettledClaimSweep
from shared.messaging.broker import delivery
from shared.messaging.dead_letter import delivery_attempt
from shared.runtime.clocks import sweep_clock
from shared.runtime.periodic import Periodic
from shared.runtime.service import create_service_app, wire
from shared.storage.agencies import CachedAgencyRegistry, MongoAgencyRegistry

logger = logging.getLogger(__name__)


def create_app(settings: NotifierSettings | None = None) -> FastStream:
    settings = settings or NotifierSettings()
    wiring = wire(settings)
    email, push = SmtpSender(settings), PushSender(settings)
    publisher = BrokerNotifierPublisher(wiring.broker, settings.provider_retry_delays)
    reminders, recipients = MongoReminders(wiring.db, settings.record_gather_seconds), MongoRecipients(wiring.db)
    log = MongoNotificationLog(wiring.db, settings.record_gather_seconds)
    bounce_addresses = BounceAddresses(settings.bounce_key.get_secret_value().encode(), settings.mail_domain)
    address_health = MongoAddressHealth(wiring.db)
    notifier = Notifier(
        settings,
        recipients,
        CachedAgencyRegistry(MongoAgencyRegistry(wiring.db)),
        log,
        reminders,
        email,
        push,
        publisher,
        address_health,
        bounce_addresses=bounce_addresses,
    )
    bounces = BounceReceiver(
        bounce_addresses, AddressFailures(address_health, publisher, notifier.clock), wiring.metrics.bounces
    )
    bounce_listener: list[asyncio.Server] = []

    def last_attempt() -> bool:
        return delivery_attempt(delivery(wiring.broker)) >= settings.max_attempts

    handling = handlers.NotifierHandlers(notifier, reminders, wiring.metrics, last_attempt)
    handlers.subscribe(wiring.broker, handling, settings)
    reminders_due = ReminderSweep(
        reminders, recipients, MongoBoxReadings(wiring.db), publisher.reminder, batch=settings.reminder_sweep_batch,
        clock=sweep_clock(settings.sweep_clock_file),
    )  # fmt: skip
    unsettled = UnsettledClaimSweep(
        log,
        publisher,
        retry_delays=settings.provider_retry_delays,
        stale_after=timedelta(seconds=settings.unsettled_after_seconds),
        look_back=timedelta(seconds=settings.unsettled_look_back_seconds),
        batch=settings.reminder_sweep_batch,
    )

    async def sweep() -> None:
        if queued := await reminders_due.run_once():
            logger.info("queued %d due reminders", queued)

    async def settle() -> None:
        if found := await unsettled.run_once():
            wiring.metrics.swept.labels("unsettled-claims").inc(found)
            logger.warning("settled %d claims that had no outcome", found)

    sweepers = [
        Periodic("reminder sweep", sweep, settings.reminder_sweep_seconds),
        Periodic("unsettled claims sweep", settle, settings.unsettled_sweep_seconds),
    ]

    async def start() -> None:
        await publisher.declare_delay_queues()
        for sweeper in sweepers:
            sweeper.start()
        if settings.bounce_smtp_port is not None:
            bounce_listener.append(await serve_bounces(bounces, settings.bounce_smtp_host, settings.bounce_smtp_port))

    async def stop() -> None:
        for listener in bounce_listener:
            listener.close()
            await listener.wait_closed()
        for sweeper in sweepers:
            await sweeper.stop()
        await email.close()
        await push.close()

    return create_service_app(
        wiring,
        description="Notifies citizens by e-mail and push that a message is waiting.",
        indexes=repository.INDEXES,
        after_connect=start,
        before_close=stop,
    )
