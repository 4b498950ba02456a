"""A synthetic population with the real proportions (valid BSNs, Dutch names and addresses).

Of 16.4M accounts 7.1M are activated and 5.8M of those linked an e-mail address; the other
shares are assumptions, named here. Deterministic for a seed. Used by the demo, tests, bench.

Run: python -m tools.population --count 1000 [--seed 7]
"""

import argparse
import asyncio
import random
import uuid
from collections.abc import Iterator

from services.router import repository as router_storage
from services.router.repository import ASPECTS, MongoAccountStore
from shared.runtime.settings import ServiceSettings
from shared.storage.mongo import Document, create_client, database, ensure_indexes

ACTIVATED = 7.1 / 16.4
EMAIL_GIVEN_ACTIVATED = 5.8 / 7.1
PUSH_GIVEN_ACTIVATED = 0.30  # assumption: app users
REMINDER_GIVEN_EMAIL = 0.40  # assumption
PAPER_COPY_GIVEN_ACTIVATED = 0.03  # assumption: from agencies that allow copies
GUARDIANSHIP = 0.015  # assumption: bewind, curatele or mentorschap
NO_ACCOUNT = 0.05  # assumption: records of residents without an account (under 14, not in BRP)
OPT_IN_PER_AGENCY = 0.6  # assumption: share of activated users who tick each optional agency

OPTIONAL_AGENCIES = ("uwv", "rdw", "svb", "gemeente-utrecht")
PAPER_COPY_AGENCIES = ("belastingdienst", "uwv")
FIRST_NAMES = ("Daan", "Sanne", "Bram", "Lotte", "Sem", "Fleur", "Thijs", "Iris", "Jeroen", "Anouk", "Ömer", "Zoë")
SURNAMES = ("de Vries", "Jansen", "van den Berg", "Bakker", "Visser", "Smit", "de Jong", "Meijer", "Çelik", "van Dijk")
STREETS = ("Kerkstraat", "Dorpsstraat", "Schoolstraat", "Molenweg", "Stationsweg", "Julianalaan", "Brouwersgracht")
POSTCODE_LETTERS = [
    a + b for a in "ABCDEGHJKLMNPRSTVWXZ" for b in "ABCDEGHJKLMNPRSTVWXZ" if a + b not in ("SA", "SD", "SS")
]
CITIES = (
    ("3511", "UTRECHT"),
    ("1012", "AMSTERDAM"),
    ("2511", "DEN HAAG"),
    ("9711", "GRONINGEN"),
    ("6211", "MAASTRICHT"),
)


def bsn_from(rng: random.Random) -> str:
    """A random 9-digit number passing the elfproef."""
    while True:
        digits = [rng.randrange(10) for _ in range(8)]
        check = sum(d * w for d, w in zip(digits, range(9, 1, -1), strict=True)) % 11
        if check < 10 and any(digits):
            return "".join(map(str, digits)) + str(check)


def address_lines(rng: random.Random) -> list[str]:
    postcode, city = rng.choice(CITIES)
    letters = rng.choice(POSTCODE_LETTERS)
    return [f"{rng.choice(STREETS)} {rng.randint(1, 250)}", f"{postcode} {letters}  {city}"]


def push_subscription(citizen: uuid.UUID) -> dict[str, object]:
    """A placeholder app registration (real ones carry the device's keys)."""
    return {"endpoint": f"https://push.example.invalid/{citizen.hex}", "keys": {}}


def account(rng: random.Random) -> Document:
    activated = rng.random() < ACTIVATED
    state = "activated" if activated else ("none" if rng.random() < NO_ACCOUNT else "ready")
    email = activated and rng.random() < EMAIL_GIVEN_ACTIVATED
    name = f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"
    citizen = uuid.UUID(int=rng.getrandbits(128), version=4)
    return {
        "_id": str(citizen),
        "bsn": bsn_from(rng),
        "state": state,
        "name": name,
        "address_lines": address_lines(rng),
        "email": f"burger-{citizen.hex[:12]}@example.nl" if email else None,
        "push_subscriptions": [push_subscription(citizen)] if activated and rng.random() < PUSH_GIVEN_ACTIVATED else [],
        "opted_in_agencies": [a for a in OPTIONAL_AGENCIES if activated and rng.random() < OPT_IN_PER_AGENCY],
        "paper_copy_agencies": [rng.choice(PAPER_COPY_AGENCIES)]
        if activated and rng.random() < PAPER_COPY_GIVEN_ACTIVATED
        else [],
        "reminder_opt_in": email and rng.random() < REMINDER_GIVEN_EMAIL,
        "guardianship": rng.choice(("bewind", "curatele", "mentorschap")) if rng.random() < GUARDIANSHIP else None,
        "versions": dict.fromkeys(ASPECTS, 0),
    }


def population(count: int, seed: int = 7) -> Iterator[Document]:
    """`count` accounts; BSNs are unique within one population."""
    rng = random.Random(seed)
    seen: set[str] = set()
    while len(seen) < count:
        document = account(rng)
        if document["bsn"] not in seen:
            seen.add(document["bsn"])
            yield document


async def seed(settings: ServiceSettings, count: int, seed_value: int, chunk: int = 5000) -> int:
    client = create_client(settings)
    try:
        db = database(client, settings)
        await ensure_indexes(db, router_storage.INDEXES)
        store = MongoAccountStore(db)
        batch: list[Document] = []
        for document in population(count, seed_value):
            batch.append(document)
            if len(batch) == chunk:
                await store.insert_many(batch)
                batch = []
        if batch:
            await store.insert_many(batch)
    finally:
        await client.close()
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    seeded = asyncio.run(seed(ServiceSettings(service_name="population"), args.count, args.seed))
    print(f"seeded {seeded} accounts")


if __name__ == "__main__":
    main()
