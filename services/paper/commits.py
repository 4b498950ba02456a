"""Rendered letters made durable together: the staged files of the letters that finish while
one group is being fsynced go to the disk in one thread hop instead of one hop each.

A file that cannot be committed fails only its own letter."""

import asyncio
from pathlib import Path
from typing import NamedTuple

from services.paper.spool import Spool, SpooledLetter
from shared.runtime.grouping import GroupCommit, Request

MAX_LETTERS = 100


class StagedLetter(NamedTuple):
    letter_id: str
    staged: Path
    sha256: str
    size: int


class GroupedSpoolCommits(GroupCommit[StagedLetter, SpooledLetter]):
    def __init__(self, spool: Spool, gather_seconds: float = 0.0) -> None:
        super().__init__(MAX_LETTERS, gather_seconds)
        self._spool = spool

    async def commit(self, letter: StagedLetter) -> SpooledLetter:
        """fsync the staged file and move it into place (see `Spool.commit_letter`)."""
        return await self._submit([letter])

    async def _run(self, group: list[Request[StagedLetter, SpooledLetter]]) -> None:
        # the event loop keeps serving the other letters meanwhile
        outcomes = await asyncio.to_thread(self._commit_all, [request.items[0] for request in group])
        for request, outcome in zip(group, outcomes, strict=True):
            if isinstance(outcome, OSError):
                request.fail(outcome)
            else:
                request.answer(outcome)

    def _commit_all(self, letters: list[StagedLetter]) -> list[SpooledLetter | OSError]:
        outcomes: list[SpooledLetter | OSError] = []
        for letter in letters:
            try:
                outcomes.append(self._spool.commit_letter(*letter))
            except OSError as error:
                outcomes.append(error)
        return outcomes
