"""A long letter is a story told after the events; a report typed at the bot, polite or not, is now."""

from __future__ import annotations

from nlp.normalize import normalize
from nlp.register import told_after


def test_a_report_typed_politely_is_not_a_story() -> None:
    assert not told_after(normalize("尊敬的领导：您好！我家楼下的老人晕倒在地上，叫不醒，家里没人，谢谢！"))


def test_a_long_letter_is_a_story() -> None:
    letter = ("尊敬的领导：您好！我是某某小区的业主，" + "小区门口的路灯坏了很久，晚上出行很不方便，" * 6
              + "请问这个归哪个部门管？谢谢！")
    assert told_after(normalize(letter))
