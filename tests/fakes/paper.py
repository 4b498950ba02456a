from pathlib import Path

from services.paper.records import Addressee, ClosingBatch, Letter, MessageToPrint, PrintBatch, PrintedLetter
from services.paper.render import LetterContent, RenderedFile, UnrenderableLetter
from shared.contracts.messages import Receipt


class InMemoryPrintSources:
    def __init__(self, messages: dict[str, MessageToPrint], addressees: dict[str, Addressee]) -> None:
        self.messages, self.addressees = messages, addressees

    async def message(self, message_id: str) -> MessageToPrint | None:
        return self.messages.get(message_id)

    async def addressee(self, account_id: str) -> Addressee | None:
        return self.addressees.get(account_id)


class InMemoryLetterStore:
    def __init__(self) -> None:
        self.letters: dict[str, Letter] = {}
        self.members: dict[str, str] = {}
        self.batches: dict[str, PrintBatch] = {}
        self.closing: dict[str, ClosingBatch] = {}
        self.batched: set[str] = set()

    async def status(self, letter_id: str) -> str | None:
        letter = self.letters.get(letter_id)
        return None if letter is None else "rendered" if isinstance(letter, PrintedLetter) else "undeliverable"

    async def record(self, letter: Letter) -> None:
        self.letters.setdefault(letter.letter_id, letter)

    async def unbatched(self, limit: int) -> list[PrintedLetter]:
        waiting = [
            letter
            for letter in self.letters.values()
            if isinstance(letter, PrintedLetter) and letter.letter_id not in self.batched
        ]
        return sorted(waiting, key=lambda letter: letter.rendered_at)[:limit]

    async def claim_for_batch(self, batch_id: str, letter_ids: list[str]) -> list[str]:
        return [i for i in letter_ids if self.members.setdefault(i, batch_id) == batch_id]

    async def open_batch(self, batch: ClosingBatch) -> None:
        self.closing.setdefault(batch.batch_id, batch)

    async def closing_batches(self) -> list[ClosingBatch]:
        return list(self.closing.values())

    async def printed(self, letter_ids: list[str]) -> list[PrintedLetter]:
        return [letter for i in letter_ids if isinstance(letter := self.letters.get(i), PrintedLetter)]

    async def save_batch(self, batch: PrintBatch) -> None:
        self.batches[batch.batch_id] = batch
        self.closing.pop(batch.batch_id, None)
        self.batched.update(batch.letter_ids)


class RecordingPaperPublisher:
    def __init__(self) -> None:
        self.receipts: list[tuple[str, Receipt]] = []

    async def receipt(self, agency_id: str, receipt: Receipt) -> None:
        self.receipts.append((agency_id, receipt))


class FakeRenderer:
    """Writes a small stand-in PDF where the render process would write the letter."""

    def __init__(self, pages: int = 3) -> None:
        self.pages = pages
        self.rendered: list[tuple[LetterContent, list[bytes]]] = []
        self.refuse: str | None = None
        """Set: every letter is one typst or pypdf cannot make, for this reason."""

    async def __call__(self, content: LetterContent, attachments: list[bytes], path: str) -> RenderedFile:
        if self.refuse is not None:
            Path(path).write_bytes(b"%PDF-half")  # noqa: ASYNC240 (what a failed render may leave)
            raise UnrenderableLetter(self.refuse)
        self.rendered.append((content, attachments))
        data = b"%PDF-1.7 " + content.reference.encode()
        Path(path).write_bytes(data)  # noqa: ASYNC240 (a few bytes, as the render process would)
        return RenderedFile(self.pages, "sha-" + content.reference, len(data))
