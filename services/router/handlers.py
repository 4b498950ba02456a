"""The router's subscribers: accepted messages to route, and account events to apply."""

import logging

from faststream.rabbit import RabbitBroker

from services.router.accounts import apply_account_event
from services.router.repository import AccountStore
from services.router.routing import MessageRouter
from services.router.settings import RouterSettings
from shared.contracts.messages import AnyAccountEvent, EmailNotWorking, MessagesAccepted, PushSubscriptionGone
from shared.messaging.broker import consumer
from shared.messaging.dead_letter import PermanentError
from shared.messaging.topology import Queues
from shared.runtime.logs import correlation_id
from shared.runtime.metrics import Metrics

logger = logging.getLogger(__name__)


class RouterHandlers:
    def __init__(
        self, router: MessageRouter, accounts: AccountStore, metrics: Metrics, push_services: tuple[str, ...]
    ) -> None:
        self.router, self.accounts, self.metrics, self.push_services = router, accounts, metrics, push_services

    async def on_messages_accepted(self, event: MessagesAccepted) -> None:
        routing = await self.router.route(event, correlation_id.get() or "")
        for decision in routing.routed:
            route = decision.route
            self.metrics.routes.labels(route.destination).inc()
            for rule in route.rules:
                self.metrics.routed.labels(rule.value).inc()
            logger.info(
                "routed %s: box=%s paper=%s rules=%s",
                decision.message_id,
                route.box,
                route.paper,
                ",".join(route.rules),
            )
        if routing.unroutable:  # the others are routed; this event goes to the dead letters
            raise PermanentError(routing.reason())

    async def on_account_event(self, event: AnyAccountEvent) -> None:
        applied = await apply_account_event(self.accounts, event, self.push_services)
        if isinstance(event, PushSubscriptionGone | EmailNotWorking):
            logger.info("%s from account %s", applied, event.account_id)
        else:
            logger.info("account event %s seq=%d %s", event.event, event.sequence, applied)


def subscribe(broker: RabbitBroker, handlers: RouterHandlers, settings: RouterSettings) -> None:
    consumer(broker, Queues.ROUTER_MESSAGES, prefetch=settings.event_prefetch_count)(handlers.on_messages_accepted)
    consumer(broker, Queues.ROUTER_ACCOUNT_EVENTS, prefetch=1)(handlers.on_account_event)
