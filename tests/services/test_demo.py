"""`hotline demo` — one of the two README commands — runs the whole loop on the embedded default,
clocks that act included."""

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
    clocks = result["clocks"]
    assert clocks["township"].startswith("tw_")  # the village passed its order up
    assert clocks["late_on_time"] is False  # one department reported late to the whistle
    assert clocks["supervision_levels"] == ["remind", "supervise"]
    assert clocks["extension"] == "approved"
    for words in ("上报", "吹哨", "报到", "以下评上", "提醒 / 督办", "延期", "重办", "回访"):
        assert words in text
    assert "1380000" not in text  # the callers' numbers, shown masked
