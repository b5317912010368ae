"""Dictionary look-up over Chinese text: every phrase found, or a longest-match segmentation.

Full statistical segmenters (jieba) cost ~150 µs per appeal, too slow for the classification
hot path; the phrases that matter to routing are all in our own dictionaries (catalogue terms,
cue lexicons, gazetteer names), so one Aho-Corasick pass (pyahocorasick, in C) finds them all; a
pure-Python index keyed on the first two characters is the fallback. `jieba_tokenizer` builds a
jieba tokenizer that knows the same dictionary, for tooling.

A hit is a plain `(start, -length, phrase)` tuple: millions are made, tuples are the cheapest,
and their natural order is text order with the longest phrase first at each position.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

try:  # the C automaton; the pure-Python scan below gives the same answers, slower
    import ahocorasick
except ImportError:  # pragma: no cover - exercised only where the wheel is unavailable
    ahocorasick = None

# (start offset, minus the length, phrase)
Hit = tuple[int, int, str]

_PAIR_ROOTS = 100  # from this many first characters a dictionary is also searched byte by byte


def _code_units(text: str) -> str | None:
    """The text's UTF-16 code units, each as two Latin-1 characters (its high and low byte); None
    when the text has a character beyond the Basic Multilingual Plane (two units, not one)."""
    units = text.encode("utf-16-be", "surrogatepass")
    return units.decode("latin-1") if len(units) == 2 * len(text) else None


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
        self._automaton: Any = None
        if ahocorasick is not None and buckets:
            automaton = ahocorasick.Automaton()
            for group in self._buckets.values():
                for phrase in group:
                    automaton.add_word(phrase, (len(phrase) - 1, -len(phrase), phrase))
            automaton.make_automaton()
            self._automaton = automaton
        # pyahocorasick looks a character up among a node's children one by one, and the root of the
        # router's dictionary has over a thousand: an automaton over the phrases' bytes (a node has
        # at most 256 children, the root about 80) scans a text's bytes faster. A match in it at an
        # even byte offset is a match of the phrase in the text, at half the offset.
        self._pair_automaton: Any = None
        firsts = {phrase[0] for group in self._buckets.values() for phrase in group}
        if (self._automaton is not None and len(firsts) >= _PAIR_ROOTS
                and all(_code_units(phrase) is not None and not _has_surrogate(phrase)
                        for group in self._buckets.values() for phrase in group)):
            automaton = ahocorasick.Automaton()
            for group in self._buckets.values():
                for phrase in group:
                    automaton.add_word(_code_units(phrase), (len(phrase) - 1, -len(phrase), phrase))
            automaton.make_automaton()
            self._pair_automaton = automaton

    def __len__(self) -> int:
        return sum(len(group) for group in self._buckets.values())

    def __contains__(self, phrase: object) -> bool:
        return isinstance(phrase, str) and phrase in self._buckets.get(phrase[:2], ())

    def find_all(self, text: str) -> list[Hit]:
        """Every occurrence of every phrase, overlapping ones included, in text order (longest
        first at one position)."""
        hits: list[Hit]
        units = _code_units(text) if self._pair_automaton is not None else None
        if units is not None:  # a phrase ends on a low byte, i.e. at an odd byte offset
            hits = [((end >> 1) - back, minus, phrase)
                    for end, (back, minus, phrase) in self._pair_automaton.iter(units) if end & 1]
            hits.sort()
            return hits
        if self._automaton is not None:
            hits = [(end - back, minus, phrase) for end, (back, minus, phrase) in self._automaton.iter(text)]
            hits.sort()
            return hits
        buckets = self._buckets
        hits = []
        for i in range(len(text) - 1):
            group = buckets.get(text[i : i + 2])
            if group:
                for phrase in group:
                    if text.startswith(phrase, i):
                        hits.append((i, -len(phrase), phrase))
        return hits

    def found(self, text: str) -> set[str]:
        """The set of distinct phrases occurring in the text."""
        units = _code_units(text) if self._pair_automaton is not None else None
        if units is not None:
            return {value[2] for end, value in self._pair_automaton.iter(units) if end & 1}
        if self._automaton is not None:
            return {value[2] for _, value in self._automaton.iter(text)}
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
                hits.append((i, -len(matched), matched))
                i += len(matched)
        return hits


def _has_surrogate(phrase: str) -> bool:
    return any("\ud800" <= ch <= "\udfff" for ch in phrase)


def leftmost_longest(hits: Iterable[Hit]) -> list[Hit]:
    """Greedy non-overlapping selection from `find_all` hits (text order, longest first at a
    position), i.e. the same answer as `PhraseIndex.longest` over those phrases."""
    out: list[Hit] = []
    end = -1
    for hit in hits:
        if hit[0] >= end:
            out.append(hit)
            end = hit[0] - hit[1]
    return out


@dataclass(frozen=True)
class Scan:
    """One pass of the router's whole dictionary over a normalised text, shared by every module."""

    text: str
    hits: list[Hit]
    found: set[str]

    @classmethod
    def of(cls, index: PhraseIndex, text: str) -> Scan:
        """Scan `text` with `index`."""
        hits = index.find_all(text)
        return cls(text, hits, {hit[2] for hit in hits})

    def joined(self, spans: Sequence[tuple[int, int]], text: str) -> Scan:
        """The scan of `text`, the spans (start, end) of this scan's text joined by line breaks,
        taken from this one: the same as scanning it afresh when no phrase holds a line break."""
        hits = self.hits
        out: list[Hit] = []
        offset = 0
        for start, end in spans:
            shift = offset - start
            for i in range(bisect_left(hits, (start,)), len(hits)):
                hit = hits[i]
                if hit[0] >= end:
                    break
                if hit[0] - hit[1] <= end:
                    out.append((hit[0] + shift, hit[1], hit[2]))
            offset += end - start + 1
        return Scan(text, out, {hit[2] for hit in out})

    def found_in(self, start: int, end: int) -> set[str]:
        """The distinct phrases within text[start:end], as `PhraseIndex.found` gives them for that
        slice (in the automaton's order: by end, the longest first)."""
        hits = self.hits
        inside: list[Hit] = []
        for i in range(bisect_left(hits, (start,)), len(hits)):
            hit = hits[i]
            if hit[0] >= end:
                break
            if hit[0] - hit[1] <= end:
                inside.append(hit)
        inside.sort(key=_end_then_longest)
        return {hit[2] for hit in inside}


def _end_then_longest(hit: Hit) -> tuple[int, int]:
    return hit[0] - hit[1], hit[1]


K = TypeVar("K")


class TermMatcher(Generic[K]):
    """Finds which weighted terms (phrases or `a&b` co-occurrences) a text satisfies.

    Every term part of two characters or more is looked up through one PhraseIndex; single-
    character parts only qualify a term and are checked against the text's characters.
    """

    def __init__(self, terms: Iterable[tuple[K, tuple[str, ...]]]) -> None:
        self._terms: list[tuple[K, int, tuple[str, ...]]] = []
        # phrase → (keys of the plain terms it satisfies alone, co-occurrence terms it is part of)
        self._refs: dict[str, tuple[list[K], list[int]]] = {}
        for key, parts in terms:
            long_parts = tuple(dict.fromkeys(p for p in parts if len(p) >= 2))
            short_parts = tuple(p for p in parts if len(p) == 1)
            if len(long_parts) == 1 and not short_parts:
                self._refs.setdefault(long_parts[0], ([], []))[0].append(key)
                continue
            index = len(self._terms)
            self._terms.append((key, len(long_parts), short_parts))
            for part in long_parts:
                self._refs.setdefault(part, ([], []))[1].append(index)
        self.index = PhraseIndex(self._refs)
        self._phrase_set = frozenset(self._refs)

    def phrases(self) -> list[str]:
        """Every phrase looked up."""
        return list(self._refs)

    def match(self, text: str, found: set[str] | None = None, chars: set[str] | None = None) -> list[K]:
        """Keys of the satisfied terms, in no particular order (`found` may be precomputed, and
        `chars`, the set of the text's characters)."""
        if found is None:
            found = self.index.found(text)
        out: list[K] = []
        if not found:
            return out
        refs = self._refs
        counts: dict[int, int] = {}
        for phrase in self._phrase_set.intersection(found):  # a shared scan finds others' words too
            keys, indexes = refs[phrase]
            if keys:
                out.extend(keys)
            for index in indexes:
                counts[index] = counts.get(index, 0) + 1
        if counts:
            terms = self._terms
            for index, n in counts.items():
                key, needed, short = terms[index]
                if n < needed:
                    continue
                if short:
                    if chars is None:
                        chars = set(text)
                    if not all(c in chars for c in short):
                        continue
                out.append(key)
        return out


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
