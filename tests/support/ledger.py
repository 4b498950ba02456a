"""The ledger a fault run is checked against: for every message a stream submitted, what the
system stored, routed, printed, notified and told its agency, read back from the database,
the receipts and the sinks. Used by the short crash run in `make test` and by `make chaos`.

- lost: something owed that never came: a message, its route, a receipt, a letter for a paper
  route, an e-mail or push for a channel of its route, an e-mail the notifier says it sent.
- duplicated: something a receiver would take for two: a second letter for one message, two
  e-mails with different Message-IDs (or two pushes with different Topics) for one
  notification. A resend with the same Message-ID or Topic is counted apart, as `resent`.
- stuck: work begun and not finished: a claim without an outcome, a rendered letter in no
  closed batch.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from scripts.push_sink import PushService
from scripts.smtp_sink import SmtpSink
from shared.contracts.ids import derived_id
from shared.contracts.messages import Receipt, ReceiptStatus
from shared.storage.mongo import Collections, Database, Document

OWED_RECEIPT = {"box": ReceiptStatus.DELIVERED_TO_BOX, "paper": ReceiptStatus.SENT_ON_PAPER}


@dataclass
class Ledger:
    messages: int
    lost: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    stuck: list[str] = field(default_factory=list)
    resent: int = 0
    seen: Counter[str] = field(default_factory=Counter)
    """How many letters, e-mails and pushes the run made: a ledger of nothing proves nothing."""

    @property
    def whole(self) -> bool:
        return not (self.lost or self.duplicated or self.stuck)

    def summary(self) -> str:
        first = (self.lost + self.duplicated + self.stuck)[:5]
        counts = f"lost {len(self.lost)}, duplicated {len(self.duplicated)}, stuck {len(self.stuck)}"
        return f"{self.messages} messages: {counts}" + (f"; first: {first}" if first else "")


async def read_ledger(
    db: Database,
    message_ids: list[str],
    receipts: list[Receipt],
    smtp: SmtpSink,
    pushes: PushService | None = None,
) -> Ledger:
    ledger = Ledger(len(message_ids))
    wanted = {"_id": {"$in": message_ids}}
    stored = {d["_id"] async for d in db[Collections.MESSAGES].find(wanted, {"_id": 1})}
    routes = {d["_id"]: d async for d in db[Collections.ROUTES].find(wanted)}
    ledger.lost += [f"message {m}" for m in message_ids if m not in stored]
    ledger.lost += [f"route of {m}" for m in sorted(stored - routes.keys())]
    await _check_receipts(ledger, message_ids, routes, receipts)
    await _check_letters(ledger, db, routes)
    await _check_notifications(ledger, db, routes, smtp, pushes)
    return ledger


async def _check_receipts(ledger: Ledger, ids: list[str], routes: dict[str, Document], receipts: list[Receipt]) -> None:
    told = {(r.message_id, r.status) for r in receipts}
    # each message was submitted once: `accepted` is its only true answer (a `duplicate` of
    # itself, as a retry once was answered, tells the agency it sent the message twice)
    stored = {r.message_id for r in receipts if r.status is ReceiptStatus.ACCEPTED}
    ledger.lost += [f"accepted receipt of {m}" for m in ids if m not in stored]
    for message_id, route in routes.items():
        for channel, status in OWED_RECEIPT.items():
            if route[channel] and (message_id, status) not in told:
                ledger.lost += [f"{status.value} receipt of {message_id}"]


async def _check_letters(ledger: Ledger, db: Database, routes: dict[str, Document]) -> None:
    paper = [m for m, route in routes.items() if route["paper"]]
    letters = await db[Collections.LETTERS].find({"message_id": {"$in": paper}}).to_list()
    per_message = Counter(letter["message_id"] for letter in letters)
    ledger.seen["letters"] = len(letters)
    ledger.lost += [f"letter of {m}" for m in paper if per_message[m] == 0]
    ledger.duplicated += [f"letter of {m} x{n}" for m, n in per_message.items() if n > 1]
    rendered = [letter["_id"] for letter in letters if letter["status"] == "rendered"]
    members = {d["_id"]: d["batch_id"] async for d in db[Collections.BATCH_MEMBERS].find({"_id": {"$in": rendered}})}
    batches = set(members.values())
    closed = {
        d["_id"] async for d in db[Collections.BATCHES].find({"_id": {"$in": sorted(batches)}, "status": "closed"})
    }
    ledger.stuck += [f"letter {letter} in no closed batch" for letter in rendered if members.get(letter) not in closed]


async def _check_notifications(
    ledger: Ledger, db: Database, routes: dict[str, Document], smtp: SmtpSink, pushes: PushService | None
) -> None:
    ids = list(routes)
    claims = await db[Collections.NOTIFICATIONS].find({"message_id": {"$in": ids}}).to_list()
    outcomes = {d["_id"]: d async for d in db[Collections.NOTIFICATION_OUTCOMES].find({"message_id": {"$in": ids}})}
    ledger.stuck += [
        f"claim {c['_id']} of {c['message_id']} without outcome" for c in claims if c["_id"] not in outcomes
    ]
    latest: dict[tuple[str, str], Document] = {}
    for o in outcomes.values():  # the outcome of the last attempt is the one that counts
        key = (o["message_id"], o["channel"])
        if o["kind"] == "new_message" and o["attempt"] >= latest.get(key, {"attempt": 0})["attempt"]:
            latest[key] = o
    ended = {key: o["status"] for key, o in latest.items()}
    ledger.seen["failed"] = sum(1 for status in ended.values() if status not in ("sent", "retrying"))
    ledger.stuck += [f"{c} of {m}: retrying, no later attempt yet" for (m, c), st in ended.items() if st == "retrying"]
    message_ids: defaultdict[str, set[str]] = defaultdict(set)
    mails: Counter[str] = Counter()
    for mail in smtp.received:
        notification = str(mail["X-Berichtenbox-Notification"])
        message_ids[notification].add(str(mail["Message-ID"]))
        mails[notification] += 1
    topics = Counter(topic for (_, topic) in _pushes(pushes))
    ledger.seen["e-mails"], ledger.seen["pushes"] = len(mails), len(topics)
    for message_id, route in routes.items():
        notification = derived_id("notification", message_id, "new_message")
        for channel in route.get("channels", []):
            status = ended.get((message_id, channel))
            at_sink = mails[notification] if channel == "email" else topics[notification.replace("-", "")]
            if status is None and at_sink == 0:
                ledger.lost += [f"{channel} of {message_id}"]
            elif status == "sent" and at_sink == 0:
                ledger.lost += [f"{channel} of {message_id}: recorded sent, never received"]
        if len(message_ids[notification]) > 1:
            ledger.duplicated += [f"e-mail of {message_id} with {len(message_ids[notification])} Message-IDs"]
    ledger.resent += sum(n - len(message_ids[k]) for k, n in mails.items())
    ledger.resent += sum(n - 1 for n in topics.values())


def _pushes(pushes: PushService | None) -> list[tuple[str, str]]:
    """(endpoint, topic) of each push the service accepted."""
    return [] if pushes is None else list(pushes.accepted)
