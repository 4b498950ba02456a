"""The spool: a folder a print street can read. Letters live under a stable name derived
from the letter id; batches are folders with hard links to their letters and a manifest
(JSON and CSV). Everything is written under a temporary name and renamed into place, so a
crash never leaves a half-written file where a reader could find it.

Rendered letters are made durable together: the staged files of the letters that finish
while one group is being fsynced go to the disk in one thread hop instead of one hop each.
A file that cannot be committed fails only its own letter."""

import asyncio
import contextlib
import csv
import io
import json
import os
import shutil
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, NamedTuple

from shared.runtime.grouping import GroupCommit, Request

GROUPED_COMMITS = 100


@dataclass(frozen=True)
class SpooledLetter:
    file: str
    sha256: str
    size: int


class StagedLetter(NamedTuple):
    letter_id: str
    staged: Path
    sha256: str
    size: int


@dataclass(frozen=True)
class ManifestEntry:
    letter_id: str
    file: str
    sha256: str
    pages: int
    sheets: int
    postage: str
    copy_of_box_message: bool


class Spool:
    def __init__(self, root: Path, gather_seconds: float = 0.0) -> None:
        """`gather_seconds`: how long a rendered letter waits for others to be fsynced with."""
        self.root = root
        self.letters = root / "letters"
        self.batches = root / "batches"
        self._commits = _GroupedCommits(self, gather_seconds)

    async def commit(self, letter: StagedLetter) -> SpooledLetter:
        """`commit_letter`, grouped with the letters that finish meanwhile."""
        return await self._commits.commit(letter)

    def letter_path(self, letter_id: str) -> Path:
        return self.letters / f"{letter_id}.pdf"

    def staging_path(self, letter_id: str) -> Path:
        """Where a letter is written before it is committed (a name no reader looks at)."""
        path = self.letter_path(letter_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        return _temporary(path)

    def commit_letter(self, letter_id: str, staged: Path, sha256: str, size: int) -> SpooledLetter:
        """Make a staged letter durable (fsync) and move it into place."""
        path = self.letter_path(letter_id)
        _commit(staged, path)
        return SpooledLetter(file=str(path.relative_to(self.root)), sha256=sha256, size=size)

    def sweep_staged(self, older_than_seconds: float) -> int:
        """Remove staged letters a crash left behind (render written, never committed): no
        record names them, so no batch prints them. Only old ones: another paper process
        sharing the spool may be writing a fresh one right now."""
        cutoff, swept = time.time() - older_than_seconds, 0
        for staged in self.letters.glob(".*.tmp"):
            with contextlib.suppress(FileNotFoundError):  # swept by another process meanwhile
                if staged.stat().st_mtime < cutoff:
                    staged.unlink()
                    swept += 1
        return swept

    def write_batch(self, batch_id: str, entries: list[ManifestEntry], header: dict[str, Any]) -> Path:
        """The batch folder: each letter (hard-linked) plus manifest.json and manifest.csv."""
        final = self.batches / batch_id
        if final.exists():
            return final
        staging = self.batches / f".{batch_id}.tmp"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        for entry in entries:
            os.link(self.root / entry.file, staging / Path(entry.file).name)
        manifest = {**header, "letters": [asdict(e) | {"file": Path(e.file).name} for e in entries]}
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str), encoding="utf-8")
        (staging / "manifest.csv").write_text(_csv(entries), encoding="utf-8")
        staging.rename(final)
        return final


def _csv(entries: list[ManifestEntry]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["letter_id", "file", "sha256", "pages", "sheets", "postage", "copy_of_box_message"])
    for e in entries:
        writer.writerow([e.letter_id, Path(e.file).name, e.sha256, e.pages, e.sheets, e.postage, e.copy_of_box_message])
    return out.getvalue()


def _temporary(path: Path) -> Path:
    return path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")  # writers never share one


def _commit(temporary: Path, path: Path) -> None:
    with temporary.open("rb") as file:
        os.fsync(file.fileno())
    temporary.replace(path)


class _GroupedCommits(GroupCommit[StagedLetter, SpooledLetter]):
    def __init__(self, spool: Spool, gather_seconds: float) -> None:
        super().__init__(GROUPED_COMMITS, gather_seconds)
        self._spool = spool

    async def commit(self, letter: StagedLetter) -> SpooledLetter:
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
