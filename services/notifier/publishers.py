"""What the notifier publishes: a notification to try again later (through a delay queue), a
push registration that is gone and an e-mail address that does not work (to the router), and
a due reminder (back to its own queue). The Protocol is what the notification use case needs;
`BrokerNotifierPublisher` does it over RabbitMQ and declares the delay queues."""

from typing import Protocol

from faststream.rabbit import RabbitBroker

from shared.contracts.messages import EmailNotWorking, NotifyCitizen, NotifyCitizens, PushSubscriptionGone
from shared.messaging.broker import persistent_publisher
from shared.messaging.topology import Exchanges, RoutingKeys, notifier_delay_queues
from shared.runtime.logs import correlation_id


class NotifierPublisher(Protocol):
    async def retry(self, command: NotifyCitizen, delay_seconds: int) -> None: ...
    async def subscription_gone(self, event: PushSubscriptionGone) -> None: ...
    async def email_not_working(self, event: EmailNotWorking) -> None: ...


class BrokerNotifierPublisher:
    def __init__(self, broker: RabbitBroker, retry_delays: tuple[int, ...]) -> None:
        self._broker = broker
        self._delays = notifier_delay_queues(retry_delays)
        self._retries = persistent_publisher(
            broker, Exchanges.DELAYS, "", NotifyCitizens, "A notification to try again later."
        )
        self._gone = persistent_publisher(
            broker,
            Exchanges.EVENTS,
            RoutingKeys.PUSH_SUBSCRIPTION_GONE,
            PushSubscriptionGone,
            "A push subscription is gone.",
        )
        self._not_working = persistent_publisher(
            broker, Exchanges.EVENTS, RoutingKeys.EMAIL_NOT_WORKING, EmailNotWorking, "An e-mail address fails."
        )
        self._commands = persistent_publisher(
            broker, Exchanges.COMMANDS, RoutingKeys.NOTIFY_CITIZEN, NotifyCitizens, "A due reminder."
        )

    async def declare_delay_queues(self) -> None:
        exchange = await self._broker.declare_exchange(Exchanges.DELAYS)
        for queue in self._delays:
            await (await self._broker.declare_queue(queue)).bind(exchange, routing_key=queue.routing_key)

    async def retry(self, command: NotifyCitizen, delay_seconds: int) -> None:
        queue = next(q for q in self._delays if q.name.endswith(f".retry-{delay_seconds}s"))
        await self._retries.publish(
            NotifyCitizens(notifications=[command]),
            routing_key=queue.routing_key,
            message_id=command.notification_id,
            correlation_id=correlation_id.get(),
        )

    async def subscription_gone(self, event: PushSubscriptionGone) -> None:
        await self._gone.publish(event, correlation_id=correlation_id.get())

    async def email_not_working(self, event: EmailNotWorking) -> None:
        await self._not_working.publish(event, correlation_id=correlation_id.get())

    async def reminder(self, command: NotifyCitizen) -> None:
        await self._commands.publish(NotifyCitizens(notifications=[command]), message_id=command.notification_id)
