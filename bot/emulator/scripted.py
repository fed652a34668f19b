"""What the benchmarks' scripted citizens say, and what they look for in the bot's answer
before their next step. Input written by a person, not text the bot shows: the bot's own
labels are read from bot/templates.py by whoever drives the script."""

from __future__ import annotations

COMPLAINT = ("上周三我到区政务服务大厅办营业执照，3号窗口的工作人员一直玩手机，"
             "让我回去等通知，跑了五趟都说材料不全，又不一次性告诉我缺什么。")

# a fragment of the bot's answer that ends each filing step
ANSWERED = {"start": "隐私", "complain": "请描述", "describe": "已记下", "done": "被投诉",
            "skip": "实名还是匿名", "anonymous": "请核对", "confirm": "投诉编号"}
ECHOED_COMPLAINT = "上周三"        # the echo bot repeats the complaint
ECHOED_ANONYMOUS = "匿名"


def citizen_name(i: int) -> str:
    return f"市民{i}"


def group_title(i: int) -> str:
    return f"部门{i}"


WARM_UP_NAME = "预热"
