"""`hotline demo` runs its whole loop through the real apps (the demo calls the same endpoints
with the same bodies as unit systems do, so a changed body shows up here, not on a user's screen)."""

from __future__ import annotations

from pathlib import Path

from services.demo import run_demo


async def test_the_demo_closes_the_loop(tmp_path: Path) -> None:
    lines: list[str] = []
    result = await run_demo(tmp_path, echo=lines.append)
    assert result["report"]["total"] >= 1
    assert result["states"].get("closed", 0) >= 1
    assert any("tried to claim" in line for line in lines)
