"""Which script a citizen reads: detected from what they write, language_code as a hint."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.render import Renderer
from workflow.chat import script
from workflow.chat.messages import Button, Outgoing
from workflow.chat.state import ChatState


def test_written_text_decides_and_the_hint_fills_in() -> None:
    assert script.observe(None, "我們社區的路燈壞了三個月", "") == script.TRADITIONAL
    assert script.observe(None, "我們社區的路燈壞了三個月", "zh-hk") == script.HONG_KONG
    assert script.observe(None, "衛生局不理我們", "") == script.TAIWAN      # 衛 is Taiwan's form
    assert script.observe(None, "衞生局不理我們", "zh-tw") == script.HONG_KONG  # 衞 Hong Kong's
    assert script.observe(None, "/start", "zh-hant") == script.TRADITIONAL
    assert script.observe(None, "你好", "en") is None                     # nothing told us
    assert script.observe(script.TAIWAN, "你好", "zh-hans") == script.TAIWAN   # remembered
    assert script.observe(script.HONG_KONG, "我们的路灯坏了", "zh-hk") == script.SIMPLIFIED


def test_mixed_script_follows_what_dominates() -> None:
    assert script.observe(None, "我們的路灯坏了，请处理一下", "") == script.SIMPLIFIED
    assert script.observe(None, "我們的路燈壞了，請處理一下吧", "zh-cn") == script.TRADITIONAL


def test_the_script_is_remembered_in_the_chat_state() -> None:
    state = ChatState(chat_id=5, script=script.HONG_KONG)
    assert ChatState.from_row(state.to_row(), 5).script == script.HONG_KONG
    assert ChatState.from_row(ChatState(chat_id=5).to_row(), 5).script is None


def test_rendering_converts_text_and_labels_and_accepts_either_label() -> None:
    r = Renderer({}, {"housing": "住房和城乡建设局"}, ZoneInfo("Asia/Shanghai"))
    out = Outgoing(chat_id=5, key="file.submitted",
                   params={"number": "ZY-1", "department": "housing", "answer_due": None,
                           "urgent": False, "note": ""},
                   buttons=[[Button("btn.file", "h:file")]], script=script.TAIWAN)
    part = r.render(out)[0]
    assert "住房和城鄉建設局" in part.text and "编号" not in part.text
    assert part.buttons[0][0][0] == "📝 我要投訴"
    simplified = r.render(Outgoing(chat_id=-1, key="file.submitted", params=out.params))[0]
    assert "住房和城乡建设局" in simplified.text
    label = r.text("btn.anonymous")                       # a keyboard shown before a switch
    assert r.reply_labels[label] == r.reply_labels[script.convert(label, script.TAIWAN)]
