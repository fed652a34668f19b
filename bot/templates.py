"""Every sentence a user sees, keyed. Handlers and the domain refer to keys only.

A template is either a str.format string over HTML-escaped parameters, or a function of the
prepared view (a dict of escaped, formatted values) when it needs conditions or lists.
Category/department ids are shown by their Chinese names; datetimes in the configured zone.
"""

from __future__ import annotations

import html
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


DANGER_WHAT = {"fire": "火情", "gas": "燃气泄漏", "medical": "有人受伤或急病", "police": "人身安全受到威胁"}
DANGER_WHO = {"119": "119（消防）", "120": "120（急救）", "110": "110（报警）"}


def _danger_call(v: View) -> str:
    """Said before anything else when the classifier reports a present danger to life."""
    what = DANGER_WHAT.get(v["danger_raw"], "危及生命安全的情况")
    return (f"🚨 <b>如果现在有{what}，请立即拨打 {DANGER_WHO.get(v['call_raw'], v['call'])}！</b>\n"
            "投诉渠道不能代替紧急求助电话。确认安全后，您可以继续在这里投诉，"
            "我们会按紧急件立即转交承办部门。")


def _asker(v: View) -> str:
    """The staff member who asked, mentioned so that Telegram tells them."""
    if not v.get("asker_raw"):
        return ""
    if v.get("asker_id_raw"):
        return f' <a href="tg://user?id={int(v["asker_id_raw"])}">{v["asker"]}</a> 的追问'
    return f" {v['asker']} 的追问"


def _answers_which(v: View) -> str:
    """A held message: is it the answer to a staff question, or part of the draft?"""
    asked = f"工作人员就 {v['numbers']} 向您追问过" if v["numbers"] else "工作人员向您追问过"
    if v["drafting_raw"]:
        return f"您有一件正在填写的投诉，{asked}。刚才这条消息是哪一个？"
    return f"{asked}，还没有收到您的回复。刚才这条消息是对哪一件的回复？"


CARD_TITLES = {"routed": "📮 新投诉", "signed": "🛠 办理中", "triage": "📥 待分派",
               "answered": "✅ 已答复", "reopened": "🔁 二次办理", "closed": "📁 已办结"}


def _card(v: View) -> str:
    title = "➡️ 已移交" if v.get("moved_to_raw") else CARD_TITLES.get(v["state_raw"], "📮 投诉")
    lines = [f"<b>{title} {v['number']}</b>" + ("  🔴 <b>紧急</b>" if v["urgent_raw"] else "")]
    if v.get("triage_raw") and not v.get("moved_to_raw"):
        lines.append("🗂 待分拣：请选择承办部门，并确认或更正类别")
    if v.get("note_raw"):
        lines.append(f"⚠️ {v['note']}")
    if v.get("returned_by_raw") or v.get("returned_reason_code_raw"):
        lines.append(_card_returned(v))
    if v.get("confirmed_by_raw"):       # the office's own label
        lines.append(f"类别：{v['category']}（{v['confirmed_by']} 已确认）")
    else:
        lines.append(f"类别：{v['category']}" + ("（待核定）" if v.get("unconfirmed_raw") else ""))
    lines += [
        f"承办部门：{v['department']}",
        f"状态：{v['state']}",
    ]
    if v.get("accountable_raw"):   # who signed for it
        lines.append(f"负责人：{v['accountable']}（{v['signed_at']} 签收）")
    if v.get("moved_to_raw"):
        lines.append(f"➡️ 已移交：{v['moved_to']}（本卡片仅供查阅）")
    if v.get("tags"):
        lines.append(f"标签：{v['tags']}")
    lines.append(f"被投诉对象：{v['accused'] or '未填写'}")
    if v.get("created_at_raw"):
        lines.append(f"受理时间：{v['created_at']}")
    if v.get("anonymous_raw") is not None:   # never who: only whether a callback is possible
        lines.append("投诉人：匿名" if v["anonymous_raw"]
                     else "投诉人：实名（如需回访，请经治庸问责办公室联系）")
    if v["attachments_raw"]:
        lines.append(f"附件：{v['attachments']} 个" + ("" if v.get("files_sent_raw") else "（随后发送）"))
    for url in v.get("locations_raw") or []:     # built by the domain from two numbers
        lines.append(f'📍 投诉人分享的位置：<a href="{html.escape(url)}">在地图上查看</a>')
    lines += [f"签收期限：{v['sign_due']}", f"答复期限：{v['answer_due']}"]
    lines += _card_deadlines(v) + ["", "<b>投诉内容：</b>", v["text"]]
    if v.get("text_cut_raw"):   # an edited card keeps to one message
        lines.append(f"……（另有 {v['text_cut']} 字，发送 /ticket {v['number']} 查看全文）")
    return "\n".join(lines)


def _card_returned(v: View) -> str:
    """The department's reason for a return, on the card the office decides on."""
    reason = REASON_NAMES.get(v["returned_reason_code_raw"], v["returned_reason_code"])
    if v.get("returned_reason_raw"):
        said = v["returned_reason"].rstrip("。.，,；; ")
        reason = f"{reason}：{said}" if reason != REASON_NAMES["other"] else said
    return f"↩️ 退回理由：{reason}（{v['returned_by']}，{v['returned_at']}）"


def _card_deadlines(v: View) -> list[str]:
    """the extension and rating deadlines, and the 一案双查 flag."""
    lines = []
    if v.get("extension_due_raw"):
        lines.append(f"延期申请期限：{v['extension_due']}前")
    if v.get("rating_due_raw"):
        lines.append(f"评价期限：{v['rating_due']}")
    if v.get("double_check_raw"):
        lines.append("⚠️ 二次办理 · 一案双查（承办人和单位负责人）")
    return lines


def _summary(v: View) -> str:
    identity = f"实名（手机 {v['phone']}）" if not v["anonymous_raw"] else "匿名"
    text = v["text"] + (f"……（另有 {v['cut']} 字，已全部记录）" if v.get("cut_raw") else "")
    lines = ["<b>请核对您的投诉：</b>", "", text, "",
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


def _card_supplement(v: View) -> str:
    lines = [f"📎 <b>{v['number']} 投诉人补充材料</b>"]
    if v.get("text_raw"):
        lines += ["", v["text"]]
    if v.get("files_raw"):
        lines.append(f"附件：{v['files']} 个（随后发送）")
    for url in v.get("locations_raw") or []:
        lines.append(f'📍 投诉人分享的位置：<a href="{html.escape(url)}">在地图上查看</a>')
    return "\n".join(lines)


def _mine(v: View) -> str:
    lines = ["<b>我的投诉</b>"]
    for item in v["items"]:
        lines.append(f"• {item['number']}  {item['state']}  {item['department']}"
                     f"  答复期限 {item['answer_due']}")
    return "\n".join(lines)


NOTES = {
    "low_confidence": "自动分类把握不大，请治庸问责办公室分派",
    "unbound": "{department} 尚未绑定工作群，请治庸问责办公室转办",
    "returned": "{department} 退回，请治庸问责办公室分派或裁定",
    "ruled": "治庸问责办公室裁定：本部门必须办理，不得再退回",
}

TEXTS: dict[str, Template] = {
    # --- home ---
    "start.welcome": (
        "您好，这里是<b>治庸问责</b>投诉渠道。\n\n"
        "如果您遇到公职人员<b>不能为</b>（业务不熟、答复错误）、<b>不想为</b>（推诿扯皮、拖着不办）、"
        "<b>不敢为</b>（怕担责、不拍板）或<b>乱作为</b>（吃拿卡要、乱收费乱罚款），可以在这里投诉。"
        "每件投诉都会交给负责的部门限时办理，逾期由治庸问责办公室督办。\n\n"
        "🔒 隐私承诺，谁能看到什么：\n"
        "• 承办部门永远看不到您是谁：没有姓名、用户名、电话或 Telegram 账号。\n"
        "• 实名投诉：只有治庸问责办公室能看到您的姓名和手机号（用于核实、回访）。\n"
        "• 匿名投诉：谁也看不到您的姓名和手机号——我们根本不保存它们，只保存给您回消息所需的聊天编号。\n"
        "⚠️ 请不要在投诉内容或文件名里写上自己的姓名、电话，这些内容承办部门能看到。"
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
    "file.duplicate": (
        "您在 <b>{number}</b> 已反映过相同问题（{created_at} 提交，{department}，{state}）。\n"
        "可以把这次写的内容和附件作为<b>补充材料</b>加到 {number}，承办部门会收到；"
        "如果这是另一件事，也可以仍作为新投诉提交。"),
    "file.supplemented": (
        "✅ 已作为补充材料加到 <b>{number}</b>（{chars} 字，{files} 个附件），已转给{department}。"
        "不算新投诉，答复期限不变。"),
    "file.duplicate_gone": "{number} 已是「{state}」，不能再补充。您可以把这次的内容作为新投诉提交：",
    "file.cancelled": "已取消，草稿已丢弃。",
    "file.cancel_confirm": "确定放弃正在填写的投诉吗？草稿（已写 {chars} 字，{files} 个附件）将被丢弃。",
    "help.draft_in_progress": "📝 您有一件正在填写的投诉，停在「{step}」这一步，可以继续填写或放弃。",
    "file.nothing_to_cancel": "当前没有进行中的操作。",
    "file.resume_prompt": "您有一件未提交的投诉（停在「{step}」这一步）。要继续还是放弃？",
    "mine.empty": "您还没有提交过投诉。",
    "mine.list": _mine,
    # --- department groups ---
    "card.ticket": _card,
    "card.attachment": "{number} 附件 {index}/{total}",
    "card.attachment_caption": "{number} 附件 {index}/{total}：{caption}",
    "card.continued": "（{number} 续 {part}/{parts}）",
    "card.supplement": _card_supplement,
    "card.supplement_file": lambda v: f"{v['number']} 补充材料附件 {v['index']}/{v['total']}" + (
        f"：{v['caption']}" if v.get("caption_raw") else ""),
    "group.help": (
        "这是部门工作群，投诉工单会推送到这里，按工单卡片上的按钮签收、退回、转办、申请延期、追问、备注、答复。\n"
        "/pending 本部门待办工单（治庸问责办可加部门，如 /pending housing）\n"
        "/ticket 编号 查看工单和全部办理记录\n"
        "/stats [week|month|quarter|2026-11|2026Q4] 部门考核、/officials [年份] 重复投诉干部（仅治庸问责办）\n"
        "/block 编号 理由、/unblock 编号 暂停或恢复某件投诉的投诉人使用本渠道（仅治庸问责办，看不到是谁）\n"
        "/bind 邀请码 绑定本群（管理员运行 zhiyong group invite 生成）\n"
        "工作人员请先私聊本机器人发送 /join 邀请码 登记身份。市民请私聊本机器人投诉。"
    ),
    "group.bind_usage": "用法：/bind 邀请码（由管理员运行 zhiyong group invite --department 部门 生成）",
    "group.bound": lambda v: f"✅ 本群已绑定为「{v['department']}」工作群。" + (
        f"{v['backlog']} 件待办工单将推送到本群。" if v["backlog_raw"] else "目前没有待推送的工单。"),
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
    "btn.supplement": "📎 补充到 {number}",
    "btn.file_anyway": "仍作为新投诉提交",
    "btn.edit_accused": "被投诉对象",
    "btn.edit_identity": "实名/匿名",
    "btn.back": "↩️ 返回摘要",
    "btn.resume": "继续填写",
    "btn.discard": "放弃草稿",
}


# ---- the staff desk -------------------------------------------------------------

ROLE_NAMES = {"staff": "工作人员", "head": "部门负责人", "duty": "值班人员", "supervisor": "督办人员",
              "admin": "管理员"}
REASON_NAMES = {"territory": "属地不符", "function": "职能不符", "info": "信息不足", "other": "其他"}
EXTENSION_STATUS_NAMES = {"approved": "已批准", "refused": "未批准", "pending": "待审批",
                          "lapsed": "因工单已流转而失效"}
EVENT_NAMES = {
    "filed": "提交投诉", "routed": "分派", "signed": "签收", "returned": "退回",
    "transferred": "转办", "rerouted": "治庸问责办改派", "ruled_must_handle": "裁定必须办理",
    "extension_requested": "申请延期", "extension_approved": "延期获批",
    "extension_refused": "延期未获批准", "question": "追问投诉人", "citizen_reply": "回复追问",
    "note": "内部备注", "answered": "答复", "rated": "评价", "rating_comment": "补充评价意见",
    "reopened": "不满意，转二次办理", "closed_unrated": "评价期满未评价，办结",
    "urge": "催办（逾期未答复）", "sign_urge": "催签收（逾期未签收）",
    "supervise": "督办（催办后仍未答复）", "sign_supervise": "督办（长期未签收）",
    "double_check": "一案双查", "label_confirmed": "治庸问责办确认分类",
    "label_corrected": "治庸问责办更正分类",
    "complainant_blocked": "暂停投诉人使用本渠道", "complainant_unblocked": "恢复投诉人使用本渠道",
    "block_appealed": "申诉暂停使用", "appeal_declined": "驳回申诉，维持暂停",
    "supplement": "补充材料",
}
ACTION_NAMES = {"return": "退回", "transfer": "转办", "extend": "申请延期", "ask": "追问",
                "note": "备注", "answer": "答复", "reroute": "改派"}


def _desk_who(item: View) -> str:
    if item["actor_raw"] == "citizen":
        return "投诉人"
    if item["actor_raw"] == "system":
        return "系统"
    return item["name"] or "工作人员"


def _desk_history(v: View) -> str:
    lines = [f"<b>{v['number']} 办理记录</b>"]
    if v.get("identity_raw"):
        lines.append(f"🔒 实名投诉人（仅治庸问责办可见）：{v['person']} @{v['username']} {v['phone']}")
    elif v.get("identity_in_private_raw"):
        lines.append("🔒 实名投诉：投诉人身份请在与机器人的私聊中发送 /ticket 编号 查看（查看将被记录）。")
    for item in v["items"]:
        line = f"• {item['event_at']} {_desk_who(item)} {EVENT_NAMES.get(item['event_raw'], item['event'])}"
        if item["event_raw"] in ("routed", "transferred", "rerouted", "ruled_must_handle"):
            line += f" → {item['department']}"
        if item["reason_code_raw"]:
            line += f"（{REASON_NAMES.get(item['reason_code_raw'], item['reason_code'])}）"
        if item["reason_raw"]:
            line += f"：{item['reason'].rstrip('。.，,；; ')}"
        if item["requested_due_raw"]:
            line += f"，申请延至 {item['requested_due']}"
        if item["text_raw"]:
            line += f"：{item['text']}"
        if item.get("rating_raw"):
            line += f"：{RATING_NAMES.get(item['rating_raw'], item['rating'])}"
        if item.get("comment_raw"):
            line += f"：{item['comment']}"
        if item.get("deadline_raw"):
            line += f"（期限 {item['deadline']}）"
        if item.get("answer_due_raw") and item["event_raw"] == "reopened":
            line += f"，新的答复期限 {item['answer_due']}"
        lines.append(line)
    return "\n".join(lines)


def _desk_ticket_passed_on(v: View) -> str:
    """/ticket of a ticket the department returned or transferred: where it went, who, why."""
    how = "退回治庸问责办公室" if v["how_raw"] == "returned" else f"转办至{v['now_department']}"
    reason = REASON_NAMES.get(v["reason_code_raw"], "") if v.get("reason_code_raw") else ""
    if v.get("reason_raw"):
        said = v["reason"].rstrip("。.，,；; ")
        reason = f"{reason}：{said}" if reason and reason != REASON_NAMES["other"] else said
    lines = [f"<b>{v['number']}</b> 已由 {v['name'] or '本部门'} 于 {v['left_at']} {how}，不再由{v['department']}办理。"]
    if reason:
        lines.append(f"理由：{reason}")
    lines.append(f"目前承办：{v['now_department']}。")
    return "\n".join(lines)


def _desk_pending(v: View) -> str:
    if not v["items"]:
        return f"<b>{v['department']}</b> 当前没有待办工单。"
    lines = [f"<b>{v['department']} 待办工单（{v['count']} 件，按期限排序）</b>"]
    for item in v["items"]:
        mark = " ⏰<b>已逾期</b>" if item["overdue_raw"] else ""
        urgent = " 🔴" if item["urgent_raw"] else ""
        stage = "签收" if item["stage_raw"] == "sign" else "答复"
        who = f"  负责人 {item['accountable']}" if item["accountable_raw"] else "  待签收，尚无负责人"
        lines.append(f"• {item['number']}{urgent}  {item['state']}  {stage}期限 {item['due_at']}"
                     f"{mark}{who}")
    lines.append("查看详情：/ticket 编号")
    return "\n".join(lines)


def _desk_ask_text(v: View) -> str:
    if v["action_raw"] == "ask":
        return (f"请输入要问投诉人的问题（{v['number']}）。机器人会代为转达，"
                "双方都看不到对方身份。")
    return f"请输入内部备注（{v['number']}）。备注只有工作人员和治庸问责办可见，投诉人看不到。"


def _desk_extension_decided(v: View) -> str:
    status = EXTENSION_STATUS_NAMES.get(v["status_raw"], v["status"])
    return f"{v['number']} 的延期申请{status}。当前答复期限：{v['answer_due']}"


def _desk_extension_card(v: View) -> str:
    """The request card; once decided it says the decision, who and when (no buttons)."""
    lines = [f"<b>⏳ 延期申请 {v['number']}</b>", f"承办部门：{v['department']}",
             f"申请人：{v['name']}", f"原答复期限：{v['answer_due']}",
             f"申请延至：{v['requested_due']}", f"理由：{v['reason']}"]
    if v.get("status_raw") == "approved":
        lines.append(f"✅ <b>已批准延期</b>（{v['decided_by']}，{v['decided_at']}）")
    elif v.get("status_raw") == "refused":
        lines.append(f"❌ <b>不批准延期</b>（{v['decided_by']}，{v['decided_at']}）")
    elif v.get("status_raw") == "lapsed":
        lines.append(f"↪️ <b>工单已流转（{v['state']}），无需再审批</b>"
                     f"（{v['decided_by']}，{v['decided_at']}）")
    return "\n".join(lines)


def _desk_extension_done(v: View) -> str:
    if v["status_raw"] == "approved":
        return f"已批准 {v['number']} 的延期申请。"
    return f"已不批准 {v['number']} 的延期申请。"


def _error_extension_decided(v: View) -> str:
    status = EXTENSION_STATUS_NAMES.get(v["status_raw"], v["status"])
    by = f"由 {v['name']} 于 {v['decided_at']} " if v.get("name_raw") else ""
    return f"{v['number']} 的这项延期申请已{by}处理：{status}。"


def _desk_done(action: str) -> Callable[[View], str]:
    def text(v: View) -> str:
        extra = f"（{v['department']}）" if v.get("department_raw") else ""
        return f"✅ {v['number']} 已{ACTION_NAMES[action]}{extra}。"
    return text


DESK_TEXTS: dict[str, Template] = {
    # --- joining ---
    "staff.join_usage": "用法：/join 邀请码（由管理员运行 zhiyong staff invite 生成）",
    "staff.joined": "✅ 欢迎，{name}！您已登记为「{department}」的{role}。工单卡片上的按钮现在对您有效。",
    # --- card actions ---
    "desk.signed_ok": "已签收 {number}，您是本件的负责人。",
    "desk.ruled_ok": "已裁定 {number} 由 {department} 办理。",
    "desk.continue_private": "请到与机器人的私聊中继续（{number}）。",
    "desk.accepted_citizen": lambda v: (
        f"📬 您的投诉 <b>{v['number']}</b> 已由<b>{v['department']}</b>签收办理，"
        f"答复期限：{v['answer_due']}前。" + (
            f"\n（受理时告知的期限是 {v['previous_due']}：答复期限从部门签收时起算，所以有变化。）"
            if v.get("previous_due_raw") else "")),
    "desk.extension_card": _desk_extension_card,
    "desk.question_sent": "❓ {name} 已就 {number} 追问投诉人：{question}",
    "desk.note_posted": "📝 {name} 备注 {number}：{text}",
    "desk.answered_group": "✅ {number} 已由 {name} 答复，等待投诉人评价。",
    "desk.answer_citizen": "<b>📨 关于您的投诉 {number}，{department}答复如下：</b>\n\n{text}",
    "desk.answer_file": "{number} 答复附件 {index}/{total}",
    "desk.extension_citizen": "⏳ 您的投诉 {number} 经批准延期办理，新的答复期限：{answer_due}前。",
    "desk.extension_decided": _desk_extension_decided,
    "desk.extension_done": _desk_extension_done,
    "desk.ticket_passed_on": _desk_ticket_passed_on,
    # --- the private dialog ---
    "desk.ask_reason": "请选择退回 {number} 的理由：",
    "desk.ask_department": lambda v: f"请选择要把 {v['number']} 交给哪个部门：" + (
        f"\n（退回本件的{v['returned_from']}不在其中；如需原部门办理，请在卡片上按「责令原部门办理」。）"
        if v.get("returned_from_raw") else ""),
    "desk.ask_reason_text": "请输入理由（{number}）：",
    "desk.ask_date": "请输入希望延至的日期（{number}），格式如 2026-12-31：",
    "desk.ask_text": _desk_ask_text,
    "desk.ask_answer": (
        "请输入对 {number} 的答复，可分多条发送，可附照片或文件（已收到 {chars} 字，{files} 个附件）。"
        "写完按「提交答复」，答复将发给投诉人。"),
    "desk.use_buttons": "请按下方按钮选择部门（{number}）：",
    "desk.text_only": "这一步请发送文字。",
    "desk.too_many_files": "附件最多 {max} 个。",
    "desk.dialog_cancelled": "已取消对 {number} 的操作，没有任何改动。",
    "desk.done.return": "✅ {number} 已退回治庸问责办公室分派。",
    "desk.done.transfer": _desk_done("transfer"),
    "desk.done.reroute": _desk_done("reroute"),
    "desk.done.extend": "✅ {number} 的延期申请已提交，等待治庸问责办公室审批。",
    "desk.done.ask": "✅ 问题已转达投诉人（{number}），回复会发到部门群。",
    "desk.done.note": _desk_done("note"),
    "desk.done.answer": "✅ {number} 已答复投诉人，等待评价。",
    # --- lists ---
    "desk.pending": _desk_pending,
    "desk.ticket_usage": "用法：/ticket 工单编号，例如 /ticket ZY-20261123-0001",
    "desk.history": _desk_history,
    # --- the complainant's side of 追问 ---
    "relay.question": (
        "<b>❓ 关于您的投诉 {number}，{department}想了解：</b>\n\n{question}\n\n"
        "直接发送您的回答即可（文字、照片或文件），也可以按「回复」；"
        "对方看不到您的身份。"),
    "relay.reply_prompt": "请发送您对 {number} 的回复（文字、照片、文件、语音或位置）。发送 /cancel 取消。",
    "relay.reply_cancelled": "已取消回复。",
    "relay.reply_sent": "✅ 您的回复已转达（{number}）。",
    "relay.typed_reply_sent": ("✅ 已作为您对 {number} 追问的回复转达。"
                               "如果这是一件新的投诉，请发送 /new 开始填写。"),
    "danger.call_now": _danger_call,
    "relay.reply_added": "✅ 这个追问您已回复过，这条已作为补充转达（{number}）。",
    "answers.which": _answers_which,
    "relay.reply_group": lambda v: f"💬 投诉人就 {v['number']} 回复{_asker(v)}：\n{v['text']}" + (
        f'📍 投诉人分享的位置：<a href="{html.escape(v["location_raw"])}">在地图上查看</a>'
        if v.get("location_raw") else ""),
    "relay.reply_file": lambda v: f"💬 投诉人就 {v['number']} 回复{_asker(v)}，发来附件 {v['text']}",
    # --- errors ---
    "error.voice_empty": "这条语音没有声音（0 秒），没有记入。请重新录制，或用文字描述。",
    "error.voice_too_large": "语音太大（超过 {max_mb} MB），没有记入。请分几段发送，或用文字描述。",
    "error.location_invalid": "这个位置无法识别，没有记入。",
    "flood.slow_down": "您发送得太快了，请稍等一分钟再继续。这段时间里发来的消息不会被处理。",
    "error.daily_cap": "您今天已经提交了 {max} 件投诉，这是每天的上限。草稿已为您保留，明天可以继续提交。",
    # --- abuse: the office blocks a complainant by ticket number ---
    "blocked.notice": (
        "治庸问责办公室暂停了本账号在这里提交投诉和发送消息，此后发来的消息不会被处理。\n"
        "如果您认为这是误会，请发送 /appeal 加上您的说明（例如：/appeal 我反映的是不同的问题），"
        "治庸问责办公室会复核并答复。每次暂停可申诉一次。\n"
        "紧急情况请直接拨打 110 / 119 / 120；其他诉求也可拨打 12345 市民服务热线。"),
    "blocked.short": "本账号已被暂停使用，申诉请发送 /appeal 加上您的说明。",
    "blocked.appeal_usage": "请在 /appeal 后面写上您的说明，例如：/appeal 我反映的是不同的问题。",
    "blocked.appeal_sent": "✅ 您的申诉已转交治庸问责办公室复核；恢复使用时会在这里通知您。",
    "blocked.appeal_already": "您的申诉已转交治庸问责办公室，正在复核，请耐心等待。",
    "blocked.appeal_declined": (
        "治庸问责办公室复核了您的申诉，决定维持暂停。{reason}\n"
        "紧急情况请直接拨打 110 / 119 / 120；其他诉求也可拨打 12345 市民服务热线。"),
    "blocked.lifted_citizen": "✅ 治庸问责办公室已恢复本账号的使用，您可以重新提交投诉了。发送 /start 开始。",
    "desk.block_usage": "用法：/block 投诉编号 理由（例如 /block ZY-20261201-0001 一分钟内重复提交二十次）。",
    "desk.unblock_usage": "用法：/unblock 投诉编号 [理由]",
    "desk.blocked": (
        "⛔ 已暂停 {number} 的投诉人使用本渠道（理由：{reason}）。对方下次发消息时会收到一次说明和申诉方法。\n"
        "解除：/unblock {number}"),
    "desk.unblocked": "✅ 已恢复 {number} 的投诉人使用本渠道。",
    "desk.appeal_declined": "已驳回 {number} 的申诉，维持暂停（{name}，{declined_at}）。已通知投诉人。",
    "desk.block_appeal": (
        "📨 <b>申诉 {number}</b>：被暂停的投诉人申请复核。\n暂停理由：{reason}（{blocked_at}）\n"
        "申诉说明：{text}\n恢复使用：/unblock {number} 理由\n驳回申诉：/decline {number} 理由"),
    "error.block_here": "请在治庸问责办公室群或与机器人的私聊中使用 /block、/unblock。",
    "error.already_blocked": "{number} 的投诉人已于 {blocked_at} 被 {name} 暂停使用（理由：{reason}）。",
    "error.not_blocked": "{number} 的投诉人没有被暂停使用。",
    "error.no_appeal": "{number} 的投诉人没有提出申诉，无需驳回。",
    "error.appeal_already_declined": "{number} 的申诉已于 {declined_at} 被 {name} 驳回。",
    "error.unknown_role": "没有这个角色：{role}。可用：{known}",
    "error.staff_not_found": "没有登记 Telegram id 为 {telegram_id} 的工作人员。",
    "error.join_private_only": "请在与机器人的私聊中发送 /join 邀请码。",
    "error.not_staff": "您不是登记在册的工作人员（或已被停用），无权操作工单。",
    "error.wrong_department": "这件工单由{department}办理，您无权操作。",
    "error.not_supervisor": "只有治庸问责办公室可以这样操作。",
    "error.ticket_moved": "工单 {number} 已是「{state}」状态，这个操作不再可用。",
    "error.already_signed": "{number} 已由 {name} 签收。",
    "error.return_after_ruling": "治庸问责办公室已裁定 {number} 由本部门办理，不能再退回或转办。",
    "error.transfer_disabled": "本系统未开放部门间直接转办，请用「退回」交治庸问责办公室分派。",
    "error.empty_input": "内容不能为空，请重新输入。",
    "error.input_too_long": "内容太长（{chars} 字），上限 {max} 字。",
    "error.bad_date": "看不懂日期「{text}」，请按 2026-12-31 的格式输入。",
    "error.date_not_later": "延期日期必须晚于当前答复期限（{answer_due}），请重新输入。",
    "error.extension_decided": _error_extension_decided,
    "error.reroute_to_returner": "{number} 是{department}退回的，不能改派回去；如需原部门办理，请按「责令原部门办理」。",
    "error.extension_pending": "{number} 已有一项延期申请在等待治庸问责办公室审批，请等审批结果后再申请。",
    "error.extension_limit": "{number} 的延期次数已用完，不能再申请。",
    "error.extension_too_late": "{number} 的答复期限（{answer_due}）已过，不能再申请延期，请尽快答复。",
    "error.group_not_bound": "本群还没有绑定部门，请先 /bind 邀请码。",
    "error.not_your_ticket": "这个按钮已失效。",
    # --- buttons ---
    "btn.desk.sign": "✍️ 签收",
    "btn.desk.return": "↩️ 退回",
    "btn.desk.transfer": "🔀 转办",
    "btn.desk.extend": "⏳ 申请延期",
    "btn.desk.ask": "❓ 追问",
    "btn.desk.note": "📝 备注",
    "btn.desk.answer": "📨 答复",
    "btn.desk.reroute": "🔀 改派",
    "btn.desk.must": "⚖️ 责令原部门办理",
    "btn.desk.approve": "✅ 批准延期",
    "btn.desk.refuse": "❌ 不批准",
    "btn.desk.submit": "📨 提交答复",
    "btn.desk.department": "{department}",
    "btn.desk.reason.territory": "属地不符",
    "btn.desk.reason.function": "职能不符",
    "btn.desk.reason.info": "信息不足",
    "btn.desk.reason.other": "其他（填写理由）",
    "btn.relay.reply": "💬 回复",
    "btn.meant.question": "💬 是对 {number} 追问的回复",
    "btn.meant.draft": "📝 是正在填写的投诉",
    "btn.meant.new": "📝 是一件新投诉",
}
TEXTS.update(DESK_TEXTS)


# ---- deadlines, chasing, rating, digests ----------------------------------------

DIGEST_WHAT = {"sign": "签收期限", "answer": "答复期限"}
RATING_NAMES = {"satisfied": "满意", "basic": "基本满意", "unsatisfied": "不满意",
                "unrated": "未评价"}


def _head(v: View, title: str) -> str:
    return f"<b>{title} {v['number']}</b>" + ("  🔴 <b>紧急</b>" if v.get("urgent_raw") else "")


def _who(v: View) -> str:
    if v.get("handler_name"):
        return f"承办人：{v['handler_name']}"
    return f"承办人：ID {v['handler']}" if v.get("handler") else "承办人：尚未签收"


def _digest(v: View) -> str:
    lines = [f"<b>☀️ 今日待办 · {v['department']} · {v['day']}</b>",
             f"在办 {v['open']} 件，今日到期 {v['due_today']} 件，已逾期 {v['overdue']} 件。"]
    for item in v["items"]:
        what = DIGEST_WHAT.get(item["what_raw"], item["what"])
        lines.append(f"• {item['number']}  {item['state']}  {what} {item['due']}")
    if v.get("more_raw"):
        lines.append(f"……另有 {v['more']} 件，发送 /pending 查看")
    return "\n".join(lines)


def _weekly(v: View) -> str:
    lines = [f"<b>📊 本周治庸问责周报（{v['since']} 起）</b>",
             f"在办 {v['open']} 件，逾期 {v['overdue']} 件；本周催办 {v['urged']} 次，"
             f"督办 {v['supervised']} 次，一案双查 {v['double_checks']} 件。"]
    for item in v["items"]:
        lines.append(f"• {item['department']}：在办 {item['open']}，逾期 {item['overdue']}，"
                     f"催办 {item['urged']}，督办 {item['supervised']}")
    return "\n".join(lines)


def _rating_word(v: View) -> str:
    return RATING_NAMES.get(str(v.get("rating_raw", "")), v.get("rating", ""))


DEADLINE_TEXTS: dict[str, Template] = {
    "deadline.remind_half": lambda v: _head(v, "⏰ 办理提醒") + (
        f"\n答复时限已过半，请在 {v['answer_due']} 前答复。"),
    "deadline.remind_last_day": lambda v: _head(v, "⏰ 即将到期") + (
        f"\n距答复期限不足一个工作日，请在 {v['answer_due']} 前答复；确需延期请在期限前申请。"),
    "deadline.urge_dept": lambda v: _head(v, "❗ 催办") + (
        f"\n已超过答复期限（{v['answer_due']}），请立即办理并答复。\n{_who(v)}"),
    "deadline.urge_office": lambda v: _head(v, "❗ 逾期未答复") + (
        f"\n{v['department']}已超过答复期限（{v['answer_due']}），已发催办。\n{_who(v)}"),
    "deadline.supervise_dept": lambda v: _head(v, "🚨 督办") + (
        f"\n逾期未答复（期限 {v['answer_due']}），治庸问责办公室已立案督办，"
        f"请部门负责人督促办理。已记入问责台账。\n{_who(v)}"),
    "deadline.supervise_office": lambda v: _head(v, "🚨 督办") + (
        f"\n{v['department']}催办后仍未答复（期限 {v['answer_due']}），已记入问责台账。"
        f"\n{_who(v)}"),
    "deadline.supervise_head": lambda v: _head(v, "🚨 督办（部门负责人）") + (
        f"\n贵部门工单逾期未答复（期限 {v['answer_due']}），请督促办理。\n{_who(v)}"),
    "deadline.duty_call": lambda v: _head(v, "🚨 紧急件值班提醒") + (
        f"\n{'签收' if v['stage_raw'] == 'sign' else '答复'}期限"
        f"（{v['sign_due'] if v['stage_raw'] == 'sign' else v['answer_due']}）已过，"
        "请立即处理，或安排人员处理。"),
    "deadline.sign_urge_dept": lambda v: _head(v, "❗ 催签收") + (
        f"\n已超过签收期限（{v['sign_due']}），请立即签收。"),
    "deadline.sign_urge_office": lambda v: _head(v, "❗ 逾期未签收") + (
        f"\n{v['department']}已超过签收期限（{v['sign_due']}）。"),
    "deadline.sign_supervise_dept": lambda v: _head(v, "🚨 督办（未签收）") + (
        f"\n工单长期无人签收（期限 {v['sign_due']}），已记入问责台账，请部门负责人督促。"),
    "deadline.sign_supervise_office": lambda v: _head(v, "🚨 督办（未签收）") + (
        f"\n{v['department']}长期未签收（期限 {v['sign_due']}），已记入问责台账。"),
    "deadline.sign_supervise_head": lambda v: _head(v, "🚨 督办（部门负责人）") + (
        f"\n贵部门工单长期无人签收（期限 {v['sign_due']}），请督促签收办理。"),
    "rating.ask": lambda v: (
        f"您的投诉 <b>{v['number']}</b> 已由{v['department']}答复。请评价办理结果："
        + (f"\n（{v['rating_due']}前有效，逾期视为未评价）" if v.get("rating_due_raw") else "")),
    "rating.remind": lambda v: (
        f"提醒：您的投诉 <b>{v['number']}</b> 还未评价，请按下方按钮评价。"
        + (f"\n（{v['rating_due']}前有效）" if v.get("rating_due_raw") else "")),
    "rating.thanks": lambda v: (
        f"感谢您的评价（{_rating_word(v)}），投诉 {v['number']} 已办结。"
        "如需补充意见，可直接发送文字（可选）。"),
    "rating.reason_prompt": "很抱歉办理结果未让您满意。请说明不满意的原因（直接发送文字），"
                            "投诉 {number} 将退回重新办理。",
    "rating.comment_thanks": "已记录您的意见，谢谢。",
    "rating.done": "好的，谢谢。",
    "rating.reopened_citizen": lambda v: (
        f"投诉 <b>{v['number']}</b> 已退回{v['department']}二次办理，"
        f"新的答复期限：{v['answer_due']}前。治庸问责办公室将一案双查。"),
    "rating.reopened_dept": lambda v: _head(v, "↩️ 二次办理") + (
        f"\n投诉人对答复不满意，请在 {v['answer_due']} 前重新办理并答复。"
        + (f"\n不满意原因：{v['reason']}" if v.get("reason") else "")
        + f"\n⚠️ 一案双查：承办人和单位负责人均将被核查。\n{_who(v)}"),
    "rating.reopened_office": lambda v: _head(v, "↩️ 二次办理 · 一案双查") + (
        f"\n{v['department']}的答复未获投诉人认可，新的答复期限 {v['answer_due']}。"
        + (f"\n不满意原因：{v['reason']}" if v.get("reason") else "")
        + f"\n{_who(v)}"),
    "rating.closed_unrated": "投诉 {number} 评价期已过，按「未评价」办结。如有新问题可再次投诉。",
    "rating.result_dept": lambda v: f"投诉 {v['number']} 投诉人评价：{_rating_word(v)}",
    "digest.morning": _digest,
    "digest.weekly": _weekly,
    "error.rating_closed": "该投诉 {number} 已不在评价期内（已评价或已办结）。",
    "btn.rate_satisfied": "😊 满意",
    "btn.rate_basic": "🙂 基本满意",
    "btn.rate_unsatisfied": "😞 不满意",
}
TEXTS.update(DEADLINE_TEXTS)


# ---- the accountability office -------------------------------------------------

VERDICT_NAMES = {"substantiated": "属实", "partly": "部分属实", "unfounded": "不属实"}
MEASURE_NAMES = {
    "none": "无", "criticism": "通报批评", "admonition": "诫勉", "transfer": "调离岗位",
    "suspension": "停职检查", "ordered_resignation": "责令辞职", "removal": "免职",
    "dismissal": "辞退或者解聘", "prosecution": "移送司法机关",
}
OFFICIAL_ROLE_NAMES = {"handler": "承办人", "head": "单位负责人"}
DEADLINE_STATUS_NAMES = {"met": "按时", "missed": "超期", "pending": "未到期"}
CATEGORY_NAMES = {"cannot": "不能为", "will_not": "不想为", "dare_not": "不敢为",
                  "misconduct": "乱作为", "other": "一般诉求"}
NO_VALUE = "—"
REPEAT_FLAG = "年度考核不能评为称职"


def rate_text(num: int, den: int) -> str:
    """A rate with its numerator and denominator; "—" when there is nothing to rate."""
    return f"{round(100 * num / den)}% ({num}/{den})" if den else NO_VALUE


def days_text(days: float | None) -> str:
    return NO_VALUE if days is None else f"{days:.1f}"


def _stats(v: View) -> str:
    lines = [f"<b>📊 治庸问责 · 部门考核 {v['period']}</b>"]
    if v.get("empty_raw"):
        return lines[0] + "\n本期没有工单。"
    lines.append("名次 部门：收件 | 按时签收 | 按时办结 | 满意率 | 逾期")
    for item in v["items"]:
        rank = item["rank"] or NO_VALUE
        mark = " ⚠️末位" if item.get("last_raw") else ""
        lines.append(
            f"{rank}. {item['department']}：{item['received']} | "
            f"{rate_text(item['sign_num_raw'], item['sign_den_raw'])} | "
            f"{rate_text(item['answer_num_raw'], item['answer_den_raw'])} | "
            f"{rate_text(item['sat_num_raw'], item['sat_den_raw'])} | {item['overdue']}{mark}")
    lasts = [i["department"] for i in v["items"] if i.get("last_raw")]
    if lasts:
        lines.append(f"连续两期末位：{LIST_SEPARATOR.join(lasts)}")
    return "\n".join(lines)


def _officials(v: View) -> str:
    head = f"<b>👤 {v['year']} 年度受到两次以上有效投诉的干部（{REPEAT_FLAG}）</b>"
    if not v["items"]:
        return head + "\n暂无。"
    rows = [f"• {i['name']}（{i['unit'] or NO_VALUE} {i['post']}）：{i['count']} 件 "
            f"{i['tickets']}" for i in v["items"]]
    return "\n".join([head, *rows])


def _triage_card(v: View) -> str:
    """A ticket routed to a department with its category unsure: the office confirms it."""
    lines = [f"<b>🗂 待核定类别 {v['number']}</b>"]
    if v.get("confirmed_by_raw"):
        lines.append(f"类别：{v['category']}（{v['confirmed_by']} 已确认）")
    else:
        lines.append(f"类别：{v['category']}" + ("（待核定）" if v["unconfirmed_raw"] else ""))
    lines.append(f"承办部门：{v['department']}")
    lines += ["", "<b>投诉内容：</b>", v["text"] + ("……" if v["cut_raw"] else "")]
    lines.append("\n已退回治庸问责办公室，请在其工单卡片上分派。" if v.get("superseded_raw")
                 else "\n请确认或更正类别。")
    return "\n".join(lines)


OFFICE_TEXTS: dict[str, Template] = {
    "office.triage_card": _triage_card,
    "office.period_ledger": "📎 {period} 问题台账（{tickets} 件工单），可用 Excel 打开。",
    "office.finding.continue_private": "请在与机器人的私聊中继续录入 {number} 的核查结论。",
    "office.finding.ask_verdict": lambda v: (
        f"{'更正' if v['correct_raw'] else '录入'} {v['number']} 的核查结论（调查核实）：请选择结论。"),
    "office.finding.ask_official": lambda v: (
        "请发送被问责人员：姓名，职务，单位（职务、单位可不填），例如：张三，科长，物业科"
        + ("。\n或按「保留原有人员和措施」只改结论。" if v["correct_raw"] else "。")),
    "office.finding.ask_measure": "请选择对该人员的问责措施（{number}）：",
    "office.finding.ask_head": "{number} 为一案双查件：请发送单位负责人：姓名，职务，单位。",
    "office.finding.ask_head_measure": "请选择对单位负责人的问责措施（{number}）：",
    "office.finding.use_buttons": "请按下方按钮选择（{number}）：",
    "office.finding.done": lambda v: (
        f"✅ 已录入 {v['number']} 的核查结论：{VERDICT_NAMES.get(v['verdict_raw'], v['verdict'])}"
        + (f"\n⚠️ 有 {v['flags']} 名人员本年度已有两次以上有效投诉，已通知治庸问责办公室。"
           if v["flags_raw"] else "")),
    "office.finding.corrected": lambda v: (
        f"✅ 已更正 {v['number']} 的核查结论：{VERDICT_NAMES.get(v['verdict_raw'], v['verdict'])}"
        "（改动已记入办理记录）"
        + (f"\n⚠️ 有 {v['flags']} 名人员本年度已有两次以上有效投诉，已通知治庸问责办公室。"
           if v["flags_raw"] else "")),
    "btn.office.verdict.substantiated": "属实",
    "btn.office.verdict.partly": "部分属实",
    "btn.office.verdict.unfounded": "不属实",
    "btn.office.keep_officials": "保留原有人员和措施",
    **{f"btn.office.measure.{k}": name for k, name in MEASURE_NAMES.items()},
    "office.triage.category_ok": "类别已记为：{category}",
    "office.triage.routed_ok": "{number} 已派给 {department}",
    "btn.office.department": "➡️ {department}",
    "btn.office.must": "⚖️ 责令{department}办理",
    "btn.office.category": "{category}",
    "error.returned_by_department": "{department} 已退回此件，不能再派给它；如需由它办理，请按「责令原部门办理」。",
    "office.stats": _stats,
    "office.officials": _officials,
    "office.stats_chart": "📊 {period} 部门办理情况图",
    "office.repeat_offender": lambda v: (
        f"<b>⚠️ 重复投诉预警</b>\n{v['name']}（{v['unit'] or NO_VALUE} {v['post']}）"
        f"{v['year']} 年度已有 {v['count']} 件有效投诉（属实/部分属实）：{v['tickets']}\n"
        f"按规定：{REPEAT_FLAG}。"),
    "chart.title": "{period} 部门办理情况",
    "chart.rates": "三项主要指标",
    "chart.mix": "投诉类别构成（件）",
    "chart.empty": "{period}：本期没有工单",
    "chart.rate.sign": "按时签收率",
    "chart.rate.answer": "按时办结率",
    "chart.rate.satisfaction": "满意率",
    "error.office_room_only": "请在治庸问责办公室工作群或与机器人的私聊中使用 /stats 和 /officials。",
    "error.bad_period": "看不懂时段「{text}」。可用：week、month、quarter、2026-11、2026Q4。",
    "error.finding_open_ticket": "{number} 仍在办理（{state}），答复后才能录入核查结论。",
    "error.measure_without_finding": "没有「属实」或「部分属实」的核查结论，不能提出问责措施（{number}）。",
    "error.unknown_verdict": "核查结论只能是：属实、部分属实、不属实。",
    "error.unknown_measure": "没有这种问责措施：{measure}。",
    "error.no_official": "核查属实时请填写被问责人员（姓名、职务、单位）（{number}）。",
    "error.head_record_required": "{number} 为一案双查件，请同时填写单位负责人的核查记录。",
    "error.bad_official_name": lambda v: (
        "姓名不能为空。" if v.get("reason_raw") == "empty"
        else f"内容太长（{v['chars']} 字），上限 {v['max']} 字。"),
    "error.finding_not_found": "{number} 还没有核查结论。",
    "error.finding_exists": "{number} 已有核查结论，如需修改请用「更正」。",
    "error.official_not_found": "找不到编号为 {official_id} 的人员。",
    "error.nothing_changed": "没有任何改动。",
    "error.unknown_category": "没有这个类别：{category}。",
    "error.bad_correction_field": "只能更正类别或承办部门。",
}
TEXTS.update(OFFICE_TEXTS)

# the ledger (问题台账): sheet names and column headers, in order
LEDGER_SHEETS = {"tickets": "问题台账", "kpis": "部门考核", "officials": "重复投诉人员"}
LEDGER_TICKET_HEADERS = [
    "工单编号", "受理时间", "类别", "承办部门", "责任人", "状态", "签收期限", "签收时间", "签收是否按时",
    "答复期限", "答复时间", "答复是否按时", "办结时间", "评价", "核查结论", "问责措施",
]
LEDGER_IDENTITY_HEADERS = ["投诉人姓名", "投诉人电话"]
LEDGER_KPI_HEADERS = [
    "名次", "部门", "收件", "本期工单", "按时签收率", "按时办结率", "满意率", "不满意率", "重办率",
    "退回率", "当前逾期", "平均办结工作日", "核查属实占比", "类别构成", "末位",
]
LEDGER_OFFICIAL_HEADERS = ["姓名", "职务", "单位", "年度", "有效投诉件数", "工单", "结论"]
