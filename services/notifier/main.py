"""notifier: tells citizens by e-mail and push that a message waits in their box (never what
it says), and sends the three-week reminder.

Run: faststream run --factory services.notifier.main:create_app
"""

import logging

from faststream import FastStream

from services.notifier import handlers, repository
from services.notifier.email import SmtpSender
from services.notifier.notifying import Notifier
from services.notifier.publishers import BrokerNotifierPublisher
from services.notifier.push import PushSender
from services.notifier.reminders import ReminderSweep
from services.notifier.repository import MongoNotificationLog, MongoRecipients, MongoReminders
from services.notifier.settings import NotifierSettings
from shared.runtime.periodic import Periodic
from shared.runtime.service import create_service_app, wire
from shared.storage.agencies import CachedAgencyRegistry, MongoAgencyRegistry

logger = logging.getLogger(__name__)


def create_app(settings: NotifierSettings | None = None) -> FastStream:
    settings = settings or NotifierSettings()
    wiring = wire(settings)
    email, push = SmtpSender(settings), PushSender(settings)
    publisher = BrokerNotifierPublisher(wiring.broker, settings.retry_delays)
    reminders = MongoReminders(wiring.db, settings.record_gather_seconds)
    notifier = Notifier(
        settings,
        MongoRecipients(wiring.db),
        CachedAgencyRegistry(MongoAgencyRegistry(wiring.db)),
        MongoNotificationLog(wiring.db, settings.record_gather_seconds),
        reminders,
        email,
        push,
        publisher,
    )
    handlers.subscribe(wiring.broker, handlers.NotifierHandlers(notifier, reminders, wiring.metrics), settings)
    reminders_due = ReminderSweep(reminders, publisher.reminder, batch=settings.reminder_sweep_batch)

    async def sweep() -> None:
        if queued := await reminders_due.run_once():
            logger.info("queued %d due reminders", queued)

    sweeper = Periodic("reminder sweep", sweep, settings.reminder_sweep_seconds)

    async def start() -> None:
        await publisher.declare_delay_queues()
        sweeper.start()

    async def stop() -> None:
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
