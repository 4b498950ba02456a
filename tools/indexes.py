"""Every service's indexes at once, for tools, tests and the benchmark that load data into a
database before the services start (each service creates only its own at start-up)."""

from services.box.main import INDEXES as BOX
from services.ingest.repository import INDEXES as INGEST
from services.notifier.repository import INDEXES as NOTIFIER
from services.paper.repository import INDEXES as PAPER
from services.router.repository import INDEXES as ROUTER
from shared.storage.agencies import INDEXES as AGENCIES
from shared.storage.mongo import Indexes

EVERY_INDEX: Indexes = {**AGENCIES, **INGEST, **ROUTER, **NOTIFIER, **PAPER, **BOX}
