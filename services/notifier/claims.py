"""At most one notification per (message, channel, kind): claimed in MongoDB before sending."""

from datetime import UTC, datetime

from pymongo.errors import DuplicateKeyError

from shared.ids import derived_id
from shared.messages import Channel, NotifyCitizen
from shared.mongo import Collections, Database


class MongoNotificationClaims:
    def __init__(self, db: Database) -> None:
        self._notifications = db[Collections.NOTIFICATIONS]

    async def claim(self, command: NotifyCitizen, channel: Channel) -> bool:
        """True if this call claimed the send; False if an earlier delivery already did."""
        try:
            await self._notifications.insert_one(
                {
                    "_id": derived_id(command.notification_id, channel.value),
                    "message_id": command.message_id,
                    "channel": channel.value,
                    "kind": command.kind,
                    "status": "claimed",
                    "claimed_at": datetime.now(UTC),
                }
            )
        except DuplicateKeyError:
            return False
        return True
