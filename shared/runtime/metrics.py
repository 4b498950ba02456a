"""Prometheus metrics of one service: FastStream's own (received, processed, latency, by
queue) plus the domain counters below. Labels are agency ids, reason codes, rules, channels
and outcomes: never a BSN, never anything about a single message."""

from faststream.rabbit import RabbitBroker
from faststream.rabbit.prometheus import RabbitPrometheusMiddleware
from prometheus_client import CollectorRegistry, Counter, Gauge


class Metrics:
    def __init__(self, service: str) -> None:
        self.registry = CollectorRegistry()
        self.service = service
        self.accepted = Counter(
            "berichtenbox_submissions_accepted_total", "Submissions stored.", ["sender"], registry=self.registry
        )
        self.duplicates = Counter(
            "berichtenbox_submissions_duplicate_total", "Repeated submissions.", ["sender"], registry=self.registry
        )
        self.rejected = Counter(
            "berichtenbox_submissions_rejected_total", "Rejections by reason.", ["reason"], registry=self.registry
        )
        self.routed = Counter(
            "berichtenbox_messages_routed_total", "Routing decisions by rule.", ["rule"], registry=self.registry
        )
        self.routes = Counter(
            "berichtenbox_routes_total",
            "Messages routed, one each, by where they went (box, paper, box_and_paper).",
            ["route"],
            registry=self.registry,
        )
        self.notifications = Counter(
            "berichtenbox_notifications_total",
            "Notifications by channel and outcome.",
            ["channel", "outcome"],
            registry=self.registry,
        )
        self.letters = Counter("berichtenbox_letters_total", "Letters by outcome.", ["outcome"], registry=self.registry)
        self.swept = Counter(
            "berichtenbox_sweep_found_total",
            "What a sweep found half done and finished (by sweep).",
            ["sweep"],
            registry=self.registry,
        )
        self.bounces = Counter(
            "berichtenbox_bounces_total",
            "Bounce reports received, by what became of them (counted, forged, not-a-failure).",
            ["outcome"],
            registry=self.registry,
        )
        self.queue_depth = Gauge(
            "berichtenbox_queue_messages", "Messages waiting (queue lag).", ["queue"], registry=self.registry
        )

    def instrument(self, broker: RabbitBroker) -> None:
        broker.add_middleware(RabbitPrometheusMiddleware(registry=self.registry, app_name=self.service))
