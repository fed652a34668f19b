"""Combination of model, lexicon and rules; confidence → triage."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp.classifier import (
    Classifier,
    LabelSpace,
    _lead,
    _named_type,
    _without_addresses,
    _without_courtesy,
)
from nlp.lexicon import build_lexicon
from nlp.model import load


@pytest.fixture(scope="module")
def model(model_dir: Path):  # noqa: ANN201 - LinearModel
    return load(model_dir)


def test_low_confidence_goes_to_triage(model) -> None:  # noqa: ANN001
    strict = Classifier(lexicon=build_lexicon(), model=model, threshold=0.9999)
    c = strict.classify("路灯坏了，物业说找城管，城管说找住建")
    assert c.department == "supervision" and c.triaged
    assert any("分办" in e for e in c.evidence)


def test_zero_threshold_never_triages(model) -> None:  # noqa: ANN001
    c = Classifier(lexicon=build_lexicon(), model=model, threshold=0.0).classify("我想反映一个情况")
    assert not c.triaged


def test_clear_cases(model) -> None:  # noqa: ANN001
    clf = Classifier(lexicon=build_lexicon(), model=model)
    cases = {
        "派出所户籍窗口的民警连新生儿落户要什么材料都说不清楚，跑了三趟": ("cannot", "police"),
        "社保局的人推来推去，说不归他们管，让我找别的部门，拖了三个月": ("will_not", "hr_social"),
        "办营业执照的窗口说要交500块加急费才能当天办": ("misconduct", "market"),
        "小区门口的路灯坏了两个礼拜了，晚上很黑，请派人修一下": ("other", "urban"),
    }
    for text, (category, department) in cases.items():
        c = clf.classify(text)
        assert (c.category, c.department) == (category, department), (text, c)


@pytest.mark.parametrize("text", [
    "楼道里煤气泄漏，味道很大，物业电话打不通",
    "工地拖欠工资，马上过年了，我们几个工人连吃饭的钱都没有了",
    "隔壁独居老人瘫痪在床，子女不在身边，已经两天没人照顾了",
    "学校旁边的危房外墙随时会塌，孩子们每天从下面走",
    "那家饭店的菜吃了以后好多人食物中毒，送医院了",
])
def test_urgent_rules_fire(model, text: str) -> None:  # noqa: ANN001
    c = Classifier(lexicon=build_lexicon(), model=model).classify(text)
    assert c.urgent and c.confidence["urgent"] >= 0.5


def test_without_a_model_the_lexicon_still_answers() -> None:
    c = Classifier(lexicon=build_lexicon(), threshold=0.1).classify("住建局推诿扯皮，物业费乱涨")
    assert c.category == "will_not" and c.department == "housing"


def test_a_companys_misbehaviour_is_not_an_officials_conduct() -> None:
    c = Classifier(lexicon=build_lexicon(), threshold=0.1).classify("物业推诿扯皮，电梯坏了")
    assert c.category == "other" and "推诿" not in c.tags


def test_a_letter_passed_around_three_departments_goes_to_the_office(model) -> None:  # noqa: ANN001
    clf = Classifier(lexicon=build_lexicon(), model=model)
    c = clf.classify("楼下臭水沟冒了半个月，环保局说找城管，城管说归住建，住建局又说找环保")
    assert c.department == "supervision" and not c.triaged
    assert any("互相推诿" in e for e in c.evidence)
    # two units and a company passing it on is an ordinary routing question
    assert clf.classify("工资没拿到，劳动监察大队说要先找总包，总包说找劳务公司").department == "hr_social"


@pytest.mark.parametrize("text", [
    # one office's answer is not a letter passed around
    "医保报销的事我问了医院、卫健局和社保局，社保局的工作人员说是医保系统接口的问题，让我再等等",
    # companies passing it on are not offices sending the citizen elsewhere
    "快递丢了，快递公司互相推，网点说找总部，总部说找网点，我找过市场监管局和邮政管理局也没用",
])
def test_one_answer_or_companies_passing_it_on_do_not_go_to_the_office(model, text: str) -> None:  # noqa: ANN001
    c = Classifier(lexicon=build_lexicon(), model=model).classify(text)
    assert not any("互相推诿" in e for e in c.evidence), c.evidence


def test_bodies_the_catalogue_does_not_cover_go_to_the_office(model) -> None:  # noqa: ANN001
    clf = Classifier(lexicon=build_lexicon(), model=model)
    c = clf.classify("我母亲到邮政储蓄银行营业部存定期，职员忽悠她买了分红保险，现在取不出来")
    assert c.department != "transport", c.evidence       # a bank, not the postal service
    assert clf.classify("这个夏天供电公司三天两头停电，冰箱里的东西都坏了").department == "supervision"


def test_a_residence_named_as_an_address_is_not_the_police_scope() -> None:
    hits = {"police": ["户口"], "health": ["准生证"]}
    norm = "我可以去我老婆户口所在地的社区办理准生证吗"
    assert _without_addresses(norm, hits) == {"health": ["准生证"]}
    assert _without_addresses("孩子的户口一直落不下来", hits) == hits


def test_the_matter_named_in_the_title_outweighs_the_setting() -> None:
    assert _lead("尊敬的王局长：您好！小区门口违建严重，旁边就是小学") == "小区门口违建严重，旁边就是小学"
    assert _lead("关于违建的投诉。旁边就是小学") == "关于违建的投诉"
    assert _lead("秦局：您好!教师聘岗失误多") == "教师聘岗失误多"
    c = Classifier(lexicon=build_lexicon(), threshold=0.1).classify(
        "请求拆除楼顶新装的信号发射塔。它离学校不到十米，学生、老师和家长都很担心。")
    assert c.department == "environment"


def test_a_private_persons_act_is_not_an_officials_conduct() -> None:
    from nlp.actors import counts_as_conduct

    assert not counts_as_conduct("驾校教练乱收费", "乱收费")
    assert counts_as_conduct("车管所乱收费", "乱收费")


def test_an_officials_answer_told_is_a_conduct_story() -> None:
    from nlp.actors import official_told

    assert official_told("去找国土所，说协议签了就改不了")
    assert official_told("问村里，说镇上没通知")
    assert official_told("每次的答复都是已责令整改")
    assert not official_told("物业说在办，这样还能坐吗？")
    assert not official_told("请问社保中心在哪里？我想办理退休。")


def test_courtesy_words_do_not_outweigh_an_officials_conduct() -> None:
    hits = {"will_not": ["一拖再拖"], "other": ["谢谢", "维修"]}
    assert _without_courtesy(hits) == {"will_not": ["一拖再拖"], "other": ["维修"]}
    plain = {"other": ["谢谢", "能否"]}
    assert _without_courtesy(plain) == plain
    c = Classifier(lexicon=build_lexicon(), threshold=0.1).classify(
        "修村口那座桥的事，镇政府一拖再拖，能否请您督促一下？请帮忙，谢谢！")
    assert c.category == "will_not" and not any("谢谢" in e for e in c.evidence)


def test_scope_words_of_the_catalogue(model) -> None:  # noqa: ANN001
    clf = Classifier(lexicon=build_lexicon(), model=model)
    assert clf.classify("厂子改制时说好买断工龄，补偿款到现在没算清。").department == "hr_social"
    words = Classifier(lexicon=build_lexicon(), threshold=0.1)
    assert words.classify("我和爱人想收养一个孩子，需要准备哪些手续？").department == "civil_affairs"


def test_a_gift_turned_down_is_not_a_demand() -> None:
    clf = Classifier(lexicon=build_lexicon())
    thanks = clf.classify("出院时我们想送个红包表示感谢，医生坚决不收，特此表扬")
    assert not any("规则" in e for e in thanks.evidence)
    demand = clf.classify("医生说先给红包才安排手术，不收红包就往后排")
    assert demand.category == "misconduct"


def test_a_type_a_phrase_names_beats_an_unsure_guess_of_another_type() -> None:
    space = LabelSpace(("cannot", "will_not", "other"), (), ())
    hits = {"will_not": ["推诿"]}
    assert _named_type(space, hits, [0.45, 0.30, 0.25], 0) == 1     # at least half as likely
    assert _named_type(space, hits, [0.55, 0.20, 0.25], 0) == 0     # too far behind
    assert _named_type(space, {"other": ["咨询"]}, [0.45, 0.30, 0.25], 0) == 0


def test_a_fee_the_official_dares_not_stop_is_not_the_officials_misconduct() -> None:
    clf = Classifier(lexicon=build_lexicon())
    feared = clf.classify("那家驾培中心乱收费，老板是关系户，局里谁也不敢管")
    assert feared.category == "dare_not" and not any("规则" in e for e in feared.evidence)
    assert clf.classify("车管所窗口乱收费，不交不给办").category == "misconduct"
