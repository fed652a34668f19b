"""An in-process Telegram Bot API emulator (aiohttp) for end-to-end tests and `zhiyong demo`.

The real python-telegram-bot / aiogram clients talk to it over HTTP; tests play the users.

    emu = BotApiEmulator(token="123456:TEST")          # bot @zhiyong_bot, id 123456
    await emu.start()                                  # emu.api_url == "http://127.0.0.1:PORT"
    # PTB:     ApplicationBuilder().token(emu.token).base_url(f"{emu.api_url}/bot")
    #              .base_file_url(f"{emu.api_url}/file/bot")
    # aiogram: AiohttpSession(api=TelegramAPIServer.from_base(emu.api_url))

    alice = emu.user(1001, "Alice", username="alice", language_code="zh-hans")  # chat id 1001
    grp = emu.group(-100200, "住建局投诉处理群", admins=(2001,))
    await alice.send("/start")                         # bot_command entity included
    reply = await alice.wait_for()                     # next bot action in alice's chat
    ans = await alice.press(reply, "cat:will_not")     # or press(reply, text="label")
    await alice.send_photo(caption="现场照片"); await alice.send_document("scan.pdf")
    await alice.send_contact("+8613800000000")         # own contact: user_id set
    await alice.tap("分享手机号")                        # reply-keyboard button (request_contact)
    await alice.send_in(grp, "/bind ABC123")
    await alice.edit(msg, "新内容"); await alice.block_bot(); await grp.add_bot(by=alice)

Inspection: `emu.sent(chat)` lists every bot action (SentMessage: method, message_id, text as
sent, plain visible text, parse_mode, reply_markup dict, file_id, caption, edited/deleted,
history); `emu.last(chat)`; `emu.message(chat, message_id)` is a message's current state;
`emu.requests` / `emu.calls("forwardMessage")` log every request (ApiCall: method, params,
status);
`emu.answers` holds callback answers; `emu.updates` every update queued.

Waiting: each chat has a cursor. Any user action in a chat marks it (so does `emu.mark(chat)`);
`await emu.wait_for(chat, predicate, timeout=5)` returns the first bot action after the cursor
that matches and moves the cursor past it; pass `after=index` to search without moving it.

Control: `emu.block(user_id)` → 403 "bot was blocked by the user" (groups: "kicked");
`emu.fail("sendMessage", 429, retry_after=3, times=2)`, `emu.fail(None, 500, until=pred)`,
`emu.fail("sendMessage", "timeout", hold=30, executed=True)` (each returns a Fault with
`hits`/`cancel()`; `emu.faults.clear()`); `await emu.inject_raw(update)`
delivers an update as is (keep update_id for a redelivery); `emu.on_sent(callback)`;
`await emu.stop()` releases long-polls and held requests at once.

Webhook: after `setWebhook(url, secret_token=…)` (http:// accepted too) pending updates are
POSTed to the URL with X-Telegram-Bot-Api-Secret-Token, at most `max_connections` at once and
one per chat at a time; anything but 2xx (or no answer) is retried after
`emu.webhook_retry_seconds`; `emu.webhook.attempts` logs every POST, getWebhookInfo reports
the last error; getUpdates answers 409 meanwhile, as on Telegram. `deleteWebhook` stops it.

`BotApiEmulator(clock=...)` sets message dates (e.g. from a FakeClock); a second concurrent
getUpdates terminates the first with 409 Conflict, as on Telegram.

Fidelity: Telegram's error codes/descriptions for empty/too long text (4096, captions 1024,
counted in UTF-16 after HTML parsing), HTML entity errors (Telegram's tag subset; a bare `&` is
rejected, stricter than Telegram), unknown chats, not-modified edits, unknown file ids and
callback ids, wrong token (401) and unknown methods (404). Not emulated: inline mode, payments, Markdown parsing (MarkdownV2 text is measured raw), rate limits unless
injected.
"""

from bot.emulator.actors import Group, User, command_entities
from bot.emulator.emulator import BotApiEmulator
from bot.emulator.errors import ApiError
from bot.emulator.faults import Fault
from bot.emulator.files import TINY_PNG
from bot.emulator.records import ApiCall, CallbackAnswer, SentMessage

__all__ = ["ApiCall", "ApiError", "BotApiEmulator", "CallbackAnswer", "Fault", "Group",
           "SentMessage", "TINY_PNG", "User", "command_entities"]
