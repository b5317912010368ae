"""Dictionary look-up over Chinese text: every phrase found, or a longest-match segmentation.

Full statistical segmenters (jieba) cost ~150 µs per appeal, too slow for the classification
hot path; the phrases that matter to routing are all in our own dictionaries (catalogue terms,
cue lexicons, gazetteer names), so a phrase index keyed on the first two characters finds them in
one pass. `jieba_tokenizer` builds a jieba tokenizer that knows the same dictionary, for tooling.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Hit:
    """A phrase found at `start` (character offset) in the text."""

    start: int
    phrase: str

    @property
    def end(self) -> int:
        """Offset just past the phrase."""
        return self.start + len(self.phrase)


class PhraseIndex:
    """Finds dictionary phrases (two characters or longer) in a text in one left-to-right pass."""

    def __init__(self, phrases: Iterable[str]) -> None:
        buckets: dict[str, set[str]] = {}
        for phrase in phrases:
            if len(phrase) < 2:
                raise ValueError(f"phrase {phrase!r} is shorter than two characters")
            buckets.setdefault(phrase[:2], set()).add(phrase)
        # Longest first, so the first hit at a position is the longest one.
        self._buckets: dict[str, tuple[str, ...]] = {
            key: tuple(sorted(group, key=len, reverse=True)) for key, group in buckets.items()
        }

    def __len__(self) -> int:
        return sum(len(group) for group in self._buckets.values())

    def __contains__(self, phrase: object) -> bool:
        return isinstance(phrase, str) and phrase in self._buckets.get(phrase[:2], ())

    def find_all(self, text: str) -> list[Hit]:
        """Every occurrence of every phrase, overlapping ones included, in text order."""
        buckets = self._buckets
        hits: list[Hit] = []
        for i in range(len(text) - 1):
            group = buckets.get(text[i : i + 2])
            if group:
                for phrase in group:
                    if text.startswith(phrase, i):
                        hits.append(Hit(i, phrase))
        return hits

    def found(self, text: str) -> set[str]:
        """The set of distinct phrases occurring in the text."""
        buckets = self._buckets
        out: set[str] = set()
        for i in range(len(text) - 1):
            group = buckets.get(text[i : i + 2])
            if group:
                for phrase in group:
                    if text.startswith(phrase, i):
                        out.add(phrase)
        return out

    def longest(self, text: str) -> list[Hit]:
        """Leftmost-longest, non-overlapping matches (a greedy dictionary segmentation)."""
        buckets = self._buckets
        hits: list[Hit] = []
        i, n = 0, len(text)
        while i < n - 1:
            group = buckets.get(text[i : i + 2])
            matched = None
            if group:
                for phrase in group:
                    if text.startswith(phrase, i):
                        matched = phrase
                        break
            if matched is None:
                i += 1
            else:
                hits.append(Hit(i, matched))
                i += len(matched)
        return hits


def jieba_tokenizer(words: Iterable[str]) -> Any:
    """A jieba tokenizer whose dictionary also holds `words` (catalogue terms, place names).

    Used by tooling and explanations off the hot path; imported lazily because loading jieba's
    dictionary takes about a second.
    """
    import jieba

    jieba.setLogLevel(60)
    tokenizer = jieba.Tokenizer()
    for word in words:
        if len(word) >= 2:
            tokenizer.add_word(word, freq=2000)
    return tokenizer
