"""Operator commands for the agency registry.

- load: read the versioned registry file (deploy/agencies.json) into MongoDB, with each
  agency's receipts queue name (secret, derived from its password: `receipts_queue_name`).
- provision: one RabbitMQ user per agency, allowed to write only to the submissions exchange
  and read only its own receipts queue; declares those queues. Passwords come from a JSON
  file of {agency_id: password}; missing ones are generated and written back (mode 600).
- definitions: the same users and permissions, the service user and the policies as a
  RabbitMQ definitions file, loaded by the broker at boot (compose does this).

Run: python -m tools.provisioning load|provision|definitions [--credentials FILE] [--out FILE]
"""

import argparse
import asyncio
import base64
import hashlib
import json
import os
import re
import secrets
from pathlib import Path
from typing import Any

from faststream.rabbit import RabbitBroker

from shared.contracts.agencies import Agency, read_agency_file
from shared.messaging.broker import declare_receipt_queues, declare_topology
from shared.messaging.topology import Exchanges, receipts_queue
from shared.runtime.settings import ServiceSettings
from shared.storage import agencies as agencies_storage
from shared.storage.agencies import MongoAgencyRegistry
from shared.storage.mongo import create_client, database, ensure_indexes
from tools.rabbitmq_admin import ManagementApi, vhost_of

REGISTRY_FILE = Path("deploy/agencies.json")
CREDENTIALS_FILE = Path("var/agency-credentials.json")


class ProvisioningSettings(ServiceSettings):
    service_name: str = "provisioning"
    rabbitmq_management_url: str = "http://guest:guest@127.0.0.1:15672"


async def load_registry(settings: ServiceSettings, agencies: list[Agency]) -> None:
    client = create_client(settings)
    try:
        db = database(client, settings)
        await ensure_indexes(db, agencies_storage.INDEXES)
        registry = MongoAgencyRegistry(db)
        for agency in agencies:
            await registry.save(agency)
    finally:
        await client.close()


def agency_permissions(agency: Agency) -> dict[str, str]:
    """Write only to the submissions exchange, read only its own receipts, declare nothing."""
    return {
        "configure": "^$",
        "write": f"^{re.escape(Exchanges.SUBMISSIONS.name)}$",
        "read": f"^{re.escape(receipts_queue(agency.agency_id, agency.receipts_queue).name)}$",
    }


def grant_agency_user(api: ManagementApi, vhost: str, agency: Agency, password: str) -> None:
    api.put_user(agency.broker_user, password)
    api.set_permissions(vhost, agency.broker_user, **agency_permissions(agency))


async def provision(settings: ProvisioningSettings, agencies: list[Agency], passwords: dict[str, str]) -> None:
    api = ManagementApi(settings.rabbitmq_management_url)
    vhost = vhost_of(settings.rabbitmq_url)
    for agency in agencies:
        grant_agency_user(api, vhost, agency, passwords[agency.agency_id])
    broker = RabbitBroker(settings.rabbitmq_url)
    await broker.connect()
    try:
        await declare_topology(settings.rabbitmq_url)
        await declare_receipt_queues(broker, agencies)
    finally:
        await broker.stop()


POLICIES = [
    {
        "vhost": "/",
        "name": "work-queues-spread-leaders",
        "pattern": r"^(ingest|router|notifier|paper|box)\.[a-z-]+$",
        "apply-to": "queues",
        "definition": {"queue-leader-locator": "balanced"},
        "priority": 0,
    }
]


def password_hash(password: str, salt: bytes | None = None) -> str:
    """RabbitMQ's rabbit_password_hashing_sha256: base64(salt + sha256(salt + password))."""
    salt = salt if salt is not None else secrets.token_bytes(4)
    return base64.b64encode(salt + hashlib.sha256(salt + password.encode()).digest()).decode()


def definitions(
    agencies: list[Agency], passwords: dict[str, str], service_user: str, service_password: str
) -> dict[str, Any]:
    users = [{"name": service_user, "password_hash": password_hash(service_password), "tags": ["administrator"]}]
    permissions = [{"user": service_user, "vhost": "/", "configure": ".*", "write": ".*", "read": ".*"}]
    for agency in agencies:
        users.append(
            {"name": agency.broker_user, "password_hash": password_hash(passwords[agency.agency_id]), "tags": []}
        )
        permissions.append({"user": agency.broker_user, "vhost": "/", **agency_permissions(agency)})
    return {
        "users": users,
        "vhosts": [{"name": "/"}],
        "permissions": permissions,
        "policies": POLICIES,
        "hashing_algorithm": "rabbit_password_hashing_sha256",
    }


def receipts_queue_name(agency_id: str, password: str) -> str:
    """Derived from the agency's password, so the operator's credentials file is the one
    secret: whoever knows neither cannot name (and so not passively declare) the queue."""
    secret = hashlib.sha256(f"receipts-queue\x1f{agency_id}\x1f{password}".encode()).hexdigest()[:24]
    return f"receipts.{agency_id}.{secret}"


def with_receipts_queues(agencies: list[Agency], passwords: dict[str, str]) -> list[Agency]:
    return [
        a.model_copy(update={"receipts_queue": receipts_queue_name(a.agency_id, passwords[a.agency_id])})
        for a in agencies
    ]


def passwords_for(agencies: list[Agency], path: Path) -> dict[str, str]:
    known: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    missing = {a.agency_id: secrets.token_urlsafe(18) for a in agencies if a.agency_id not in known}
    if missing:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(known | missing, indent=2))
        path.chmod(0o600)
    return known | missing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["load", "provision", "definitions"])
    parser.add_argument("--out", type=Path, default=Path("var/rabbitmq/definitions.json"))
    parser.add_argument("--registry", type=Path, default=REGISTRY_FILE)
    parser.add_argument("--credentials", type=Path, default=CREDENTIALS_FILE)
    args = parser.parse_args()
    settings = ProvisioningSettings()
    read = read_agency_file(args.registry)
    passwords = passwords_for(read, args.credentials)
    agencies = with_receipts_queues(read, passwords)
    if args.command == "definitions":
        service_password = os.environ.get("RABBITMQ_PASSWORD") or secrets.token_urlsafe(18)
        document = definitions(agencies, passwords, "berichtenbox", service_password)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(document, indent=2))
        print(f"wrote {args.out}: {len(document['users'])} users, {len(document['policies'])} policies")
    elif args.command == "load":
        asyncio.run(load_registry(settings, agencies))
        print(f"loaded {len(agencies)} agencies into {settings.mongodb_database}")
    else:
        asyncio.run(provision(settings, agencies, passwords))
        print(f"provisioned {len(agencies)} agency users; passwords in {args.credentials}")
    for agency in agencies:
        print(f"  {agency.agency_id}: receipts on {agency.receipts_queue}")


if __name__ == "__main__":
    main()
