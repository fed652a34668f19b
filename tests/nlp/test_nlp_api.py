"""The public API the bot relies on."""

from __future__ import annotations

from pathlib import Path

import nlp
from nlp.taxonomy import CATEGORIES, DEPARTMENTS


def test_classify_returns_the_contract_fields(configured: Path) -> None:
    c = nlp.classify("物业推诿扯皮，楼道里有煤气味")
    assert c.category in CATEGORIES and c.department in DEPARTMENTS
    assert isinstance(c.urgent, bool) and c.urgent
    assert set(c.confidence) == {"category", "department", "urgent"}
    assert all(0.0 <= v <= 1.0 for v in c.confidence.values())
    assert isinstance(c.tags, list) and isinstance(c.evidence, list) and c.evidence
    assert isinstance(c.triaged, bool)


def test_money_demand_is_misconduct(configured: Path) -> None:
    c = nlp.classify("窗口的人说不给两条好烟就不给办，这不是吃拿卡要吗")
    assert c.category == "misconduct"
    assert "吃拿卡要" in c.tags
    assert any("乱作为" in e for e in c.evidence)


def test_empty_and_odd_input_do_not_crash(configured: Path) -> None:
    for text in ("", "   ", "😡😡😡", "a", "１２３４５", "http://x.cn 13812345678"):
        c = nlp.classify(text)
        assert c.department in DEPARTMENTS


def test_configure_adds_city_keywords(model_dir: Path) -> None:
    nlp.configure(model_dir=model_dir, department_keywords={"water": ["自来水公司"]},
                  category_keywords={"will_not": ["打太极"]}, urgent_keywords=["水管爆裂"])
    try:
        c = nlp.classify("自来水公司的人又在打太极，水管爆裂三天了自来水公司没人来")
        assert c.department == "water"
        assert c.urgent
        assert any("打太极" in e for e in c.evidence)
    finally:
        nlp.configure()


def test_load_classifier_builds_an_injectable_classifier(model_dir: Path) -> None:
    clf = nlp.load_classifier(model_dir=model_dir, department_keywords={"water": ["自来水公司"]},
                              urgent_keywords=["水管爆裂"])
    c = clf.classify("自来水公司门口的水管爆裂了，水漫到马路上")
    assert isinstance(c, nlp.Classification)
    assert c.department == "water" and c.urgent and not c.danger
    assert isinstance(c.category_unconfirmed, bool)
    assert nlp.DANGER_CALLS["fire"] == "119"


def test_every_danger_reason_has_a_number_to_call() -> None:
    from nlp.urgency import DANGER_REASONS

    assert set(DANGER_REASONS) == set(nlp.DANGER_CALLS)
    c = nlp.load_classifier().classify("有人拿刀在我家门口砸门，扬言要杀人")
    assert c.danger == "police" and nlp.DANGER_CALLS[c.danger] == "110"
