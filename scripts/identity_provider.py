"""A real OpenID Connect provider process for development, the demo and the tests
(scripts/identity_server.py: oidc-provider-mock from PyPI, with token introspection), with
test citizens whose BSNs come from the population generator. Their subjects are pseudonyms;
the BSN travels as the `bsn` claim.

Run: python -m scripts.identity_provider [--port 9400] [--citizens 20] (prints who can log in)
"""

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from scripts.ports import free_port
from shared.storage.mongo import Document


def subject_of(account: Document) -> str:
    """The provider's pseudonymous subject of a test citizen (the BSN travels as a claim)."""
    return f"burger-{account['_id'][:8]}"


@dataclass
class IdentityProvider:
    issuer: str
    args: list[str] = field(default_factory=list)
    process: "subprocess.Popen[bytes] | None" = None

    def start(self) -> None:
        """Start it (again, on the same port: for the chaos suite's provider outage)."""
        self.process = subprocess.Popen(self.args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{self.issuer}/.well-known/openid-configuration", timeout=1)  # noqa: S310
                return
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError("the OIDC provider (scripts.identity_server) did not start") from None
                time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@contextmanager
def identity_provider(citizens: list[Document], token_seconds: int = 3600) -> Iterator[IdentityProvider]:
    port = free_port()
    provider = IdentityProvider(
        f"http://127.0.0.1:{port}", [*command(port, citizens), "--token-seconds", str(token_seconds)]
    )
    try:
        provider.start()
        yield provider
    finally:
        provider.stop()


def command(port: int, citizens: list[Document], host: str = "127.0.0.1") -> list[str]:
    args = [sys.executable, "-m", "scripts.identity_server", "--host", host, "--port", str(port)]
    for citizen in citizens:
        claims = {"sub": subject_of(citizen), "bsn": citizen["bsn"], "name": citizen.get("name", "")}
        args += ["--user-claims", json.dumps(claims)]
    return args


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=9400)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--citizens", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    # the server takes this process's place, so stopping this process stops it (scripts/identity.sh)
    server = command(args.port, development_citizens(args.citizens, args.seed), args.host)
    os.execv(server[0], server)  # noqa: S606


def development_citizens(count: int = 20, seed: int = 7) -> list[Document]:
    """The citizens the development provider knows: the first accounts (with a box) of the
    population `make serve` seeds."""
    from tools.population import population

    return [a for a in population(max(count * 3, 100), seed) if a["state"] != "none"][:count]


if __name__ == "__main__":
    main()
