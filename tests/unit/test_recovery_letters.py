"""The recovery sweep through fakes: one letter per box naming every sender of unopened post,
then none for thirty days; killed at any step, the next run prints nothing twice and skips
nothing."""

from datetime import UTC, datetime, timedelta

import pytest

from services.box.messages.records import FiledFor
from services.box.messages.recovery_letters import RecoveryLetters
from services.box.messages.recovery_log import Sent
from services.box.messages.recovery_rules import GRACE, INTERVAL, Reach, Told, Waiting
from shared.contracts.messages import PrintRecoveryLetter

DELIVERED = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
NO_CHANNEL = FiledFor(None, Reach(activated=True, working_email=False, devices=False))


class Killed(Exception):
    pass


class Store:
    """Entries that asked for a letter (due when `due[id] <= now`), the log, the letters."""

    def __init__(self) -> None:
        self.due: dict[str, datetime | None] = {}
        self.waiting: dict[str, Waiting] = {}
        self.sent = Sent(0, None)
        self.printed: list[PrintRecoveryLetter] = []
        self.kill_at: str | None = None

    def deliver(self, message_id: str, agency: str, at: datetime) -> None:
        self.waiting[message_id] = Waiting(message_id, agency, at, False, False, False)
        self.due[message_id] = at + GRACE

    async def recovery_due(self, now: datetime, limit: int) -> dict[str, list[Waiting]]:
        due = [self.waiting[m] for m, at in self.due.items() if at is not None and at <= now]
        return {"a-1": due} if due else {}

    async def recovery_later(self, message_ids: list[str], until: datetime) -> None:
        self.due |= dict.fromkeys(message_ids, until)

    async def recovery_done(self, message_ids: list[str]) -> None:
        self._maybe_killed("done")
        self.due |= dict.fromkeys(message_ids, None)

    async def unopened_senders(self, account_id: str) -> set[str]:
        return {"rdw"}  # older unopened post, which asked for no letter itself

    async def of(self, account_ids: list[str]) -> dict[str, FiledFor]:
        return dict.fromkeys(account_ids, NO_CHANNEL)

    async def log_of(self, account_id: str) -> Sent:
        return self.sent

    async def log_sent(self, account_id: str, before: Sent, letter: Told) -> None:
        self._maybe_killed("sent")
        if self.sent == before:
            self.sent = Sent(before.letters + 1, letter)

    async def publish(self, command: PrintRecoveryLetter) -> None:
        self.printed.append(command)
        self._maybe_killed("published")

    def _maybe_killed(self, step: str) -> None:
        if self.kill_at == step:
            self.kill_at = None
            raise Killed(step)


class Log:
    def __init__(self, store: Store) -> None:
        self.of, self.sent = store.log_of, store.log_sent


def sweep(store: Store, now: list[datetime]) -> RecoveryLetters:
    return RecoveryLetters(store, store, Log(store), store.publish, lambda: now[0])  # type: ignore[arg-type]


async def test_one_letter_names_every_sender_then_none_for_thirty_days() -> None:
    store, now = Store(), [DELIVERED + GRACE]
    store.deliver("m-1", "belastingdienst", DELIVERED)
    store.deliver("m-2", "uwv", DELIVERED)
    assert await sweep(store, now).run_once() == 1
    [letter] = store.printed
    assert (letter.account_id, letter.agency_ids) == ("a-1", ["belastingdienst", "rdw", "uwv"])
    store.deliver("m-3", "belastingdienst", DELIVERED + timedelta(days=3))
    now[0] = DELIVERED + timedelta(days=5) + GRACE
    assert await sweep(store, now).run_once() == 0  # within thirty days: it waits
    assert store.due["m-3"] == DELIVERED + GRACE + INTERVAL
    now[0] = DELIVERED + GRACE + INTERVAL
    assert await sweep(store, now).run_once() == 1  # then goes, as a new letter
    assert len({letter.letter_id for letter in store.printed}) == 2


@pytest.mark.parametrize("step", ["published", "sent", "done"])
async def test_a_sweep_killed_at_any_step_prints_nothing_twice_and_skips_nothing(step: str) -> None:
    store, now = Store(), [DELIVERED + GRACE]
    store.deliver("m-1", "belastingdienst", DELIVERED)
    store.kill_at = step
    with pytest.raises(Killed):
        await sweep(store, now).run_once()
    await sweep(store, now).run_once()
    assert await sweep(store, now).run_once() == 0
    assert len({letter.letter_id for letter in store.printed}) == 1  # published again at most, under one id
    assert store.sent.letters == 1 and store.due["m-1"] is None
