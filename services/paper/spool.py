"""The spool: a folder a print street can read. Letters live under a stable name derived
from the letter id; batches are folders with hard links to their letters and a manifest
(JSON and CSV). Everything is written under a temporary name and renamed into place, so a
crash never leaves a half-written file where a reader could find it."""

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
from typing import Any


@dataclass(frozen=True)
class SpooledLetter:
    file: str
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
    def __init__(self, root: Path) -> None:
        self.root = root
        self.letters = root / "letters"
        self.batches = root / "batches"

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
