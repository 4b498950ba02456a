from pydantic import Field

from shared.messages import MAX_BATCH_SIZE
from shared.settings import ServiceSettings


class IngestSettings(ServiceSettings):
    service_name: str = "ingest"
    max_batch_size: int = Field(default=MAX_BATCH_SIZE, ge=1, le=MAX_BATCH_SIZE)
    rejected_payload_cap: int = Field(default=64 * 1024, ge=0, description="bytes of a rejected payload kept")
