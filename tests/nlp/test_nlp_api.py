"""The public API the bot relies on."""

from __future__ import annotations

import nlp
from nlp.taxonomy import CATEGORIES, DEPARTMENTS


def test_classify_returns_the_contract_fields() -> None:
    nlp.configure()
    c = nlp.classify("物业推诿扯皮，楼道里有煤气味")
    assert c.category in CATEGORIES and c.department in DEPARTMENTS
    assert isinstance(c.urgent, bool) and c.urgent
    assert set(c.confidence) == {"category", "department", "urgent"}
    assert all(0.0 <= v <= 1.0 for v in c.confidence.values())
    assert isinstance(c.tags, list) and isinstance(c.evidence, list)
    assert isinstance(c.triaged, bool)


def test_money_demand_is_misconduct() -> None:
    nlp.configure()
    assert nlp.classify("窗口的人说不给两条好烟就不给办，这不是吃拿卡要吗").category == "misconduct"
