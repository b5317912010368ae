"""Reading a long message for its main request.

A message-board post is not a phone appeal: a subject line, a greeting, who the writer is and
how it came about, the problem, what they ask for, a second topic ("另外，…"), thanks. Only some
of it says who should act and how urgently: the subject, the problem and the request. Greetings,
praise and background must not route (a writer who mentions that "the roads here have been
repaired" is not asking for road works), and a second topic must not take the message away from
its first.

`MessageReader.read` splits a normalised message into sentences and gives each a role from the
phrase lists in `data/lexicon/reading.yaml`; `Reading.focus` is the subject plus the sentences
that state the problem, the request or what is happening now. Short appeals are read whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from router.exceptions import LexiconError
from router.normalise import Normaliser
from router.segment import PhraseIndex

_SENTENCE = re.compile(r"[^。!?;\n]+[。!?;]*")
_LEADING = re.compile(r"^[\s,，、:：\"'“”‘’()（）\-—*·0-9一二三四五六七八九十]+[、.．,，)）]?")
ROLES = ("subject", "courtesy", "praise", "aside", "now", "request", "background", "problem")
FOCUS_ROLES = frozenset({"subject", "now", "request", "problem"})


@dataclass(frozen=True)
class Reading:
    """A message as read: whether it is long, its subject line, its sentences with their roles,
    and the focus text (subject, problem, request, now) that owner and class are read from."""

    long: bool
    subject: str
    sentences: tuple[tuple[str, str], ...]  # (role, sentence)
    focus: str
    starts: tuple[int, ...] = ()  # where each sentence begins in the text read

    def focus_spans(self) -> list[tuple[int, int]]:
        """(start, end) in the text read of each sentence the focus is made of, in order (none
        when the focus is the whole text)."""
        return [(start, start + len(sentence)) for (role, sentence), start in zip(self.sentences, self.starts,
                                                                                  strict=True)
                if role in FOCUS_ROLES]


class MessageReader:
    """Gives each sentence of a long message its role (phrase lists from a lexicon)."""

    def __init__(self, phrases: dict[str, list[str]], *, long_chars: int = 160, subject_chars: int = 60,
                 courtesy_slack: int = 12) -> None:
        self.long_chars = long_chars
        self.subject_chars = subject_chars
        self.courtesy_slack = courtesy_slack
        self._phrases = {role: frozenset(words) for role, words in phrases.items()}
        self._index = PhraseIndex({w for words in phrases.values() for w in words})
        self._courtesy = sorted(self._phrases.get("courtesy", ()), key=len, reverse=True)
        # the words a sentence may begin with, as tuples for str.startswith
        self._aside = tuple(self._phrases.get("aside", ()))
        self._background = tuple(self._phrases.get("background", ()))

    def words(self) -> set[str]:
        """Every phrase read."""
        return {w for words in self._phrases.values() for w in words}

    def is_long(self, text: str) -> bool:
        """Whether a normalised text is read as a long message."""
        return len(text) >= self.long_chars or "\n" in text

    def read(self, text: str) -> Reading:
        """The reading of a normalised text (a short appeal is its own focus)."""
        if not self.is_long(text):
            return Reading(False, "", (("problem", text),), text, (0,))
        lines: list[tuple[int, str]] = []  # (where it begins, line)
        at = 0
        for line in text.split("\n"):
            if line.strip():
                lines.append((at, line))
            at += len(line) + 1
        subject = ""
        sentences: list[tuple[str, str]] = []
        starts: list[int] = []
        if len(lines) > 1 and len(lines[0][1]) <= self.subject_chars and self._role(lines[0][1]) not in (
                "courtesy", "background"):
            subject = lines[0][1]
            sentences.append(("subject", subject))
            starts.append(lines[0][0])
            lines = lines[1:]
        for at, line in lines:
            for match in _SENTENCE.finditer(line):
                sentence = match.group()
                if sentence.strip():
                    sentences.append((self._role(sentence), sentence))
                    starts.append(at + match.start())
        focus = "\n".join(s for role, s in sentences if role in FOCUS_ROLES)
        return Reading(True, subject, tuple(sentences), focus or text, tuple(starts))

    def _role(self, sentence: str) -> str:
        found = self._index.found(sentence)
        has = {role for role, words in self._phrases.items() if not words.isdisjoint(found)}
        if "courtesy" in has:
            rest = sentence
            for word in self._courtesy:
                rest = rest.replace(word, "")
            if len(re.sub(r"[\W\d_]", "", rest)) <= self.courtesy_slack and "request" not in has:
                return "courtesy"
        if "praise" in has and "now" not in has:
            return "praise"
        start = _LEADING.sub("", sentence)[:8]
        if start.startswith(self._aside):
            return "aside"
        if "now" in has:
            return "now"
        if "request" in has:
            return "request"
        if start.startswith(self._background):
            return "background"
        return "problem"

    @classmethod
    def from_file(cls, path: Path, normalise: Normaliser) -> MessageReader:
        """Load the reading lexicon."""
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise LexiconError(f"{path}: cannot read the reading lexicon: {exc}") from exc
        phrases: dict[str, list[str]] = {}
        for role in ("courtesy", "praise", "aside", "request", "background", "now"):
            words = data.get(role) or []
            if not isinstance(words, list):
                raise LexiconError(f"{path}: {role} must be a list")
            phrases[role] = [w for w in (normalise(str(x)) for x in words) if len(w) >= 2]
        try:
            return cls(phrases, long_chars=int(data.get("long_chars", 160)),
                       subject_chars=int(data.get("subject_chars", 60)),
                       courtesy_slack=int(data.get("courtesy_slack", 12)))
        except (TypeError, ValueError) as exc:
            raise LexiconError(f"{path}: {exc}") from None
