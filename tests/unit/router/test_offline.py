"""The offline classifier's output shape (`hotline classify FILE.jsonl`)."""

from __future__ import annotations

import io
import json

from router.offline import OUTPUT_KEYS, classify_record, classify_stream
from router.service import Router


def test_offline_record_has_every_output_key(router: Router) -> None:
    row = classify_record(router, {"id": "t1", "text": "我家楼下的路灯坏了一个多星期，晚上走路看不见。"})
    assert set(OUTPUT_KEYS) <= set(row)
    assert row["id"] == "t1"
    assert row["class"] in {"ordinary", "hard", "urgent"}
    assert row["level"] in {"village", "township", "county"}
    assert 0.0 <= row["confidence"] <= 1.0


def test_offline_stream_writes_one_line_per_record_and_reports_bad_lines(router: Router) -> None:
    source = io.StringIO(
        json.dumps({"id": "a", "text": "小区停水两天了，什么时候来水？"}, ensure_ascii=False)
        + "\nnot json\n"
        + json.dumps({"id": "b"})
        + "\n"
    )
    sink = io.StringIO()
    assert classify_stream(router, source, sink) == 3
    lines = [json.loads(line) for line in sink.getvalue().splitlines()]
    assert lines[0]["dept"] == "water_utility"
    assert "error" in lines[1] and "error" in lines[2]
