"""Every reason code of the intake checks, from bytes to the reason and its field path."""

import json
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.ingest.checks import (
    MAX_REASONS,
    Codes,
    Payload,
    Rejected,
    Valid,
    check_items,
    check_submission,
    parse_payload,
)
from shared.contracts.agencies import Agency
from shared.contracts.messages import MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS, MAX_BODY_LENGTH, MAX_SUBJECT_LENGTH
from tests.support.samples import AGENCIES, BELASTINGDIENST, PDF, attachment, submission

TODAY = date.today()


def codes(outcome: Valid | Rejected) -> list[tuple[str, str | None]]:
    assert isinstance(outcome, Rejected), outcome
    return [(r.code, r.field) for r in outcome.reasons]


def check(item: Any, reference: str | None = "ref-1", agency: Agency = BELASTINGDIENST) -> Valid | Rejected:
    if isinstance(item, dict) and reference is not None:
        item = {"reference": reference, **item}
    return check_submission(item, agency, today=TODAY)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"\xff\xfe{}", Codes.WRONG_ENCODING),
        (b'{"subject": ', Codes.MALFORMED_JSON),
        (b"[1, 2]", Codes.MALFORMED_JSON),
        (b'{"submissions": []}', Codes.INVALID_FIELD),
        (b'{"submissions": [{}], "extra": 1}', Codes.INVALID_FIELD),
        (json.dumps({"submissions": [{}] * 3}).encode(), Codes.BATCH_TOO_LARGE),
    ],
)
def test_whole_payload_rejections(body: bytes, code: str) -> None:
    outcome = parse_payload(body, max_batch=2)
    assert isinstance(outcome, Rejected)
    assert outcome.reasons[0].code == code


def test_single_and_batch_payloads() -> None:
    single = parse_payload(json.dumps(submission()).encode(), max_batch=2)
    batch = parse_payload(json.dumps({"submissions": [submission(), submission()]}).encode(), max_batch=2)
    assert not isinstance(single, Rejected) and not single.is_batch and len(single.items) == 1
    assert not isinstance(batch, Rejected) and batch.is_batch and len(batch.items) == 2


def test_a_valid_submission() -> None:
    outcome = check(submission())
    assert isinstance(outcome, Valid)
    assert outcome.reference == "ref-1"
    assert outcome.submission.recipient_bsn.value == "111222333"


def test_the_body_carries_the_reference() -> None:
    outcome = check(submission(reference="body-ref"), reference=None)
    assert isinstance(outcome, Valid) and outcome.reference == "body-ref"


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        (submission(colour="blue"), [(Codes.UNKNOWN_FIELD, "colour")]),
        (submission(subject=None), [(Codes.MISSING_FIELD, "subject")]),
        (submission(recipient_bsn="123456789"), [(Codes.INVALID_BSN, "recipient_bsn")]),
        (submission(subject="x" * (MAX_SUBJECT_LENGTH + 1)), [(Codes.TOO_LONG, "subject")]),
        (submission(body="x" * (MAX_BODY_LENGTH + 1)), [(Codes.TOO_LONG, "body")]),
        (submission(attachments=[attachment()] * (MAX_ATTACHMENTS + 1)), [(Codes.TOO_MANY_ATTACHMENTS, "attachments")]),
        (submission(paper_copy_requested="please"), [(Codes.INVALID_FIELD, "paper_copy_requested")]),
        (submission(paper_copy_requested="true"), [(Codes.INVALID_FIELD, "paper_copy_requested")]),
        (submission(paper_copy_requested=1), [(Codes.INVALID_FIELD, "paper_copy_requested")]),
        (
            submission(call_to_action={"text": "Reageer", "deadline": 1893456000}),
            [(Codes.INVALID_FIELD, "call_to_action.deadline")],
        ),
        (submission(subject="Aanslag\u0000verborgen"), [(Codes.CONTROL_CHARACTER, "subject")]),
        (submission(body="Bel\u0007"), [(Codes.CONTROL_CHARACTER, "body")]),
        (submission(body="Regel één\r\nRegel twee"), [(Codes.CONTROL_CHARACTER, "body")]),
        (submission(body="Feest 🎉"), [(Codes.UNPRINTABLE_CHARACTER, "body")]),
        (submission(subject="税务"), [(Codes.UNPRINTABLE_CHARACTER, "subject")]),
        (submission(call_to_action={"text": "Betaal ➜ nu"}), [(Codes.UNPRINTABLE_CHARACTER, "call_to_action.text")]),
        (
            submission(**{"we\u0000ird": 1}),
            [(Codes.CONTROL_CHARACTER, "we\\u0000ird"), (Codes.UNKNOWN_FIELD, "we\\u0000ird")],
        ),
        (
            submission(attachments=[attachment(b"%PDF-1.7 and nothing else")]),
            [(Codes.ATTACHMENT_NOT_PDF, "attachments.0.content_base64")],
        ),
        (submission(agency="uwv"), [(Codes.IMPERSONATION, "agency")]),
        (submission(message_type="kentekenbewijs"), [(Codes.MESSAGE_TYPE_NOT_ALLOWED, "message_type")]),
        (
            submission(call_to_action={"text": "Reageer", "deadline": str(TODAY - timedelta(days=1))}),
            [(Codes.DEADLINE_IN_PAST, "call_to_action.deadline")],
        ),
        (
            submission(attachments=[{"filename": "a.pdf", "content_base64": "not base64!"}]),
            [(Codes.ATTACHMENT_NOT_BASE64, "attachments.0.content_base64")],
        ),
        (
            submission(attachments=[attachment(PDF + b"0" * MAX_ATTACHMENT_BYTES)]),
            [(Codes.ATTACHMENT_TOO_LARGE, "attachments.0.content_base64")],
        ),
        (
            submission(attachments=[attachment(), attachment(b"GIF89a")]),
            [(Codes.ATTACHMENT_NOT_PDF, "attachments.1.content_base64")],
        ),
        ("just a string", [(Codes.INVALID_FIELD, None)]),
    ],
)
def test_rejection_reasons(item: Any, expected: list[tuple[str, str | None]]) -> None:
    assert codes(check(item)) == expected


def test_missing_reference() -> None:
    assert codes(check(submission(), reference=None)) == [(Codes.MISSING_REFERENCE, "reference")]


def test_text_in_every_latin_letter_the_fonts_have_is_accepted() -> None:
    assert isinstance(check(submission(subject="Ĳsselmeer – café € 12,50 „Zoë“", body="Tab\tand\nnewline")), Valid)


def test_an_agency_the_registry_allows_no_paper_copies_cannot_ask_for_one() -> None:
    outcome = check(submission(message_type="kentekenbewijs", paper_copy_requested=True), agency=AGENCIES["rdw"])
    assert codes(outcome) == [(Codes.PAPER_COPY_NOT_ALLOWED, "paper_copy_requested")]
    assert isinstance(check(submission(paper_copy_requested=True)), Valid)  # Belastingdienst may


def test_reasons_are_capped_with_one_too_many_errors() -> None:
    outcome = check(submission(**{f"extra_{i}": i for i in range(300)}))
    assert isinstance(outcome, Rejected) and len(outcome.reasons) == MAX_REASONS + 1
    assert outcome.reasons[-1].code == Codes.TOO_MANY_ERRORS and "250 more" in outcome.reasons[-1].detail


def test_batch_items_name_their_place_and_a_repeated_reference_is_rejected_after_its_first_use() -> None:
    items = [
        submission(reference="a"),
        submission(reference="b", recipient_bsn="123456789"),
        "not an object",
        submission(),
        submission(reference="a"),
    ]
    outcomes = check_items(Payload(items, is_batch=True), BELASTINGDIENST, TODAY)
    assert isinstance(outcomes[0], Valid)
    assert [codes(o) for o in outcomes[1:]] == [
        [(Codes.INVALID_BSN, "submissions.1.recipient_bsn")],
        [(Codes.INVALID_FIELD, "submissions.2")],
        [(Codes.MISSING_REFERENCE, "submissions.3.reference")],
        [(Codes.DUPLICATE_REFERENCE, "submissions.4.reference")],
    ]


def test_several_problems_are_all_reported() -> None:
    item = submission(agency="uwv", message_type="kentekenbewijs")
    assert [c for c, _ in codes(check(item))] == [Codes.IMPERSONATION, Codes.MESSAGE_TYPE_NOT_ALLOWED]


@settings(max_examples=300)
@given(st.binary(max_size=600))
def test_arbitrary_bytes_never_crash_the_parser(body: bytes) -> None:
    payload = parse_payload(body, max_batch=5)
    if not isinstance(payload, Rejected):
        for item in payload.items:
            assert isinstance(check(item), Valid | Rejected)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300)
@given(st.dictionaries(st.sampled_from([*submission().keys(), "attachments", "agency", "x"]), json_values))
def test_arbitrary_json_objects_get_a_verdict(item: dict[str, Any]) -> None:
    outcome = check(item)
    assert isinstance(outcome, Valid) or outcome.reasons
