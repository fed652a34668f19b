"""Bot methods that are not about messages: identity, updates, webhook, commands, chats, files."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from bot.emulator.errors import ApiError, bad_request
from bot.emulator.params import required
from bot.emulator.records import CallbackAnswer
from bot.emulator.registry import method

if TYPE_CHECKING:
    from bot.emulator.emulator import BotApiEmulator

_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
HARMLESS = ("close", "logOut", "sendChatAction", "setMyDescription", "setMyShortDescription",
            "setMyName", "setChatMenuButton", "pinChatMessage", "unpinChatMessage",
            "unpinAllChatMessages", "setMyDefaultAdministratorRights", "setMessageReaction")


@method(*HARMLESS)
async def harmless(emu: BotApiEmulator, p: dict[str, Any]) -> bool:
    if "chat_id" in p:
        emu.chat_for(p["chat_id"])
    return True


@method("getMe")
async def get_me(emu: BotApiEmulator, p: dict[str, Any]) -> dict[str, Any]:
    return {**emu.bot_user, "can_join_groups": True, "can_read_all_group_messages": False,
            "supports_inline_queries": False, "can_connect_to_business": False,
            "has_main_web_app": False}


@method("getUpdates")
async def get_updates(emu: BotApiEmulator, p: dict[str, Any]) -> list[dict[str, Any]]:
    if emu.webhook_url:
        raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                            "use deleteWebhook to delete the webhook first")
    limit = max(1, min(100, int(p.get("limit") or 100)))
    offset = p.get("offset")
    batch = await emu.queue.get(int(offset) if offset is not None else None, limit,
                                float(p.get("timeout") or 0))
    if batch:
        for listener in emu.fetch_listeners:   # e.g. a test that kills the bot right now
            listener(batch)
    return batch


@method("setWebhook")
async def set_webhook(emu: BotApiEmulator, p: dict[str, Any]) -> bool:
    """Starts pushing updates to `url` (http:// is accepted too, for tests)."""
    url = str(p.get("url") or "")
    secret = str(p.get("secret_token") or "")
    if secret and not _SECRET.match(secret):
        raise bad_request("secret token contains unallowed characters")
    if url and not url.startswith(("https://", "http://")):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    if p.get("drop_pending_updates"):
        emu.queue.drop_pending()
    await emu.set_webhook(url, secret, int(p.get("max_connections") or 40))
    return True


@method("deleteWebhook")
async def delete_webhook(emu: BotApiEmulator, p: dict[str, Any]) -> bool:
    await emu.set_webhook("", "", 40)
    if p.get("drop_pending_updates"):
        emu.queue.drop_pending()
    return True


@method("getWebhookInfo")
async def get_webhook_info(emu: BotApiEmulator, p: dict[str, Any]) -> dict[str, Any]:
    info: dict[str, Any] = {"url": emu.webhook_url, "has_custom_certificate": False,
                            "pending_update_count": emu.queue.pending}
    target = emu.webhook
    if target is not None:
        info["max_connections"] = target.max_connections
        info["allowed_updates"] = []
        if target.last_error:
            info.update(last_error_date=target.last_error_at,
                        last_error_message=target.last_error)
    return info


def _scope_key(p: dict[str, Any]) -> tuple[str, str]:
    scope = p.get("scope") or {"type": "default"}
    return str(sorted(scope.items())), str(p.get("language_code") or "")


@method("setMyCommands")
async def set_my_commands(emu: BotApiEmulator, p: dict[str, Any]) -> bool:
    commands = p.get("commands")
    if not isinstance(commands, list):
        raise bad_request("commands is empty")
    emu.commands[_scope_key(p)] = commands
    return True


@method("getMyCommands")
async def get_my_commands(emu: BotApiEmulator, p: dict[str, Any]) -> list[dict[str, Any]]:
    return emu.commands.get(_scope_key(p), [])


@method("deleteMyCommands")
async def delete_my_commands(emu: BotApiEmulator, p: dict[str, Any]) -> bool:
    emu.commands.pop(_scope_key(p), None)
    return True


@method("getChat")
async def get_chat(emu: BotApiEmulator, p: dict[str, Any]) -> dict[str, Any]:
    return emu.chat_for(required(p, "chat_id")).as_full_info()


def _member(emu: BotApiEmulator, user_id: int, status: str) -> dict[str, Any]:
    user = emu.user_dict(user_id)
    out: dict[str, Any] = {"status": status, "user": user}
    if status == "administrator":
        out.update(can_be_edited=False, is_anonymous=False, can_manage_chat=True,
                   can_delete_messages=True, can_manage_video_chats=False,
                   can_restrict_members=False, can_promote_members=False,
                   can_change_info=False, can_invite_users=True, can_post_stories=False,
                   can_edit_stories=False, can_delete_stories=False)
    if status == "kicked":
        out["until_date"] = 0
    return out


@method("getChatMember")
async def get_chat_member(emu: BotApiEmulator, p: dict[str, Any]) -> dict[str, Any]:
    chat = emu.chat_for(required(p, "chat_id"))
    user_id = int(required(p, "user_id"))
    return _member(emu, user_id, chat.member_status(user_id, emu.bot_user["id"]))


@method("getChatAdministrators")
async def get_chat_administrators(emu: BotApiEmulator, p: dict[str, Any]) -> list[dict[str, Any]]:
    chat = emu.chat_for(required(p, "chat_id"))
    return [_member(emu, uid, "administrator") for uid in sorted(chat.admins)]


@method("getFile")
async def get_file(emu: BotApiEmulator, p: dict[str, Any]) -> dict[str, Any]:
    return emu.files.get(str(required(p, "file_id"))).as_file()


@method("answerCallbackQuery")
async def answer_callback_query(emu: BotApiEmulator, p: dict[str, Any]) -> bool:
    query_id = str(p.get("callback_query_id") or "")
    waiter = emu.pending_queries.pop(query_id, None)
    if waiter is None:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    answer = CallbackAnswer(query_id, p.get("text") or None, bool(p.get("show_alert")),
                            p.get("url") or None, int(p.get("cache_time") or 0))
    emu.answers.append(answer)
    if not waiter.done():
        waiter.set_result(answer)
    return True
