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


def test_a_quote_never_closed_refuses_its_row_and_the_rows_after_it_are_still_read() -> None:
    # A lenient CSV reader takes every line after an unclosed quote into that one cell: the rows
    # below it would vanish into one appeal's text and the import say it stored one row.
    text = ("external_id,text,address\n"
            'Q-1,"东湖大道路灯坏了,东湖大道\n'
            "Q-2,白沙镇大坪村垃圾没人清运,白沙镇大坪村\n"
            'Q-3,"多行\n的来访记录",北山乡\n'
            'Q-4,"好味来"蛋糕店卖过期蛋糕,东湖大道\n'
            'Q-5,"县汽车站门口乱停车,县汽车站\n'
            "Q-6,北山林场有人砍树,北山乡\n")
    rows = list(read_csv(io.StringIO(text, newline="")))
    assert rows[0].line == 2 and rows[0].fields is None and "does not close" in (rows[0].problem or "")
    read = [(r.line, (r.fields or {}).get("external_id")) for r in rows[1:]]
    assert read == [(3, "Q-2"), (5, "Q-3"), (6, "Q-4"), (7, None), (8, "Q-6")]
    assert rows[2].fields == {"external_id": "Q-3", "text": "多行\n的来访记录", "address": "北山乡"}
    assert rows[3].fields == {"external_id": "Q-4", "text": "好味来蛋糕店卖过期蛋糕", "address": "东湖大道"}
    assert rows[4].fields is None and rows[4].problem == rows[0].problem  # and at the end of the file
    assert count_rows(io.StringIO(text, newline=""), as_csv=True) == len(rows)


def test_a_time_a_spreadsheet_wrote_without_an_offset_is_the_countys_local_time() -> None:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from schemas.channels import UpperTransferIn

    shanghai = ZoneInfo("Asia/Shanghai")
    row = {"channel": "upper_transfer", "text": "转办：东湖大道路灯坏了", "upper_body": "市12345",
           "reference_no": "SZ-1", "reported_at": "2026-11-20 09:00", "deadline": "2026/12/1 17:30:00"}
    submission = submission_of(row, None, shanghai)
    assert submission.reported_at == datetime(2026, 11, 20, 1, 0, tzinfo=UTC)
    assert isinstance(submission, UpperTransferIn) and submission.deadline == datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    # a time with its offset is taken as written; a date that is none, or no zone given, is refused
    assert submission_of({**row, "reported_at": "2026-11-20T09:00:00Z"}, None, shanghai).reported_at == datetime(
        2026, 11, 20, 9, 0, tzinfo=UTC)
    for refused, zone in (({**row, "reported_at": "2026-02-30 09:00"}, shanghai), (row, None)):
        with pytest.raises(ValidationError) as bad:
            submission_of(refused, None, zone)
        assert refusal(bad.value).startswith("reported_at:")


def test_a_date_alone_is_that_local_day_its_start_or_for_a_deadline_its_end() -> None:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from schemas.channels import UpperTransferIn

    shanghai = ZoneInfo("Asia/Shanghai")
    row = {"channel": "upper_transfer", "text": "转办：东湖大道路灯坏了", "upper_body": "市12345",
           "reference_no": "SZ-2", "reported_at": "2026年11月20日", "deadline": "2026/12/5"}
    submission = submission_of(row, None, shanghai)
    assert submission.reported_at == datetime(2026, 11, 19, 16, 0, tzinfo=UTC)  # 00:00 on the 20th, county time
    assert isinstance(submission, UpperTransferIn)
    assert submission.deadline == datetime(2026, 12, 5, 15, 59, 59, 999999, tzinfo=UTC)  # the whole of the 5th
    # a register's Chinese form with its hour, and with hour and minute
    assert submission_of({**row, "reported_at": "2026年11月20日9点"}, None, shanghai).reported_at == datetime(
        2026, 11, 20, 1, 0, tzinfo=UTC)
    assert submission_of({**row, "reported_at": "2026年11月20日 9时30分"}, None, shanghai).reported_at == datetime(
        2026, 11, 20, 1, 30, tzinfo=UTC)
    # a day run into its hour with no separator is not guessed at
    with pytest.raises(ValidationError) as bad:
        submission_of({**row, "reported_at": "2026-11-209:00"}, None, shanghai)
    assert refusal(bad.value).startswith("reported_at:")


def test_a_time_without_its_offset_through_the_api_is_told_how_to_write_it() -> None:
    with pytest.raises(ValidationError) as bad:
        submission_of({"channel": "web", "text": "东湖大道路灯坏了", "reported_at": "2026-11-20T09:00:00"}, None)
    assert refusal(bad.value) == "reported_at: should be a time with its offset, e.g. 2026-11-20T09:30:00+08:00"
