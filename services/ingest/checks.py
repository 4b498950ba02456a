"""Pure intake rules: bytes in, valid submissions or precise rejections out. No I/O.

Every rejection carries a reason code and, where it concerns one field, the field's path.
"""

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import ValidationError

from shared.contracts.agencies import Agency
from shared.contracts.messages import MAX_ATTACHMENT_BYTES, Reason, Submission, SubmissionBatch


class Codes:
    UNAUTHENTICATED = "unauthenticated"
    IMPERSONATION = "impersonation"
    WRONG_ENCODING = "wrong_encoding"
    MALFORMED_JSON = "malformed_json"
    BATCH_TOO_LARGE = "batch_too_large"
    UNKNOWN_FIELD = "unknown_field"
    MISSING_FIELD = "missing_field"
    MISSING_REFERENCE = "missing_reference"
    INVALID_FIELD = "invalid_field"
    INVALID_BSN = "invalid_bsn"
    TOO_LONG = "too_long"
    TOO_MANY_ATTACHMENTS = "too_many_attachments"
    ATTACHMENT_NOT_BASE64 = "attachment_not_base64"
    ATTACHMENT_TOO_LARGE = "attachment_too_large"
    ATTACHMENT_NOT_PDF = "attachment_not_pdf"
    MESSAGE_TYPE_NOT_ALLOWED = "message_type_not_allowed"
    DEADLINE_IN_PAST = "deadline_in_past"


@dataclass(frozen=True)
class Rejected:
    reasons: tuple[Reason, ...]
    reference: str | None = None


@dataclass(frozen=True)
class Payload:
    items: list[Any]
    is_batch: bool


@dataclass(frozen=True)
class Valid:
    submission: Submission
    reference: str


def reject(code: str, detail: str, field: str | None = None, reference: str | None = None) -> Rejected:
    return Rejected((Reason(code=code, field=field, detail=detail),), reference)


def parse_payload(body: bytes, *, max_batch: int) -> Payload | Rejected:
    """The submissions in one AMQP body: a single object, or `{"submissions": [...]}`."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        return reject(Codes.WRONG_ENCODING, f"body is not UTF-8 (byte {exc.start})")
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        return reject(Codes.MALFORMED_JSON, f"not valid JSON: {exc}"[:200])
    if not isinstance(data, dict):
        return reject(Codes.MALFORMED_JSON, "the body must be a JSON object")
    if "submissions" not in data:
        return Payload([data], is_batch=False)
    try:
        items = SubmissionBatch.model_validate(data).submissions
    except ValidationError:
        return reject(Codes.INVALID_FIELD, 'a batch is exactly {"submissions": [non-empty list]}', "submissions")
    if len(items) > max_batch:
        return reject(Codes.BATCH_TOO_LARGE, f"{len(items)} submissions; at most {max_batch}", "submissions")
    return Payload(items, is_batch=True)


_PYDANTIC_CODES = {
    "extra_forbidden": Codes.UNKNOWN_FIELD,
    "missing": Codes.MISSING_FIELD,
    "string_too_long": Codes.TOO_LONG,
    "invalid_bsn": Codes.INVALID_BSN,
}


def _reasons_from(error: ValidationError) -> tuple[Reason, ...]:
    reasons = []
    for e in error.errors():
        field = ".".join(str(p) for p in e["loc"]) or None
        code = _PYDANTIC_CODES.get(e["type"], Codes.INVALID_FIELD)
        if e["type"] == "too_long" and field == "attachments":
            code = Codes.TOO_MANY_ATTACHMENTS
        reasons.append(Reason(code=code, field=field, detail=e["msg"]))
    return tuple(reasons)


def check_submission(item: Any, agency: Agency, *, fallback_reference: str | None, today: date) -> Valid | Rejected:
    """Validate one submission for `agency`, the authenticated sender."""
    if not isinstance(item, dict):
        return reject(Codes.INVALID_FIELD, "each submission must be a JSON object")
    claimed_reference = item.get("reference")
    reference = claimed_reference if isinstance(claimed_reference, str) and claimed_reference else fallback_reference
    try:
        submission = Submission.model_validate(item)
    except ValidationError as error:
        return Rejected(_reasons_from(error), reference)
    if reference is None:
        return reject(Codes.MISSING_REFERENCE, "give `reference` in the body or the AMQP message_id", "reference")
    problems = list(_rule_violations(submission, agency, today))
    return Rejected(tuple(problems), reference) if problems else Valid(submission, reference)


def _rule_violations(submission: Submission, agency: Agency, today: date) -> Any:
    if submission.agency is not None and submission.agency != agency.agency_id:
        yield Reason(code=Codes.IMPERSONATION, field="agency", detail="an agency can only send as itself")
    if submission.message_type not in agency.allowed_message_types:
        yield Reason(
            code=Codes.MESSAGE_TYPE_NOT_ALLOWED,
            field="message_type",
            detail=f"{agency.agency_id} may send: {', '.join(sorted(agency.allowed_message_types))}",
        )
    action = submission.call_to_action
    if action is not None and action.deadline is not None and action.deadline < today:
        yield Reason(code=Codes.DEADLINE_IN_PAST, field="call_to_action.deadline", detail="deadline lies in the past")
    for i, attachment in enumerate(submission.attachments):
        yield from _attachment_violations(attachment.content_base64, f"attachments.{i}.content_base64")


def _attachment_violations(content_base64: str, field: str) -> Any:
    try:
        content = base64.b64decode(content_base64, validate=True)
    except (binascii.Error, ValueError):
        yield Reason(code=Codes.ATTACHMENT_NOT_BASE64, field=field, detail="not valid base64")
        return
    if len(content) > MAX_ATTACHMENT_BYTES:
        yield Reason(
            code=Codes.ATTACHMENT_TOO_LARGE, field=field, detail=f"{len(content)} bytes; at most {MAX_ATTACHMENT_BYTES}"
        )
    if not content.startswith(b"%PDF-"):
        yield Reason(code=Codes.ATTACHMENT_NOT_PDF, field=field, detail="attachments must be PDF documents")
