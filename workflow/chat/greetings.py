"""A greeting alone ("你好", "在吗", "hello") is someone saying hello, not a complaint.

It gets the home menu instead of starting a draft; anything with more to it is a complaint.
Traditional text is compared in Simplified, punctuation, emoji and spaces are ignored.
"""

from __future__ import annotations

import unicodedata

from workflow.chat.script import to_simplified

GREETINGS = frozenset({
    "你好", "您好", "你好啊", "你好呀", "您好啊", "哈喽", "嗨", "在吗", "在不在", "有人吗",
    "早", "早上好", "上午好", "中午好", "下午好", "晚上好", "喂", "你好在吗", "您好在吗",
    "hi", "hello", "hey", "你们好", "大家好",
})


def is_greeting(text: str) -> bool:
    core = "".join(ch for ch in to_simplified(text).lower()
                   if unicodedata.category(ch)[0] in "LN")
    return core in GREETINGS
