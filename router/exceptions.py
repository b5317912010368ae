"""Errors the router raises; they know nothing of HTTP."""

from __future__ import annotations


class RouterError(Exception):
    """Base class of every router error."""


class CatalogueError(RouterError):
    """The responsibility catalogue is invalid (the message names the file and the matter)."""


class GazetteerError(RouterError):
    """The gazetteer is invalid (the message names the node)."""


class LexiconError(RouterError):
    """A lexicon file (variants, emergency or whistle cues) is invalid."""


class UnknownUnitError(RouterError, KeyError):
    """A unit code that the router does not know."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code

    def __str__(self) -> str:
        return f"unknown handling unit {self.code!r}"


class ModelError(RouterError):
    """A learned-model file is missing, corrupt or does not fit the catalogue."""
