"""Telegram's media objects (PhotoSize lists, Document, Voice, ...) built from stored files."""

from __future__ import annotations

from typing import Any

from bot.emulator.files import FileStore, StoredFile

MEDIA_KINDS = ("photo", "document", "video", "audio", "voice", "sticker", "video_note",
               "animation")


def _ids(f: StoredFile) -> dict[str, Any]:
    return {"file_id": f.file_id, "file_unique_id": f.file_unique_id, "file_size": len(f.data)}


def photo_sizes(files: FileStore, full: StoredFile, width: int = 1280,
                height: int = 960) -> list[dict[str, Any]]:
    """A thumbnail and the full size, smallest first, as Telegram lists them."""
    thumb = files.add("photo", full.data, mime_type=full.mime_type)
    small = (90, max(1, height * 90 // max(width, 1)))
    return [{**_ids(thumb), "width": small[0], "height": small[1]},
            {**_ids(full), "width": width, "height": height}]


def media_object(kind: str, f: StoredFile, *, duration: int = 3, emoji: str = "👍",
                 width: int = 640, height: int = 480) -> dict[str, Any]:
    """The value of message[kind] for every non-photo media kind."""
    base = _ids(f)
    if kind == "document":
        return {**base, "file_name": f.file_name or "file", "mime_type": f.mime_type
                or "application/octet-stream"}
    if kind == "voice":
        return {**base, "duration": duration, "mime_type": f.mime_type or "audio/ogg"}
    if kind == "audio":
        return {**base, "duration": duration, "mime_type": f.mime_type or "audio/mpeg"}
    if kind == "sticker":
        return {**base, "type": "regular", "width": 512, "height": 512, "is_animated": False,
                "is_video": False, "emoji": emoji}
    if kind == "video_note":
        return {**base, "length": 240, "duration": duration}
    return {**base, "width": width, "height": height, "duration": duration,
            "mime_type": f.mime_type or "video/mp4"}  # video, animation
