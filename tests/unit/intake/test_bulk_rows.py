"""Reading an import file: the progress total counts exactly the rows the reader yields."""

from __future__ import annotations

import io

import pytest
from pydantic import ValidationError

from intake.bulk import count_rows, read_csv, read_jsonl, refusal, submission_of

CSV = ('\ufeffchannel,text,address\r\n'
       'offline_visit,"路灯坏了,\r\n第二行",城关镇\r\n'
       '\r\n'
       'offline_visit,井盖丢了,白沙镇\r\n'
       'offline_visit,多一格,白沙镇,多余\r\n')
JSONL = ('\ufeff{"channel": "web", "text": "停水"}\n'
         '\n'
         'not json\n'
         '[1, 2]\n'
         '{"channel": "web", "text": "噪音"}\n')


def test_the_progress_total_is_the_number_of_rows_read_without_parsing_them() -> None:
    rows = list(read_csv(io.StringIO(CSV, newline="")))
    assert len(rows) == 3 and rows[0].fields == {"channel": "offline_visit", "text": "路灯坏了,\r\n第二行",
                                                 "address": "城关镇"}
    assert count_rows(io.StringIO(CSV, newline=""), as_csv=True) == 3
    assert len(list(read_jsonl(io.StringIO(JSONL)))) == 4
    assert count_rows(io.StringIO(JSONL), as_csv=False) == 4
    assert count_rows(io.StringIO(""), as_csv=True) == 0


def test_a_row_with_an_unknown_channel_is_refused_naming_the_channel() -> None:
    with pytest.raises(ValidationError) as refused:
        submission_of({"channel": "fax", "text": "路灯坏了好几天"}, None)
    assert refusal(refused.value).startswith("channel: Input should be one of '12345_phone'")
    assert "(got 'fax')" in refusal(refused.value)
