"""Personal-data masking (SPEC §9): phone, ID and bank-card numbers never travel unmasked except to
the unit that must contact the citizen.

Numbers are found however they are written: ASCII or full-width digits, Chinese numerals read out
digit by digit (一三八…, 幺 for one, 大写 壹叁捌…), with spaces, dashes, dots or brackets between groups
(138.1234.5678, (0715)8765432, 110101 19900307 1234), with +86 / 0086 in front. A run of digit
groups is read as one number when the groups together make one (an ID written in three groups),
otherwise group by group (a room number followed by a phone number).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

_DIGIT_VALUE = {**{str(i): str(i) for i in range(10)}, **{chr(0xFF10 + i): str(i) for i in range(10)},
                "〇": "0", "零": "0", "洞": "0", "一": "1", "幺": "1", "二": "2", "三": "3", "四": "4", "五": "5",
                "六": "6", "七": "7", "八": "8", "九": "9",
                # 大写, as on a cheque or a form filled in by hand
                "壹": "1", "贰": "2", "叁": "3", "肆": "4", "伍": "5", "陆": "6", "柒": "7", "捌": "8", "玖": "9"}
_ASCIIISH = frozenset("0123456789") | {chr(0xFF10 + i) for i in range(10)}
_CHECK_X = frozenset("Xx\uff38\uff58")
_SEPARATORS = frozenset(" \u3000\t-.\u2010\u2011\u2012\u2013\u2014\uff0d\uff0e\u00b7\u30fb()\uff08\uff09/\\_")
_DIGIT_CHARS = re.compile("[" + "".join(_DIGIT_VALUE) + "]")
# The shortest number that counts (a landline: 0 + area code + 7 digits); a text with fewer digit
# characters than this, most of them, has none (checked in C before the scan character by character).
_FEWEST_DIGITS = 10
# A county's own landline given without its area code (7 or 8 digits, the first 2-9) is a number
# only where the words say it is a phone: 电话8765432, 座机：8765-4321, 联系电话是 87654321.
_FEWEST_LOCAL = 7
_LOCAL_LANDLINE = re.compile(
    r"(?:电话|座机|固话|手机|联系方式|tel|Tel|TEL)(?:号码|号)?[ \u3000:：是为]{0,3}"
    r"(?<![0-9０-９])([2-9２-９](?:[0-9０-９]|[-－ ](?=[0-9０-９])){6,8})(?![0-9０-９])")


class NumberKind(StrEnum):
    mobile = "mobile"
    landline = "landline"
    id_card = "id_card"
    bank_card = "bank_card"


@dataclass(frozen=True)
class FoundNumber:
    kind: NumberKind
    start: int  # span in the text, end exclusive
    end: int
    digits: str  # canonical: ASCII digits (and a final X for ID numbers), no country code


def _classify(digits: str) -> tuple[NumberKind, str] | None:
    """What a digit string is, and its canonical form, or None for an ordinary number."""
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11 and re.fullmatch(r"1[3-9]\d{9}",
                                                                                          digits[len(prefix):]):
            return NumberKind.mobile, digits[len(prefix):]
    if re.fullmatch(r"1[3-9]\d{9}", digits):
        return NumberKind.mobile, digits
    if re.fullmatch(r"[1-9]\d{16}[\dX]", digits) and 1900 <= int(digits[6:10]) <= 2100:
        return NumberKind.id_card, digits
    if re.fullmatch(r"[1-9]\d{14}", digits) and digits[8:10] <= "12":  # the old 15-digit ID
        return NumberKind.id_card, digits
    # Every 16-19 digit run is a card, deliberately, with no Luhn check or card words required: some
    # Chinese debit cards fail Luhn and people give them bare, and their prefixes (62…, 9558…) cover
    # ordinary numbers too. A large integer masked in an error message (9223***********5808, still
    # recognisable to its sender) costs far less than one card number let through.
    if re.fullmatch(r"[1-9]\d{15,18}", digits):
        return NumberKind.bank_card, digits
    if re.fullmatch(r"0[1-9]\d{1,2}[2-9]\d{6,7}", digits) and 10 <= len(digits) <= 12:
        return NumberKind.landline, digits
    return None


@dataclass
class _Group:
    digits: str
    start: int
    end: int
    chinese: bool


# From a token's start only, each run taken whole: tried at every position of a long run of digits
# and backtracked, the pattern took time quadratic in its length (0.5 s for 5,000 digits).
_CODE = re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]++(?:[-_][A-Za-z0-9]++)+")
# A hex token with a letter in it (a request id, a digest): every digit group in it touches a
# letter, so none is a number (see _groups); X, the ID number's check digit, is no hex letter.
_HEX_TOKEN = re.compile(r"(?=[0-9]*+[a-fA-F])[0-9a-fA-F]++")  # (fullmatch) linear, where [hex]*[a-f][hex]* is not
_LETTER = re.compile(r"[A-Za-z]")
_ESCAPE = re.compile(r"\\+u[0-9a-fA-F]{4}")


def _is_letter(text: str, at: int) -> bool:
    return 0 <= at < len(text) and text[at].isascii() and text[at].isalpha()


def _groups(text: str, codes: bool = False) -> list[list[_Group]]:
    """Runs of digit groups: groups are separated by at most two separator characters."""
    runs: list[list[_Group]] = []
    current: list[_Group] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in _DIGIT_VALUE:
            start, chinese = i, ch not in _ASCIIISH
            value = []
            while i < n and text[i] in _DIGIT_VALUE and (text[i] not in _ASCIIISH) == chinese:
                value.append(_DIGIT_VALUE[text[i]])
                i += 1
            # An X closes an ID number: after digits (not inside a code), or after seventeen numerals read out.
            if i < n and text[i] in _CHECK_X and (not chinese or len(value) == 17) and not (
                    i + 1 < n and text[i + 1].isalnum() and text[i + 1].isascii()):
                value.append("X")
                i += 1
            group = _Group("".join(value), start, i, chinese)
            if not codes and not chinese and (_is_letter(text, start - 1) or _is_letter(text, i)):
                # Digits inside a code (wo_3f9…, a key, a token) are part of it, not a number.
                if current:
                    runs.append(current)
                current = []
                continue
            if chinese and len(group.digits) < 3:
                # 一 and 二 are words before they are digits: a short run of numerals is text.
                if current:
                    runs.append(current)
                current = []
                continue
            if current and (start - current[-1].end > 2 or any(c not in _SEPARATORS
                                                               for c in text[current[-1].end:start])):
                runs.append(current)
                current = []
            current.append(group)
            continue
        i += 1
    if current:
        runs.append(current)
    return runs


def find_numbers(text: str, *, codes: bool = False) -> list[FoundNumber]:
    """Every phone, ID and bank-card number in `text`, in order. Digits glued to Latin letters are
    part of a code (an order id, a key) and left alone, unless `codes` says the text is a code a
    person made up (a reference number, a grid code), where a number inside still counts."""
    found: list[FoundNumber] = []
    digit_count = len(_DIGIT_CHARS.findall(text))
    if digit_count < _FEWEST_LOCAL:
        return found
    if digit_count < _FEWEST_DIGITS:
        return _local_landlines(text, found)
    if not codes and _HEX_TOKEN.fullmatch(text):
        return found  # the log line of every request masks its id: 1 µs here against 30 µs through the scan
    # JSON's \uXXXX escapes (a name in a logged SQL parameter) are characters, not digits and letters.
    scanned = _ESCAPE.sub(lambda m: "~" * len(m.group(0)), text) if "\\u" in text else text
    if not codes:
        # Dash-joined codes with letters in them (UUIDs, wo_… ids, keys) are not numbers either.
        scanned = _CODE.sub(lambda m: "~" * len(m.group(0)) if _LETTER.search(m.group(0)) else m.group(0), scanned)
    for run in _groups(scanned, codes):
        i = 0
        while i < len(run):
            # The longest stretch of whole groups starting here that reads as one number.
            best: tuple[int, tuple[NumberKind, str]] | None = None
            joined = ""
            for j in range(i, len(run)):
                joined += run[j].digits
                if j == i and len(joined) > 21 and "X" not in joined:
                    # one unbroken run too long for any number may hide several typed together
                    # (two mobiles glued): masked whole, as a card is
                    best = (j, (NumberKind.bank_card, joined))
                    break
                if "X" in joined[:-1] or len(joined) > 21:
                    break
                hit = _classify(joined)
                if hit is not None:
                    best = (j, hit)
            if best is None:
                i += 1
                continue
            j, (kind, digits) = best
            start = run[i].start
            # A bracket or plus sign opening the number belongs to it: (0715)8765432, +86 138…
            while start > 0 and scanned[start - 1] in "(（+＋":
                start -= 1
            found.append(FoundNumber(kind, start, run[j].end, digits))
            i = j + 1
    return _local_landlines(scanned, found)


def _local_landlines(text: str, found: list[FoundNumber]) -> list[FoundNumber]:
    """`found` with the local landlines of `text` (see _LOCAL_LANDLINE) that no number found covers."""
    for match in _LOCAL_LANDLINE.finditer(text):
        digits = "".join(_DIGIT_VALUE[c] for c in match.group(1) if c in _DIGIT_VALUE)
        start, end = match.span(1)
        if len(digits) in (7, 8) and not any(n.start < end and start < n.end for n in found):
            found.append(FoundNumber(NumberKind.landline, start, end, digits))
    return sorted(found, key=lambda n: n.start)


def masked_number(kind: NumberKind, digits: str) -> str:
    """How a number is shown when masked: 138****5678, 0715-****5432 (a local one: ***5432),
    420***********3X, 6222***********0123."""
    if kind is NumberKind.mobile:
        return f"{digits[:3]}****{digits[-4:]}"
    if kind is NumberKind.landline and not digits.startswith("0"):  # a local number: 8765432
        return f"{'*' * (len(digits) - 4)}{digits[-4:]}"
    if kind is NumberKind.landline:
        area = 3 if digits[1] in "12" else 4
        return f"{digits[:area]}-****{digits[-4:]}"
    if kind is NumberKind.id_card:
        return f"{digits[:3]}{'*' * (len(digits) - 5)}{digits[-2:]}"
    return f"{digits[:4]}{'*' * (len(digits) - 8)}{digits[-4:]}"


def mask_text(text: str, *, codes: bool = False) -> str:
    """`text` with every phone, ID and bank-card number in it masked (`codes`: see find_numbers)."""
    found = find_numbers(text, codes=codes)
    if not found:
        return text
    out, at = [], 0
    for number in found:
        out.append(text[at:number.start])
        out.append(masked_number(number.kind, number.digits))
        at = number.end
    out.append(text[at:])
    return "".join(out)


def mask_phone(phone: str) -> str:
    """Keep the first three and last four digits: 139****1234 (any other length: the last four)."""
    digits = re.sub(r"\D", "", phone.translate(_FULLWIDTH))
    if len(digits) >= 11:
        digits = digits[-11:]
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) > 4:
        return "*" * (len(digits) - 4) + digits[-4:]
    return "*" * len(digits)


_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")


def contains_personal_numbers(text: str) -> bool:
    return bool(find_numbers(text))
