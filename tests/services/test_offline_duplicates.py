"""`hotline duplicates` (services.offline_duplicates): its answers come once the input is read, so a later
line that links two incidents into one is reflected in the lines before it."""

from __future__ import annotations

import json

from services.offline_duplicates import detect_lines


def _line(i: str, text: str, address: str, at: str) -> str:
    return json.dumps({"id": i, "text": text, "address": address, "reported_at": at}, ensure_ascii=False)


def test_a_line_linking_two_incidents_makes_the_earlier_lines_one_incident() -> None:
    lines = [_line("a", "桂花苑小区门口的井盖丢了，晚上黑漆漆的很危险", "桂花苑小区", "2026-05-04T08:00:00+08:00"),
             _line("b", "解放路有个下水道井盖没了，一个大洞，电动车差点掉进去", "解放路", "2026-05-04T10:00:00+08:00"),
             _line("c", "解放路桂花苑小区门口那个井盖丢了好几天了，还没人来装", "解放路桂花苑小区门口",
                   "2026-05-04T13:00:00+08:00")]
    rows = list(detect_lines(None, lines))
    assert [(row["id"], row["duplicate_of"]) for row in rows] == [("a", None), ("b", "a"), ("c", "a")]
