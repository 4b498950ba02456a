"""Claims left without an outcome (a notifier died between claim and send) are found and
settled: offered again as the next attempt, or ended when no attempt is left."""

from datetime import UTC, datetime, timedelta

from services.notifier.records import Outcome, Status
from services.notifier.unsettled import UnsettledClaimSweep
from shared.contracts.messages import Channel, NotifyCitizen
from tests.fakes.notifier import InMemoryNotificationLog, RecordingNotifierPublisher

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def command(message_id: str, attempt: int = 1) -> NotifyCitizen:
    return NotifyCitizen(
        notification_id=f"n-{message_id}",
        message_id=message_id,
        account_id="a-1",
        agency_id="uwv",
        delivered_at=START,
        channels=[Channel.EMAIL, Channel.PUSH],
        attempt=attempt,
    )


async def test_a_claim_without_an_outcome_is_offered_again_once_and_a_settled_one_is_left_alone() -> None:
    log, publisher, clock = InMemoryNotificationLog(), RecordingNotifierPublisher(), [START]
    sweep = UnsettledClaimSweep(
        log,
        publisher,
        retry_delays=(30, 120),
        stale_after=timedelta(minutes=10),
        look_back=timedelta(hours=1),
        batch=2,
        clock=lambda: clock[0],
    )
    for i, (message_id, attempt) in enumerate((("died", 1), ("sent", 1), ("died-late", 2), ("died-last", 3))):
        await log.claim(command(message_id, attempt), Channel.EMAIL, START + timedelta(seconds=i))
    await log.record("sent", Channel.EMAIL, "new_message", Outcome(Status.SENT, 1), START)
    clock[0] = START + timedelta(minutes=5)
    assert await sweep.run_once() == 0  # not stale yet: it may still be sending
    clock[0] = START + timedelta(minutes=11)
    assert await sweep.run_once() == 3  # over two pages of 2
    assert await sweep.run_once() == 0  # settled once
    offered = {(c.message_id, c.attempt, tuple(c.channels)): delay for c, delay in publisher.retries}
    assert offered == {("died", 2, (Channel.EMAIL,)): 30, ("died-late", 3, (Channel.EMAIL,)): 120}
    statuses = {key[0]: o.status for key, o in log.outcomes.items()}
    assert statuses == {"sent": "sent", "died": "retrying", "died-late": "retrying", "died-last": "technical-failure"}
