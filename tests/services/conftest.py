"""Fixtures shared by the service tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary directory whose `var/` is the embedded default's data directory (no PostgreSQL or
    Kafka from the environment), for commands run in-process (`hotline import`)."""
    for name in ("DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOTLINE_DATA_DIR", str(tmp_path / "var"))
    return tmp_path
