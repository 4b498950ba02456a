"""Operator command: load the register of legal representations (bewind, curatele,
mentorschap; after the courts' CCBR) into the box's machtigingen. The file is the register as
it is now (format: services/box/delegation/register.py): new rows start, changed end dates
apply, rows no longer listed end (and with them a representative's choice of digital post).
Loading the same file again changes nothing; the running box reads the result at once, no
restart. Rows whose person or representative has no account are counted, never printed.

Run: python -m tools.representations FILE   (or: make representations FILE=...)
"""

import argparse
import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from services.box.account.mail import SmtpMailer
from services.box.account.repository import MongoCitizens
from services.box.account.use_cases import AccountChanges
from services.box.delegation.codes import MongoInvitations
from services.box.delegation.register import RegisterError, parse
from services.box.delegation.repository import INDEXES, MongoActivityLog, MongoGrants
from services.box.delegation.representation import Loaded, Representation
from services.box.delegation.use_cases import Delegations
from services.box.identity.limits import MongoRateLimits
from services.box.identity.sessions import MongoConfirmations
from services.box.publishers import BrokerBoxPublisher
from services.box.settings import BoxSettings
from shared.contracts.pseudonyms import Pseudonyms
from shared.messaging.broker import create_broker
from shared.storage.mongo import create_client, database, ensure_indexes


def now() -> datetime:
    return datetime.now(UTC)


async def load(settings: BoxSettings, text: str) -> Loaded:
    rows = parse(text)
    client, broker = create_client(settings), create_broker(settings)
    db = database(client, settings)
    await ensure_indexes(db, INDEXES)
    await broker.connect()
    try:
        pseudonyms = Pseudonyms(settings.pseudonym_key.get_secret_value())
        citizens, grants = MongoCitizens(db, pseudonyms), MongoGrants(db)
        account = AccountChanges(
            citizens, MongoConfirmations(db, pseudonyms), BrokerBoxPublisher(broker, pseudonyms), SmtpMailer(settings),
            now, timedelta(seconds=settings.confirmation_valid_seconds), settings.push_services, MongoRateLimits(db),
        )  # fmt: skip
        delegations = Delegations(grants, MongoInvitations(db), MongoActivityLog(db), citizens, now)
        return await Representation(grants, delegations, citizens, account, now).load(rows)
    finally:
        await broker.stop()
        await client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", type=Path)
    args = parser.parse_args()
    try:
        loaded = asyncio.run(load(BoxSettings(), args.file.read_text(encoding="utf-8")))
    except RegisterError as error:
        raise SystemExit(f"{args.file}: {error}") from error
    print(
        f"representations: {loaded.added} new, {loaded.changed} changed, {loaded.ended} ended, "
        f"{loaded.without_account} without an account; {loaded.helpers_ended} voluntary helpers ended"
    )


if __name__ == "__main__":
    main()
