"""Rendered letters committed to the spool in groups, each with its own outcome; staged
letters a crash left behind swept."""

import asyncio
import os
import time
from pathlib import Path

from services.paper.spool import Spool, StagedLetter


def staged(spool: Spool, letter_id: str, content: bytes = b"%PDF-1.7") -> StagedLetter:
    path = spool.staging_path(letter_id)
    path.write_bytes(content)
    return StagedLetter(letter_id, path, "sha", len(content))


async def test_letters_finishing_together_are_committed_and_a_missing_file_fails_only_its_letter(
    tmp_path: Path,
) -> None:
    spool = commits = Spool(tmp_path, gather_seconds=0.05)
    lost = StagedLetter("lost", spool.staging_path("lost"), "sha", 1)  # its render never wrote it
    outcomes = await asyncio.gather(
        commits.commit(staged(spool, "one")),
        commits.commit(lost),
        commits.commit(staged(spool, "two", b"%PDF-2.0")),
        return_exceptions=True,
    )
    assert isinstance(outcomes[1], FileNotFoundError)
    assert [o.file for o in (outcomes[0], outcomes[2]) if not isinstance(o, BaseException)] == [
        "letters/one.pdf",
        "letters/two.pdf",
    ]
    assert spool.letter_path("two").read_bytes() == b"%PDF-2.0"
    assert sorted(p.name for p in spool.letters.iterdir()) == ["one.pdf", "two.pdf"]  # nothing staged is left


def test_a_sweep_removes_only_staged_letters_a_crash_left_behind_long_ago(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    left_behind, fresh = staged(spool, "crashed"), staged(spool, "rendering")
    long_ago = time.time() - 7200
    os.utime(left_behind.staged, (long_ago, long_ago))
    committed = staged(spool, "done")
    spool.commit_letter(*committed)
    os.utime(spool.letter_path("done"), (long_ago, long_ago))

    assert spool.sweep_staged(older_than_seconds=3600) == 1
    assert not left_behind.staged.exists()
    assert fresh.staged.exists()
    assert spool.letter_path("done").exists()
