"""box: the citizen's Berichtenbox, as web pages and a JSON API (FastAPI), with the broker
through FastStream's FastAPI integration (`faststream_fastapi`). It files the router's box deliveries, and its
account changes leave as the account events the router applies.

Run: uvicorn --factory services.box.main:create_app (or `python -m services.box`)
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx2
from fastapi import Depends, FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from faststream_fastapi import FastStreamAPI

from services.box.account import api as account_api
from services.box.account import pages as account_pages
from services.box.account.mail import SmtpMailer
from services.box.account.repository import MongoCitizens
from services.box.account.use_cases import AccountChanges
from services.box.delegation import access as delegation_access
from services.box.delegation import api as delegation_api
from services.box.delegation import codes as delegation_codes
from services.box.delegation import pages as delegation_pages
from services.box.delegation import repository as delegation_repository
from services.box.delegation.notices import HelperNotices
from services.box.delegation.representation import Representation
from services.box.delegation.use_cases import Delegations
from services.box.identity import login
from services.box.identity.access_tokens import AccessTokens
from services.box.identity.gate import MAX_BODY_BYTES, Gate
from services.box.identity.issuer import Issuer
from services.box.identity.limits import MongoRateLimits
from services.box.identity.oidc import OidcClient
from services.box.identity.sessions import MongoConfirmations, MongoLogins, MongoSessions, clear_expired
from services.box.messages import api as messages_api
from services.box.messages import handlers, held_openings, pages, proofs, repository
from services.box.messages.filing import Filing
from services.box.messages.held_openings import MongoHeldOpenings
from services.box.messages.openings import Openings
from services.box.messages.proof import ProofSigner
from services.box.messages.recovery_letters import RecoveryLetters
from services.box.messages.recovery_log import MongoRecoveryLog
from services.box.messages.repository import MongoBox
from services.box.messages.safety_net import SafetyNet
from services.box.messages.sources import MongoAccountFacts, MongoContents, MongoNotificationHistory
from services.box.messages.use_cases import CitizenBox
from services.box.publishers import BrokerBoxPublisher
from services.box.settings import BoxSettings
from services.box.web import errors
from services.box.web.context import AgencyList, BoxContext
from services.box.web.security import SecurityHeaders
from services.box.web.telemetry import RequestMetrics
from services.box.web.unavailable import Unavailable
from shared.contracts.pseudonyms import Pseudonyms
from shared.messaging.broker import create_broker, declare_topology
from shared.runtime.clocks import sweep_clock
from shared.runtime.logs import configure_logging
from shared.runtime.metrics import Metrics
from shared.runtime.ops import OpsServer
from shared.runtime.periodic import Periodic
from shared.storage.agencies import CachedAgencyRegistry, MongoAgencyRegistry
from shared.storage.mongo import create_client, database, ensure_indexes

API_VERSION = "1.1.0"
INDEXES = repository.INDEXES | delegation_repository.INDEXES | delegation_codes.INDEXES | held_openings.INDEXES
"""The box's collections' indexes, created at start-up."""
EXPIRED_SWEEP_SECONDS = 300.0
HELD_OPENINGS_SWEEP_SECONDS = 15.0


def now() -> datetime:
    return datetime.now(UTC)


async def healthz() -> dict[str, str]:
    return {"status": "ok", "service": "box"}


async def service_worker() -> FileResponse:
    return FileResponse(Path(__file__).parent / "web" / "static" / "sw.js", media_type="text/javascript")


def create_app(settings: BoxSettings | None = None) -> FastStreamAPI:
    """The ASGI application uvicorn serves: the pages and API, with the broker started and
    stopped in its lifespan (FastStream's FastAPI integration, `faststream_fastapi`)."""
    api = create_api(settings or BoxSettings())
    return FastStreamAPI(api.state.broker, application=api, safe_connection=True)


def create_api(settings: BoxSettings) -> FastAPI:
    """The FastAPI application, its broker (`state.broker`) not yet connected."""
    broker = create_broker(settings)
    metrics = Metrics(settings.service_name)
    metrics.instrument(broker)
    client = create_client(settings)
    db = database(client, settings)
    http = httpx2.AsyncClient(timeout=10)
    issuer = Issuer(settings, http)
    pseudonyms = Pseudonyms(settings.pseudonym_key.get_secret_value())
    publisher = BrokerBoxPublisher(broker, pseudonyms)
    box, contents = MongoBox(db), MongoContents(db)
    openings = Openings(MongoHeldOpenings(db), box, publisher, now)
    citizens, limits = MongoCitizens(db, pseudonyms), MongoRateLimits(db)
    idle, absolute = (
        timedelta(seconds=settings.session_idle_seconds),
        timedelta(seconds=settings.session_absolute_seconds),
    )
    grants = delegation_repository.MongoGrants(db)
    delegations = Delegations(
        grants, delegation_codes.MongoInvitations(db), delegation_repository.MongoActivityLog(db), citizens, now
    )
    account = AccountChanges(
        citizens, MongoConfirmations(db, pseudonyms), publisher, SmtpMailer(settings), now,
        timedelta(seconds=settings.confirmation_valid_seconds), settings.push_services, limits,
    )  # fmt: skip
    representation = Representation(grants, delegations, citizens, account, now)
    context = BoxContext(
        settings=settings,
        box=box,
        citizen_box=CitizenBox(box, contents, MongoNotificationHistory(db), publisher, openings, now),
        citizens=citizens,
        account=account,
        sessions=MongoSessions(db, idle, absolute),
        logins=MongoLogins(db),
        oidc=OidcClient(settings, http, issuer),
        tokens=AccessTokens(settings, http, issuer),
        limits=limits,
        delegations=delegations,
        representation=representation,
        proofs=ProofSigner(settings.proof_signing_key.get_secret_value(), settings.proof_previous_keys),
        agencies=AgencyList(MongoAgencyRegistry(db), now),
        clock=now,
    )  # fmt: skip
    notices = HelperNotices(grants, citizens, publisher, now)
    account_facts, sweeps_now = MongoAccountFacts(db), sweep_clock(settings.sweep_clock_file)
    filing = Filing(box, contents, account_facts, CachedAgencyRegistry(MongoAgencyRegistry(db)))
    vangnet = SafetyNet(box, publisher, sweeps_now, settings.sweep_batch)
    recovery = RecoveryLetters(
        box, account_facts, MongoRecoveryLog(db), publisher.print_recovery_letter, sweeps_now, settings.sweep_batch
    )
    handlers.subscribe(broker, handlers.BoxHandlers(filing, notices, recovery, metrics), settings.prefetch_count)
    ops = OpsServer(settings.ops_port, metrics, broker, db) if settings.ops_port is not None else None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        """Before the broker starts consuming: indexes, and the topology (a first retry needs
        its wait queue)."""
        configure_logging(settings)
        await ensure_indexes(db, INDEXES)
        await declare_topology(settings.rabbitmq_url, settings.retry_delays)
        sweep = Periodic("expired-sessions", lambda: clear_expired(db, now()), EXPIRED_SWEEP_SECONDS)
        machtigingen = Periodic("machtigingen", representation.sweep, EXPIRED_SWEEP_SECONDS)
        safety_net = Periodic("safety net", vangnet.run_once, settings.safety_net_sweep_seconds)
        recovery_letters = Periodic("recovery letters", recovery.run_once, settings.recovery_sweep_seconds)
        announcing = Periodic("held openings", openings.run_once, HELD_OPENINGS_SWEEP_SECONDS)
        sweep.start()
        machtigingen.start()
        safety_net.start()
        recovery_letters.start()
        announcing.start()
        if ops is not None:
            await ops.start()
        yield
        if ops is not None:
            await ops.stop()
        await sweep.stop()
        await machtigingen.stop()
        await safety_net.stop()
        await recovery_letters.stop()
        await announcing.stop()
        await http.aclose()
        await client.close()

    app = FastAPI(
        title="Berichtenbox",
        version=API_VERSION,
        description="The citizen's Berichtenbox: messages, folders, preferences and devices.",
        lifespan=lifespan,
        openapi_url="/api/v1/openapi.json",
        docs_url=None,  # FastAPI's Swagger page loads a CDN with inline script: the CSP refuses both
        redoc_url=None,
        max_body_size=MAX_BODY_BYTES,
    )
    app.state.box, app.state.broker = context, broker
    app.add_middleware(Gate, box=lambda: app.state.box)
    app.add_middleware(Unavailable)  # outside the gate: its session read may fail too
    app.add_middleware(SecurityHeaders, https=settings.https)
    app.add_middleware(RequestMetrics, metrics=metrics)
    errors.install(app)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "web" / "static"), name="static")
    for routes in (login.router, pages.own_router, pages.router, account_pages.router, delegation_pages.router):
        app.include_router(routes)
    app.include_router(pages.router, prefix="/hulp/{grant_id}")  # a box the citizen helps with
    for routes in (messages_api.own_router, account_api.router, delegation_api.router):
        app.include_router(routes)
    app.include_router(messages_api.router, prefix="/api/v1")
    by_box = [Depends(delegation_access.box_id_parameter)]
    app.include_router(
        messages_api.router, prefix="/api/v1/boxes/{box_id}", dependencies=by_box,
        responses={404: {"description": "no such box for this citizen, or a machtiging ended or out of scope"}},
    )  # fmt: skip
    app.add_api_route("/healthz", healthz, include_in_schema=False)
    app.add_api_route("/sw.js", service_worker, include_in_schema=False)
    app.include_router(proofs.router)
    app.include_router(proofs.api)  # at the root: its scope is the site
    return app
