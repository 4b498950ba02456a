"""Server-side sessions and e-mail confirmations, and the only module that knows their
documents. The cookie carries a random token; the database keeps only its hash, so a copy of
the database opens no session. Idle and absolute timeouts are checked on every read, and
`clear_expired` removes what ran out (through the `expires_at` indexes)."""

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Protocol

from services.box.identity.records import Session
from shared.contracts.bsn import Bsn
from shared.contracts.pseudonyms import Pseudonyms
from shared.storage.mongo import Collections, Database

TOUCH_EVERY = timedelta(minutes=1)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Sessions(Protocol):
    async def start(self, bsn: Bsn, now: datetime, id_token: str = "") -> tuple[str, Session]: ...
    async def current(self, token: str, now: datetime) -> Session | None: ...
    async def end(self, token: str) -> str | None:
        """Ends the session; the ID token it was opened with (the hint for logging out at the issuer)."""
        ...


class MongoSessions:
    def __init__(self, db: Database, idle: timedelta, absolute: timedelta) -> None:
        self._sessions, self.idle, self.absolute = db[Collections.BOX_SESSIONS], idle, absolute

    async def start(self, bsn: Bsn, now: datetime, id_token: str = "") -> tuple[str, Session]:
        """A new session with a new token (the id is rotated at login: whatever session the
        browser had before is ended by the caller)."""
        token = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        document = {"_id": token_hash(token), "bsn": bsn.value, "csrf": csrf, "created_at": now, "seen_at": now}
        document["id_token"] = id_token
        await self._sessions.insert_one({**document, "expires_at": min(now + self.idle, now + self.absolute)})
        return token, Session(token_hash(token), bsn, csrf, now, now)

    async def current(self, token: str, now: datetime) -> Session | None:
        """The session, or None once idle or absolute time ran out. Its idle time is renewed
        at most once a minute: a page view is a read, not a write."""
        key = token_hash(token)
        alive = {"_id": key, "seen_at": {"$gt": now - self.idle}, "created_at": {"$gt": now - self.absolute}}
        found = await self._sessions.find_one(alive)
        if found is None:
            return None
        if now - found["seen_at"] > TOUCH_EVERY:
            expires = min(now + self.idle, found["created_at"] + self.absolute)
            await self._sessions.update_one({"_id": key}, {"$set": {"seen_at": now, "expires_at": expires}})
        return Session(key, Bsn(found["bsn"]), found["csrf"], found["created_at"], now)

    async def end(self, token: str) -> str | None:
        ended = await self._sessions.find_one_and_delete({"_id": token_hash(token)})  # FerretDB: no projection here
        return None if ended is None else ended.get("id_token") or None


class Confirmations(Protocol):
    async def offer(self, bsn: Bsn, email: str, code: str, expires_at: datetime) -> None: ...
    async def take(self, bsn: Bsn, code: str, now: datetime) -> str | None: ...


class MongoConfirmations:
    """One waiting address per citizen: a new one replaces the one before."""

    def __init__(self, db: Database, pseudonyms: Pseudonyms) -> None:
        self._waiting, self._key = db[Collections.BOX_CONFIRMATIONS], pseudonyms.citizen

    async def offer(self, bsn: Bsn, email: str, code: str, expires_at: datetime) -> None:
        document = {"citizen": self._key(bsn), "email": email, "code": token_hash(code), "expires_at": expires_at}
        await self._waiting.replace_one({"_id": self._key(bsn)}, document, upsert=True)

    async def take(self, bsn: Bsn, code: str, now: datetime) -> str | None:
        """The address the code confirms, once; None for a wrong, used or expired code."""
        found = await self._waiting.find_one_and_delete(
            {"_id": self._key(bsn), "code": token_hash(code), "expires_at": {"$gt": now}}
        )
        return None if found is None else str(found["email"])


class Logins(Protocol):
    async def begin(self, login: dict[str, str], now: datetime) -> str: ...
    async def finish(self, browser_token: str, now: datetime) -> dict[str, str] | None: ...


class MongoLogins:
    """A login under way, bound to the browser that began it by a cookie of its own (so a
    callback from another browser, a login CSRF, finds nothing). Ten minutes, one use."""

    def __init__(self, db: Database) -> None:
        self._logins = db[Collections.BOX_LOGINS]

    async def begin(self, login: dict[str, str], now: datetime) -> str:
        token = secrets.token_urlsafe(32)
        await self._logins.insert_one({"_id": token_hash(token), **login, "expires_at": now + timedelta(minutes=10)})
        return token

    async def finish(self, browser_token: str, now: datetime) -> dict[str, str] | None:
        found = await self._logins.find_one_and_delete({"_id": token_hash(browser_token), "expires_at": {"$gt": now}})
        if found is None:
            return None
        return {k: str(v) for k, v in found.items() if k not in ("_id", "expires_at")}


async def clear_expired(db: Database, now: datetime) -> int:
    """Sessions, logins, confirmations and rate-limit windows past their time: removed, not only refused."""
    cleared = 0
    for name in (
        Collections.BOX_SESSIONS,
        Collections.BOX_LOGINS,
        Collections.BOX_CONFIRMATIONS,
        Collections.BOX_RATE_LIMITS,
    ):
        cleared += (await db[name].delete_many({"expires_at": {"$lt": now}})).deleted_count
    return cleared
