"""Text normalisation before routing: width, traditional→simplified, typos, pinyin, noise.

Conversion is per character (OpenCC's TSCharacters table turned into a `str.translate` map) plus a
lexicon of whole-phrase variants, leftmost-longest (`data/lexicon/variants.yaml`: common typos, colloquial and pinyin
spellings → the standard word), so one appeal normalises in a few microseconds.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import numpy as np
import yaml

from router.exceptions import LexiconError

# Characters that show nothing (zero-width spaces and joiners, a word joiner, a BOM, a soft hyphen: text pasted from
# a chat) go: between the digits of a number or inside a word they would split what the rest reads as one.
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u2060-\u2064\ufeff]")
_LONG_NUMBER = re.compile(r"\d\d{6,}")  # \d{7,}, written so that the scan skips non-digits fast
_SPACES = re.compile(r"\s+")
# A space between two Chinese characters is a pause ("喂 村口小卖部 有人拿刀"): a clause break.
_PAUSE = re.compile(r"(?<=[\u3400-\u9fff])[^\S\n]+(?=[\u3400-\u9fff])")
_LINE_BREAK = re.compile(r"\s*\n\s*")
_BLANK = re.compile(r"[^\S\n]")  # any whitespace but a line break: most appeals have none
_SHIFT = np.uint64(21)  # a code point fits in 21 bits: two of them make one key
# From these lengths numpy's fixed cost pays: characters converted in one gather, variants looked for in one pass.
_NUMPY_CHARS = 80
_PRECHECK_CHARS = 120


@lru_cache(maxsize=1)
def _t2s_table() -> dict[int, str]:
    """Traditional → simplified and full-width → half-width character map (one `translate`),
    the first built from OpenCC's own dictionary."""
    import opencc

    path = Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt"
    table: dict[int, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 2 and len(parts[0]) == 1:
            target = parts[1]
            if target != parts[0]:
                table[ord(parts[0])] = target
    for code in range(0xFF01, 0xFF5F):  # full-width ASCII forms
        table[code] = chr(code - 0xFEE0)
    table[0x3000] = " "  # ideographic space
    return table


@lru_cache(maxsize=1)
def _t2s_plane() -> np.ndarray | None:
    """`_t2s_table` as an array over the Basic Multilingual Plane (code point → code point), so
    that one gather converts a text where `str.translate` looks each character up in a dict;
    None if some character of the plane converts to several, or an ASCII one converts at all."""
    plane = np.arange(0x10000, dtype=np.uint32)
    for code, target in _t2s_table().items():
        if code < 0x10000:
            if len(target) != 1 or code < 0x80:
                return None
            plane[code] = ord(target)
    return plane


@lru_cache(maxsize=1)
def _t2s_list() -> list[int]:
    """`_t2s_plane` (not None) as a list for `str.translate`: it finds every character of the plane in
    a list, where in a dict it raises and clears a KeyError for each character that does not convert
    (most of them), twice the instructions of a short appeal's translation."""
    plane = _t2s_plane()
    assert plane is not None
    return plane.tolist()  # type: ignore[no-any-return]


def _to_simplified(text: str) -> str:
    """`text.translate(_t2s_table())`: through a list over the plane for a short text, in numpy for a
    long one."""
    plane = _t2s_plane()
    if plane is None:
        return text.translate(_t2s_table())
    if len(text) < _NUMPY_CHARS:
        if len(text.encode("utf-16-le", "surrogatepass")) == 2 * len(text):  # within the plane
            return text.translate(_t2s_list())
        return text.translate(_t2s_table())
    if text.isascii():
        return text  # no ASCII character converts
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    if int(codes.max()) > 0xFFFF:  # beyond the plane (rare)
        return text.translate(_t2s_table())
    return plane[codes].tobytes().decode("utf-32-le", "surrogatepass")


def _pair_keys(text: str) -> np.ndarray:
    """Each two consecutive characters of `text` packed into one integer."""
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64)
    return (codes[:-1] << _SHIFT) | codes[1:]  # type: ignore[no-any-return]


class Normaliser:
    """Turns raw appeal text into the canonical form every other module reads."""

    def __init__(self, variants: dict[str, str]) -> None:
        self._variants = {self._base(k): self._base(v) for k, v in variants.items()}
        if any(len(k) < 2 for k in self._variants):
            raise LexiconError("every variant must be two characters or longer")
        # One alternation, longest first: the C regex engine scans 5x faster than a Python loop.
        alternatives = sorted(self._variants, key=len, reverse=True)
        self._pattern = re.compile("|".join(map(re.escape, alternatives))) if alternatives else None
        # the first two characters of every variant: a long text holding none of them is left as it is
        self._starts = np.array(sorted({(ord(k[0]) << 21) | ord(k[1]) for k in self._variants}), dtype=np.uint64)
        by_start: dict[str, list[str]] = {}
        for variant in self._variants:
            by_start.setdefault(variant[:2], []).append(variant)
        self._by_start = {start: tuple(group) for start, group in by_start.items()}

    @staticmethod
    def _base(text: str) -> str:
        text = _to_simplified(text)
        # The table covers the usual full-width forms; NFKC catches the rarer compatibility
        # characters (circled digits, ligatures) and is skipped when there are none.
        if not unicodedata.is_normalized("NFKC", text):
            text = _to_simplified(unicodedata.normalize("NFKC", text))
        text = _INVISIBLE.sub("", text.lower())
        blank = _BLANK.search(text) is not None  # without, the pause and space rules change nothing
        if blank:
            text = _PAUSE.sub("，", text)
        if "\n" in text:  # paragraphs (a subject line, a long message) stay apart
            if not blank:  # line breaks the only spaces: empty lines go
                return "\n".join(filter(None, text.split("\n")))
            text = _LINE_BREAK.sub("\n", text.strip())
            return "\n".join(_SPACES.sub("", line) for line in text.split("\n"))
        return _SPACES.sub("", text) if blank else text

    def __call__(self, text: str) -> str:
        """Normalised text: half-width, simplified, lower-case, variants replaced, long digit runs
        (phone, account numbers) collapsed to `#`; a space between Chinese words becomes a clause
        break ("，"), line breaks stay (one `\n` between paragraphs), other spaces go."""
        text = _LONG_NUMBER.sub("#", self._base(text))
        if self._pattern is None:
            return text
        if len(text) >= _PRECHECK_CHARS and not self._has_variant(text):
            return text
        variants = self._variants
        return self._pattern.sub(lambda m: variants[m.group()], text)

    def _has_variant(self, text: str) -> bool:
        """Whether a variant occurs in `text`: the places where two characters start one (a few
        in a long message, found in one numpy pass) are checked for the whole variant."""
        pairs = _pair_keys(text)
        at = np.searchsorted(self._starts, pairs)
        starts = np.flatnonzero(self._starts.take(at, mode="clip") == pairs).tolist()
        by_start = self._by_start
        return any(text.startswith(by_start[text[i : i + 2]], i) for i in starts)

    @classmethod
    def from_file(cls, path: Path) -> Normaliser:
        """Load the variant lexicon (a YAML mapping of variant → standard form)."""
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise LexiconError(f"{path}: cannot read variants lexicon: {exc}") from exc
        if not isinstance(data, dict):
            raise LexiconError(f"{path}: expected a mapping of variant -> standard form")
        variants: dict[str, str] = {}
        for group, mapping in data.items():
            if not isinstance(mapping, dict):
                raise LexiconError(f"{path}: group {group!r} must map variant -> standard form")
            for variant, standard in mapping.items():
                if not isinstance(variant, str) or not isinstance(standard, str) or len(variant) < 2:
                    raise LexiconError(f"{path}: group {group!r}: bad entry {variant!r}: {standard!r}")
                variants[variant] = standard
        return cls(variants)
