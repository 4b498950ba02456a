"""The contracts between agencies and services, and between services (version 1).

Commands are imperative (`PrintLetter`), events past tense (`MessagesAccepted`). Only ids and
small facts travel; the message itself lives in MongoDB. Every model forbids unknown fields.
"""

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from shared.contracts.bsn import BsnField

MAX_SUBJECT_LENGTH = 200
MAX_BODY_LENGTH = 50_000
MAX_CALL_TO_ACTION_LENGTH = 300
MAX_REFERENCE_LENGTH = 100
MAX_ATTACHMENTS = 10
MAX_ATTACHMENT_BYTES = 500 * 1024
MAX_BATCH_SIZE = 1000


class Contract(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: Literal[1] = 1


# --- agency -> ingest ------------------------------------------------------------------------


class CallToAction(Contract):
    """The "handelingsperspectief": what the citizen should do, and by when."""

    text: str = Field(min_length=1, max_length=MAX_CALL_TO_ACTION_LENGTH)
    deadline: date | None = None


class Attachment(Contract):
    filename: str = Field(min_length=1, max_length=120)
    content_base64: str = Field(min_length=1)


class Submission(Contract):
    """One message from an agency to one citizen."""

    reference: str = Field(min_length=1, max_length=MAX_REFERENCE_LENGTH)
    """The agency's own reference: the idempotency key, shown to the citizen and printed on
    the letter. Required: an AMQP message id is no key, as clients fill in a random one."""
    agency: str | None = None
    """Optional claim of the sending agency; must match the authenticated broker user."""
    recipient_bsn: BsnField
    message_type: str = Field(min_length=1, max_length=64)
    subject: str = Field(min_length=1, max_length=MAX_SUBJECT_LENGTH)
    body: str = Field(min_length=1, max_length=MAX_BODY_LENGTH)
    call_to_action: CallToAction | None = None
    attachments: list[Attachment] = Field(default_factory=list, max_length=MAX_ATTACHMENTS)
    paper_copy_requested: bool = False


class SubmissionBatch(Contract):
    """Up to 1,000 submissions in one AMQP message (mass mailings); each needs a reference.
    The items are checked one by one as `Submission`s, so one bad item rejects only itself;
    the size limit is ingest's setting (`BERICHTENBOX_MAX_BATCH_SIZE`)."""

    submissions: list[object] = Field(min_length=1)


class ReceiptStatus(StrEnum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"
    DELIVERED_TO_BOX = "delivered_to_box"
    SENT_ON_PAPER = "sent_on_paper"
    UNDELIVERABLE = "undeliverable"


class Reason(Contract):
    code: str
    field: str | None = None
    detail: str


class Receipt(Contract):
    """What an agency learns about its submission. Never anything about reading."""

    receipt_id: str
    status: ReceiptStatus
    agency_reference: str | None = None
    message_id: str | None = None
    original_message_id: str | None = None
    reasons: list[Reason] = Field(default_factory=list)
    issued_at: datetime
    correlation_id: str | None = Field(
        default=None,
        description="of the submission it answers: its AMQP correlation id, else its AMQP message id",
    )


class Receipts(Contract):
    """Receipts that go to one agency at once: those of a batch submission, of single
    submissions handled together, or the delivery receipts of messages routed together; each
    names its submission's correlation id. A receipt alone travels as a `Receipt`; an
    agency's receipts queue carries both (see `receipts_in`)."""

    receipts: list[Receipt] = Field(min_length=2, max_length=2 * MAX_BATCH_SIZE)


RECEIPT_MESSAGE: TypeAdapter[Receipt | Receipts] = TypeAdapter(Receipt | Receipts)


def receipts_in(body: bytes) -> list[Receipt]:
    """What one message from an agency's receipts queue says: one receipt, or several."""
    found = RECEIPT_MESSAGE.validate_json(body)
    return found.receipts if isinstance(found, Receipts) else [found]


# --- between services ------------------------------------------------------------------------


class MessagesAccepted(Contract):
    """Messages of one agency that ingest stored: a batch submission's, or those of single
    submissions that arrived together (up to 1,000). The router routes them together, with one
    insert for their routes."""

    agency_id: str
    message_ids: list[str] = Field(min_length=1, max_length=MAX_BATCH_SIZE)


class Channel(StrEnum):
    EMAIL = "email"
    PUSH = "push"


class NotifyCitizen(Contract):
    notification_id: str
    message_id: str
    account_id: str = Field(description="the routed account: whom to notify, so the notifier need not read the route")
    agency_id: str = Field(description="the sender, whom the notification names")
    call_to_action: CallToAction | None = Field(
        default=None,
        description="what the citizen should do and by when, as the notification tells it: "
        "with the sender, all a notification says of its message, so the notifier reads no message",
    )
    delivered_at: datetime = Field(description="when the message reached the box; the reminder counts from it")
    channels: list[Channel] = Field(min_length=1)
    kind: Literal["new_message", "reminder", "helper_new_message"] = "new_message"
    grant_id: str | None = Field(
        default=None,
        description="helper_new_message only: the machtiging through which the helper (account_id) opens the box; "
        "the notice names neither the box's owner nor the message",
    )
    rung: Literal["deadline", "three_weeks"] | None = Field(
        default=None, description="reminder only: which reminder of the ladder (before the deadline, after three weeks)"
    )
    attempt: int = Field(default=1, ge=1, description="1 for the first try; retries come back through delay queues")
    correlation_id: str | None = Field(
        default=None,
        description="the trace id of its submission (ours, never the agency's correlation id), for the notifier's logs",
    )

    @property
    def logged_as(self) -> str:
        """The kind as claims and outcomes are keyed: per helper for a helper's notice, as
        several helpers of one box are each told of the same message."""
        if self.kind == "helper_new_message":
            return f"helper:{self.account_id}"
        return f"reminder:{self.rung}" if self.kind == "reminder" and self.rung else self.kind


class NotifyCitizens(Contract):
    """The notifications of one routed event, or the one of a retry or a reminder. The notifier
    handles them together; one that fails holds up none of the others."""

    notifications: list[NotifyCitizen] = Field(min_length=1, max_length=MAX_BATCH_SIZE)


class PrintLetter(Contract):
    letter_id: str
    message_id: str
    account_id: str | None = Field(description="the routed account, whose address the letter goes to (None: none)")
    copy_of_box_message: bool = False
    purpose: Literal["route", "catch_up", "safety_net"] = Field(
        default="route",
        description="route: the router's decision (the agency gets a receipt); catch_up: an unopened box message "
        "printed because the citizen turned digital post off; safety_net: one still unopened after the days the "
        "citizen chose (both the box's commands; no receipt: the agency must not learn that it was unopened)",
    )


class PrintRecoveryLetter(Contract):
    """From the box: a letter that says only that post waits in the citizen's Berichtenbox, and
    from whom; for a citizen no notification reaches (contact recovery). Never a subject or
    content, and no receipt: an agency must not learn that its message was unopened."""

    letter_id: str
    account_id: str = Field(description="whose address the letter goes to")
    agency_ids: list[str] = Field(min_length=1, max_length=100, description="the senders of the unopened post")


class BoxDelivery(Contract):
    """One message the router put in a citizen's box: ids and small facts, never content."""

    message_id: str
    account_id: str
    agency_id: str
    delivered_at: datetime
    paper_copy: bool = Field(description="a printed copy was also sent")


class MessagesDeliveredToBox(Contract):
    """From the router: the box deliveries of one routed event. The box files each once."""

    deliveries: list[BoxDelivery] = Field(min_length=1, max_length=MAX_BATCH_SIZE)


class MessageOpened(Contract):
    """From the citizen side: the citizen opened the message in the box (never told to agencies)."""

    message_id: str
    opened_at: datetime


# --- citizen side -> router: account events, ordered per citizen by `sequence` ---------------


class AccountEvent(Contract):
    bsn: BsnField
    sequence: int = Field(ge=1, description="monotonic per citizen; stale events are ignored")


class AccountActivated(AccountEvent):
    event: Literal["account_activated"] = "account_activated"


class EmailLinked(AccountEvent):
    event: Literal["email_linked"] = "email_linked"
    email: str | None = Field(description="None unlinks the address")


class PreferencesChanged(AccountEvent):
    event: Literal["preferences_changed"] = "preferences_changed"
    opted_in_agencies: list[str]
    paper_copy_agencies: list[str]
    reminder_opt_in: bool
    deadline_reminders: bool = Field(default=True, description="a reminder before a call to action's deadline")
    safety_net_days: Literal[14, 21, 28] | None = Field(
        default=None, description="print what is still unopened after this many days (None: off)"
    )


class PushSubscriptionsChanged(AccountEvent):
    event: Literal["push_subscriptions_changed"] = "push_subscriptions_changed"
    subscriptions: list[dict[str, object]]


class GuardianshipChanged(AccountEvent):
    event: Literal["guardianship_changed"] = "guardianship_changed"
    guardianship: Literal["bewind", "curatele", "mentorschap"] | None


class RepresentationDigitalChanged(AccountEvent):
    """The citizen's registered legal representative (bewind, curatele, mentorschap) chose
    digital post for them, or paper again; from the box. The representative reads the box
    through their own login; the router's route records the rule that fired."""

    event: Literal["representation_digital_changed"] = "representation_digital_changed"
    digital: bool


class PushSubscriptionGone(Contract):
    """From the notifier: the push service answered 404/410, so the app registration is gone.
    Not ordered by sequence: removing an endpoint is idempotent."""

    event: Literal["push_subscription_gone"] = "push_subscription_gone"
    account_id: str
    endpoint: str


class EmailNotWorking(Contract):
    """From the notifier: mail to the account's address failed permanently three times in a
    row (SMTP 5xx). The router marks the address not working while it is still the account's;
    a confirmed new address clears it. Names the address by its SHA-256 only."""

    event: Literal["email_not_working"] = "email_not_working"
    account_id: str
    address_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


AnyAccountEvent = Annotated[
    AccountActivated
    | EmailLinked
    | PreferencesChanged
    | PushSubscriptionsChanged
    | GuardianshipChanged
    | RepresentationDigitalChanged
    | PushSubscriptionGone
    | EmailNotWorking,
    Field(discriminator="event"),
]
