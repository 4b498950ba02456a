"""Every exchange, routing key and queue of Berichtenbox, in one place.

Work queues are durable quorum queues: a bounded delivery limit, and dead-lettering
at-least-once (which needs `x-overflow: reject-publish`) to `<queue>.dead-letter` on the
dead-letter exchange. Services use only the names defined here (a test proves it).
"""

from faststream.rabbit import ExchangeType, QueueType, RabbitExchange, RabbitQueue
from faststream.rabbit.schemas.queue import QuorumQueueArgs

DELIVERY_LIMIT = 20
"""Broker-side backstop; handlers dead-letter themselves, with a reason, long before this."""


class Exchanges:
    SUBMISSIONS = RabbitExchange("berichtenbox.submissions", type=ExchangeType.DIRECT)
    """Agencies publish here, and only here."""
    RECEIPTS = RabbitExchange("berichtenbox.receipts", type=ExchangeType.DIRECT)
    """Receipts to agencies; the routing key is the agency id."""
    EVENTS = RabbitExchange("berichtenbox.events", type=ExchangeType.TOPIC)
    COMMANDS = RabbitExchange("berichtenbox.commands", type=ExchangeType.DIRECT)
    DEAD_LETTERS = RabbitExchange("berichtenbox.dead-letters", type=ExchangeType.DIRECT)
    DELAYS = RabbitExchange("berichtenbox.delays", type=ExchangeType.DIRECT)
    """Retries wait in TTL queues here, then dead-letter back to their work queue."""

    ALL = (SUBMISSIONS, RECEIPTS, EVENTS, COMMANDS, DEAD_LETTERS, DELAYS)


class RoutingKeys:
    SUBMISSION = "submission"
    MESSAGES_ACCEPTED = "messages.accepted"
    MESSAGE_OPENED = "message.opened"
    DELIVERED_TO_BOX = "messages.delivered-to-box"
    ACCOUNT_EVENT_PREFIX = "account."
    ACCOUNT_EVENTS = "account.#"
    PUSH_SUBSCRIPTION_GONE = "account.push_subscription_gone"
    EMAIL_NOT_WORKING = "account.email_not_working"
    NOTIFY_CITIZEN = "notify-citizen"
    PRINT_LETTER = "print-letter"
    PRINT_RECOVERY_LETTER = "print-recovery-letter"


def account_event_key(event_name: str) -> str:
    """Routing key of an account event, e.g. `account.email_linked`."""
    return RoutingKeys.ACCOUNT_EVENT_PREFIX + event_name


def work_queue(name: str, routing_key: str, *, in_order: bool = False) -> RabbitQueue:
    """A quorum queue that dead-letters to `<name>.dead-letter`. `in_order` makes it a
    single-active-consumer queue, consumed one message at a time (see `broker.consumer`)."""
    arguments: QuorumQueueArgs = {
        "x-dead-letter-exchange": Exchanges.DEAD_LETTERS.name,
        "x-dead-letter-routing-key": name,
        "x-dead-letter-strategy": "at-least-once",
        "x-overflow": "reject-publish",
        "x-delivery-limit": DELIVERY_LIMIT,
    }
    if in_order:
        arguments["x-single-active-consumer"] = True
    return RabbitQueue(name, queue_type=QueueType.QUORUM, routing_key=routing_key, arguments=arguments)


def dead_letter_queue(queue: RabbitQueue) -> RabbitQueue:
    """Where messages of `queue` go once they failed for good, bound by the queue's name."""
    return RabbitQueue(f"{queue.name}.dead-letter", queue_type=QueueType.QUORUM, routing_key=queue.name)


def receipts_queue(agency_id: str, name: str | None = None) -> RabbitQueue:
    """An agency's own receipts, bound by its agency id; only that agency's broker user may
    read it. `name`: the registry's, with its secret part (`Agency.receipts_queue`)."""
    return RabbitQueue(name or f"receipts.{agency_id}", queue_type=QueueType.QUORUM, routing_key=agency_id)


class Queues:
    INGEST_SUBMISSIONS = work_queue("ingest.submissions", RoutingKeys.SUBMISSION)
    ROUTER_MESSAGES = work_queue("router.messages-accepted", RoutingKeys.MESSAGES_ACCEPTED)
    ROUTER_ACCOUNT_EVENTS = work_queue("router.account-events", RoutingKeys.ACCOUNT_EVENTS, in_order=True)
    """Account events apply in publication order: one active consumer, one message at a time."""
    NOTIFIER_COMMANDS = work_queue("notifier.notify-citizen", RoutingKeys.NOTIFY_CITIZEN)
    NOTIFIER_OPENED = work_queue("notifier.message-opened", RoutingKeys.MESSAGE_OPENED)
    PAPER_COMMANDS = work_queue("paper.print-letter", RoutingKeys.PRINT_LETTER)
    PAPER_RECOVERY_LETTERS = work_queue("paper.print-recovery-letter", RoutingKeys.PRINT_RECOVERY_LETTER)
    BOX_DELIVERIES = work_queue("box.deliveries", RoutingKeys.DELIVERED_TO_BOX)
    BOX_EMAIL_NOT_WORKING = work_queue("box.email-not-working", RoutingKeys.EMAIL_NOT_WORKING)
    """The router's account events get these too; the box asks recovery letters for what the
    dead address was told of."""

    WORK = (
        INGEST_SUBMISSIONS,
        ROUTER_MESSAGES,
        ROUTER_ACCOUNT_EVENTS,
        NOTIFIER_COMMANDS,
        NOTIFIER_OPENED,
        PAPER_COMMANDS,
        PAPER_RECOVERY_LETTERS,
        BOX_DELIVERIES,
        BOX_EMAIL_NOT_WORKING,
    )


BINDINGS: dict[str, RabbitExchange] = {
    Queues.INGEST_SUBMISSIONS.name: Exchanges.SUBMISSIONS,
    Queues.ROUTER_MESSAGES.name: Exchanges.EVENTS,
    Queues.ROUTER_ACCOUNT_EVENTS.name: Exchanges.EVENTS,
    Queues.NOTIFIER_COMMANDS.name: Exchanges.COMMANDS,
    Queues.NOTIFIER_OPENED.name: Exchanges.EVENTS,
    Queues.PAPER_COMMANDS.name: Exchanges.COMMANDS,
    Queues.PAPER_RECOVERY_LETTERS.name: Exchanges.COMMANDS,
    Queues.BOX_DELIVERIES.name: Exchanges.EVENTS,
    Queues.BOX_EMAIL_NOT_WORKING.name: Exchanges.EVENTS,
}
"""The exchange each work queue is bound to (by the queue's routing key)."""


def exchange_of(queue: RabbitQueue) -> RabbitExchange:
    return BINDINGS[queue.name]


RECEIPTS_QUEUE_PREFIX = "receipts."
NOTIFIER_RETRY_DELAYS = (30, 120, 480, 1920)
"""Exponential backoff (x4): seconds a failed notification waits before attempt 2, 3, ...;
after the last it ends as a technical failure."""


def delay_queue(work: RabbitQueue, seconds: int) -> RabbitQueue:
    """A queue nobody consumes: messages wait `seconds`, then dead-letter back to `work`."""
    name = f"{work.name}.retry-{seconds}s"
    return _waiting(name, seconds * 1000, exchange_of(work).name, work.routing_key)


def notifier_delay_queues(delays: tuple[int, ...] = NOTIFIER_RETRY_DELAYS) -> list[RabbitQueue]:
    return [delay_queue(Queues.NOTIFIER_COMMANDS, seconds) for seconds in delays]


RETRY_DELAYS = (2.0, 8.0, 30.0, 60.0)
"""Seconds a delivery whose handler failed transiently waits before attempt 2, 3, ...: 100 s
in all, enough to ride out a database or broker restart of half a minute and more."""


def wait_queue(work: RabbitQueue, seconds: float) -> RabbitQueue:
    """Where a failed delivery of `work` waits `seconds` (nobody consumes it), then goes back
    to `work` itself, through the default exchange: to that queue alone."""
    milliseconds = round(seconds * 1000)
    return _waiting(f"{work.name}.wait-{milliseconds}ms", milliseconds, "", work.name)


def _waiting(name: str, milliseconds: int, exchange: str, routing_key: str) -> RabbitQueue:
    """A quorum queue, like the work queues: a classic one lives on one node, and while that
    node is down a service cannot declare it, so it cannot reconnect to the rest of a cluster.
    Expired messages move on at least once (which needs `reject-publish`)."""
    arguments: QuorumQueueArgs = {
        "x-message-ttl": milliseconds,
        "x-dead-letter-exchange": exchange,
        "x-dead-letter-routing-key": routing_key,
        "x-dead-letter-strategy": "at-least-once",
        "x-overflow": "reject-publish",
    }
    return RabbitQueue(name, queue_type=QueueType.QUORUM, routing_key=name, arguments=arguments)


def is_known_queue_name(name: str) -> bool:
    """True for a work queue, its dead-letter, retry or wait queues, or an agency receipts queue."""
    work = {q.name for q in Queues.WORK}
    retry, waiting = name.rpartition(".retry-")[0], name.rpartition(".wait-")[0]
    return (
        name in work
        or name.removesuffix(".dead-letter") in work
        or retry in work
        or waiting in work
        or name.startswith(RECEIPTS_QUEUE_PREFIX)
    )
