"""The Bot API emulator against the real python-telegram-bot 22 and aiogram 3 clients."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import timedelta

import aiohttp
import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    KeyboardButton,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bot.emulator import BotApiEmulator, SentMessage
from bot.emulator.errors import ApiError
from bot.emulator.html import plain_text

TOKEN = "123456:TEST"


# ---- fixtures (reusable: a started emulator, a PTB Bot, a polling PTB Application) ----------

@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    emulator = BotApiEmulator(token=TOKEN)
    await emulator.start()
    yield emulator
    await emulator.stop()


def ptb_builder(emu: BotApiEmulator, token: str = TOKEN) -> ApplicationBuilder:  # type: ignore[type-arg]
    """An ApplicationBuilder pointed at the emulator."""
    return (ApplicationBuilder().token(token).base_url(f"{emu.api_url}/bot")
            .base_file_url(f"{emu.api_url}/file/bot"))


@pytest.fixture
async def bot(emu: BotApiEmulator) -> AsyncIterator[Bot]:
    b = Bot(TOKEN, base_url=f"{emu.api_url}/bot", base_file_url=f"{emu.api_url}/file/bot",
            request=HTTPXRequest(read_timeout=2.0))
    async with b:
        yield b


async def _start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("我要投诉", callback_data="file")]])
    assert update.effective_message is not None
    await update.effective_message.reply_text("<b>欢迎</b>使用治庸", parse_mode=ParseMode.HTML,
                                              reply_markup=keyboard)


async def _pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("收到", show_alert=True)
    await query.edit_message_text(f"请描述问题 ({query.data})")


async def _echo_contact(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message and update.effective_message.contact
    contact = update.effective_message.contact
    await update.effective_message.reply_text(f"contact {contact.user_id} {contact.phone_number}")


async def _ask_phone(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    keyboard = ReplyKeyboardMarkup([[KeyboardButton("分享手机号", request_contact=True)]])
    assert update.effective_message is not None
    await update.effective_message.reply_text("请分享手机号", reply_markup=keyboard)


@pytest.fixture
async def ptb_app(emu: BotApiEmulator) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    application = ptb_builder(emu).build()
    application.add_handler(CommandHandler("start", _start))
    application.add_handler(CommandHandler("phone", _ask_phone))
    application.add_handler(CallbackQueryHandler(_pressed))
    application.add_handler(MessageHandler(filters.CONTACT, _echo_contact))
    await application.initialize()
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0, timeout=timedelta(seconds=1))
    yield application
    await application.updater.stop()
    await application.stop()
    await application.shutdown()


# ---- a real PTB application, polling ---------------------------------------------------------

async def test_start_keyboard_press_and_edit(emu: BotApiEmulator, ptb_app: Application) -> None:  # type: ignore[type-arg]
    alice = emu.user(1001, "Alice", username="alice", language_code="zh-hans")
    await alice.send("/start")
    reply = await alice.wait_for()
    assert reply.method == "sendMessage" and reply.plain == "欢迎使用治庸"
    assert reply.text == "<b>欢迎</b>使用治庸" and reply.parse_mode == "HTML"
    assert reply.callback_data == ["file"] and reply.raw["from"]["username"] == "zhiyong_bot"

    answer = await alice.press(reply, text="我要投诉")
    assert answer is not None and answer.text == "收到" and answer.show_alert
    edit = await alice.wait_for()
    assert edit.edited and edit.method == "editMessageText"
    assert edit.message_id == reply.message_id and edit.plain == "请描述问题 (file)"
    assert edit.reply_markup is None  # editing text without a keyboard drops it
    assert emu.message(alice, reply.message_id).history[-1].plain == "欢迎使用治庸"
    assert [m.method for m in alice.sent()] == ["sendMessage", "editMessageText"]
    assert not emu.calls("forwardMessage")
    with pytest.raises(ValueError):
        await alice.press(edit, "file")  # the keyboard is gone


async def test_group_command_with_bot_username(emu: BotApiEmulator, ptb_app: Application) -> None:  # type: ignore[type-arg]
    bob = emu.user(1002, "Bob")
    grp = emu.group(-100200, "住建局投诉处理群")
    msg = await bob.send_in(grp, "/start@zhiyong_bot now")
    assert msg["entities"] == [{"type": "bot_command", "offset": 0, "length": 18}]
    reply = await grp.wait_for()
    assert reply.chat_id == -100200 and reply.raw["chat"]["type"] == "group"
    assert reply.raw["chat"]["title"] == "住建局投诉处理群"


async def test_redelivered_update_is_handled_again(
        emu: BotApiEmulator, ptb_app: Application) -> None:  # type: ignore[type-arg]
    carol = emu.user(1003, "Carol")
    await carol.send("/start")
    await carol.wait_for()
    first = emu.updates[-1]
    emu.mark(carol)
    again = await emu.inject_raw(first)
    assert again["update_id"] == first["update_id"]
    await carol.wait_for(timeout=3)
    assert len(carol.sent()) == 2


async def test_request_contact_button_shares_own_contact(
        emu: BotApiEmulator, ptb_app: Application) -> None:  # type: ignore[type-arg]
    dave = emu.user(1004, "Dave")
    await dave.send("/phone")
    await dave.wait_for()
    await dave.tap("分享手机号", phone_number="+8613912345678")
    reply = await dave.wait_for()
    assert reply.plain == "contact 1004 +8613912345678"


# ---- errors as the PTB Bot sees them -------------------------------------------------------

async def test_html_parse_errors(emu: BotApiEmulator, bot: Bot) -> None:
    emu.user(1010, "Eve")
    ok = await bot.send_message(1010, "<b>a</b> &lt; <a href=\"https://x.cn/?a=1&amp;b=2\">l</a>",
                                parse_mode=ParseMode.HTML)
    assert ok.text == "a < l"
    for bad in ("a < b", "<div>x</div>", "<b>x", "A & B", "<b><i>x</b></i>", "&nbsp;", "<br>"):
        with pytest.raises(BadRequest, match="parse entities"):
            await bot.send_message(1010, bad, parse_mode=ParseMode.HTML)
    await bot.send_message(1010, "a < b & c")  # no parse_mode: plain text is fine


@pytest.mark.parametrize("text, plain", [
    ("<strong>x</strong><em>y</em><ins>z</ins><del>d</del>", "xyzd"),
    ('<span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler>', "st"),
    ("<pre><code class=\"language-python\">&#60;&#x3e;</code></pre>", "<>"),
    ("<blockquote expandable>q &quot;x&quot;</blockquote>", 'q "x"'),
])
def test_html_subset(text: str, plain: str) -> None:
    assert plain_text(text) == plain


async def test_length_limits_and_empty_text(emu: BotApiEmulator, bot: Bot) -> None:
    emu.user(1011, "Frank")
    await bot.send_message(1011, "字" * 4096)
    await bot.send_message(1011, "<b>" + "字" * 4096 + "</b>", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="too long"):
        await bot.send_message(1011, "字" * 4097)
    with pytest.raises(BadRequest, match="text is empty"):
        await bot.send_message(1011, "   ")
    with pytest.raises(BadRequest, match="caption is too long"):
        await bot.send_photo(1011, b"\x89PNG", caption="x" * 1025)


async def test_chat_token_method_and_callback_errors(emu: BotApiEmulator, bot: Bot) -> None:
    with pytest.raises(BadRequest, match="[Cc]hat not found"):
        await bot.send_message(4242, "hi")
    with pytest.raises(BadRequest, match="[Qq]uery is too old"):
        await bot.answer_callback_query("12345")
    wrong = Bot("999:WRONG", base_url=f"{emu.api_url}/bot")
    with pytest.raises(InvalidToken):
        await wrong.get_me()
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{emu.api_url}/bot{TOKEN}/sendTeleport", json={}) as resp:
            assert resp.status == 404
            assert await resp.json() == {"ok": False, "error_code": 404,
                                         "description": "Not Found: method not found"}


async def test_edit_errors(emu: BotApiEmulator, bot: Bot) -> None:
    emu.user(1012, "Gina")
    msg = await bot.send_message(1012, "v1")
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_text("v1", chat_id=1012, message_id=msg.message_id)
    with pytest.raises(BadRequest, match="to edit not found"):
        await bot.edit_message_text("v2", chat_id=1012, message_id=999)
    await bot.edit_message_text("v2", chat_id=1012, message_id=msg.message_id)
    await bot.delete_message(1012, msg.message_id)
    assert [m.method for m in emu.sent(1012)][-1] == "deleteMessage"
    with pytest.raises(BadRequest, match="to delete not found"):
        await bot.delete_message(1012, msg.message_id)


async def test_blocked_user_is_forbidden(emu: BotApiEmulator, bot: Bot) -> None:
    henry = emu.user(1013, "Henry")
    await bot.send_message(henry.id, "before")
    henry.block()
    with pytest.raises(Forbidden, match="blocked by the user"):
        await bot.send_message(henry.id, "after")
    assert [m.plain for m in henry.sent()] == ["before"]
    grp = emu.group(-100500, "已移除的群")
    emu.block(grp)
    with pytest.raises(Forbidden, match="kicked from the group chat"):
        await bot.send_message(grp.id, "x")
    assert emu.calls("sendMessage")[-1].status == 403
    await henry.send("/start")  # writing to the bot again unblocks it
    reply = await bot.send_message(henry.id, "welcome back", reply_to_message_id=1)
    assert reply.reply_to_message is not None and reply.reply_to_message.text == "before"


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_fault_injection(emu: BotApiEmulator, bot: Bot) -> None:
    emu.user(1014, "Ivy")
    emu.fail("sendMessage", 429, retry_after=7)
    with pytest.raises(RetryAfter) as exc:
        await bot.send_message(1014, "x")
    assert exc.value.retry_after in (7, timedelta(seconds=7))
    await bot.send_message(1014, "x")  # times=1: the next call goes through

    emu.fail(None, 500, times=2)
    for _ in range(2):
        with pytest.raises(NetworkError):
            await bot.get_me()
    await bot.get_me()

    healthy = False
    emu.fail("sendMessage", 502, until=lambda: healthy, chat_id=1014)
    emu.user(1099, "Other")
    await bot.send_message(1099, "other chats are unaffected")
    for _ in range(3):
        with pytest.raises(NetworkError, match="Bad Gateway"):
            await bot.send_message(1014, "x")
    healthy = True
    await bot.send_message(1014, "recovered")

    fault = emu.fail("sendMessage", "timeout", hold=5, executed=True)
    with pytest.raises(TimedOut):
        await bot.send_message(1014, "lost reply", read_timeout=0.2)
    assert fault.hits == 1 and emu.sent(1014)[-1].plain == "lost reply"


async def test_photo_file_roundtrip(emu: BotApiEmulator, bot: Bot) -> None:
    judy = emu.user(1015, "Judy")
    incoming = await judy.send_photo(caption="现场照片", data=b"jpeg-bytes")
    file_id = incoming["photo"][-1]["file_id"]
    f = await bot.get_file(file_id)
    assert bytes(await f.download_as_bytearray()) == b"jpeg-bytes"

    sent = await bot.send_photo(1015, b"uploaded-bytes", caption="回执")
    assert sent.caption == "回执" and len(sent.photo) == 2
    uploaded = await bot.get_file(sent.photo[-1].file_id)
    assert bytes(await uploaded.download_as_bytearray()) == b"uploaded-bytes"
    again = await bot.send_photo(1015, file_id)  # resend by file_id
    assert emu.sent(1015)[-1].file_id == file_id and again.photo
    with pytest.raises(BadRequest, match="(?i)wrong file identifier"):
        await bot.send_document(1015, "no-such-file-id")
    with pytest.raises(BadRequest, match="(?i)of type photo as document"):
        await bot.send_document(1015, file_id)


async def test_media_group_copy_and_forward_are_recorded(emu: BotApiEmulator, bot: Bot) -> None:
    kate = emu.user(1016, "Kate")
    grp = emu.group(-100300, "市场监管局")
    photo = await kate.send_photo()
    doc = await kate.send_document("scan.pdf", caption="扫描件")
    file_id = photo["photo"][-1]["file_id"]
    album = await bot.send_media_group(grp.id, [InputMediaPhoto(file_id, caption="1"),
                                                InputMediaPhoto(b"raw", caption="2")])
    assert len(album) == 2 and album[0].media_group_id == album[1].media_group_id
    copied = await bot.copy_message(grp.id, kate.id, doc["message_id"])
    assert emu.message(grp, copied.message_id).raw["document"]["file_name"] == "scan.pdf"
    await bot.forward_message(grp.id, kate.id, doc["message_id"])
    assert len(emu.calls("forwardMessage")) == 1
    assert [m.method for m in grp.sent()] == ["sendMediaGroup"] * 2 + ["copyMessage",
                                                                        "forwardMessage"]


async def test_commands_webhook_chat_and_form_bodies(emu: BotApiEmulator, bot: Bot) -> None:
    grp = emu.group(-1001234567890, "监督群", admins=(7,))
    await bot.set_my_commands([("start", "开始"), ("bind", "绑定")])
    assert [c.command for c in await bot.get_my_commands()] == ["start", "bind"]
    assert (await bot.get_chat(grp.id)).type == "supergroup"
    assert (await bot.get_chat_member(grp.id, 7)).status == "administrator"
    await bot.set_webhook("https://example.org/hook")
    assert (await bot.get_webhook_info()).url == "https://example.org/hook"
    await bot.delete_webhook()
    base = f"{emu.api_url}/bot{TOKEN}"
    async with aiohttp.ClientSession() as http:
        form = {"chat_id": str(grp.id), "text": "表单",
                "reply_markup": '{"inline_keyboard":[[{"text":"ok","callback_data":"d"}]]}'}
        async with http.post(f"{base}/sendMessage", data=form) as resp:
            body = await resp.json()
        assert body["ok"] and body["result"]["reply_markup"]["inline_keyboard"][0][0]["text"]
        async with http.get(f"{base}/getMe") as resp:
            assert (await resp.json())["result"]["username"] == "zhiyong_bot"
    assert emu.calls("sendMessage")[-1].params["chat_id"] == grp.id


async def test_long_poll_returns_on_update_and_on_stop(emu: BotApiEmulator, bot: Bot) -> None:
    liam = emu.user(1017, "Liam")
    began = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(timeout=5, read_timeout=10))
    await asyncio.sleep(0.05)
    await liam.send("hello")
    updates = await poll
    assert [u.message.text for u in updates if u.message] == ["hello"]
    assert time.monotonic() - began < 2
    confirm = await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0)
    assert confirm == ()

    waiting = asyncio.create_task(bot.get_updates(timeout=5, read_timeout=10))
    await asyncio.sleep(0.05)
    async with Bot(TOKEN, base_url=f"{emu.api_url}/bot") as second:
        await second.get_updates(timeout=0)  # a second poller terminates the first
    with pytest.raises(Conflict):
        await waiting

    other = await BotApiEmulator(token=TOKEN).start()
    async with aiohttp.ClientSession() as http:
        pending = asyncio.create_task(http.get(f"{other.api_url}/bot{TOKEN}/getUpdates?timeout=30"))
        await asyncio.sleep(0.05)
        began = time.monotonic()
        await other.stop()
        async with await pending as resp:
            assert (await resp.json())["result"] == []
        assert time.monotonic() - began < 2


async def test_user_edits_blocks_and_group_adds(emu: BotApiEmulator) -> None:
    olga = emu.user(1019, "Olga")
    grp = emu.group(-100400, "城管群")
    msg = await olga.send("旧内容")
    edited = await olga.edit(msg, "/start 新内容")
    assert emu.updates[-1]["edited_message"]["text"] == "/start 新内容"
    assert edited["entities"][0]["length"] == 6 and edited["message_id"] == msg["message_id"]
    await grp.add_bot(by=olga)
    assert emu.updates[-1]["my_chat_member"]["new_chat_member"]["status"] == "member"
    await olga.block_bot()
    assert emu.updates[-1]["my_chat_member"]["new_chat_member"]["status"] == "kicked"
    assert emu.chat_for(olga.id).blocked
    assert [u["update_id"] for u in emu.updates] == sorted({u["update_id"] for u in emu.updates})


async def test_wait_for_times_out_with_context(emu: BotApiEmulator) -> None:
    mia = emu.user(1018, "Mia")
    with pytest.raises(TimeoutError, match="chat 1018"):
        await mia.wait_for(timeout=0.05)
    with pytest.raises(ApiError):
        emu.chat_for(555)
    assert isinstance(emu.sent(mia), list) and not emu.sent(999)
    assert SentMessage(seq=0, chat_id=1, message_id=1, method="x").buttons == []


# ---- aiogram -------------------------------------------------------------------------------

async def test_every_user_update_parses_in_ptb_and_aiogram(emu: BotApiEmulator, bot: Bot) -> None:
    from aiogram.types import Update as AiogramUpdate

    pia = emu.user(1021, "Pia", username="pia")
    grp = emu.group(-100600, "教育局")
    first = await pia.send("/start")
    await pia.send_photo(caption="图")
    await pia.send_document("a.pdf")
    await pia.send_sticker()
    await pia.send_voice()
    await pia.send_video_note()
    await pia.send_location(30.5, 114.3)
    await pia.send_poll("满意吗", ["是", "否"])
    await pia.send_contact("+8613800000000")
    await pia.send_in(grp, "/bind X", reply_to=None)
    await pia.edit(first, "/start again")
    await grp.add_bot(by=pia)
    reply = await bot.send_message(pia.id, "选", reply_markup=InlineKeyboardMarkup(
        [[InlineKeyboardButton("好", callback_data="ok")]]))
    asyncio.create_task(pia.press(emu.message(pia, reply.message_id), "ok", timeout=0.2))
    await asyncio.sleep(0.05)
    for raw in emu.updates:
        assert Update.de_json(raw, bot) is not None
        AiogramUpdate.model_validate(raw)
    assert {k for u in emu.updates for k in u} >= {"message", "edited_message", "my_chat_member",
                                                    "callback_query"}


async def test_aiogram_smoke(emu: BotApiEmulator) -> None:
    from aiogram import Bot as AiogramBot
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer
    from aiogram.types import BufferedInputFile

    emu.user(1020, "Nina")
    session = AiohttpSession(api=TelegramAPIServer.from_base(emu.api_url))
    abot = AiogramBot(TOKEN, session=session)
    try:
        me = await abot.get_me()
        assert me.username == "zhiyong_bot" and me.is_bot
        msg = await abot.send_message(1020, "<i>你好</i>", parse_mode="HTML")
        assert msg.text == "你好" and msg.chat.id == 1020
        photo = await abot.send_photo(1020, BufferedInputFile(b"img", "p.jpg"), caption="c")
        assert photo.photo and photo.caption == "c"
        doc = await abot.send_document(1020, BufferedInputFile(b"pdf", "d.pdf"))
        assert doc.document and doc.document.file_name == "d.pdf"
        again = await abot.send_photo(1020, photo.photo[-1].file_id)
        assert again.photo and again.photo[-1].file_id == photo.photo[-1].file_id
    finally:
        await session.close()
    assert emu.sent(1020)[0].text == "<i>你好</i>"
