"""The lexicon layer: matching, additive city keywords, rules and tags."""

from __future__ import annotations

from nlp.lexicon import Matcher, build_lexicon
from nlp.normalize import normalize


def test_matcher_finds_overlapping_and_single_character_keywords() -> None:
    m = Matcher(["推诿", "推诿扯皮", "扯皮", "坑", "门难进脸难看"])
    assert m.find("他们推诿扯皮，路上有坑，门难进脸难看") == {"推诿", "推诿扯皮", "扯皮", "坑", "门难进脸难看"}
    assert m.find("") == set()


def test_matcher_dead_ends_for_common_characters_never_show() -> None:
    m = Matcher(["局长", "的确"])
    assert m.find("的\uffff局长的确了\uffff") == {"局长", "的确"}
    assert m.find("了的是") == set()


def test_defaults_cover_every_category_and_department() -> None:
    lex = build_lexicon()
    assert set(lex.categories.keywords) == {"cannot", "will_not", "dare_not", "misconduct", "other"}
    assert len(lex.departments.keywords) == 15


def test_city_keywords_are_added_not_replacing() -> None:
    lex = build_lexicon(department_keywords={"housing": ["幸福里小区"], "water": ["自來水公司"]},
                        category_keywords={"will_not": ["打太极"]}, urgent_keywords=["水管爆裂"])
    text = normalize("幸福里小区物业和自来水公司打太极，水管爆裂")
    found = lex.scan(text)
    assert {"幸福里小区", "物业"} <= set(lex.departments.hits(text, found)["housing"])
    assert lex.departments.hits(text, found)["water"] == ["自来水公司"]   # Traditional config normalised
    assert "打太极" in lex.categories.hits(text, found)["will_not"]
    assert "水管爆裂" in lex.urgent_hits(text, found)
    assert "自来水公司" in lex.city_words and "物业" not in lex.city_words


def test_money_rule_and_tags() -> None:
    lex = build_lexicon()
    text = normalize("办事员暗示要两条好烟，还推来推去，态度恶劣")
    assert lex.misconduct_hits(text)
    assert lex.tag_hits(text) == ["推诿", "吃拿卡要", "态度恶劣"]


def test_urgent_combinations_need_words_close_together() -> None:
    lex = build_lexicon()
    assert any("+" in w for w in lex.urgent_hits(normalize("快过年了工资一分没发，工人们没钱吃饭")))
    far = "家里老人身体还好。" + "这是一段很长的与此无关的说明文字，" * 5 + "物业没人管楼道卫生。"
    assert not lex.urgent_hits(normalize(far))


def test_letters_idioms_of_conduct_are_keywords() -> None:
    lex = build_lexicon()
    for text, label in (("县里对村民的反映充耳不闻", "will_not"), ("招聘名单早就内定了", "misconduct"),
                        ("镇里碍于情面一直没处理", "dare_not")):
        assert lex.categories.hits(normalize(text)).get(label), text
