"""Showing a phone number without giving it away, for any country code.

Telegram shares contacts in international format, usually without the "+". The country code
is kept whole (+852, not +85) and the national number keeps its first three and last four
digits when it is long enough to hide something in between (+86 138****5678), else only the
last four (+852 ****4567). Anything unparsable shows only its last four digits.
"""

from __future__ import annotations

import re

import phonenumbers

HIDDEN = "****"


def mask_phone(phone: str) -> str:
    digits = re.sub(r"\D", "", phone)
    if len(digits) < 7:
        return HIDDEN
    number = _parse(phone.strip(), digits)
    if number is None:
        return HIDDEN + digits[-4:]
    national = str(number.national_number)
    shown = national[:3] + HIDDEN + national[-4:] if len(national) >= 10 else HIDDEN + national[-4:]
    return f"+{number.country_code} {shown}"


def _parse(phone: str, digits: str) -> phonenumbers.PhoneNumber | None:
    """International first ("+" given, or Telegram's digits); else a number dialled in China."""
    tries = ["+" + digits] if phone.startswith("+") else ["+" + digits, digits]
    parsed = []
    for text in tries:
        try:
            parsed.append(phonenumbers.parse(text, "CN"))
        except phonenumbers.NumberParseException:
            continue
    valid = [n for n in parsed if phonenumbers.is_valid_number(n)]
    found = valid or parsed
    return found[0] if found else None
