"""Phone numbers are masked sensibly for any country code."""

from __future__ import annotations

import pytest

from workflow.chat.phones import mask_phone


@pytest.mark.parametrize(("phone", "shown"), [
    ("+8613812345678", "+86 138****5678"), ("8613812345678", "+86 138****5678"),
    ("13812345678", "+86 138****5678"), ("+85291234567", "+852 ****4567"),
    ("85291234567", "+852 ****4567"), ("14155552671", "+1 415****2671"),
    ("+447911123456", "+44 791****3456"), ("12", "****"),
])
def test_masking_keeps_the_country_code_whole(phone: str, shown: str) -> None:
    assert mask_phone(phone) == shown
