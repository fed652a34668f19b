"""Urgency read from the situation (present, past, negated, hypothetical, chronic), danger
reasons, and conduct counted only for officials' acts."""

from __future__ import annotations

import pytest

from nlp.actors import counts_as_conduct
from nlp.classifier import Classifier
from nlp.lexicon import build_lexicon
from nlp.normalize import normalize
from nlp.situation import (
    FIGURATIVE_EVIDENCE,
    HYPOTHETICAL_EVIDENCE,
    NEGATED_EVIDENCE,
    PAST_EVIDENCE,
    first_present,
)


@pytest.fixture(scope="module")
def lex():  # noqa: ANN201 - Lexicon
    return build_lexicon()


@pytest.mark.parametrize(("text", "danger"), [
    ("三楼楼道现在一股很浓的煤气味，敲门没人应", "gas"),
    ("菜市场后面的老房子着火了，里面好像还有人", "fire"),
    ("我老公喝醉了拿着菜刀在客厅里，我和孩子躲在卧室", "police"),
    ("今天中午吃了那家的盒饭，六个人食物中毒送了医院", "medical"),
])
def test_present_danger_is_urgent_with_its_reason(lex, text: str, danger: str) -> None:  # noqa: ANN001
    u = lex.urgency(normalize(text))
    assert u.urgent and u.danger == danger and u.evidence


@pytest.mark.parametrize(("text", "why"), [
    ("去年15栋还发生过起火事件，建议增设消防栓", PAST_EVIDENCE),
    ("建议园区多设几个消防栓，一旦发生火灾取水困难", HYPOTHETICAL_EVIDENCE),
    ("燃气公司来查过了，没有漏气，就是灶具老化", NEGATED_EVIDENCE),
    ("2014年6月11日入院待产，当晚孩子病危转院", PAST_EVIDENCE),
    ("乱收费压得老百姓喘不过气来，请教育局管一管", FIGURATIVE_EVIDENCE),
    ("2015/9/28登记结婚，后来办准生证时才知道流产过", PAST_EVIDENCE),
    ("还曾出现过一次电线起火，又致电开发商说没人管", PAST_EVIDENCE),
    ("去年父亲病危住院，花了十几万，现在想问大病保险能不能追溯报销", PAST_EVIDENCE),
])
def test_mentions_that_are_not_present_danger_are_not_urgent(lex, text: str, why: str) -> None:  # noqa: ANN001
    u = lex.urgency(normalize(text))
    assert not u.urgent
    assert any(why in e for e in u.evidence), u.evidence


@pytest.mark.parametrize("text", [
    "建行一次性减员11万，制造了大批失业贫困人口",      # 困人 inside 贫困人口
    "这些部门的行为严重伤害了人民群众的感情",          # 重伤 inside 严重伤害
    "红砖协会组建了三次，又被打击解散了三次",          # 被打 inside 被打击
    "村里没有一条好公路，带动不了经济",                # 动不了 inside 带动不了
])
def test_a_danger_word_inside_other_words_is_not_urgent(lex, text: str) -> None:  # noqa: ANN001
    assert not lex.urgency(normalize(text)).urgent


@pytest.mark.parametrize("text", [
    "小区4栋电梯近段时间频繁发生垂直掉层、关人，物业修了几次还是老样子",
    "如果农合用不上，医院将会停药，希望相关部门尽快解决，我们等着救命！",
    "我被困在电梯里快一个小时了，按铃没人应",
    "父亲在县医院重症监护室抢救，已经欠费三万，医院说再不交钱就停药，我们实在拿不出了",
    "厂里半年没发工资，快过年了，一家人饥寒交迫",
])
def test_present_dangers_of_real_letters_are_urgent(lex, text: str) -> None:  # noqa: ANN001
    assert lex.urgency(normalize(text)).urgent


LETTER_OPENING = "尊敬的领导：您好！本人是城南街道的居民，想反映一件事情，麻烦您抽空看一下，谢谢！"


def test_a_letter_tells_an_injury_as_urgent_only_when_it_says_it_is_now(lex) -> None:  # noqa: ANN001
    story = LETTER_OPENING + "我父亲在小区门口的坑里摔伤了腿，物业说不归他们修。"
    now = LETTER_OPENING + "我父亲在小区门口的坑里摔伤了腿，现在还躺在地上起不来。"
    assert not lex.urgency(normalize(story), story=True).urgent
    assert lex.urgency(normalize(story), story=False).urgent       # typed at the bot: now
    assert lex.urgency(normalize(now), story=True).urgent


@pytest.mark.parametrize(("text", "danger"), [
    ("尊敬的领导：您好！我家楼下的老人晕倒在地上，叫不醒，家里没人，谢谢！", "medical"),
    ("尊敬的局长您好！本人住在城东小区，楼道里有人持刀追人，恳请派人。谢谢", "police"),
])
def test_a_danger_reported_politely_is_urgent(lex, text: str, danger: str) -> None:  # noqa: ANN001
    c = Classifier(lexicon=lex).classify(text)
    assert c.urgent and c.danger == danger, c.evidence


@pytest.mark.parametrize("text", [
    "出租车司机扬言要投诉我，不给车费",
    "我母亲七十多岁，平时一个人在家，想问社区有没有日间照料",
    "我们这栋楼听说是危房，想了解危房改造的政策",
    "这个厂子长期排放毒气，村里人怨声载道",
])
def test_words_alone_do_not_make_urgent(lex, text: str) -> None:  # noqa: ANN001
    assert not lex.urgency(normalize(text)).urgent


def test_a_past_marker_is_overridden_by_now() -> None:
    text = normalize("去年着过一次火，现在又着火了")
    assert first_present(text, "着火")[0] >= 0


def test_holiday_wages_and_no_money_combination(lex) -> None:  # noqa: ANN001
    u = lex.urgency(normalize("快过年了工资一分没发，工人们没钱吃饭"))
    assert u.urgent and u.danger == "" and any("+" in w for w in u.words)


@pytest.mark.parametrize(("text", "word", "official"), [
    ("开发商一拖再拖，就是不办证", "一拖再拖", False),
    ("物业态度恶劣，电梯坏了不修", "态度恶劣", False),
    ("区住建局一拖再拖，维修基金批不下来", "一拖再拖", True),
    ("窗口的人态度恶劣，把材料扔了回来", "态度恶劣", True),
])
def test_conduct_words_count_for_officials_only(text: str, word: str, official: bool) -> None:
    assert counts_as_conduct(normalize(text), word) is official


def test_plain_request_is_other_and_danger_is_reported(model_dir) -> None:  # noqa: ANN001
    from nlp.model import load

    clf = Classifier(lexicon=build_lexicon(), model=load(model_dir))
    c = clf.classify("请问老旧小区加装电梯有没有补贴？需要哪些材料？谢谢")
    assert c.category == "other" and not c.urgent and not c.danger
    c = clf.classify("物業推諉扯皮，樓道裡有煤氣味")
    assert c.category == "other" and c.urgent and c.danger == "gas"
    assert any("企业" in e for e in c.evidence)


def test_unconfirmed_category_below_threshold(model_dir) -> None:  # noqa: ANN001
    from nlp.model import load

    clf = Classifier(lexicon=build_lexicon(), model=load(model_dir), category_threshold=0.9999)
    c = clf.classify("街道办的人推来推去，说不归他们管")
    assert c.category == "will_not" and c.category_unconfirmed
    assert any("待核定" in e for e in c.evidence)


def test_evidence_is_whole_words(model_dir) -> None:  # noqa: ANN001
    from nlp.model import load

    clf = Classifier(lexicon=build_lexicon(), model=load(model_dir))
    for text in ("来办事的人很多，等了半天也没有人来打招呼", "窗口的工作人员一直在玩手机，叫了三遍才抬头"):
        for e in clf.classify(text).evidence:
            assert "," not in e and "，" not in e.split("」")[0], e


def test_a_conduct_word_is_supposed_only_in_its_own_clause() -> None:
    asked_before = normalize("我询问是否可以办理业务，但是他态度十分嚣张地回了我一句")
    assert counts_as_conduct(asked_before, "态度十分嚣张")
    asked = normalize("同样的路程残疾人却要交全价，这是不是乱收费呢？")
    assert not counts_as_conduct(asked, "乱收费")
