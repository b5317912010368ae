"""Personal-data masking (SPEC §9): phone, ID and bank-card numbers never travel unmasked except to
the unit that must contact the citizen.

Numbers are found however they are written: ASCII or full-width digits, Chinese numerals read out
digit by digit (一三八…, 大写 壹叁捌…, or as a caller says them: 幺三八拐两…), with spaces, dashes, dots
or brackets between groups (138.1234.5678, (0715)8765432, 110101 19900307 1234), with +86 / 0086 in
front. A run of digit
groups is read as one number when the groups together make one (an ID written in three groups),
otherwise group by group (a room number followed by a phone number). The numerals said for digits are
words too (两个, 拐弯, 勾选, 一个): they are masked only as part of a whole number, never on their own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

_DIGIT_VALUE = {**{str(i): str(i) for i in range(10)}, **{chr(0xFF10 + i): str(i) for i in range(10)},
                "〇": "0", "零": "0", "一": "1", "二": "2", "三": "3", "四": "4", "五": "5",
                "六": "6", "七": "7", "八": "8", "九": "9",
                # as a caller reads a number out on the phone, where 一 and 七, 零 and 九 sound alike
                # (幺 1, 两 2, 拐 7, 洞 0, 勾 9); 十 is a count, never a digit
                "幺": "1", "两": "2", "拐": "7", "洞": "0", "勾": "9",
                # 大写, as on a cheque or a form filled in by hand
                "壹": "1", "贰": "2", "叁": "3", "肆": "4", "伍": "5", "陆": "6", "柒": "7", "捌": "8", "玖": "9"}
_ASCIIISH = frozenset("0123456789") | {chr(0xFF10 + i) for i in range(10)}
_CHECK_X = frozenset("Xx\uff38\uff58")
# Between digit groups: spaces, dashes and minus signs of every width, dots and bullets, brackets, slashes.
_SEPARATORS = frozenset(" \u3000\t-.\u2010\u2011\u2012\u2013\u2014\u2212\ufe63\uff0d\uff0e\u00b7\u2022\u2219\u30fb"
                        "()\uff08\uff09/\\_"
                        # invisible: zero-width spaces and joiners, a soft hyphen (text pasted from a chat)
                        "\u200b\u200c\u200d\u2060\ufeff\u00ad")
# At most this many separator characters between two groups of one number: a dash with a space on
# each side (138 - 1234 - 5678, 0731 － 8888 1234), as typed on a phone's keyboard.
_MOST_SEPARATORS = 3
_DIGIT_CHARS = re.compile("[" + "".join(_DIGIT_VALUE) + "]")
# The shortest number that counts (a landline: 0 + area code + 7 digits); a text with fewer digit
# characters than this, most of them, has none (checked in C before the scan character by character).
_FEWEST_DIGITS = 10
# A county's own landline given without its area code (7 or 8 digits, the first 2-9) is a number
# only where the words say it is a phone: 电话8765432, 座机：8765-4321, 联系电话是 87654321.
_FEWEST_LOCAL = 7
# The same words also make a number a phone when it is one digit short or long of a mobile or a
# landline (幺八六 两零零 拐拐洞洞: a digit lost as the operator wrote the call down): 9 to 12 digits.
_MOST_CALLED = 12
_D = "".join(_DIGIT_VALUE)
_CALLED_A_PHONE = re.compile(
    r"(?:电话|座机|固话|手机|联系方式|tel|Tel|TEL)(?:号码|号)?[ \u3000:：是为]{0,3}"
    rf"(?<![{_D}])([{_D}](?:[{_D}]|[-－ \u3000](?=[{_D}])){{6,15}})(?![{_D}])")


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
    # A numeral split off the end of a run of numerals because it may make a word with the character
    # beside it (两个, 拐弯, 勾选, 一个): read with the run only where the run needs it to be a number.
    word_edge: bool = False


def _makes_a_word(text: str, at: int) -> bool:
    """Whether text[at] is a Chinese character that is no numeral, so that a numeral beside it may be
    a word with it rather than a digit."""
    return 0 <= at < len(text) and "\u3400" <= text[at] <= "\u9fff" and text[at] not in _DIGIT_VALUE


def _numeral_groups(text: str, start: int, end: int, digits: str) -> list[_Group]:
    """A run of Chinese numerals as groups: an end numeral beside a character it may make a word with
    is a group of its own (see _Group.word_edge), so that the run is tried with and without it."""
    first, last = start, end
    if _makes_a_word(text, start - 1):
        first += 1
    if text[end - 1] not in _CHECK_X and _makes_a_word(text, end):
        last -= 1
    groups = [_Group(digits[:first - start], start, first, True, True)] if first > start else []
    groups.append(_Group(digits[first - start:len(digits) - (end - last)], first, last, True))
    if last < end:
        groups.append(_Group(digits[len(digits) - (end - last):], last, end, True, True))
    return groups


# From a token's start only, each run taken whole: tried at every position of a long run of digits
# and backtracked, the pattern took time quadratic in its length (0.5 s for 5,000 digits).
_CODE = re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]++(?:[-_][A-Za-z0-9]++)+")
# A hex token with a letter in it (a request id, a digest): every digit group in it touches a
# letter, so none is a number (see _groups); X, the ID number's check digit, is no hex letter.
_HEX_TOKEN = re.compile(r"(?=[0-9]*+[a-fA-F])[0-9a-fA-F]++")  # (fullmatch) linear, where [hex]*[a-f][hex]* is not
# An event's time as schemas.events.rfc3339 writes it (a deadline among a transition's facts, masked
# with them): the date and hour are one dash-joined code with a letter in it, and the last group
# touches the Z, so what the scan could read is at most the minutes and seconds: never a number.
_RFC3339_Z = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,6})?Z")
_LETTER = re.compile(r"[A-Za-z]")
_ESCAPE = re.compile(r"\\+u[0-9a-fA-F]{4}")


def _is_letter(text: str, at: int) -> bool:
    return 0 <= at < len(text) and text[at].isascii() and text[at].isalpha()


_HANDLE_NUMBER = re.compile(r"1[3-9]\d{9}|[1-9]\d{16}[\dX]")
_NOT_HEX_LETTER = re.compile(r"[g-zG-Z]")


def _ends_a_handle(text: str, start: int, end: int, digits: str) -> bool:
    """Whether the digits text[start:end], glued to letters before them, are a mobile or ID number
    that ends a person's handle or e-mail name: nothing alphanumeric after them, and the letters
    before them a word (a letter past f: zhang, wxid, li — not a hex id's a-f) or the name of an
    e-mail address (an @ after them)."""
    if _is_letter(text, end) or not _HANDLE_NUMBER.fullmatch(digits) or _classify(digits) is None:
        return False
    if text[end:end + 1] == "@":
        return True
    head = start
    while head > 0 and text[head - 1].isascii() and text[head - 1].isalnum():
        head -= 1
    return bool(_NOT_HEX_LETTER.search(text, head, start))


def _groups(text: str, codes: bool = False) -> list[list[_Group]]:
    """Runs of digit groups: groups are separated by at most three separator characters."""
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
                # Digits inside a code (wo_3f9…, a key, a token) are part of it, not a number; but a
                # whole mobile or ID number ending a handle or an e-mail name is a person's
                # (微信号zhang13812345678, li13987654321@163.com).
                if current:
                    runs.append(current)
                current = []
                if _ends_a_handle(text, start, i, group.digits):
                    runs.append([group])
                continue
            if chinese and len(group.digits) < 3:
                # 一 and 二 are words before they are digits: a short run of numerals is text.
                if current:
                    runs.append(current)
                current = []
                continue
            if current and (start - current[-1].end > _MOST_SEPARATORS or any(c not in _SEPARATORS
                                                               for c in text[current[-1].end:start])):
                runs.append(current)
                current = []
            current.extend(_numeral_groups(text, start, i, group.digits) if chinese else [group])
            continue
        i += 1
    if current:
        runs.append(current)
    return runs


def _blank_code(match: re.Match[str]) -> str:
    """A dash-joined code with letters in it, blanked; a mobile or ID number ending a person's handle
    so joined (zhang_13812345678, wang-13812345678) stays, to be read as a number."""
    code = match.group(0)
    if not _LETTER.search(code):
        return code
    head, _, last = code.rpartition("-" if code.rfind("-") > code.rfind("_") else "_")
    if _HANDLE_NUMBER.fullmatch(last) and _classify(last) is not None and _NOT_HEX_LETTER.search(head):
        return "~" * (len(head) + 1) + last
    return "~" * len(code)


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
    if not codes and (_HEX_TOKEN.fullmatch(text) or _RFC3339_Z.fullmatch(text)):
        # the log line of every request masks its id, every dispatch its three deadlines: 1 µs here
        # against 30–45 µs each through the scan
        return found
    # JSON's \uXXXX escapes (a name in a logged SQL parameter) are characters, not digits and letters.
    scanned = _ESCAPE.sub(lambda m: "~" * len(m.group(0)), text) if "\\u" in text else text
    if not codes:
        # Dash-joined codes with letters in them (UUIDs, wo_… ids, keys) are not numbers either.
        scanned = _CODE.sub(_blank_code, scanned)
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
                if hit is not None and not (run[j].word_edge and j > i and best is not None and best[0] == j - 1):
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


def _called_a_phone(text: str, start: int, end: int) -> FoundNumber | None:
    """The number at the start of text[start:end], which the words before it call a phone (see
    _CALLED_A_PHONE), or None. It ends where a group of digits ends: the longest local landline
    (7 or 8 digits, the first 2-9), else the longest stretch of 9 to 12 digits. A numeral at the end
    that may make a word with the next character (两个) is read only when nothing is a number without it."""
    ends = [at for at in range(start + 1, end) if text[at] in _SEPARATORS and text[at - 1] not in _SEPARATORS]
    ends.append(end)
    edge = text[end - 1] not in _ASCIIISH and _makes_a_word(text, end)
    tries = ([at for at in ends if at < end] + [end - 1], [end]) if edge else (ends,)
    for stops in tries:
        numbers = []
        for stop in stops:
            digits = "".join(_DIGIT_VALUE[c] for c in text[start:stop] if c in _DIGIT_VALUE)
            if len(digits) in (7, 8) and digits[0] in "23456789":
                numbers.append((2, len(digits), FoundNumber(NumberKind.landline, start, stop, digits)))
            elif _FEWEST_LOCAL + 2 <= len(digits) <= _MOST_CALLED:
                kind = NumberKind.mobile if digits[0] == "1" else NumberKind.landline
                numbers.append((1, len(digits), FoundNumber(kind, start, stop, digits)))
        if numbers:
            return max(numbers, key=lambda n: n[:2])[2]
    return None


def _local_landlines(text: str, found: list[FoundNumber]) -> list[FoundNumber]:
    """`found` with the numbers of `text` that the words call a phone (see _CALLED_A_PHONE) and no
    number found covers."""
    for match in _CALLED_A_PHONE.finditer(text):
        number = _called_a_phone(text, *match.span(1))
        if number is not None and not any(n.start < number.end and number.start < n.end for n in found):
            found.append(number)
    return sorted(found, key=lambda n: n.start)


def masked_number(kind: NumberKind, digits: str) -> str:
    """How a number is shown when masked: 138****5678, 0715-****5432 (a local one: ***5432),
    420***********3X, 6222***********0123."""
    if kind is NumberKind.mobile:  # 11 digits, or a digit short or long where the words call it a phone
        return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"
    if kind is NumberKind.landline and (not digits.startswith("0") or len(digits) < 10):  # local: 8765432
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
