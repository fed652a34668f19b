"""The intake's pure parts: text cleaning, command parsing, chat lanes, offset bookkeeping,
and `zhiyong run --webhook` refusing to start without its secret."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace as NS

import pytest

from bot.intake import Lanes, Offsets
from bot.translate import chat_key, clean, to_incoming
from tests.test_cli import REPO, zhiyong


def message(text: str, *, chat_type: str = "private", command: bool = True) -> NS:
    entities = [NS(type="bot_command", offset=0, length=len(text.split()[0]))] if command else []
    user = NS(id=7, first_name="王\x00五", last_name=None, username="w", language_code="zh",
              is_bot=False)
    chat = NS(id=-5 if chat_type != "private" else 7, type=chat_type, title="群\x00")
    m = NS(text=text, entities=entities, chat=chat, from_user=user, message_id=1, caption=None,
           photo=None, document=None, contact=None)
    return NS(update_id=1, callback_query=None, message=m)


def test_clean_removes_what_postgresql_or_telegram_refuse() -> None:
    assert clean("a\x00b\x07c\x1b\ud800d\ufffe\uffff\te\nf\r") == "abcd\te\nf\r"
    assert clean(None) == "" and clean("投诉") == "投诉"


def test_every_text_field_is_cleaned() -> None:
    inc = to_incoming(message("窗口\x00推诿", command=False), {})
    assert inc is not None
    assert inc.text == "窗口推诿" and inc.sender is not None
    assert inc.sender.first_name == "王五" and inc.chat_title == "群"


def test_commands_for_another_bot_are_not_ours() -> None:
    assert to_incoming(message("/start@other_bot", chat_type="group"), {}, "zhiyong_bot") is None
    ours = to_incoming(message("/start@ZhiYong_Bot", chat_type="group"), {}, "zhiyong_bot")
    assert ours is not None and ours.command == "start"


def test_arguments_may_follow_on_the_next_line() -> None:
    inc = to_incoming(message("/join\nK7M2QX9APD"), {})
    assert inc is not None and (inc.command, inc.args) == ("join", "K7M2QX9APD")
    inc = to_incoming(message("/join@zhiyong_bot\t ABC  "), {}, "zhiyong_bot")
    assert inc is not None and (inc.command, inc.args) == ("join", "ABC")


def test_chat_key_from_raw_updates() -> None:
    assert chat_key({"update_id": 1, "message": {"chat": {"id": 5}}}) == 5
    assert chat_key({"update_id": 2, "callback_query": {"from": {"id": 9},
                                                        "message": {"chat": {"id": -3}}}}) == -3
    assert chat_key({"update_id": 3, "callback_query": {"from": {"id": 9}}}) == 9
    assert chat_key({"update_id": 4, "poll": {}}) is None


def test_offset_confirms_only_up_to_the_oldest_unfinished() -> None:
    o = Offsets()
    assert all(o.begin(u) for u in (10, 11, 12))
    o.end(11)
    assert o.next == 10, "11 is done but 10 is not: nothing confirmed yet"
    assert not o.begin(11), "a redelivered finished update is not handled again"
    o.end(10)
    assert o.next == 12
    o.end(12)
    assert o.next == 13 and o.idle.is_set()
    assert not o.begin(12)


def test_kept_updates_are_confirmed_while_still_in_flight() -> None:
    o = Offsets()
    assert all(o.begin(u) for u in (10, 11, 12))
    o.end(10)
    assert o.unkept() == [11, 12] and o.next == 11
    assert o.keep([11, 12]) == [] and o.next == 13, "kept in the inbox: confirmed"
    assert o.begin(13) and o.unkept() == [13]
    assert o.keep([13]) == [] and o.next == 14
    assert o.end(12) and not o.idle.is_set(), "a kept one ends: its row may go"
    o.end(13)
    assert o.end(11) and o.next == 14 and o.idle.is_set()
    assert o.begin(14) and o.keep([14, 99]) == [99], "finished meanwhile: its row goes at once"


async def test_one_chat_in_order_chats_in_parallel_bounded() -> None:
    lanes = Lanes(limit=2)
    running, peak, order = 0, 0, []

    def job(chat: int, n: int):  # type: ignore[no-untyped-def]
        async def run() -> None:
            nonlocal running, peak
            running += 1
            peak = max(peak, running)
            await asyncio.sleep(0.01)
            order.append((chat, n))
            running -= 1
        return run

    done = [lanes.submit(chat, job(chat, n)) for n in range(5) for chat in (1, 2, 3)]
    await asyncio.gather(*done)
    assert peak == 2, "bounded"
    for chat in (1, 2, 3):
        assert [n for c, n in order if c == chat] == list(range(5)), "in order per chat"


def test_webhook_mode_refuses_to_start_without_the_secret(tmp_path: object) -> None:
    out = zhiyong("--config", str(REPO / "config.toml"), "run", "--webhook", "--url",
                  "https://bot.example.gov.cn/tg", cwd=REPO,
                  env={"ZHIYONG_TELEGRAM_TOKEN": "1:x", "ZHIYONG_WEBHOOK_SECRET": ""})
    assert out.returncode == 2          # a configuration error (the operator exit codes)
    lines = [line for line in out.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "ZHIYONG_WEBHOOK_SECRET" in lines[0], out.stderr
    bad = zhiyong("--config", str(REPO / "config.toml"), "run", "--webhook", cwd=REPO,
                  env={"ZHIYONG_TELEGRAM_TOKEN": "1:x", "ZHIYONG_WEBHOOK_SECRET": "s"})
    assert bad.returncode == 1 and "url" in bad.stderr and "Traceback" not in bad.stderr


@pytest.mark.parametrize("listen", ["8443", "host:", ":99999"])
def test_listen_must_be_host_and_port(listen: str) -> None:
    from bot.config import TelegramConfig

    with pytest.raises(ValueError):
        TelegramConfig(listen=listen)
