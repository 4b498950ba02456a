"""Writes docs/openapi/box.json, the box API's OpenAPI 3 document, from the code (the same
document the box serves at /api/v1/openapi.json); a test fails when the committed copy drifts."""

import json
from pathlib import Path

from services.box.main import create_api
from services.box.settings import BoxSettings

PATH = Path("docs/openapi/box.json")


def document() -> str:
    return json.dumps(create_api(BoxSettings()).openapi(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main() -> None:
    PATH.parent.mkdir(parents=True, exist_ok=True)
    PATH.write_text(document(), encoding="utf-8")
    print(f"wrote {PATH}")


if __name__ == "__main__":
    main()
