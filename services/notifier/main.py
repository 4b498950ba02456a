"""notifier: tells citizens by e-mail and push that a message waits in their box (never what
it says), and sends the three-week reminder.

Run: faststream run --factory services.notifier.main:create_app
"""

import logging

from faststream import FastStream

from services.notifier.batches import Outcomes, notify_all
from services.notifier.claims import MongoNotificationLog
from services.notifier.delivery import ACCOUNT_FIELDS, Notifier
from services.notifier.email import SmtpSender
from services.notifier.push import PushSender
from services.notifier.reminders import MongoReminders, ReminderSweep
from services.notifier.settings import NotifierSettings
from shared.contracts.messages import MessageOpened, NotifyCitizen, NotifyCitizens, PushSubscriptionGone
from shared.messaging.broker import consumer, persistent_publisher
from shared.messaging.dead_letter import PermanentError
from shared.messaging.topology import Exchanges, Queues, RoutingKeys, notifier_delay_queues
from shared.runtime.logs import correlation_id
from shared.runtime.periodic import Periodic
from shared.runtime.service import create_service_app, wire
from shared.sources import MongoAccountSource
from shared.storage.agencies import CachedAgencyRegistry, MongoAgencyRegistry

logger = logging.getLogger(__name__)


def create_app(settings: NotifierSettings | None = None) -> FastStream:
    settings = settings or NotifierSettings()
    wiring = wire(settings)
    broker, db, metrics = wiring.broker, wiring.db, wiring.metrics
    email, push = SmtpSender(settings), PushSender(settings)
    reminders = MongoReminders(db, settings.record_gather_seconds)
    delays = notifier_delay_queues(settings.retry_delays)
    retries = persistent_publisher(broker, Exchanges.DELAYS, "", NotifyCitizens, "A notification to try again later.")
    gone = persistent_publisher(
        broker,
        Exchanges.EVENTS,
        RoutingKeys.PUSH_SUBSCRIPTION_GONE,
        PushSubscriptionGone,
        "A push subscription is gone.",
    )
    commands = persistent_publisher(
        broker, Exchanges.COMMANDS, RoutingKeys.NOTIFY_CITIZEN, NotifyCitizens, "A due reminder."
    )

    class Outbox:
        async def retry(self, command: NotifyCitizen, delay_seconds: int) -> None:
            queue = next(q for q in delays if q.name.endswith(f".retry-{delay_seconds}s"))
            await retries.publish(
                NotifyCitizens(notifications=[command]),
                routing_key=queue.routing_key,
                message_id=command.notification_id,
                correlation_id=correlation_id.get(),
            )

        async def subscription_gone(self, event: PushSubscriptionGone) -> None:
            await gone.publish(event, correlation_id=correlation_id.get())

    async def publish_reminder(command: NotifyCitizen) -> None:
        await commands.publish(NotifyCitizens(notifications=[command]), message_id=command.notification_id)

    notifier = Notifier(
        settings,
        MongoAccountSource(db, account_fields=ACCOUNT_FIELDS),
        CachedAgencyRegistry(MongoAgencyRegistry(db)),
        MongoNotificationLog(db, settings.record_gather_seconds),
        reminders,
        email,
        push,
        Outbox(),
    )
    reminders_due = ReminderSweep(reminders, publish_reminder, batch=settings.reminder_sweep_batch)

    @consumer(broker, Queues.NOTIFIER_COMMANDS, prefetch=settings.event_prefetch_count)
    async def on_notify_citizens(command: NotifyCitizens) -> None:
        """Notify by e-mail and/or push; each (message, channel, kind) at most once."""
        failures = await notify_all(notifier, command.notifications, handled)
        if failures.permanent:  # the others are handled; this delivery goes to the dead letters
            raise PermanentError(failures.reason(len(command.notifications)))

    def handled(command: NotifyCitizen, outcomes: Outcomes) -> None:
        for channel, status in outcomes.items():
            metrics.notifications.labels(channel.value, status.value if status else "already-claimed").inc()
        logger.info(
            "notification %s %s attempt %d: %s",
            command.message_id,
            command.kind,
            command.attempt,
            {c.value: s for c, s in outcomes.items()},
        )

    @consumer(broker, Queues.NOTIFIER_OPENED)
    async def on_message_opened(event: MessageOpened) -> None:
        """The citizen opened the message: no reminder for it."""
        await reminders.opened(event.message_id, event.opened_at)

    async def sweep() -> None:
        if queued := await reminders_due.run_once():
            logger.info("queued %d due reminders", queued)

    sweeper = Periodic("reminder sweep", sweep, settings.reminder_sweep_seconds)

    async def start() -> None:
        exchange = await broker.declare_exchange(Exchanges.DELAYS)
        for queue in delays:
            await (await broker.declare_queue(queue)).bind(exchange, routing_key=queue.routing_key)
        sweeper.start()

    async def stop() -> None:
        await sweeper.stop()
        await email.close()
        await push.close()

    return create_service_app(
        wiring,
        description="Notifies citizens by e-mail and push that a message is waiting.",
        after_connect=start,
        before_close=stop,
    )
