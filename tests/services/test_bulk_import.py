"""`hotline import FILE` on the embedded default: rows go through the channels' models and the
intake rules (masking, repeats, 并单), a bad row is refused with its line and reason while the others
are stored, a re-run imports nothing twice, CSV and standard input work too."""

from __future__ import annotations

import asyncio
import contextlib
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from services.bootstrap import build_runtime
from services.cli import app
from services.db.tables import PersonalData, WorkOrder
from services.settings import CoreSettings

ROWS = [
    {"channel": "offline_visit", "text": "桂花园小区5栋从早上开始停水，到现在还没来水，也没有通知，电话13812345678",
     "address": "城关镇桂花园小区5栋", "external_id": "V-001", "reported_at": "2026-11-20T08:00:00+08:00"},
    {"text": "走访中群众反映北山村三组的路灯坏了一个月了，晚上出门很不方便", "address": "北山乡北山村三组",
     "visit_kind": "走访", "reported_at": "2026-11-20T09:00:00+08:00"},
    {"channel": "offline_visit", "text": "桂花园小区5栋停水一整天了，家里老人做饭都没水，也没人说什么时候来水",
     "address": "桂花园小区5栋", "external_id": "V-003", "reported_at": "2026-11-20T10:00:00+08:00"},
    "this line is not JSON",
    {"channel": "offline_visit", "address": "城关镇"},
    {"channel": "offline_visit", "text": "路灯\u0000坏了很久了", "external_id": "V-006"},
    {"channel": "offline_visit", "text": "另一件事：村里的垃圾池满了没人清", "external_id": "V-001"},
    {"channel": "12315", "text": "买到过期牛奶", "demand": "退款"},
]


def _write(path: Path) -> Path:
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in ROWS) + "\n",
                    encoding="utf-8")
    return path


def _orders(data_dir: Path) -> list[WorkOrder]:
    async def read() -> list[WorkOrder]:
        runtime = await build_runtime(CoreSettings(data_dir=data_dir / "var", database_url=None,
                                                   kafka_bootstrap_servers=None))
        try:
            async with runtime.sessions() as session:
                orders = list((await session.execute(select(WorkOrder).order_by(WorkOrder.created_at))).scalars())
                sealed = (await session.execute(select(func.count()).select_from(PersonalData))).scalar_one()
                assert sealed == len(orders)
                return orders
        finally:
            await runtime.engine.dispose()
    return asyncio.run(read())


def test_import_stores_good_rows_refuses_bad_ones_by_line_and_is_idempotent(data_dir: Path) -> None:
    file = _write(data_dir / "visits.jsonl")
    done = CliRunner().invoke(app, ["import", str(file), "--channel", "offline_visit",
                                    "--rejects", str(data_dir / "rejects.jsonl")])
    assert done.exit_code == 1, done.output  # some rows were refused
    assert "8 rows: 2 accepted, 1 merged (并单), 0 repeats, 5 refused" in done.stdout
    refused = {r["line"]: r["reason"] for r in map(json.loads, (data_dir / "rejects.jsonl").read_text().splitlines())}
    assert set(refused) == {4, 5, 6, 7, 8}
    assert "not JSON" in refused[4] and refused[5].startswith("text:") and refused[6].startswith("text:")
    assert "external_id" in refused[7] and "business" in refused[8] and "goods_or_service" in refused[8]
    assert "line 6: refused: text:" in done.stderr

    orders = _orders(data_dir)
    assert [o.state for o in orders] == ["received", "received", "merged"]
    assert orders[2].merged_into == orders[0].id  # 并单 by the same rule as the API
    assert all(o.channel == "offline_visit" for o in orders)
    assert "13812345678" not in orders[0].text_masked and "138****5678" in orders[0].text_masked

    again = CliRunner().invoke(app, ["import", str(file), "--channel", "offline_visit"])
    assert "8 rows: 0 accepted, 0 merged (并单), 3 repeats, 5 refused" in again.stdout
    assert len(_orders(data_dir)) == 3


def test_import_reads_csv_from_standard_input_and_exits_0_when_all_rows_are_stored(data_dir: Path) -> None:
    csv_text = ("channel,text,address,external_id,business.name,goods_or_service,demand,photos\n"
                "12315,在白沙惠万家超市买到过期五天的牛奶，要求赔偿,白沙镇白沙大道,C-1,惠万家超市,牛奶,赔偿,\n"
                "web,人民公园健身器材坏了，有尖角,人民公园,C-2,,,,https://img.example/1.jpg|https://img.example/2.jpg\n")
    done = CliRunner().invoke(app, ["import", "-", "--format", "csv"], input=csv_text)
    assert done.exit_code == 0, done.output
    assert "2 rows: 2 accepted, 0 merged (并单), 0 repeats, 0 refused" in done.stdout
    orders = _orders(data_dir)
    assert {o.channel for o in orders} == {"12315", "web"}
    web = next(o for o in orders if o.channel == "web")
    assert (web.details or {}).get("photos") == ["https://img.example/1.jpg", "https://img.example/2.jpg"]


def test_a_row_without_a_channel_says_so_and_an_unknown_channel_option_stops_before_reading(data_dir: Path) -> None:
    done = CliRunner().invoke(app, ["import", "-"], input='{"text": "人民公园健身器材坏了，有尖角"}\n')
    assert done.exit_code == 1
    assert "line 1: refused: channel: Field required" in done.stderr and "--channel" in done.stderr
    assert "discriminator" not in done.stderr
    wrong = CliRunner().invoke(app, ["import", "-", "--channel", "fax"], input='{"text": "人民公园健身器材坏了"}\n')
    assert wrong.exit_code == 2 and "'fax' is not a channel" in wrong.output and not _orders(data_dir)


def test_progress_is_a_bar_on_a_terminal_and_plain_lines_in_a_log(capsys: pytest.CaptureFixture[str],
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from intake.bulk import Outcome, Tally
    from services.cli import import_progress

    tally = Tally()
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    with import_progress(1200) as progress:  # stderr is captured: not a terminal
        for n in range(1, 1201):
            tally.add(Outcome.refused if n % 100 == 0 else Outcome.accepted, n, "bad")
            progress(n, tally)
    lines = capsys.readouterr().err.splitlines()
    assert lines == ["500/1200 rows, 5 refused …", "1000/1200 rows, 10 refused …"]

    monkeypatch.setenv("FORCE_COLOR", "1")
    with import_progress(3) as progress:
        for n in range(1, 4):
            progress(n, tally)
    drawn = capsys.readouterr().err
    assert "3/3" in drawn and "12 refused" in drawn and "\x1b[" in drawn


def test_a_spreadsheets_csv_with_a_byte_order_mark_is_read(data_dir: Path, tmp_path: Path) -> None:
    # What Excel and WPS write as "CSV UTF-8", and what Hotline's own report exports start with.
    path = tmp_path / "from_excel.csv"
    path.write_bytes("\ufeffchannel,text,address,external_id\r\n"
                     "12345_phone,城关镇人民路井盖丢了很危险,城关镇人民路,BOM-1\r\n".encode())
    done = CliRunner().invoke(app, ["import", str(path)])
    assert done.exit_code == 0, done.output
    assert "1 row: 1 accepted" in done.stdout and [o.channel for o in _orders(data_dir)] == ["12345_phone"]
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes("channel,text\n12345_phone,城关镇人民路井盖丢了\n".encode("gbk"))
    refused = CliRunner().invoke(app, ["import", str(gbk)])
    assert "save it as UTF-8" in str(refused.exception)


def test_a_refusal_reads_as_the_api_says_it(data_dir: Path) -> None:
    row = '{"channel": "sms", "text": "路灯\\u0000坏了", "sender": "x"}\n'
    done = CliRunner().invoke(app, ["import", "-"], input=row)
    assert done.exit_code == 1 and "text: must not contain NUL" in done.stderr
    assert "Value error" not in done.stderr


def test_a_refusal_quoting_a_personal_number_masks_it(data_dir: Path, tmp_path: Path) -> None:
    """A refusal may quote what the row held (the channel it named); a phone number there is masked
    on standard error and in the rejects file, as the API masks its error bodies."""
    rows = '{"channel": "13812345678", "text": "路灯坏了很久了"}\n'
    rejects = tmp_path / "rejects.jsonl"
    done = CliRunner().invoke(app, ["import", "-", "--rejects", str(rejects)], input=rows)
    assert done.exit_code == 1 and "(got '138****5678')" in done.stderr, done.stderr
    assert "13812345678" not in done.stderr + rejects.read_text(encoding="utf-8")


def test_ctrl_c_ends_the_import_between_rows_with_the_counts_and_refusals_and_a_rerun_goes_on(
        data_dir: Path, tmp_path: Path) -> None:
    import os
    import signal
    import sqlite3
    import subprocess
    import sys
    import time

    rows = [{"external_id": f"INT-{i}", "text": f"第{i}号走访记录：北山乡北山村{i}组的路灯坏了，晚上出门很不方便",
             "address": f"北山乡北山村{i}组", "visit_kind": "走访"} for i in range(400)]
    rows[0]["visitors"] = 0  # one refusal before the interruption
    file = tmp_path / "visits.jsonl"
    file.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    rejects = tmp_path / "rejects.jsonl"
    command = [sys.executable, "-m", "services.cli", "import", str(file), "--channel", "offline_visit",
               "--rejects", str(rejects)]
    importing = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                 env={**os.environ, "HOTLINE_DATA_DIR": str(data_dir / "var")})
    database = data_dir / "var" / "hotline.db"
    deadline = time.monotonic() + 60
    stored = 0
    while stored < 3 and time.monotonic() < deadline and importing.poll() is None:
        time.sleep(0.2)
        if database.exists():
            with contextlib.suppress(sqlite3.Error), contextlib.closing(sqlite3.connect(database)) as db:
                stored = db.execute("SELECT count(*) FROM work_orders").fetchone()[0]
    assert stored >= 3 and importing.poll() is None, "the import did not start storing rows in time"
    importing.send_signal(signal.SIGINT)
    out, err = importing.communicate(timeout=60)
    assert importing.returncode == 130, (out, err)
    assert "interrupted after" in out and "run the same import again" in out, out
    assert "Traceback" not in err, err
    assert json.loads(rejects.read_text().splitlines()[0])["line"] == 1  # the refusals so far are written
    first = len(_orders(data_dir))
    assert 3 <= first < 399

    again = CliRunner().invoke(app, ["import", str(file), "--channel", "offline_visit"])
    assert again.stdout.startswith("400 rows: ") and f"{first} repeats, 1 refused" in again.stdout, again.stdout
    assert len(_orders(data_dir)) == 399
