"""Schemathesis against the box's API: cases generated from the committed OpenAPI document
(docs/openapi/box.json), sent to the running box with a real access token; every answer must
match the document (status, content type, schema) and none may be a server error."""

from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import positive_data_acceptance

from scripts.identity_provider import subject_of
from tests.e2e.box_world import READER, BoxWorld
from tests.support.identity import access_token

SCHEMA = schemathesis.openapi.from_path("docs/openapi/box.json")


def semantic_refusals(operation: Any) -> list[Any]:
    """A device's registration is refused (422) when its endpoint is not at an allowed push
    service or its key is not a point on P-256: neither is a JSON Schema's to say, so data the
    schema allows may be refused there. Every other check still runs on it."""
    return [positive_data_acceptance] if operation.label == "POST /api/v1/devices" else []


def exercise(operation: Any, url: str, headers: dict[str, str]) -> None:
    """Up to 15 generated cases of one operation, each answer validated against the document."""
    excluded = semantic_refusals(operation)

    @given(case=operation.as_strategy())
    @settings(
        max_examples=15,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
        derandomize=True,
    )
    def run(case: Any) -> None:
        case.call_and_validate(base_url=url, headers=headers, excluded_checks=excluded)

    run()


async def test_every_api_answer_matches_the_openapi_document(world: BoxWorld) -> None:
    token = await access_token(world.provider.issuer, subject_of(READER))
    headers = {"Authorization": f"Bearer {token}"}
    operations = [result.ok() for result in SCHEMA.get_all_operations() if isinstance(result, Ok)]
    checked: list[str] = []
    for operation in operations:
        exercise(operation, world.url, headers)
        checked.append(operation.label)
    assert len(checked) == len(operations) >= 9, checked
