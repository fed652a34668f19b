"""What the /finding dialog asks, given the answers so far, and how it reads a person."""

from __future__ import annotations

import pytest

from workflow.chat.state import DeskDialog
from workflow.errors import BadOfficialName, EmptyInput
from workflow.office.finding_dialog import _person, named, steps
from workflow.office.model import OfficialRole


def _dialog(**values: str) -> DeskDialog:
    return DeskDialog(token="abcd", action="finding", ticket_id=1, number="ZY-1",
                      from_department="housing", values={"mode": "new", **values})


@pytest.mark.parametrize(("values", "asked"), [
    ({}, ["verdict"]),
    ({"verdict": "substantiated"}, ["verdict", "official", "measure"]),
    ({"verdict": "unfounded"}, ["verdict"]),
    ({"verdict": "partly", "double": "1"}, ["verdict", "official", "measure", "head",
                                            "head_measure"]),
    ({"verdict": "unfounded", "double": "1"}, ["verdict", "head"]),
    ({"verdict": "unfounded", "mode": "correct"}, ["verdict", "official"]),
    ({"verdict": "partly", "mode": "correct", "keep": "1"}, ["verdict"]),
])
def test_steps(values: dict[str, str], asked: list[str]) -> None:
    assert steps(_dialog(**values)) == asked


def test_a_person_as_typed() -> None:
    assert _person("张 三，科长，物业科") == ("张 三", "科长", "物业科")
    assert _person("李四") == ("李四", "", "")
    assert _person("王五,副局长、住建局") == ("王五", "副局长", "住建局")
    with pytest.raises(EmptyInput):
        _person("  ")
    with pytest.raises(BadOfficialName):
        _person("　，科长")
    with pytest.raises(BadOfficialName):
        _person("长" * 500)


def test_the_head_is_named_with_its_role() -> None:
    d = _dialog(verdict="substantiated", double="1", name="甲", measure="criticism",
                head_name="乙", head_post="局长", head_measure="admonition")
    people = named(d)
    assert [(n.name, n.role, n.measure) for n in people] == [
        ("甲", OfficialRole.HANDLER, "criticism"), ("乙", OfficialRole.HEAD, "admonition")]
