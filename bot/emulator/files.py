"""Files known to the emulated server: uploads by the bot and media sent by users."""

from __future__ import annotations

import itertools
import secrets
from dataclasses import dataclass
from typing import Any

from bot.emulator.errors import bad_request

# A valid 1x1 PNG: what a user "photographs" unless a test supplies bytes.
TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201e5273fd40000000049454e44ae426082")

_PREFIX = {"photo": "AgACAgIAAxkBAA", "document": "BQACAgIAAxkBAA", "video": "BAACAgIAAxkBAA",
           "audio": "CQACAgIAAxkBAA", "voice": "AwACAgIAAxkBAA", "sticker": "CAACAgIAAxkBAA",
           "video_note": "DQACAgIAAxkBAA", "animation": "CgACAgIAAxkBAA"}
_DIRS = {"photo": "photos", "document": "documents", "video": "videos", "audio": "music",
         "voice": "voice", "sticker": "stickers", "video_note": "video_notes",
         "animation": "animations"}


@dataclass
class StoredFile:
    """One file: ids as Telegram shapes them, its bytes, and where getFile says it lives."""

    file_id: str
    file_unique_id: str
    kind: str
    data: bytes
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None

    def as_file(self) -> dict[str, Any]:
        """The File object getFile returns."""
        return {"file_id": self.file_id, "file_unique_id": self.file_unique_id,
                "file_size": len(self.data), "file_path": self.file_path}


class FileStore:
    """file_id → StoredFile; file_path → StoredFile for downloads."""

    def __init__(self) -> None:
        self._by_id: dict[str, StoredFile] = {}
        self._by_path: dict[str, StoredFile] = {}
        self._seq = itertools.count(1)

    def add(self, kind: str, data: bytes, *, file_name: str | None = None,
            mime_type: str | None = None) -> StoredFile:
        """Store bytes under a fresh, realistic-looking file_id."""
        n = next(self._seq)
        ext = (file_name or "").rsplit(".", 1)[-1] if file_name and "." in file_name else (
            "jpg" if kind == "photo" else "dat")
        stored = StoredFile(
            file_id=_PREFIX.get(kind, "BQACAgIAAxkBAA") + secrets.token_urlsafe(42),
            file_unique_id="AQAD" + secrets.token_urlsafe(10), kind=kind, data=data,
            file_path=f"{_DIRS.get(kind, 'documents')}/file_{n}.{ext}",
            file_name=file_name, mime_type=mime_type)
        self._by_id[stored.file_id] = stored
        self._by_path[stored.file_path] = stored
        return stored

    def get(self, file_id: str) -> StoredFile:
        """The file, or Telegram's error for an unknown identifier."""
        try:
            return self._by_id[file_id]
        except KeyError:
            raise bad_request("wrong file identifier/HTTP URL specified") from None

    def by_path(self, file_path: str) -> StoredFile | None:
        return self._by_path.get(file_path)

    def __contains__(self, file_id: object) -> bool:
        return file_id in self._by_id
