"""Emergency detection: is this appeal really a call for 110 / 119 / 120 / 122?

Cues are phrases (or `a&b` co-occurrences within one sentence) with weights, per line, read from
`data/lexicon/emergency.yaml`. A cue counts only for danger happening now: it is discarded when
its clause is hypothetical, a hazard report or a denial ("万一着火", "怕会着火", "暂未见明火",
"没有人受伤"), when its sentence asks for an allowance, a certificate or a ruling ("申请补贴",
"工伤认定": `administrative`), when its clause denies its line alone (`line_defeaters`: a knife at
work, "拿刀正在切西瓜", is no knife drawn at someone, yet "切菜切到手指血流不止" is an injury), or when its
sentence is about the past or a habit ("上周还困过人", "经常有人打架") — unless the clause says
"now" ("现在", "还在"). Injury cues ("流血", "动不了") go to 122 when the sentence is about a traffic
collision, to 110 when it is about violence (someone is hurting people now) and to 120 otherwise.
A traffic cue whose clause names only a thing that was hit ("护栏被车撞
断", "消防栓被车撞坏"), or whose sentence names such a thing and no person ("三个消火栓坏了，其中一个被车撞
歪"), is not a call for 122; a line whose situation the text says is
over ("后来找到了", "虚惊一场", "已经救出来了": `resolved`) is not called. Recall comes first: the
threshold is low and the cue lists broad.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from pathlib import Path

import yaml

from router.catalogue import parse_term
from router.exceptions import LexiconError
from router.models import EmergencyCall, Term
from router.normalise import Normaliser
from router.segment import Hit, PhraseIndex, TermMatcher
from schemas.taxonomy import EmergencyLine

# An ellipsis ends a sentence too: a caller breaks off a story for what is happening now ("我想问一下
# 医保卡……哎，我老伴刚才歪过去了"), and the story's words of the past or of a request do not speak for it.
_SENTENCE_ENDS = re.compile(r"[。！？!?\n…]|\.{3,}")
_CLAUSE_ENDS = re.compile("[，,；;：:、。！？!?\n]")
# Equal evidence for two lines: someone hurting people now first (the police must stop it), then a
# crash (122, with 120 noted), then rescue, then an ambulance. Fixed, so the call does not depend on
# the order of a set (the process's hash seed).
_TIE_ORDER = (EmergencyLine.police, EmergencyLine.traffic, EmergencyLine.fire, EmergencyLine.medical)
_DEFEATER_KINDS = ("hypothetical", "negated", "past", "habitual", "present", "administrative")


@dataclass(frozen=True)
class LineDefeater:
    """Words that deny one line's cues in their clause, and words that keep them there."""

    words: frozenset[str]  # the clause tells of something else done with the cue's words ("切西瓜", "跳广场舞")
    unless: frozenset[str] = frozenset()  # ... but not when it also names an attack on someone ("砍我")


@dataclass(frozen=True)
class _Cue:
    term: Term
    line: EmergencyLine | None  # None: an injury cue (122 or 120 by context)
    whole_text: bool = False  # parts may sit in different sentences (generic help-call cues)


class EmergencyDetector:
    """Finds an ongoing emergency in normalised appeal text."""

    def __init__(
        self,
        cues: list[_Cue],
        traffic: list[str],
        amplifiers: dict[str, float],
        defeaters: dict[str, list[str]],
        threshold: float,
        objects: list[str] | None = None,
        people: list[str] | None = None,
        resolved: dict[EmergencyLine | None, list[str]] | None = None,
        violence: list[str] | None = None,
        collision: list[str] | None = None,
        owners: frozenset[str] = frozenset(),
        burning: list[str] | None = None,
        fire_out: list[str] | None = None,
        line_defeaters: dict[EmergencyLine, list[LineDefeater]] | None = None,
    ) -> None:
        self._cues = cues
        self._owners = owners
        self._collision = frozenset(collision or ())
        self._violence = frozenset(violence or ())
        self._objects = frozenset(objects or ())
        self._people = frozenset(people or ())
        self._resolved = {line: frozenset(words) for line, words in (resolved or {}).items()}
        self._burning = frozenset(burning or ())
        self._fire_out = frozenset(fire_out or ())
        self._line_defeaters = {line: tuple(group) for line, group in (line_defeaters or {}).items() if group}
        self._traffic = frozenset(traffic)
        self._amplifiers = amplifiers
        self._defeaters = {kind: frozenset(words) for kind, words in defeaters.items()}
        none: frozenset[str] = frozenset()
        self._hypothetical = self._defeaters.get("hypothetical", none) | self._defeaters.get("negated", none)
        self._past = self._defeaters.get("past", none) | self._defeaters.get("habitual", none)
        self._present = self._defeaters.get("present", none)
        self._administrative = self._defeaters.get("administrative", none)
        self._threshold = threshold
        words: set[str] = (set(self._traffic) | set(amplifiers) | self._objects | self._people | self._violence
                           | self._collision | self._burning | self._fire_out)
        for group in self._resolved.values():
            words.update(group)
        for cue in cues:
            words.update(p for p in cue.term.parts if len(p) >= 2)
        for group in self._defeaters.values():
            words.update(group)
        for line_group in self._line_defeaters.values():
            for defeater in line_group:
                words.update(defeater.words | defeater.unless)
        self._words = frozenset(words)
        self._index = PhraseIndex(words)
        # Each cue's longest part: a cue matches only when all its parts occur, so an appeal with no
        # anchor has no cue ("孩子" is in many cues and most appeals, "还没到家" in few)
        self._anchors = frozenset(max((p for p in cue.term.parts if len(p) >= 2), key=len) for cue in cues)
        self._cue_chars = frozenset(p for cue in cues for p in cue.term.parts if len(p) == 1)
        self._matcher: TermMatcher[_Cue] = TermMatcher((cue, cue.term.parts) for cue in cues)

    @property
    def threshold(self) -> float:
        """Score from which an appeal is redirected."""
        return self._threshold

    def words(self) -> set[str]:
        """Every phrase this detector reads (for a shared dictionary scan)."""
        return set(self._words)

    def detect(
        self, text: str, hits: list[Hit] | None = None, found: set[str] | None = None
    ) -> EmergencyCall | None:
        """The emergency line to hand the appeal to, or None (text must be normalised; `hits`
        and `found` may carry a dictionary scan of it that includes this detector's words)."""
        call = self.assess(text, hits, found)
        return call if call is not None and call.score >= self._threshold else None

    def assess(
        self, text: str, hits: list[Hit] | None = None, found: set[str] | None = None
    ) -> EmergencyCall | None:
        """The best-supported line and its cue score, even below the redirect threshold (None
        when no cue for danger now survives its defeaters)."""
        if found is not None and self._anchors.isdisjoint(found):
            return None  # most appeals: no cue at all
        if hits is None:
            hits = self._index.find_all(text)
        else:
            hits = [h for h in hits if h[2] in self._words]
        if not any(h[2] in self._anchors for h in hits):
            return None
        # a position's sentence and clause: how many of their ends come before it (bisect_left, inline: a long
        # letter has hundreds of hits)
        sentence_ends = [m.start() for m in _SENTENCE_ENDS.finditer(text)]
        clause_ends = [m.start() for m in _CLAUSE_ENDS.finditer(text)]
        in_sentence: dict[int, dict[str, list[Hit]]] = {}
        words_in_clause: dict[int, set[str]] = {}
        words_in_sentence: dict[int, set[str]] = {}
        for ch in self._cue_chars.intersection(text):  # single characters that qualify longer cue parts
            pos = text.find(ch)
            while pos >= 0:
                hits.append((pos, -1, ch))
                pos = text.find(ch, pos + 1)
        for hit in hits:
            pos, word = hit[0], hit[2]
            s, c = bisect_left(sentence_ends, pos), bisect_left(clause_ends, pos)
            phrases = in_sentence.get(s)
            if phrases is None:
                in_sentence[s] = {word: [hit]}
                words_in_sentence[s] = {word}
            else:
                same = phrases.get(word)
                if same is None:
                    phrases[word] = [hit]
                else:
                    same.append(hit)
                words_in_sentence[s].add(word)
            clause = words_in_clause.get(c)
            if clause is None:
                words_in_clause[c] = {word}
            else:
                clause.add(word)
        hypothetical, past, present = self._hypothetical, self._past, self._present
        administrative = self._administrative

        scores: dict[EmergencyLine, float] = {}
        cues_by_line: dict[EmergencyLine, list[str]] = {}
        chars = set(text)  # once, not in every sentence's match
        for s, phrases in in_sentence.items():
            sentence_words = words_in_sentence[s]
            traffic = bool(self._traffic & sentence_words)
            injured_by = (EmergencyLine.traffic if traffic else
                          EmergencyLine.police if self._violent(sentence_words, phrases, words_in_clause, clause_ends)
                          else EmergencyLine.medical)
            # a collision in the sentence: whoever is hurt in it is 122's (with 120 noted), however
            # the harm is told ("撞了…叫不醒")
            collided = bool(self._collision & sentence_words)
            for cue in self._matcher.match(text, sentence_words, chars):
                if cue.whole_text or not all(p in phrases for p in cue.term.parts):
                    continue  # a single-character part elsewhere in the text
                clauses = {bisect_left(clause_ends, phrases[p][0][0]) for p in cue.term.parts}
                clause_words = set().union(*(words_in_clause[c] for c in clauses))
                if clause_words & hypothetical or sentence_words & administrative:
                    continue
                # a cue's own words are not its past: "瘫在床上" (a condition, habitual) is why smoke at that home
                # is the fire brigade's ("楼顶冒烟…那户住着一个瘫在床上的老人"), not a sign the smoke is old
                told_before = sentence_words & past
                if (told_before and not told_before.issubset(cue.term.parts) and not clause_words & present
                        and not self._now_since_past(phrases, min(phrases[p][0][0] for p in cue.term.parts))):
                    continue
                if cue.line is EmergencyLine.police and any(
                        p in self._owners and all(text.startswith("的", h[0] - h[1]) for h in phrases[p])
                        for p in cue.term.parts):
                    continue  # "孩子的疫苗本找不到了": the child owns what is missing, nobody is
                line = cue.line or injured_by
                if line is EmergencyLine.medical and collided:
                    line = EmergencyLine.traffic
                if (line is EmergencyLine.traffic and not clause_words & self._people
                        and (clause_words & self._objects
                             or (sentence_words & self._objects and not sentence_words & self._people))):
                    continue  # a thing was hit ("其中一个被车撞歪": the hydrant named earlier), nobody hurt
                if self._denies(line, clause_words):
                    continue  # "卖菜的拿刀正在切西瓜": a knife at work, no knife drawn at someone
                scores[line] = scores.get(line, 0.0) + cue.term.weight
                cues_by_line.setdefault(line, []).append(cue.term.label)
        # Generic cues: the parts anywhere in the text, each judged in its own clause/sentence.
        all_phrases: dict[str, list[Hit]] = {}
        for phrases in in_sentence.values():
            for phrase, phrase_hits in phrases.items():
                all_phrases.setdefault(phrase, []).extend(phrase_hits)
        for cue in self._matcher.match(text, set(all_phrases), chars):
            if not cue.whole_text or not all(p in all_phrases for p in cue.term.parts):
                continue
            # judge the danger word(s), not the call for help written first
            first = [all_phrases[p][0][0] for p in cue.term.parts[1:]]
            clause_words = set().union(*(words_in_clause[bisect_left(clause_ends, pos)] for pos in first))
            sentence_words = set().union(*(words_in_sentence[bisect_left(sentence_ends, pos)] for pos in first))
            if clause_words & hypothetical or sentence_words & administrative:
                continue
            if sentence_words & past and not clause_words & present:
                continue
            line = cue.line or EmergencyLine.medical
            if self._denies(line, clause_words):
                continue
            scores[line] = scores.get(line, 0.0) + cue.term.weight
            cues_by_line.setdefault(line, []).append(cue.term.label)
        found = {h[2] for h in hits}
        for over, words in self._resolved.items():
            if found & words:
                if over is None:
                    return None
                if not self._still_burning(found, over):
                    scores.pop(over, None)
        if found & self._fire_out:
            scores.pop(EmergencyLine.fire, None)
        if not scores:
            return None
        line = max(scores, key=lambda k: (scores[k], -_TIE_ORDER.index(k)))
        if scores[line] <= 0:
            return None
        if line is EmergencyLine.medical:
            # someone hurt while being beaten, in a crash or trapped: the line that stops it or gets
            # them out is called (taxonomy.md: a beating is 110's, a crash 122's, people trapped 119's)
            # whenever its own cues reach the threshold, however many medical words the caller uses;
            # 110 only for violence (a threat to oneself with an overdose taken is the ambulance's)
            violent = bool(self._violence & found)
            line = next((other for other in _TIE_ORDER[:3] if scores.get(other, 0.0) >= self._threshold
                         and (violent or other is not EmergencyLine.police)), line)
        boost = sum(w for word, w in self._amplifiers.items() if word in found)
        score = scores[line] + boost
        return EmergencyCall(line=line, cues=tuple(dict.fromkeys(cues_by_line[line])), score=score)

    def may_be_now(self, found: set[str], line: EmergencyLine, *, sure: bool = False) -> bool:
        """Whether an appeal whose dictionary phrases are `found` can be a call for `line` now, by
        its wording alone: not when it says the situation is over ("都出来了", "找到了"), speaks
        only of the past or a habit ("上个月", "经常") or of a fear or hazard ("怕着火") with no word
        of now; with `sure` (a learned head all but certain) a word of the past or a habit does not
        veto it. For judging a learned guess that no cue supports."""
        if found & self._resolved.get(None, frozenset()):
            return False
        if found & self._resolved.get(line, frozenset()) and not self._still_burning(found, line):
            return False
        if line is EmergencyLine.fire and found & self._fire_out:
            return False
        if found & self._administrative:
            return False
        past = found & self._past
        # a word of now inside a word of the past does not say now ("医药费到现在没给")
        present = {w for w in found & self._present if not any(w in longer for longer in past)}
        if found & self._hypothetical and not present:
            return False  # a fear or a hazard ("怕着火", "隐患"), or a denial, with no word of now
        return sure or not past or bool(present)

    def _denies(self, line: EmergencyLine, clause_words: set[str]) -> bool:
        """Whether the words of a cue's clause deny a cue of `line` (and that line's only)."""
        return any(clause_words & d.words and clause_words.isdisjoint(d.unless)
                   for d in self._line_defeaters.get(line, ()))

    def _violent(self, sentence_words: set[str], phrases: dict[str, list[Hit]], words_in_clause: dict[int, set[str]],
                 clause_ends: list[int]) -> bool:
        """Whether a sentence tells of violence: a violence word ("拿刀") in a clause 110's own defeaters leave
        alone ("卖菜的拿刀切西瓜切到手了" tells of a knife at work, and whoever bleeds is the ambulance's)."""
        violent = self._violence & sentence_words
        if not violent or EmergencyLine.police not in self._line_defeaters:
            return bool(violent)
        return any(not self._denies(EmergencyLine.police, words_in_clause[bisect_left(clause_ends, hit[0])])
                   for word in violent for hit in phrases[word])

    def _still_burning(self, found: set[str], line: EmergencyLine) -> bool:
        """A fire burning that people getting out does not end ("车头全是明火了，司机自己爬出来了")."""
        return line is EmergencyLine.fire and bool(found & self._burning) and not found & self._fire_out

    def _now_since_past(self, phrases: dict[str, list[Hit]], before: int) -> bool:
        """Whether the last word of time before `before` in a sentence says now: a phone call
        with no full stop is one sentence, and "以前中过一次，这次又犯了，嘴歪了" tells of now."""
        last_past = last_now = -1
        for word, word_hits in phrases.items():
            if word in self._present:
                last_now = max([last_now, *(h[0] for h in word_hits if h[0] < before)])
            elif word in self._past:
                last_past = max([last_past, *(h[0] for h in word_hits if h[0] < before)])
        return last_now > last_past

    @classmethod
    def from_file(cls, path: Path, normalise: Normaliser) -> EmergencyDetector:
        """Load the emergency cue lexicon."""
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise LexiconError(f"{path}: cannot read emergency lexicon: {exc}") from exc
        if not isinstance(data, dict) or not isinstance(data.get("lines"), dict):
            raise LexiconError(f"{path}: expected `lines`, `injury`, `traffic`, `amplifiers`, `defeaters`")
        cues: list[_Cue] = []
        try:
            sections = [(data["lines"], False), (data.get("generic") or {}, True)]
            for section, whole_text in sections:
                for line_code, terms in section.items():
                    try:
                        line = EmergencyLine(str(line_code))
                    except ValueError:
                        raise LexiconError(f"{path}: unknown emergency line {line_code!r}") from None
                    cues.extend(_Cue(parse_term(str(t), normalise), line, whole_text) for t in terms)
            cues.extend(_Cue(parse_term(str(t), normalise), None) for t in data.get("injury") or [])
            family_cues = _family_cues(data.get("families") or [], normalise, path)
            cues.extend(family_cues)
            amplifiers = {
                term.parts[0]: term.weight
                for term in (parse_term(str(t), normalise) for t in data.get("amplifiers") or [])
            }
        except ValueError as exc:
            raise LexiconError(f"{path}: {exc}") from None
        defeaters_raw = data.get("defeaters") or {}
        unknown = set(defeaters_raw) - set(_DEFEATER_KINDS)
        if unknown:
            raise LexiconError(f"{path}: unknown defeater kind(s) {', '.join(sorted(unknown))}")
        defeaters = {kind: [normalise(w) for w in words] for kind, words in defeaters_raw.items()}
        traffic = [normalise(w) for w in data.get("traffic") or []]
        resolved: dict[EmergencyLine | None, list[str]] = {}
        for key, words in (data.get("resolved") or {}).items():
            try:
                over = None if str(key) == "all" else EmergencyLine(str(key))
            except ValueError:
                raise LexiconError(f"{path}: unknown emergency line {key!r} in resolved") from None
            resolved[over] = [normalise(w) for w in words]
        return cls(cues, traffic, amplifiers, defeaters, float(data.get("threshold", 2.0)),
                   line_defeaters=_line_defeaters(data.get("line_defeaters") or [], normalise, path),
                   objects=[normalise(w) for w in data.get("objects") or []],
                   people=[normalise(w) for w in data.get("people") or []],
                   resolved=resolved, violence=[normalise(w) for w in data.get("violence") or []],
                   collision=[normalise(w) for w in data.get("collision") or []],
                   # the people of the 110 families: "孩子的…找不到了" is a thing of theirs missing
                   owners=frozenset(c.term.parts[-1] for c in family_cues if c.line is EmergencyLine.police),
                   burning=[normalise(w) for w in data.get("burning") or []],
                   fire_out=[normalise(w) for w in data.get("fire_out") or []])


def _family_cues(families: list[object], normalise: Normaliser, path: Path) -> list[_Cue]:
    """A family's cues: each of its `who` words with each of its `what` words in one sentence
    (who is in danger x what is happening to them), so a lexicon names the people and the states
    once instead of every pairing a writer might use ("娃儿…找不到了", "孙女…没影了")."""
    cues: list[_Cue] = []
    for family in families:
        if not isinstance(family, dict) or not family.get("who") or not family.get("what"):
            raise LexiconError(f"{path}: a family needs `line`, `who` and `what`")
        try:
            line = None if str(family.get("line")) == "injury" else EmergencyLine(str(family.get("line")))
        except ValueError:
            raise LexiconError(f"{path}: unknown emergency line {family.get('line')!r} in a family") from None
        weight = float(family.get("weight", 3))
        for who in family["who"]:
            for what in family["what"]:
                # the state first: of parts of equal length the first is the cue's anchor, and a
                # state ("走丢") is in far fewer appeals than a person ("孩子")
                cues.append(_Cue(parse_term(f"{what}&{who}:{weight}", normalise), line))
    return cues


def _line_defeaters(entries: list[object], normalise: Normaliser,
                    path: Path) -> dict[EmergencyLine, list[LineDefeater]]:
    """Defeaters of one line each: `words` in a cue's clause deny that line's cue unless the clause also
    holds one of `unless` (a knife at work denies 110's knife cues, not 120's bleeding told beside it)."""
    out: dict[EmergencyLine, list[LineDefeater]] = {}
    for entry in entries:
        if not isinstance(entry, dict) or not entry.get("words") or "line" not in entry:
            raise LexiconError(f"{path}: a line defeater needs `line` and `words` (and may have `unless`)")
        try:
            line = EmergencyLine(str(entry["line"]))
        except ValueError:
            raise LexiconError(f"{path}: unknown emergency line {entry['line']!r} in line_defeaters") from None
        out.setdefault(line, []).append(LineDefeater(
            frozenset(normalise(str(w)) for w in entry["words"]),
            frozenset(normalise(str(w)) for w in entry.get("unless") or [])))
    return out
