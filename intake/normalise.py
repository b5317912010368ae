"""Normalisation of an appeal's free text before it is stored and routed."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_SPACES = re.compile(r"\s+")


def normalise_text(text: str) -> str:
    """NFKC (full-width letters and digits to half-width), collapse whitespace, strip."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text)).strip()


def content_fingerprint(text: str, phone: str | None) -> str:
    """A stable digest of what was said and by whom, for spotting the same appeal on two channels."""
    basis = re.sub(r"[\W_]+", "", normalise_text(text)) + "|" + re.sub(r"\D", "", phone or "")
    return hashlib.sha256(basis.encode()).hexdigest()[:32]
