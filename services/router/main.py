"""router: applies the citizen's preferences and the legal defaults (box, paper or both),
records why, and sends the commands that follow. Also keeps accounts up to date from
the citizen side's events.

Run: faststream run --factory services.router.main:create_app
"""

from faststream import FastStream

from services.router import handlers, repository
from services.router.publishers import BrokerRouterPublisher
from services.router.repository import MongoAccountStore, MongoRoutedMessageStore
from services.router.routing import MessageRouter
from services.router.settings import RouterSettings
from shared.runtime.service import create_service_app, wire
from shared.storage.agencies import CachedAgencyRegistry, MongoAgencyRegistry


def create_app(settings: RouterSettings | None = None) -> FastStream:
    settings = settings or RouterSettings()
    wiring = wire(settings)
    accounts = MongoAccountStore(wiring.db)
    router = MessageRouter(
        MongoRoutedMessageStore(wiring.db),
        accounts,
        CachedAgencyRegistry(MongoAgencyRegistry(wiring.db)),
        BrokerRouterPublisher(wiring.broker),
    )
    handling = handlers.RouterHandlers(router, accounts, wiring.metrics, settings.push_services)
    handlers.subscribe(wiring.broker, handling, settings)
    return create_service_app(
        wiring,
        description="Decides box, paper or both for every accepted message.",
        indexes=repository.INDEXES,
    )
