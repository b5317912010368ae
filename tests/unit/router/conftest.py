"""Shared fixtures: the shipped router is loaded once per test session."""

from __future__ import annotations

import pytest

from router.service import Router


@pytest.fixture(scope="session")
def router() -> Router:
    """The default router (shipped catalogue, gazetteer, lexicons and catalogue-trained model)."""
    return Router.default()
