"""Writes the AsyncAPI 3.0 document of every service to docs/asyncapi/<service>.json (what
`faststream docs gen` produces, with a fixed server address so the files do not depend on
the environment). A test fails when they drift from the code.

Run: make asyncapi
"""

import json
from collections.abc import Callable
from pathlib import Path

from faststream import FastStream
from faststream.specification import AsyncAPI

from services.box.main import create_api as box
from services.box.settings import BoxSettings
from services.ingest.main import create_app as ingest
from services.ingest.settings import IngestSettings
from services.notifier.main import create_app as notifier
from services.notifier.settings import NotifierSettings
from services.paper.main import create_app as paper
from services.paper.settings import PaperSettings
from services.router.main import create_app as router
from services.router.settings import RouterSettings

DOCS = Path("docs/asyncapi")
SERVER = "amqp://rabbitmq:5672/"


def box_as_faststream() -> FastStream:
    """The box is a FastAPI app; its broker is described like the others'."""
    broker = box(BoxSettings(rabbitmq_url=SERVER)).state.broker
    description = "The citizen's Berichtenbox: files box deliveries, tells of openings and account changes."
    return FastStream(broker, specification=AsyncAPI(title="Berichtenbox box", version="1", description=description))


def documents() -> dict[str, str]:
    apps: dict[str, Callable[[], FastStream]] = {
        "ingest": lambda: ingest(IngestSettings(rabbitmq_url=SERVER)),
        "router": lambda: router(RouterSettings(rabbitmq_url=SERVER)),
        "notifier": lambda: notifier(NotifierSettings(rabbitmq_url=SERVER)),
        "paper": lambda: paper(PaperSettings(rabbitmq_url=SERVER)),
        "box": lambda: box_as_faststream(),
    }
    return {
        name: json.dumps(
            json.loads(factory().schema.to_specification().to_json()), indent=2, sort_keys=True, ensure_ascii=False
        )
        + "\n"
        for name, factory in apps.items()
    }


def main() -> None:
    DOCS.mkdir(parents=True, exist_ok=True)
    for name, text in documents().items():
        (DOCS / f"{name}.json").write_text(text, encoding="utf-8")
    print(f"wrote {', '.join(f'{DOCS}/{n}.json' for n in documents())}")


if __name__ == "__main__":
    main()
