"""MongoDB access: one client factory, the collection names, and the one place that creates
every index. The client is created by a service's factory and connects lazily; the service's
start-up hook creates indexes and its shutdown hook closes the client."""

from datetime import datetime
from typing import Any

from pymongo import ASCENDING, AsyncMongoClient, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from shared.runtime.settings import ServiceSettings

Document = dict[str, Any]
Database = AsyncDatabase[Document]


DUPLICATE_KEY = 11000
"""The server's error code for an insert whose unique key is taken."""


class Collections:
    """Each document has one writer, hot paths only insert, and uniqueness rides on `_id`
    (derived from what identifies a thing). Concurrent updates of one document are not atomic
    on FerretDB 1.24. On its PostgreSQL storage with the index twins of scripts/postgres.sh, at
    100,000 documents: find or update by an indexed field 1.3-2.5 ms, insert 1.4 ms,
    `insert_many` 0.15 ms per document, `$in` of 100 keys about 30 ms (with the project's
    pushdown patch; a full scan without it). On MongoDB all of these are cheap."""

    AGENCIES = "agencies"
    ACCOUNTS = "accounts"
    """Found by the router through the unique `bsn` index, by notifier and paper by `_id`."""
    MESSAGES = "messages"
    ROUTES = "routes"
    """The router's decision per message, under the message's id: inserted once, never updated."""
    REJECTIONS = "rejections"
    NOTIFICATIONS = "notifications"
    """One claim per (message, channel, kind, attempt), inserted before sending."""
    NOTIFICATION_OUTCOMES = "notification_outcomes"
    REMINDERS = "reminders"
    LETTERS = "letters"
    BATCH_MEMBERS = "batch_members"
    BATCHES = "batches"


INDEXES: dict[str, list[IndexModel]] = {
    Collections.AGENCIES: [IndexModel([("broker_user", ASCENDING)], unique=True, name="broker_user_unique")],
    Collections.ACCOUNTS: [IndexModel([("bsn", ASCENDING)], unique=True, name="bsn_unique")],
    # Unique per (agency, reference) through _id = uuid5(agency, reference); this index serves look-ups.
    Collections.MESSAGES: [
        IndexModel([("agency_id", ASCENDING), ("agency_reference", ASCENDING)], name="agency_reference")
    ],
    Collections.REJECTIONS: [IndexModel([("received_at", ASCENDING)], name="received_at")],
    Collections.NOTIFICATIONS: [
        IndexModel(
            # one claim per (message, channel, kind, attempt) through its derived _id
            [("message_id", ASCENDING), ("channel", ASCENDING), ("kind", ASCENDING), ("attempt", ASCENDING)],
            name="claims",
        ),
    ],
    Collections.NOTIFICATION_OUTCOMES: [IndexModel([("message_id", ASCENDING)], name="message_id")],
    Collections.REMINDERS: [IndexModel([("status", ASCENDING), ("due_at", ASCENDING)], name="due")],
    Collections.LETTERS: [
        IndexModel([("message_id", ASCENDING)], name="message_id"),
        IndexModel([("status", ASCENDING), ("batched", ASCENDING), ("rendered_at", ASCENDING)], name="unbatched"),
    ],
    Collections.BATCH_MEMBERS: [IndexModel([("batch_id", ASCENDING)], name="batch_id")],
}


def create_client(settings: ServiceSettings) -> AsyncMongoClient[Document]:
    """A client that connects on first use (nothing connects at import or construction)."""
    return AsyncMongoClient(settings.mongodb_url, appname=settings.service_name, tz_aware=True)


def database(client: AsyncMongoClient[Document], settings: ServiceSettings) -> Database:
    return client[settings.mongodb_database]


async def ensure_indexes(db: Database) -> None:
    """Create every index the services rely on (idempotent). One index per command: FerretDB
    1.24 drops the connection when one createIndexes names several indexes that all exist."""
    for collection, indexes in INDEXES.items():
        for index in indexes:
            await db[collection].create_indexes([index])


def stored_precision(moment: datetime) -> datetime:
    """A time as a BSON date keeps it (milliseconds), so a value sent before storing equals
    the value read back after."""
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)
