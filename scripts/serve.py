"""`make serve`: everything running and kept running, to try the box by hand. A fresh vhost
and database (`berichtenbox-serve`), the agencies, a population, a few messages for the test
citizens of the development identity provider (`make up` starts it), the five services, and a
local SMTP catcher. Prints the box's URL and who can log in; Ctrl-C stops it all."""

import asyncio
import contextlib
import urllib.error
from pathlib import Path

from scripts.harness import WITH_BOX, ServiceProcesses
from scripts.identity_provider import development_citizens, subject_of
from scripts.smtp_sink import smtp_sink
from shared.contracts.agencies import Agency, read_agency_file
from shared.contracts.bsn import Bsn
from shared.storage.mongo import create_client
from tools.agency_client import AgencyClient
from tools.population import seed
from tools.provisioning import ProvisioningSettings, load_registry, passwords_for, provision, with_receipts_queues
from tools.rabbitmq_admin import ManagementApi

NAME = "berichtenbox-serve"
BOX_PORT, ISSUER = 8080, "http://127.0.0.1:9400"
MESSAGES = [("belastingdienst", "aanslag"), ("uwv", "jaaropgave"), ("rdw", "apk-herinnering")]


def sample(bsn: str, message_type: str) -> dict[str, object]:
    return {
        "recipient_bsn": bsn,
        "message_type": message_type,
        "subject": "Een bericht om de Berichtenbox te proberen",
        "body": "Geachte heer, mevrouw,\n\nDit bericht staat in uw Berichtenbox.",
        "call_to_action": {"text": "Reageer vóór 1 februari", "deadline": "2027-02-01"},
    }


def fresh_vhost(settings: ProvisioningSettings, name: str) -> None:
    api = ManagementApi(settings.rabbitmq_management_url)
    with contextlib.suppress(urllib.error.HTTPError):
        api.delete_vhost(name)
    api.put_vhost(name)
    api.set_permissions(name, "guest", configure=".*", write=".*", read=".*")


async def fresh_database(settings: ProvisioningSettings) -> None:
    """Dropped, not reused: the population of an earlier run would collide with the new one."""
    client = create_client(settings)
    try:
        await client.drop_database(settings.mongodb_database)
    finally:
        await client.close()


async def prepare(name: str) -> tuple[ProvisioningSettings, dict[str, Agency], dict[str, str]]:
    """A fresh vhost and database called `name`, the agencies and a population: every run anew."""
    settings = ProvisioningSettings(mongodb_database=name, rabbitmq_url=f"amqp://guest:guest@127.0.0.1:5672/{name}")
    fresh_vhost(settings, name)
    await fresh_database(settings)
    read = read_agency_file(Path("deploy/agencies.json"))
    passwords = passwords_for(read, Path("var/agency-credentials.json"))
    agencies = {a.agency_id: a for a in with_receipts_queues(read, passwords)}
    await load_registry(settings, list(agencies.values()))
    await provision(settings, list(agencies.values()), passwords)
    await seed(settings, 2000, 7)
    return settings, agencies, passwords


async def run() -> None:
    settings, agencies, passwords = await prepare(NAME)
    citizens = development_citizens()
    with smtp_sink() as sink:
        env = {
            "BERICHTENBOX_RABBITMQ_URL": settings.rabbitmq_url,
            "BERICHTENBOX_MONGODB_DATABASE": NAME,
            "BERICHTENBOX_SMTP_PORT": str(sink.port),
            "BERICHTENBOX_SPOOL_DIR": "var/serve/spool",
            "BERICHTENBOX_OIDC_ISSUER": ISSUER,
            "BERICHTENBOX_PUBLIC_BASE_URL": f"http://127.0.0.1:{BOX_PORT}",
            "BERICHTENBOX_BOX_URL": f"http://127.0.0.1:{BOX_PORT}/berichten",
        }
        box = {"box": {"BERICHTENBOX_HTTP_PORT": str(BOX_PORT)}}
        with ServiceProcesses(env, Path("var/serve/logs"), services=WITH_BOX, env_of=box):
            for i, citizen in enumerate(citizens[:6]):
                agency, kind = MESSAGES[i % len(MESSAGES)]
                sender = agencies[agency]
                url = f"amqp://{sender.broker_user}:{passwords[agency]}@127.0.0.1:5672/{NAME}"
                async with AgencyClient(url, agency, sender.broker_user, sender.receipts_queue) as client:
                    await client.submit(sample(citizen["bsn"], kind), reference=f"serve-{i}")
            print(f"\nThe box: http://127.0.0.1:{BOX_PORT}/berichten  (identity provider {ISSUER})")
            print("Log in as one of these test citizens (click the name at the provider):")
            for citizen in citizens[:10]:
                print(f"  {subject_of(citizen):<18} BSN {Bsn(citizen['bsn'])}  {citizen['state']}")
            print(f"E-mails go to a local SMTP catcher on port {sink.port}; logs in var/serve/logs/. Ctrl-C stops.")
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.Event().wait()


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run())
