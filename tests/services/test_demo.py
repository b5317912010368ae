"""`hotline demo` — one of the two README commands — runs the whole loop on the embedded default."""

from __future__ import annotations

from pathlib import Path

from services.demo import run_demo


async def test_the_demo_runs_the_closed_loop_and_reports(tmp_path: Path) -> None:
    said: list[str] = []
    result = await run_demo(tmp_path, echo=said.append)
    text = "\n".join(said)
    assert result["report"]["total"] > 0, text
    assert result["states"].get("closed", 0) > 0, text
    assert "404" in text  # a unit was refused another unit's order
