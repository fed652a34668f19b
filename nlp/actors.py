"""Who does what: conduct words count only when the one doing it is an official or public body.

Why: the categories are about officials' conduct (taxonomy). "开发商一直拖着不办证", "物业态度
恶劣", "老板强行扣押身份证" are complaints about a company, routed to a department as ordinary
requests; "局里推诿", "窗口的人态度恶劣" are conduct. The nearest actor named before the word in
its clause decides; with none named the word counts (letters to a bureau usually mean it).
Not for 不敢为 words: there the company is the powerful offender the official fears
("老板是关系户", "惹不起"), not the one acting.
"""

from __future__ import annotations

import re

from nlp.situation import SENTENCE_END, all_supposed, negated_clause, occurrences, span

OFFICIAL = ("局", "部门", "政府", "窗口", "工作人员", "办事员", "民警", "警察", "交警", "辅警",
            "城管", "执法", "街道", "社区", "村委", "居委", "村干部", "干部", "领导", "科长",
            "所长", "局长", "主任", "书记", "镇长", "乡长", "县长", "区长", "派出所", "大厅",
            "中心", "办事处", "管理所", "监察", "学校", "校长", "老师", "班主任", "教师", "医院",
            "医生", "院长", "公务员", "官员", "机关", "单位领导", "有关部门", "相关部门",
            "专管员", "经办人", "审批", "检查组", "卫生院", "所里", "站里", "局里", "厅")
COMPANY = ("开发商", "物业", "公司", "老板", "商家", "店家", "店主", "店员", "司机", "中介",
           "房东", "厂家", "工厂", "厂里", "银行", "传销", "商户", "卖家", "快递", "包工头",
           "施工方", "施工单位", "承包商", "业主", "邻居", "房主", "客服", "平台", "培训机构",
           "楼盘", "集团", "企业", "租户", "摊贩", "饭店", "超市", "网吧", "车主", "保安",
           "经理", "同学", "混混", "骗子", "教练", "护工", "保姆")     # private persons too


# an offered gift turned down ("想送个红包，医生坚决不收") is praise, not a demand
REFUSED = ("不收", "拒收", "不肯收", "没收下", "不要红包", "坚决不要", "婉拒")
_ACTORS = re.compile("|".join(sorted(map(re.escape, OFFICIAL + COMPANY), key=len, reverse=True)))
_KIND = {**{w: "official" for w in OFFICIAL}, **{w: "company" for w in COMPANY}}


def actor_before(text: str, start: int) -> str:
    """'official', 'company' or '' for the nearest actor named before `start` in its clause."""
    return actor_in(span(text, start, 0).near_before)


def actor_in(before: str) -> str:
    """actor_before for the clause text before the word."""
    last = ""
    for m in _ACTORS.finditer(before):
        last = m.group()
    return _KIND.get(last, "")


def counts_as_conduct(text: str, word: str, check_negation: bool = True) -> bool:
    """Some occurrence of `word` is not negated (when asked) and not done by a company, and the
    word is not only asked about or supposed ("是否存在乱收费？", "如果推诿…")."""
    spans = [span(text, i, len(word)) for i in occurrences(text, word)]   # one per occurrence
    if all_supposed(spans):
        return False
    for sp in spans:
        if not (check_negation and negated_clause(sp.near_before)) and actor_in(sp.near_before) != "company":
            return True
    return False


def refused(text: str, word: str) -> bool:
    """Every occurrence of the money `word` is followed in its sentence by the gift being turned
    down (offered, then refused; "不收红包就不办" still demands it)."""
    starts = [m.start() for m in re.finditer(re.escape(word), text)]
    ends = [m.end() for m in SENTENCE_END.finditer(text)]
    def rest(i: int) -> str:
        return text[i + len(word):next((e for e in ends if e > i), len(text))]
    return bool(starts) and all(any(r in rest(i) for r in REFUSED) for i in starts)


# what an official answered or did, reported after naming them ("窗口的人说…", "城管答复…"): a
# letter told as a story of an official's conduct, even with no conduct phrase in it
TOLD = re.compile("说|答复|回复|告诉|表示|答")
# those who answer for an office in such stories, besides OFFICIAL (the clerk handling a case, the
# hotline operator, a counter, a town or village office asked in turn)
TELLERS = ("承办", "接线员", "柜台", "护士", "中队", "大队", "管理站", "税务所", "国土所", "站长",
           "镇里", "县里", "村里", "乡里", "区里", "市里")
_TELLERS = re.compile("|".join(sorted(map(re.escape, OFFICIAL + TELLERS), key=len, reverse=True)))
# the answer to the citizen's report quoted with no one named ("每次的答复都是'已责令整改'")
ANSWER = re.compile("答复都是|答复是|回复是|回复说|答复说")


def official_told(text: str) -> bool:
    """An official named, then what they said or answered told in the same sentence (or the
    answer quoted)."""
    if ANSWER.search(text):
        return True
    for m in _TELLERS.finditer(text):
        end = SENTENCE_END.search(text, m.end())
        if TOLD.search(text, m.end(), end.start() if end else len(text)):
            return True
    return False
