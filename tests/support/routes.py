from datetime import UTC, datetime

from shared.messages import Channel
from shared.mongo import Collections, Database


async def store_route(
    db: Database,
    message_id: str,
    account_id: str,
    *,
    box: bool = True,
    paper: bool = False,
    channels: tuple[Channel, ...] = (Channel.EMAIL,),
    routed_at: datetime | None = None,
) -> None:
    """A route as the router stores it, for tests of the services after it."""
    await db[Collections.ROUTES].insert_one(
        {
            "_id": message_id,
            "box": box,
            "paper": paper,
            "channels": [c.value for c in channels],
            "rules": ["opted_in" if box else "not_opted_in"],
            "account_id": account_id,
            "routed_at": routed_at or datetime.now(UTC),
        }
    )
