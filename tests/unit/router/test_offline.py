"""The offline classifier's output shape (`hotline classify FILE.jsonl`)."""

from __future__ import annotations

import pytest

from router.offline import OUTPUT_KEYS, classify_record
from router.service import Router


def test_offline_record_has_every_output_key(router: Router) -> None:
    row = classify_record(router, {"id": "t1", "text": "我家楼下的路灯坏了一个多星期，晚上走路看不见。"})
    assert set(OUTPUT_KEYS) <= set(row)
    assert row["id"] == "t1"
    assert row["class"] in {"ordinary", "hard", "urgent"}
    assert row["level"] in {"village", "township", "county"}
    assert 0.0 <= row["confidence"] <= 1.0



def test_offline_record_without_text_is_refused_naming_the_record(router: Router) -> None:
    with pytest.raises(ValueError, match="record 'b': field 'text' is required"):
        classify_record(router, {"id": "b"})
