"""Telegram's HTML subset, checked as strictly as the real server (stricter for a bare `&`).

`plain_text(text)` returns what the user would see, so length limits are measured after entity
parsing; a malformed text raises `bad_request("can't parse entities: ...")` like Telegram does.
Being strict on a bare `&` catches bot code that forgot to escape citizen input.
"""

from __future__ import annotations

import re

from bot.emulator.errors import ApiError, bad_request

SIMPLE_TAGS = frozenset({"b", "strong", "i", "em", "u", "ins", "s", "strike", "del",
                         "code", "pre", "tg-spoiler", "blockquote"})
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}  # all Telegram knows
_TAG_NAME = re.compile(r"[A-Za-z][A-Za-z0-9-]*")
_ATTR = re.compile(r"""\s*([A-Za-z][A-Za-z0-9_-]*)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+))?""")
_ENTITY = re.compile(r"&(#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};|[A-Za-z][A-Za-z0-9]{1,31};)")


def _offset(text: str, index: int) -> int:
    """Telegram reports UTF-8 byte offsets."""
    return len(text[:index].encode("utf-8"))


def _error(detail: str) -> ApiError:
    return bad_request(f"can't parse entities: {detail}")


def _entity(text: str, i: int) -> tuple[str, int]:
    """Decode the entity at `text[i] == '&'`; return (character, next index)."""
    m = _ENTITY.match(text, i)
    if m is None:
        raise _error(f'Character "&" at byte offset {_offset(text, i)} must be escaped as "&amp;"')
    body = m.group(1)[:-1]
    if body.startswith(("#x", "#X")):
        return chr(int(body[2:], 16)), m.end()
    if body.startswith("#"):
        return chr(int(body[1:])), m.end()
    if body in NAMED_ENTITIES:
        return NAMED_ENTITIES[body], m.end()
    raise _error(f'Unsupported HTML entity "&{body};" at byte offset {_offset(text, i)}')


def _attributes(raw: str, tag: str, text: str, at: int) -> dict[str, str]:
    attrs: dict[str, str] = {}
    pos = 0
    while raw[pos:].strip():
        m = _ATTR.match(raw, pos)
        if m is None or m.end() == pos:
            raise _error(f'Expected equal sign in declaration of an attribute of the tag "{tag}" '
                         f"at byte offset {_offset(text, at)}")
        value = m.group(2) or ""
        attrs[m.group(1).lower()] = value[1:-1] if value[:1] in "\"'" and value else value
        pos = m.end()
    return attrs


def _check_start(tag: str, attrs: dict[str, str], text: str, at: int) -> None:
    if tag in SIMPLE_TAGS or tag in ("a", "tg-emoji"):
        return
    if tag == "span":
        if attrs.get("class") != "tg-spoiler":
            raise _error('Tag "span" must have class "tg-spoiler" '
                         f"at byte offset {_offset(text, at)}")
        return
    raise _error(f'Unsupported start tag "{tag}" at byte offset {_offset(text, at)}')


def _tag(text: str, i: int, stack: list[str]) -> int:
    """Handle the tag starting at `text[i] == '<'`; return the index after it."""
    end = text.find(">", i)
    closing = text.startswith("</", i)
    name_at = i + (2 if closing else 1)
    m = _TAG_NAME.match(text, name_at)
    if m is None or end == -1:
        raise _error(f"Unsupported start tag at byte offset {_offset(text, i)}: "
                     'unescaped "<" must be written as "&lt;"')
    tag = m.group(0).lower()
    if closing:
        if text[m.end():end].strip():
            raise _error(f"Unexpected end tag at byte offset {_offset(text, i)}")
        if not stack:
            raise _error(f"Unexpected end tag at byte offset {_offset(text, i)}")
        if stack[-1] != tag:
            raise _error(f"Unmatched end tag at byte offset {_offset(text, i)}, "
                         f'expected "</{stack[-1]}>", found "</{tag}>"')
        stack.pop()
        return end + 1
    attrs = _attributes(text[m.end():end].rstrip("/"), tag, text, i)
    _check_start(tag, attrs, text, i)
    stack.append(tag)
    return end + 1


def plain_text(text: str) -> str:
    """The visible text of an HTML-formatted message; raises ApiError when Telegram would."""
    out: list[str] = []
    stack: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "&":
            decoded, i = _entity(text, i)
            out.append(decoded)
        elif ch == "<":
            i = _tag(text, i, stack)
        else:
            out.append(ch)
            i += 1
    if stack:
        raise _error(f'Can\'t find end tag corresponding to start tag "{stack[-1]}"')
    return "".join(out)


def utf16_len(text: str) -> int:
    """Telegram measures lengths in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2
