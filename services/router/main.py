"""router: applies the citizen's preferences and the legal defaults (box, paper or both),
records why, and sends the commands that follow. Also keeps accounts up to date from
the citizen side's events.

Run: faststream run --factory services.router.main:create_app
"""

import logging

from faststream import FastStream

from services.router.accounts import MongoAccountStore
from services.router.repository import MongoRoutedMessageStore
from services.router.routing import MessageRouter
from shared.contracts.ids import derived_id
from shared.contracts.messages import (
    AnyAccountEvent,
    MessagesAccepted,
    NotifyCitizens,
    PrintLetter,
    PushSubscriptionGone,
    Receipt,
)
from shared.messaging.broker import consumer, persistent_publisher
from shared.messaging.dead_letter import PermanentError
from shared.messaging.receipts import ReceiptPublisher
from shared.messaging.topology import Exchanges, Queues, RoutingKeys
from shared.runtime.logs import correlation_id
from shared.runtime.service import create_service_app, wire
from shared.runtime.settings import ServiceSettings
from shared.storage.agencies import CachedAgencyRegistry, MongoAgencyRegistry

logger = logging.getLogger(__name__)


class RouterSettings(ServiceSettings):
    service_name: str = "router"


def create_app(settings: RouterSettings | None = None) -> FastStream:
    settings = settings or RouterSettings()
    wiring = wire(settings)
    broker, db, metrics = wiring.broker, wiring.db, wiring.metrics
    accounts = MongoAccountStore(db)
    notify = persistent_publisher(
        broker,
        Exchanges.COMMANDS,
        RoutingKeys.NOTIFY_CITIZEN,
        NotifyCitizens,
        "Notify the citizens of routed messages.",
    )
    letters = persistent_publisher(broker, Exchanges.COMMANDS, RoutingKeys.PRINT_LETTER, PrintLetter, "Print a letter.")
    receipts = ReceiptPublisher(broker, "Delivery receipts")

    class Outbox:
        async def notify(self, command: NotifyCitizens, correlation_id: str) -> None:
            command_id = derived_id("notify-citizens", *(n.notification_id for n in command.notifications))
            await notify.publish(command, message_id=command_id, correlation_id=correlation_id)

        async def print_letter(self, command: PrintLetter, correlation_id: str) -> None:
            await letters.publish(command, message_id=command.letter_id, correlation_id=correlation_id)

        async def receipts(self, agency_id: str, receipts_: list[Receipt]) -> None:
            await receipts.send(agency_id, receipts_)

    router = MessageRouter(
        MongoRoutedMessageStore(db), accounts, CachedAgencyRegistry(MongoAgencyRegistry(db)), Outbox()
    )

    @consumer(broker, Queues.ROUTER_MESSAGES, prefetch=settings.event_prefetch_count)
    async def on_messages_accepted(event: MessagesAccepted) -> None:
        routing = await router.route(event, correlation_id.get() or "")
        for decision in routing.routed:
            route = decision.route
            metrics.routes.labels(route.destination).inc()
            for rule in route.rules:
                metrics.routed.labels(rule.value).inc()
            logger.info(
                "routed %s: box=%s paper=%s rules=%s",
                decision.message_id,
                route.box,
                route.paper,
                ",".join(route.rules),
            )
        if routing.unroutable:  # the others are routed; this event goes to the dead letters
            raise PermanentError(routing.reason())

    @consumer(broker, Queues.ROUTER_ACCOUNT_EVENTS)
    async def on_account_event(event: AnyAccountEvent) -> None:
        if isinstance(event, PushSubscriptionGone):
            await accounts.remove_push_subscription(event.account_id, event.endpoint)
            logger.info("push subscription removed from account %s", event.account_id)
            return
        changed = await accounts.apply(event)
        logger.info(
            "account event %s seq=%d %s", event.event, event.sequence, "applied" if changed else "stale, ignored"
        )

    return create_service_app(
        wiring,
        description="Decides box, paper or both for every accepted message.",
    )
