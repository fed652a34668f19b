"""Every sentence a user sees, keyed. Handlers and the domain refer to keys only.

A template is either a str.format string over HTML-escaped parameters, or a function of the
prepared view (a dict of escaped, formatted values) when it needs conditions or lists.
Category/department ids are shown by their Chinese names; datetimes in the configured zone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

View = dict[str, Any]
Template = str | Callable[[View], str]

YES, NO = "是", "否"
LIST_SEPARATOR = "、"

STATE_NAMES = {
    "routed": "待签收", "signed": "办理中", "triage": "待分派", "answered": "已答复·待评价",
    "reopened": "二次办理", "closed": "已办结",
}

STEP_NAMES = {"describe": "描述问题", "accused": "被投诉对象", "identity": "实名/匿名",
              "confirm": "确认提交"}

UNSUPPORTED_NAMES = {
    "sticker": "贴纸", "voice": "语音", "video_note": "视频消息", "video": "视频", "audio": "音频",
    "animation": "动图", "location": "位置", "venue": "地点", "poll": "投票", "dice": "骰子",
}


def _card(v: View) -> str:
    lines = [f"<b>📮 新投诉 {v['number']}</b>" + ("  🔴 <b>紧急</b>" if v["urgent_raw"] else "")]
    if v.get("note_raw"):
        lines.append(f"⚠️ {v['note']}")
    lines += [
        f"类别：{v['category']}",
        f"承办部门：{v['department']}",
        f"状态：{v['state']}",
    ]
    if v.get("tags"):
        lines.append(f"标签：{v['tags']}")
    lines.append(f"被投诉对象：{v['accused'] or '未填写'}")
    if v["attachments_raw"]:
        lines.append(f"附件：{v['attachments']} 个（随后发送）")
    lines += [f"签收期限：{v['sign_due']}", f"答复期限：{v['answer_due']}", "",
              "<b>投诉内容：</b>", v["text"]]
    return "\n".join(lines)


def _summary(v: View) -> str:
    identity = f"实名（手机 {v['phone']}）" if not v["anonymous_raw"] else "匿名"
    lines = ["<b>请核对您的投诉：</b>", "", v["text"], "",
             f"被投诉对象：{v['accused'] or '未填写'}",
             f"附件：{v['files']} 个",
             f"身份：{identity}",
             f"问题类别：{v['category']}",
             f"承办部门：{v['department']}" + ("（由治庸问责办分派）" if v["triaged_raw"] else "")]
    if v["urgent_raw"]:
        lines.append("🔴 已识别为<b>紧急</b>事项，将按紧急时限办理")
    lines += ["", "确认无误请按「确认提交」。承办部门看不到您的姓名、用户名和电话。"]
    return "\n".join(lines)


def _submitted(v: View) -> str:
    lines = [f"✅ 已受理，投诉编号 <b>{v['number']}</b>",
             f"承办部门：{v['department']}",
             f"答复期限：{v['answer_due']}前"]
    if v.get("note_raw"):
        lines.append("（该投诉先由治庸问责办公室分派给具体部门）")
    lines.append("请记下编号。办理进展会在这里通知您，也可随时发送 /mine 查看。")
    return "\n".join(lines)


def _mine(v: View) -> str:
    lines = ["<b>我的投诉</b>"]
    for item in v["items"]:
        lines.append(f"• {item['number']}  {item['state']}  {item['department']}"
                     f"  答复期限 {item['answer_due']}")
    return "\n".join(lines)


def _note(v: View) -> str:
    return v["note"]


NOTES = {
    "low_confidence": "自动分类把握不大，请治庸问责办公室分派",
    "unbound": "{department} 尚未绑定工作群，请治庸问责办公室转办",
}

TEXTS: dict[str, Template] = {
    # --- home ---
    "start.welcome": (
        "您好，这里是<b>治庸问责</b>投诉渠道。\n\n"
        "如果您遇到公职人员<b>不能为</b>（业务不熟、答复错误）、<b>不想为</b>（推诿扯皮、拖着不办）、"
        "<b>不敢为</b>（怕担责、不拍板）或<b>乱作为</b>（吃拿卡要、乱收费乱罚款），可以在这里投诉。"
        "每件投诉都会交给负责的部门限时办理，逾期由治庸问责办公室督办。\n\n"
        "🔒 隐私承诺：承办部门看不到您是谁——不会看到您的姓名、用户名、电话或 Telegram 账号。"
    ),
    "help.text": (
        "<b>使用说明</b>\n"
        "1. 按「我要投诉」，用文字描述问题，可以附照片或文件，可分多条发送，发完按「完成」。\n"
        "2. 填写被投诉的单位或人员（可跳过）。\n"
        "3. 选择实名（分享手机号）或匿名。\n"
        "4. 核对摘要后按「确认提交」，您会收到投诉编号和答复期限。\n\n"
        "命令：/start 首页  /mine 我的投诉  /cancel 退出当前操作  /help 使用说明"
    ),
    # --- filing ---
    "file.describe_prompt": (
        "请描述您遇到的问题：什么时间、在哪里、哪个部门或窗口、发生了什么。"
        "可以发送多条文字、照片或文件。全部发完后按「完成」。\n（已收到 {chars} 字，{files} 个附件）"
    ),
    "file.started_from_text": "已开始一件新投诉，您发来的内容已记下。",
    "file.describe_ack": "已记下（共 {chars} 字，{files} 个附件）。可以继续补充，发完请按「完成」。",
    "file.empty_text": "没有收到文字内容，请用文字描述问题。",
    "file.too_short": "描述太短了（{chars} 字），请至少写 {min} 个字：什么时间、在哪里、发生了什么。",
    "file.too_long": (
        "内容已超过 {max} 字的上限，这一条没有记入（已记下 {chars} 字）。请精简后再发，或直接按「完成」。"
    ),
    "file.too_many_files": "附件最多 {max} 个，这个没有记入（已有 {files} 个）。",
    "file.attachment_wrong_step": "附件请在描述问题时发送：核对摘要时按「修改」→「补充描述」即可添加。",
    "file.unsupported": "暂不支持{what}，请用文字描述，证据可以用照片或文件发送。",
    "file.accused_prompt": "被投诉的单位或人员是？（例如「XX区政务大厅3号窗口」「某街道城管中队」）不清楚可以按「跳过」。",
    "file.accused_too_long": "被投诉对象请控制在 {max} 字以内。",
    "file.identity_prompt": (
        "请选择实名还是匿名：\n• 实名：分享您的手机号，便于核实和回访（承办部门看不到）。\n• 匿名：不留联系方式，"
        "办理结果仍会在这里通知您。"
    ),
    "file.identity_use_buttons": "请按下方按钮选择：分享手机号实名提交，或匿名提交。",
    "file.contact_not_own": "请分享您本人的手机号（按下方按钮），或选择匿名提交。",
    "file.contact_wrong_step": "现在不需要手机号。",
    "file.identity_real": "已记录手机号 {phone}，仅治庸问责办公室可见。",
    "file.identity_anonymous": "已选择匿名提交。",
    "file.summary": _summary,
    "file.edit_menu": "要修改哪一项？",
    "file.press_button": "请按下方按钮确认、修改或取消。",
    "file.submitted": _submitted,
    "file.cancelled": "已取消，草稿已丢弃。",
    "file.nothing_to_cancel": "当前没有进行中的操作。",
    "file.resume_prompt": "您有一件未提交的投诉（停在「{step}」这一步）。要继续还是放弃？",
    "mine.empty": "您还没有提交过投诉。",
    "mine.list": _mine,
    # --- department groups ---
    "card.ticket": _card,
    "card.attachment": "{number} 附件 {index}/{total}",
    "card.attachment_caption": "{number} 附件 {index}/{total}：{caption}",
    "card.continued": "（{number} 续 {part}/{parts}）",
    "group.help": "这是部门工作群，投诉工单会推送到这里。市民请私聊本机器人投诉。绑定本群：/bind 邀请码",
    "group.bind_usage": "用法：/bind 邀请码（由管理员运行 zhiyong group invite --department 部门 生成）",
    "group.bound": "✅ 本群已绑定为「{department}」工作群。{backlog} 件待办工单将推送到本群。",
    # --- answers to button presses (plain text, ≤ 200 chars) ---
    "ack.ok": "",
    # --- errors ---
    "error.generic": "出错了，请稍后再试。",
    "error.stale_button": "这个按钮已失效（对应的内容已变化），请按最新消息操作。",
    "error.unknown_command": "不认识的命令 /{command}。可用：/start /mine /cancel /help",
    "error.invite_invalid": "邀请码 {code} 无效，请核对后重试。",
    "error.invite_expired": "邀请码 {code} 已过期，请管理员重新生成。",
    "error.invite_used": "邀请码 {code} 已被使用，请管理员重新生成。",
    "error.bind_not_group": "/bind 只能在部门工作群中使用。",
    "error.unknown_department": "没有这个部门：{department}。可用：{known}",
    "error.ticket_not_found": "没有找到工单 {number}。",
    # --- buttons ---
    "btn.file": "📝 我要投诉",
    "btn.mine": "📋 我的投诉",
    "btn.help": "❓ 使用说明",
    "btn.done": "✅ 完成",
    "btn.cancel": "✖️ 取消",
    "btn.skip": "跳过",
    "btn.share_phone": "📱 实名提交（分享手机号）",
    "btn.anonymous": "🙈 匿名提交",
    "btn.submit": "✅ 确认提交",
    "btn.edit": "✏️ 修改",
    "btn.rewrite": "重写描述",
    "btn.add_more": "补充描述/附件",
    "btn.edit_accused": "被投诉对象",
    "btn.edit_identity": "实名/匿名",
    "btn.back": "↩️ 返回摘要",
    "btn.resume": "继续填写",
    "btn.discard": "放弃草稿",
}
