"""Personal-data masking (SPEC §9): phone and ID numbers never travel unmasked except to the unit
that must contact the citizen."""

from __future__ import annotations

import re

# Mainland mobile numbers, with optional +86/0086 and separators; landlines with area code.
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[\s-]?|0086[\s-]?)?(1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3})[\s-]?(\d{7,8})(?!\d)")
# 18-digit resident ID (last may be X) and the old 15-digit form.
_ID_CARD = re.compile(r"(?<![\dA-Za-z])(\d{6})(\d{8}|\d{6})(\d{3}[\dXx]|\d{1})(?![\dA-Za-z])")
# Bank cards: 16-19 digits, written whole or in groups of four (after ID numbers, which are 18).
_BANK_CARD = re.compile(r"(?<![\dA-Za-z])(\d{4})((?:[\s-]?\d){8,11})[\s-]?(\d{4})(?![\dA-Za-z])")


def mask_phone(phone: str) -> str:
    """Keep the first three and last four digits: 139****1234."""
    digits = re.sub(r"\D", "", phone)
    if len(digits) >= 11:
        digits = digits[-11:]
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) > 4:
        return "*" * (len(digits) - 4) + digits[-4:]
    return "*" * len(digits)


def _mask_id(match: re.Match[str]) -> str:
    head, middle, tail = match.groups()
    return f"{head[:3]}{'*' * (len(head) - 3 + len(middle) + len(tail) - 2)}{tail[-2:]}"


def _mask_card(match: re.Match[str]) -> str:
    head, middle, tail = match.groups()
    return f"{head}{'*' * sum(c.isdigit() for c in middle)}{tail}"


_FULLWIDTH = str.maketrans("０１２３４５６７８９Ｘｘ＋－", "0123456789Xx+-")


def mask_text(text: str) -> str:
    """`text` with every phone, ID and bank-card number in it masked (full-width digits count too)."""
    text = text.translate(_FULLWIDTH)
    text = _ID_CARD.sub(_mask_id, text)
    text = _BANK_CARD.sub(_mask_card, text)
    text = _MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)
    text = _LANDLINE.sub(lambda m: f"{m.group(1)}-****{m.group(2)[-4:]}", text)
    return text


def contains_personal_numbers(text: str) -> bool:
    return mask_text(text) != text
