"""Check a Berichtenbox proof of notification (`bewijs-<id>.jws`): its signature under the
Berichtenbox's published keys, then print what it states. Exit status 0 only when it verifies.

The keys come from a file (a JWKS, as saved from the box) or from the box's well-known URL;
only an https URL, or http on this machine, is fetched.

Run: python -m tools.verify_proof bewijs-<id>.jws --keys https://mijn.berichtenbox.example/.well-known/berichtenbox-sleutels.json
"""

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import httpx2

from services.box.messages.proof import NotVerified, verified


def public_keys(source: str) -> dict[str, Any]:
    if source.startswith("https://") or source.startswith(("http://127.0.0.1", "http://localhost")):
        answer = httpx2.get(source, timeout=10)
        answer.raise_for_status()
        found: dict[str, Any] = answer.json()
        return found
    if source.startswith("http://"):
        raise SystemExit("keys are fetched only over https (or from this machine)")
    loaded: dict[str, Any] = json.loads(Path(source).read_text(encoding="utf-8"))
    return loaded


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("proof", type=Path)
    parser.add_argument("--keys", required=True, help="the JWKS file, or the box's well-known URL")
    args = parser.parse_args()
    try:
        claims = verified(args.proof.read_text(encoding="utf-8", errors="replace"), public_keys(args.keys))
    except NotVerified as error:
        print(f"NOT VERIFIED: {error}", file=sys.stderr)
        raise SystemExit(1) from None
    message = claims["bericht"]
    print(f"verified: signed by {claims['uitgever']} on {claims['afgegeven']}")
    print(f"message {message['id']} from {message['afzender_naam']} (kenmerk {message['kenmerk']})")
    print(f"in the box: {claims['afgeleverd']}")
    for n in claims["meldingen"]:
        print(f"notified: {n['kanaal']} ({n['soort']}) {n['uitkomst']} at {n['tijd']}")
    print(f"opened: {claims['geopend'] or 'not yet'}")


if __name__ == "__main__":
    main()
