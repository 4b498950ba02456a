"""Prefetch counts deliveries, not messages: the queues whose deliveries carry up to 1,000
messages (a batch submission; ingest bounds its work by bytes, see `ByteBudget`) or ids (an
event, a group of notifications) get their own limit."""

from faststream import FastStream
from faststream.rabbit.subscriber import RabbitSubscriber

from services.ingest.main import create_app as ingest_app
from services.ingest.settings import IngestSettings
from services.notifier.main import create_app as notifier_app
from services.notifier.settings import NotifierSettings
from services.paper.main import create_app as paper_app
from services.paper.settings import PaperSettings
from services.router.main import create_app as router_app
from services.router.settings import RouterSettings
from shared.messaging.topology import Queues


def prefetch(app: FastStream) -> dict[str, int | None]:
    [broker] = app.brokers
    return {
        s.queue.name: s.channel.prefetch_count if s.channel else None
        for s in broker.subscribers
        if isinstance(s, RabbitSubscriber)
    }


def test_queues_carrying_batches_and_events_get_their_own_prefetch() -> None:
    ingest = ingest_app(IngestSettings(submission_prefetch_count=3, event_prefetch_count=5))
    router = router_app(RouterSettings(event_prefetch_count=5))
    notifier = notifier_app(NotifierSettings(event_prefetch_count=5))
    assert prefetch(ingest)[Queues.INGEST_SUBMISSIONS.name] == 3
    assert prefetch(router)[Queues.ROUTER_MESSAGES.name] == 5
    assert prefetch(notifier)[Queues.NOTIFIER_COMMANDS.name] == 5


def test_ordered_queues_take_one_delivery_at_a_time() -> None:
    assert prefetch(router_app(RouterSettings()))[Queues.ROUTER_ACCOUNT_EVENTS.name] == 1


def test_no_consumer_shares_the_channel_a_service_publishes_on() -> None:
    """A refused publish renews the publishing channel (shared/messaging/republish.py), which
    would take every delivery in work away from a consumer on it."""
    for app in (
        ingest_app(IngestSettings()),
        router_app(RouterSettings()),
        notifier_app(NotifierSettings()),
        paper_app(PaperSettings()),
    ):
        [broker] = app.brokers
        subscribers = [s for s in broker.subscribers if isinstance(s, RabbitSubscriber)]
        assert subscribers and all(s.channel is not None for s in subscribers)
