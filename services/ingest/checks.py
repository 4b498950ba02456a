"""Pure intake rules: bytes in, valid submissions or precise rejections out. No I/O.

Every rejection carries a reason code and, where it concerns one field, the field's path
(`submissions.2.recipient_bsn` for an item of a batch). At most `MAX_REASONS` reasons are
given, then one `too_many_errors`. The contract is strict: no coercion of strings to
booleans, numbers or dates other than ISO dates.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import ValidationError

from services.ingest.attachments import attachment_violations
from services.ingest.characters import control_characters, unprintable_characters
from shared.contracts.agencies import Agency
from shared.contracts.messages import Reason, Submission, SubmissionBatch
from shared.contracts.printable import shown


class Codes:
    UNAUTHENTICATED = "unauthenticated"
    IMPERSONATION = "impersonation"
    WRONG_ENCODING = "wrong_encoding"
    MALFORMED_JSON = "malformed_json"
    BATCH_TOO_LARGE = "batch_too_large"
    UNKNOWN_FIELD = "unknown_field"
    MISSING_FIELD = "missing_field"
    MISSING_REFERENCE = "missing_reference"
    DUPLICATE_REFERENCE = "duplicate_reference"
    INVALID_FIELD = "invalid_field"
    INVALID_BSN = "invalid_bsn"
    TOO_LONG = "too_long"
    CONTROL_CHARACTER = "control_character"
    UNPRINTABLE_CHARACTER = "unprintable_character"
    TOO_MANY_ATTACHMENTS = "too_many_attachments"
    ATTACHMENT_NOT_BASE64 = "attachment_not_base64"
    ATTACHMENT_TOO_LARGE = "attachment_too_large"
    ATTACHMENT_NOT_PDF = "attachment_not_pdf"
    MESSAGE_TYPE_NOT_ALLOWED = "message_type_not_allowed"
    PAPER_COPY_NOT_ALLOWED = "paper_copy_not_allowed"
    DEADLINE_IN_PAST = "deadline_in_past"
    TOO_MANY_ERRORS = "too_many_errors"


MAX_REASONS = 50
PRINTED_FIELDS = ("reference", "subject", "body")
"""Fields a letter prints, beside `call_to_action.text`."""


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

    @property
    def reference(self) -> str:
        return self.submission.reference


def reject(code: str, detail: str, field: str | None = None, reference: str | None = None) -> Rejected:
    return Rejected((Reason(code=code, field=field, detail=detail),), reference)


Found = tuple[str, str | None, str]
"""A problem before it becomes a `Reason`: code, field path, detail."""


def capped(found: Iterable[Found]) -> tuple[Reason, ...]:
    """The first `MAX_REASONS` as reasons, then one `too_many_errors` that counts the rest
    (made only for those shown: a body can hold hundreds of thousands of problems)."""
    reasons: list[Reason] = []
    more = 0
    for code, field, detail in found:
        if len(reasons) < MAX_REASONS:
            reasons.append(Reason(code=code, field=None if field is None else shown(field), detail=shown(detail)))
        else:
            more += 1
    if more:
        reasons.append(Reason(code=Codes.TOO_MANY_ERRORS, detail=f"{more} more problems not listed"))
    return tuple(reasons)


def parse_payload(body: bytes, *, max_batch: int) -> Payload | Rejected:
    """The submissions in one AMQP body: a single object, or `{"submissions": [...]}`."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        return reject(Codes.WRONG_ENCODING, f"body is not UTF-8 (byte {exc.start})")
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        return reject(Codes.MALFORMED_JSON, shown(f"not valid JSON: {exc}"[:200]))
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


def check_items(payload: Payload, agency: Agency, today: date) -> list[Valid | Rejected]:
    """Each item checked on its own; a reference repeated within the batch is rejected after
    its first use, which goes ahead."""
    outcomes: list[Valid | Rejected] = []
    seen: set[str] = set()
    for index, item in enumerate(payload.items):
        prefix = f"submissions.{index}." if payload.is_batch else ""
        outcome = check_submission(item, agency, today=today, prefix=prefix)
        if isinstance(outcome, Valid) and outcome.reference in seen:
            detail = "an earlier item of this batch has the same reference"
            outcome = reject(Codes.DUPLICATE_REFERENCE, detail, f"{prefix}reference", outcome.reference)
        elif isinstance(outcome, Valid):
            seen.add(outcome.reference)
        outcomes.append(outcome)
    return outcomes


_PYDANTIC_CODES = {
    "extra_forbidden": Codes.UNKNOWN_FIELD,
    "missing": Codes.MISSING_FIELD,
    "string_too_long": Codes.TOO_LONG,
    "invalid_bsn": Codes.INVALID_BSN,
}
_KNOWN_FIELDS = frozenset(Submission.model_fields)


def check_submission(item: Any, agency: Agency, *, today: date, prefix: str = "") -> Valid | Rejected:
    """Validate one submission for `agency`, the authenticated sender."""
    if not isinstance(item, dict):
        return reject(Codes.INVALID_FIELD, "each submission must be a JSON object", prefix.rstrip(".") or None)
    claimed = item.get("reference")
    reference = claimed if isinstance(claimed, str) and claimed else None
    found: list[Found] = [(code, f"{prefix}{field}", detail) for code, field, detail in control_characters(item)]
    unknown = [key for key in item if key not in _KNOWN_FIELDS]
    if len(unknown) > MAX_REASONS:  # not worth validating further: say what is wrong, quickly
        found += [(Codes.UNKNOWN_FIELD, f"{prefix}{key}", "extra inputs are not permitted") for key in unknown]
        return Rejected(capped(found), reference)
    try:
        submission = Submission.model_validate_json(json.dumps(item), strict=True)
    except ValidationError as error:
        return Rejected(capped(found + _found_in(error, prefix)), reference)
    found += _rule_violations(submission, agency, today, prefix)
    return Rejected(capped(found), reference) if found else Valid(submission)


def _found_in(error: ValidationError, prefix: str) -> list[Found]:
    found: list[Found] = []
    for e in error.errors(include_url=False, include_input=False):
        field = ".".join(str(p) for p in e["loc"])
        code = _PYDANTIC_CODES.get(e["type"], Codes.INVALID_FIELD)
        if e["type"] == "too_long" and field == "attachments":
            code = Codes.TOO_MANY_ATTACHMENTS
        if field == "reference" and e["type"] == "missing":
            code = Codes.MISSING_REFERENCE
        found.append((code, f"{prefix}{field}" if field else None, e["msg"]))
    return found


def _rule_violations(submission: Submission, agency: Agency, today: date, prefix: str) -> list[Found]:
    found: list[Found] = []
    if submission.agency is not None and submission.agency != agency.agency_id:
        found.append((Codes.IMPERSONATION, "agency", "an agency can only send as itself"))
    if submission.message_type not in agency.allowed_message_types:
        allowed = ", ".join(sorted(agency.allowed_message_types))
        found.append((Codes.MESSAGE_TYPE_NOT_ALLOWED, "message_type", f"{agency.agency_id} may send: {allowed}"))
    if submission.paper_copy_requested and not agency.paper_copy_allowed:
        detail = f"the registry does not allow {agency.agency_id} to send paper copies"
        found.append((Codes.PAPER_COPY_NOT_ALLOWED, "paper_copy_requested", detail))
    action = submission.call_to_action
    if action is not None and action.deadline is not None and action.deadline < today:
        found.append((Codes.DEADLINE_IN_PAST, "call_to_action.deadline", "deadline lies in the past"))
    printed = [(name, getattr(submission, name)) for name in PRINTED_FIELDS]
    if action is not None:
        printed.append(("call_to_action.text", action.text))
    for name, text in printed:
        found += [(Codes.UNPRINTABLE_CHARACTER, name, detail) for detail in unprintable_characters(text)]
    for i, attachment in enumerate(submission.attachments):
        field = f"attachments.{i}.content_base64"
        found += [(code, field, detail) for code, detail in attachment_violations(attachment.content_base64)]
    return [(code, f"{prefix}{field}", detail) for code, field, detail in found]
