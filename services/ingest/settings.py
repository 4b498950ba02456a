from pydantic import Field

from shared.contracts.messages import MAX_BATCH_SIZE
from shared.runtime.settings import ServiceSettings


class IngestSettings(ServiceSettings):
    service_name: str = "ingest"
    max_batch_size: int = Field(default=MAX_BATCH_SIZE, ge=1, le=MAX_BATCH_SIZE)
    rejected_payload_cap: int = Field(default=64 * 1024, ge=0, description="bytes of a rejected payload kept")
    submission_prefetch_count: int = Field(
        default=64,
        ge=1,
        description="submissions taken from the queue at once: the more, the larger the groups that single "
        "submissions share (inserts, events, receipts); what is worked on is bounded by bytes instead",
    )
    submission_bytes_in_work: int = Field(
        default=8 * 1024 * 1024,
        ge=1,
        description="bytes of submissions parsed and handled at once (a batch of 1,000 weighs about ten times its "
        "size once parsed); a larger submission is handled alone",
    )
    unannounced_after_seconds: float = Field(
        default=600.0, gt=0, description="a stored message with no route this old is announced again"
    )
    unannounced_look_back_seconds: float = Field(
        default=86400.0, gt=0, description="how far back a freshly started ingest sweeps stored messages"
    )
    unannounced_sweep_seconds: float = Field(default=60.0, gt=0)
