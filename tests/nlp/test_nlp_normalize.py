"""Normalisation: Traditional and Simplified, full- and half-width, masked identifiers."""

from __future__ import annotations

from pathlib import Path

import pytest

import nlp
from nlp.normalize import mask, normalize, to_halfwidth, to_simplified


def test_opencc_traditional_to_simplified() -> None:
    assert to_simplified("派出所戶籍窗口推諉扯皮，態度惡劣") == "派出所户籍窗口推诿扯皮，态度恶劣"


def test_fullwidth_to_halfwidth() -> None:
    assert to_halfwidth("ＡＢＣ１２３！　") == "ABC123! "


def test_phones_urls_and_emails_are_masked() -> None:
    out = mask("电话13812345678或0731-84567890，网址https://a.gov.cn/x?y=1，邮箱a.b@c.com")
    assert "138" not in out and "84567890" not in out and "gov" not in out and "@" not in out
    assert out.count("xtel") == 2 and out.count("xurl") == 2


def test_normalize_is_idempotent_and_lowercases() -> None:
    once = normalize("物業ＡＢＣ  收費")
    assert once == "物业abc 收费" and normalize(once) == once


@pytest.mark.parametrize(("simplified", "traditional"), [
    ("派出所户籍窗口的民警连落户要什么材料都说不清楚，我跑了三趟", "派出所戶籍窗口的民警連落戶要什麼材料都說不清楚，我跑了三趟"),
    ("物业推诿扯皮，楼道里有很重的煤气味，打电话没人管", "物業推諉扯皮，樓道裡有很重的煤氣味，打電話沒人管"),
    ("办营业执照窗口的人暗示要给好处费才能快点办", "辦營業執照窗口的人暗示要給好處費才能快點辦"),
    ("工地拖欠工资半年了，马上过年，工人们没钱吃饭", "工地拖欠工資半年了，馬上過年，工人們沒錢吃飯"),
])
def test_traditional_and_simplified_classify_alike(configured: Path, simplified: str,
                                                   traditional: str) -> None:
    a, b = nlp.classify(simplified), nlp.classify(traditional)
    assert (a.category, a.department, a.urgent, a.tags) == (b.category, b.department, b.urgent, b.tags)
    assert a.confidence == pytest.approx(b.confidence)


def test_simplified_text_keeps_its_mainland_words() -> None:
    assert normalize("我把文件交给窗口，建立了档案") == "我把文件交给窗口,建立了档案"
    assert normalize("計程車司機說網路上的文件不算") == "出租车司机说网络上的文档不算"
    # 么, 著, 埠 are Simplified characters too: they do not make a text Traditional
    assert normalize("文件怎么还没批？这么显著的问题，商埠路") == "文件怎么还没批?这么显著的问题,商埠路"
