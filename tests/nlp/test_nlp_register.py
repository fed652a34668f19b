"""The message-board register decides how much of the real-world category prior applies."""

from __future__ import annotations

from nlp.normalize import normalize
from nlp.register import letter_weight


def test_a_bare_short_complaint_is_not_a_letter() -> None:
    assert letter_weight(normalize("窗口科长推诿，三次都不给办")) == 0.0


def test_a_long_polite_letter_is_fully_a_letter() -> None:
    letter = ("尊敬的领导：您好！我是某某小区的业主，" + "小区门口的路灯坏了很久，晚上出行很不方便，" * 6
              + "请问这个归哪个部门管？谢谢！")
    assert letter_weight(normalize(letter)) == 1.0


def test_letter_marks_raise_a_short_text_part_way() -> None:
    assert 0.0 < letter_weight(normalize("您好，请问社保卡丢了怎么补办？")) < 1.0
