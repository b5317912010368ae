"""How long each consumer's fetch waits at the broker: the router's, which every appeal waits on,
may wait less than the others (HOTLINE_KAFKA_ROUTER_FETCH_MAX_WAIT_MS)."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest

from services.bootstrap import build_runtime
from services.bus import kafka
from services.settings import CoreSettings
from tests.support.waiting import eventually


class NoBroker:
    """Stands in for aiokafka's consumer: notes how it was built, then finds no broker."""

    built: ClassVar[dict[str, int]] = {}

    def __init__(self, *topics: str, **options: Any) -> None:
        NoBroker.built[options["group_id"]] = options["fetch_max_wait_ms"]

    async def start(self) -> None:
        raise OSError("no broker here")

    async def stop(self) -> None:
        return None


@pytest.mark.parametrize(("router_wait", "expected"), [(20, 20), (None, 100)])
async def test_the_routers_fetch_waits_as_long_as_its_own_setting_says(
    monkeypatch: pytest.MonkeyPatch, router_wait: int | None, expected: int
) -> None:
    monkeypatch.setattr(kafka, "AIOKafkaConsumer", NoBroker)
    NoBroker.built.clear()
    settings = CoreSettings(database_url="postgresql+asyncpg://nobody@127.0.0.1:9/none",
                            kafka_bootstrap_servers="127.0.0.1:9", kafka_fetch_max_wait_ms=100,
                            kafka_router_fetch_max_wait_ms=router_wait)
    runtime = await build_runtime(settings, roles=("router", "feedback"))
    try:
        await runtime.bus.start()

        async def all_built() -> bool:
            return len(NoBroker.built) == 3

        await eventually(all_built, timeout=5, what="the three consumers")
    finally:
        await runtime.bus.stop()
        await runtime.engine.dispose()
    assert NoBroker.built == {"hotline-router": expected, "hotline-feedback": 100, "hotline-reports": 100}


def test_a_negative_wait_for_the_router_is_refused() -> None:
    with pytest.raises(ValueError, match="kafka_router_fetch_max_wait_ms"):
        CoreSettings(kafka_router_fetch_max_wait_ms=-1)
