"""Normalisation of an appeal's free text before it is stored and routed."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_SPACES = re.compile(r"\s+")


def normalise_text(text: str) -> str:
    """The text as stored: whitespace collapsed and stripped, the citizen's own characters and
    punctuation kept (the router does its own normalisation for matching)."""
    return _SPACES.sub(" ", text).strip()


def content_fingerprint(text: str, phone: str | None) -> str:
    """A stable digest of what was said and by whom, for spotting the same appeal on two channels:
    NFKC (full-width to half-width), punctuation and spaces dropped."""
    basis = re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", text)) + "|" + re.sub(r"\D", "", phone or "")
    return hashlib.sha256(basis.encode()).hexdigest()[:32]
