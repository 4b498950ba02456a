"""The five services as processes, a real OIDC provider with test citizens, the SMTP sink:
what the box's end-to-end and browser tests stand on."""

from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx2

from scripts.harness import WITH_BOX, ServiceProcesses
from scripts.identity_provider import IdentityProvider, identity_provider
from scripts.ports import free_port
from scripts.smtp_sink import SmtpSink, smtp_sink
from shared.storage.mongo import Document
from tests.conftest import Sandbox
from tools.population import population

POPULATION = list(population(400, seed=21))


def citizen(state: str, **facts: object) -> Document:
    """A test citizen in `state`, with guardianship none and the given facts."""
    found = next(a for a in POPULATION if a["state"] == state and a["guardianship"] is None and a["_id"] not in TAKEN)
    TAKEN.add(found["_id"])
    return {**found, **facts}


TAKEN: set[str] = set()
READY = citizen("ready")
READER = citizen(
    "activated", email="lezer@example.nl", reminder_opt_in=True, opted_in_agencies=[], paper_copy_agencies=[]
)
OTHER = citizen("activated", email=None, opted_in_agencies=[], paper_copy_agencies=[], push_subscriptions=[])
CITIZENS = [READY, READER, OTHER]


@dataclass(frozen=True)
class BoxWorld:
    url: str
    provider: IdentityProvider
    smtp: SmtpSink
    services: ServiceProcesses
    ops_ports: dict[str, int]
    """Each service's /metrics."""

    def browser_client(self) -> httpx2.AsyncClient:
        return httpx2.AsyncClient(base_url=self.url, timeout=20)


@contextmanager
def box_world(
    sandbox: Sandbox,
    log_dir: Path,
    citizens: list[Document] = CITIZENS,
    extra_env: Mapping[str, str] = {},
    run: tuple[str, ...] = WITH_BOX,
) -> Iterator[BoxWorld]:
    with ExitStack() as stack:
        smtp = stack.enter_context(smtp_sink())
        provider = stack.enter_context(identity_provider(citizens))
        port, smtp.bounce_port = free_port(), free_port()  # the sink bounces to the notifier's receiver
        url = f"http://127.0.0.1:{port}"
        env = {
            **sandbox.environment(),
            "BERICHTENBOX_SMTP_PORT": str(smtp.port),
            "BERICHTENBOX_SPOOL_DIR": str(log_dir / "spool"),
            "BERICHTENBOX_OIDC_ISSUER": provider.issuer,
            "BERICHTENBOX_PUBLIC_BASE_URL": url,
            "BERICHTENBOX_BOX_URL": f"{url}/berichten",
            **extra_env,
        }
        ops_ports = {service: free_port() for service in run}
        own = {
            "box": {"BERICHTENBOX_HTTP_PORT": str(port)},
            "notifier": {"BERICHTENBOX_BOUNCE_SMTP_PORT": str(smtp.bounce_port)},
        }
        env_of = {s: {**own.get(s, {}), "BERICHTENBOX_OPS_PORT": str(ops_ports[s])} for s in run}
        services = ServiceProcesses(env, log_dir, services=run, env_of=env_of)
        stack.enter_context(services)
        yield BoxWorld(url, provider, smtp, services, ops_ports)
