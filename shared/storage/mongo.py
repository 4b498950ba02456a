"""MongoDB access: one client factory, the collection names, and index creation. The client is
created by a service's factory and connects lazily; the service's start-up hook creates the
indexes of the collections it owns (each service's `repository.INDEXES`), its shutdown hook
closes the client. What the local database (FerretDB) makes of this: docs/local-database.md."""

from typing import Any

from pymongo import AsyncMongoClient, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from shared.runtime.settings import ServiceSettings

Document = dict[str, Any]
Database = AsyncDatabase[Document]
Indexes = dict[str, list[IndexModel]]
"""Collection name -> the indexes its owner creates."""


DUPLICATE_KEY = 11000
"""The server's error code for an insert whose unique key is taken."""


class Collections:
    """Each collection has one writer (named here), hot paths only insert, and uniqueness
    rides on `_id`, derived from what identifies a thing."""

    AGENCIES = "agencies"
    """tools/provisioning.py; read by every service."""
    ACCOUNTS = "accounts"
    """router (account events); found by the router by BSN, by notifier and paper by `_id`."""
    MESSAGES = "messages"
    """ingest, insert only; read by the router and paper (and the box)."""
    REJECTIONS = "rejections"
    """ingest."""
    ROUTES = "routes"
    """router: the decision per message, under the message's id, inserted once."""
    NOTIFICATIONS = "notifications"
    """notifier: one claim per (message, channel, kind, attempt), inserted before sending."""
    NOTIFICATION_OUTCOMES = "notification_outcomes"
    """notifier."""
    EMAIL_FAILURES = "email_failures"
    """notifier: permanent failures in a row per e-mail address, under the address's SHA-256."""
    REMINDERS = "reminders"
    """notifier."""
    LETTERS = "letters"
    """paper."""
    BATCH_MEMBERS = "batch_members"
    """paper."""
    BATCHES = "batches"
    """paper."""
    BOX_ENTRIES = "box_entries"
    """box: one per delivered message, under the message's id, with its folder and opened_at;
    read by the notifier's reminder sweep (opened? in the trash?)."""
    BOX_RECOVERY_LETTERS = "box_recovery_letters"
    """box: per account, how many recovery letters it was sent and when the last one."""
    BOX_HELD_OPENINGS = "box_held_openings"
    """box: first openings whose `MessageOpened` the broker has not confirmed yet (an outbox)."""
    BOX_CITIZENS = "box_citizens"
    """box: per citizen (under a derived id, never the BSN), the sequence of its account events."""
    BOX_GRANTS = "box_grants"
    """box: machtigingen, a helper's or a representative's access to a box, by a random id."""
    BOX_INVITATIONS = "box_invitations"
    """box: open invitations to help, by the code's handle; the secret only hashed."""
    BOX_ACTIVITY = "box_activity"
    """box: what helpers did and what happened to machtigingen, for both logbooks."""
    BOX_SESSIONS = "box_sessions"
    """box: server-side sessions, under a hash of the cookie's value."""
    BOX_LOGINS = "box_logins"
    """box: logins under way at the identity provider (state, nonce, PKCE verifier)."""
    BOX_CONFIRMATIONS = "box_confirmations"
    """box: e-mail addresses waiting for their confirmation."""
    BOX_RATE_LIMITS = "box_rate_limits"
    """Counts of what costs (logins begun, confirmation e-mails, downloads, devices) per window,
    shared by every box replica; keys are hashes, never an address or a BSN."""


def create_client(settings: ServiceSettings) -> AsyncMongoClient[Document]:
    """A client that connects on first use (nothing connects at import or construction)."""
    pool: dict[str, Any] = {} if settings.mongodb_pool_size is None else {"maxPoolSize": settings.mongodb_pool_size}
    if settings.mongodb_server_selection_seconds is not None:
        pool["serverSelectionTimeoutMS"] = round(settings.mongodb_server_selection_seconds * 1000)
    return AsyncMongoClient(settings.mongodb_url, appname=settings.service_name, tz_aware=True, **pool)


def database(client: AsyncMongoClient[Document], settings: ServiceSettings) -> Database:
    return client[settings.mongodb_database]


async def ensure_indexes(db: Database, indexes: Indexes) -> None:
    """Create the given indexes (idempotent). One index per command: FerretDB 1.24 drops the
    connection when one createIndexes names several indexes that all exist."""
    for collection, models in indexes.items():
        for index in models:
            await db[collection].create_indexes([index])
