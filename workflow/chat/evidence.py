"""Evidence people have beyond text and photos: a shared location and a voice message.

A location becomes a map link on the department's card (valuable for 城管 and 环保 cases); a
voice message is kept as an attachment and re-sent to the group (many elderly complainants
speak rather than type). Both are stored like any attachment; a location has no file.
"""

from __future__ import annotations

from workflow.chat.messages import Incoming
from workflow.errors import UserError

VOICE_MAX_BYTES = 20 * 1024 * 1024   # the Bot API lets a bot fetch files up to 20 MB


class EmptyVoice(UserError):
    key = "error.voice_empty"


class VoiceTooLarge(UserError):
    key = "error.voice_too_large"


class BadLocation(UserError):
    key = "error.location_invalid"


def attachment(msg: Incoming) -> dict[str, str]:
    """The draft attachment for a location or a voice message; refused when unusable."""
    if msg.kind == "location":
        lat, lon = msg.latitude, msg.longitude
        if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise BadLocation()
        return {"kind": "location", "file_id": "", "file_unique_id": "",
                "file_name": "", "caption": f"{lat:.6f},{lon:.6f}"}
    if msg.duration <= 0:
        raise EmptyVoice()
    if msg.file_size > VOICE_MAX_BYTES:
        raise VoiceTooLarge(max_mb=VOICE_MAX_BYTES // (1024 * 1024))
    return {"kind": "voice", "file_id": msg.file_id, "file_unique_id": msg.file_unique_id,
            "file_name": "", "caption": msg.text.strip()}


def map_link(caption: str) -> str | None:
    """An OpenStreetMap link for a stored "lat,lon"; None if it is not one."""
    try:
        lat, lon = (float(x) for x in caption.split(","))
    except ValueError:
        return None
    return f"https://www.openstreetmap.org/?mlat={lat:.6f}&mlon={lon:.6f}#map=17/{lat:.6f}/{lon:.6f}"
