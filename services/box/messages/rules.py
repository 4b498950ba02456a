"""Where a message may move: the box's pure rule for folders."""

from enum import StrEnum

from services.box.messages.records import Folder


class Move(StrEnum):
    ARCHIVE = "archive"
    TRASH = "trash"
    RESTORE = "restore"


MOVES: dict[tuple[Folder, Move], Folder] = {
    (Folder.INBOX, Move.ARCHIVE): Folder.ARCHIVE,
    (Folder.INBOX, Move.TRASH): Folder.TRASH,
    (Folder.ARCHIVE, Move.TRASH): Folder.TRASH,
    (Folder.ARCHIVE, Move.RESTORE): Folder.INBOX,
    (Folder.TRASH, Move.RESTORE): Folder.INBOX,
}


def moved(folder: Folder, move: Move) -> Folder | None:
    """The folder a message goes to, or None where that move makes no sense (archiving what
    is in the trash: restore it first)."""
    return MOVES.get((folder, move))
