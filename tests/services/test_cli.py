"""The operator's command line, run as the real `hotline` entry point: every command explains itself,
`-` reads standard input, expected failures are one line and a non-zero exit, `db upgrade REV` is
positional, `status` reports the database, outbox, orders and keys."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from schemas.events import FIXED_TOPICS
from services.cli import CliError, app
from tests.support.shared_secrets import SHARED_SECRETS

COMMANDS = [[], ["db"], ["db", "upgrade"], ["db", "downgrade"], ["serve"], ["demo"], ["classify"], ["import"],
            ["status"], ["asyncapi"], ["router"], ["router", "train"], ["kafka"], ["kafka", "topics"],
            ["kafka", "topics", "plan"], ["kafka", "topics", "apply"], ["keys"]]


def hotline(*args: str, data_dir: Path, stdin: str | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS")}
    environment.update({"HOTLINE_DATA_DIR": str(data_dir), **env})
    return subprocess.run([sys.executable, "-m", "services.cli", *args], input=stdin, capture_output=True,
                          text=True, env=environment, timeout=120)


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "hotline")
def test_every_command_explains_itself(command: list[str]) -> None:
    done = CliRunner().invoke(app, [*command, "--help"])
    assert done.exit_code == 0, done.output
    assert "Usage:" in done.output and len(done.output.splitlines()) > 5


def _one_line_error(done: subprocess.CompletedProcess[str], *words: str) -> None:
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("hotline: error: "), done.stderr
    assert all(w in lines[0] for w in words), lines[0]


def test_classify_reads_standard_input(tmp_path: Path) -> None:
    lines = "\n".join(json.dumps(r, ensure_ascii=False) for r in (
        {"id": "a", "text": "小区路灯坏了一个星期了，晚上走路很黑"},
        {"id": "b", "text": "楼下饭店着火了，浓烟很大，有人被困", "channel": "12345_phone"},
    ))
    done = hotline("classify", "-", data_dir=tmp_path, stdin=lines)
    assert done.returncode == 0, done.stderr
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert [o["id"] for o in out] == ["a", "b"] and out[1]["redirect"] == "119"


def test_classify_failures_are_one_line(tmp_path: Path) -> None:
    _one_line_error(hotline("classify", str(tmp_path / "missing.jsonl"), data_dir=tmp_path), "missing.jsonl")


@pytest.mark.parametrize(("stdin", "words"), [
    ('{"id": 1, "text": "路灯坏了"}\n{oops\n', ("line 2", "not JSON")),
    ('{"id": 1}\n', ("line 1", "id and text")),
    ('{"id": 1, "text": "路灯坏了", "channel": "fax"}\n', ("line 1", "unknown channel 'fax'")),
])
def test_classify_names_the_bad_line(stdin: str, words: tuple[str, ...]) -> None:
    done = CliRunner().invoke(app, ["classify", "-"], input=stdin)
    assert isinstance(done.exception, CliError) and all(w in str(done.exception) for w in words)


def test_db_upgrade_takes_the_revision_as_an_argument_and_status_reports(tmp_path: Path) -> None:
    upgraded = hotline("db", "upgrade", "head", data_dir=tmp_path)
    assert upgraded.returncode == 0, upgraded.stderr
    status = hotline("status", data_dir=tmp_path)
    assert status.returncode == 0, status.stderr
    assert "(at head)" in status.stdout and "0 unpublished" in status.stdout
    assert "0 not revoked" in status.stdout and "in-process bus" in status.stdout


def test_db_downgrade_undoes_the_last_migrations_and_upgrade_applies_them_again(tmp_path: Path) -> None:
    assert hotline("db", "upgrade", data_dir=tmp_path).returncode == 0
    back = hotline("db", "downgrade", "--", "-2", data_dir=tmp_path)
    assert back.returncode == 0, back.stderr
    revision = back.stdout.strip().rsplit(" ", 1)[-1]
    assert revision.isdigit(), back.stdout
    assert "(at head)" not in hotline("status", data_dir=tmp_path).stdout
    again = hotline("db", "upgrade", data_dir=tmp_path)
    assert again.returncode == 0 and again.stdout.strip().endswith("is at head"), again.stderr
    assert hotline("db", "upgrade", data_dir=tmp_path).stdout.strip().endswith("is at head")  # twice: a no-op
    # back to the README's example, a schema this release's tables no longer match: status still says where
    # it is (it failed with "the database is not at Hotline's schema", never naming the revision)
    assert hotline("db", "downgrade", "0012", data_dir=tmp_path).returncode == 0
    status = hotline("status", data_dir=tmp_path)
    assert status.returncode == 0, status.stderr
    assert "revision      0012 (head is" in status.stdout and "not read" in status.stdout, status.stdout


def test_an_unreachable_database_is_one_line(tmp_path: Path) -> None:
    done = hotline("status", data_dir=tmp_path, DATABASE_URL="postgresql+asyncpg://postgres@127.0.0.1:9/none")
    _one_line_error(done, "database")


def test_topic_plan_lists_the_fixed_topics_and_one_per_unit(tmp_path: Path) -> None:
    done = hotline("kafka", "topics", "plan", data_dir=tmp_path, HOTLINE_KAFKA_REPLICATION_FACTOR="3")
    assert done.returncode == 0, done.stderr
    names = [line.split("\t")[0] for line in done.stdout.splitlines()]
    fixed = len(FIXED_TOPICS)
    assert names[:fixed] == list(FIXED_TOPICS) and "hotline.lifecycle" in names
    assert len(names) > 100 and all(n.startswith("hotline.dispatch.") for n in names[fixed:])
    assert all("replication_factor=3" in line and "min.insync.replicas=2" in line for line in done.stdout.splitlines())


def test_an_unknown_revision_is_one_line(tmp_path: Path) -> None:
    _one_line_error(hotline("db", "upgrade", "nonsense", data_dir=tmp_path), "nonsense")


@pytest.mark.parametrize(("env", "words"), [
    ({"HOTLINE_REVIEW_THRESHOLD": "abc"}, ("configuration", "HOTLINE_REVIEW_THRESHOLD", "number")),
    ({"DATABASE_URL": "mysql://root:secret@db/x"}, ("configuration", "DATABASE_URL", "postgresql+asyncpg://")),
])
def test_a_bad_setting_is_one_line_naming_the_variable(tmp_path: Path, env: dict[str, str],
                                                       words: tuple[str, ...]) -> None:
    done = hotline("status", data_dir=tmp_path, **env)
    _one_line_error(done, *words)
    assert "secret" not in done.stderr


def test_a_plain_postgresql_url_means_asyncpg() -> None:
    from services.settings import CoreSettings

    assert CoreSettings(database_url="postgresql://u@h:5432/d").effective_database_url == \
        "postgresql+asyncpg://u@h:5432/d"
    assert CoreSettings(database_url="postgres://u@h/d").effective_database_url == "postgresql+asyncpg://u@h/d"
    assert CoreSettings(database_url="sqlite:////tmp/x.db").effective_database_url == "sqlite+aiosqlite:////tmp/x.db"


def test_db_upgrade_says_where_the_database_is(tmp_path: Path) -> None:
    assert hotline("db", "upgrade", data_dir=tmp_path).stdout.strip().endswith("is at head")
    older = hotline("db", "upgrade", "0005", data_dir=tmp_path)
    assert older.returncode == 0 and "(not 0005" in older.stdout and "is at 0005" not in older.stdout, older.stdout


@pytest.mark.parametrize("problem", ['relation "api_keys" does not exist',
                                     'column "request_digest" of relation "work_orders" does not exist',
                                     "no such table: api_keys"])
def test_a_database_without_the_schema_says_to_upgrade(problem: str) -> None:
    from sqlalchemy.exc import ProgrammingError

    from services.cli import _expected_failure

    message = _expected_failure(ProgrammingError("SELECT 1", {}, Exception(problem)))
    assert message is not None and "run `hotline db upgrade`" in message and "\n" not in message


def test_duplicates_reads_a_time_without_offset_as_county_time_and_names_a_bad_line_once(tmp_path: Path) -> None:
    # 23:00 on the 30th in the county, and 22:30 three days later written without an offset: 71.5 hours
    # apart in county time (inside the 72-hour window), 79.5 if the second were read as UTC.
    lines = "\n".join(json.dumps(r, ensure_ascii=False) for r in (
        {"id": "a", "text": "人民路12号门口井盖丢了", "reported_at": "2026-11-30T23:00:00+08:00"},
        {"id": "b", "text": "人民路12号门口井盖不见了", "reported_at": "2026-12-03T22:30:00"},
    ))
    done = hotline("duplicates", "-", data_dir=tmp_path, stdin=lines)
    assert done.returncode == 0, done.stderr
    assert [json.loads(line)["duplicate_of"] for line in done.stdout.splitlines()] == [None, "a"]
    # the county's zone is HOTLINE_TIMEZONE, as for intake: a county on UTC reads b 79.5 hours after a
    elsewhere = hotline("duplicates", "-", data_dir=tmp_path, stdin=lines, HOTLINE_TIMEZONE="UTC")
    assert elsewhere.returncode == 0, elsewhere.stderr
    assert [json.loads(line)["duplicate_of"] for line in elsewhere.stdout.splitlines()] == [None, None]
    missing_id = hotline("duplicates", "-", data_dir=tmp_path, stdin='{"text": "井盖丢了"}\n')
    _one_line_error(missing_id, "line 1", "'id'")
    assert missing_id.stderr.count("line 1") == 1
    _one_line_error(hotline("duplicates", "-", data_dir=tmp_path, stdin='{"id": "a", "text": "井盖丢了", '
                            '"reported_at": "yesterday"}\n'), "line 1", "reported_at", "yesterday")


def test_duplicates_place_a_township_visit_in_the_shipped_gazetteer(tmp_path: Path) -> None:
    """A visit recorded at the township joins the complaint of a village in it; another village's
    complaint of the same kind then stays its own incident (the gazetteer is wired in)."""
    lines = "\n".join(json.dumps(r, ensure_ascii=False) for r in (
        {"id": "a", "text": "大坪村今年的种粮补贴到现在还没发到户", "address": "北山乡大坪村",
         "reported_at": "2026-11-02T09:00:00+08:00"},
        {"id": "b", "text": "村民来访，反映今年种粮补贴迟迟没有发放", "address": "北山乡",
         "reported_at": "2026-11-02T15:00:00+08:00"},
        {"id": "c", "text": "松林村的种粮补贴也一直没发", "address": "北山乡松林村",
         "reported_at": "2026-11-02T18:00:00+08:00"},
    ))
    done = hotline("duplicates", "-", data_dir=tmp_path, stdin=lines)
    assert done.returncode == 0, done.stderr
    assert [json.loads(line)["duplicate_of"] for line in done.stdout.splitlines()] == [None, "a", None]


def test_a_broker_that_does_not_answer_is_one_line(tmp_path: Path) -> None:
    done = hotline("kafka", "topics", "apply", data_dir=tmp_path, KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:9")
    _one_line_error(done, "127.0.0.1")


def test_status_with_a_broker_that_does_not_answer_shows_the_database_and_fails_in_one_line(tmp_path: Path) -> None:
    assert hotline("db", "upgrade", data_dir=tmp_path).returncode == 0
    done = hotline("status", data_dir=tmp_path, KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:9")
    assert "(at head)" in done.stdout and "consumers     the broker does not answer" in done.stdout
    _one_line_error(done, "broker", "127.0.0.1")


def test_classify_and_duplicates_read_a_file_saved_with_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "notepad.jsonl"
    path.write_bytes('\ufeff{"id": "a", "text": "小区路灯坏了一个星期了"}\n'.encode())
    for command in ("classify", "duplicates"):
        done = hotline(command, str(path), data_dir=tmp_path)
        assert done.returncode == 0 and json.loads(done.stdout.splitlines()[0])["id"] == "a", done.stderr


# What a service run on its own shares with the others (the keys are a development pair, not a secret).
SHARED = {"DATABASE_URL": "postgresql+asyncpg://postgres@127.0.0.1:9/none", **SHARED_SECRETS}


def test_serve_with_a_broker_that_does_not_answer_fails_in_one_line(tmp_path: Path) -> None:
    migrated = {**SHARED, "DATABASE_URL": f"sqlite:///{tmp_path / 'shared.db'}"}
    assert hotline("db", "upgrade", data_dir=tmp_path, **migrated).returncode == 0
    done = hotline("serve", "intake", "--port", "0", data_dir=tmp_path, KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:9",
                   **migrated)
    _one_line_error(done, "KafkaConnectionError", "127.0.0.1")


@pytest.mark.parametrize(("database", "words"), [
    ("postgresql+asyncpg://postgres@127.0.0.1:9/none", ("database does not answer", "127.0.0.1")),
    ("sqlite:///{dir}/empty.db", ("holds no Hotline schema", "hotline db upgrade")),
])
def test_serve_with_a_database_it_cannot_use_fails_in_one_line(tmp_path: Path, database: str,
                                                               words: tuple[str, ...]) -> None:
    """It started, answered 503 and logged the relay's failure every two seconds, for ever."""
    done = hotline("serve", "router", "--port", "0", data_dir=tmp_path, KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:9",
                   **{**SHARED, "DATABASE_URL": database.format(dir=tmp_path)})
    _one_line_error(done, *words)


@pytest.mark.parametrize("unset", sorted(SHARED))
def test_a_service_alone_refuses_to_start_without_what_it_shares_with_the_others(tmp_path: Path,
                                                                                  unset: str) -> None:
    """Without DATABASE_URL a lone service ran on an SQLite file of its own; without the keys it made its
    own in its data directory, so feedback could not take the token intake gave the citizen."""
    shared = {k: v for k, v in SHARED.items() if k != unset}
    done = hotline("serve", "feedback", "--port", "0", data_dir=tmp_path, KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:9",
                   **shared)
    _one_line_error(done, "feedback alone needs", unset)
    assert not (tmp_path / "secrets.json").exists() and not (tmp_path / "hotline.db").exists()


def test_a_service_with_keys_that_cannot_open_the_sealed_numbers_refuses_to_start(tmp_path: Path) -> None:
    """Keys made afresh (the README's set-up run again in a new shell) let a service start; it then answered
    500 to the lead unit's view and the 回访 worklist. Keys that still hold the old one (rotation) start."""
    migrated = {**SHARED, "DATABASE_URL": f"sqlite:///{tmp_path / 'shared.db'}"}
    assert hotline("db", "upgrade", data_dir=tmp_path, **migrated).returncode == 0
    row = json.dumps({"channel": "sms", "text": "小区垃圾三天没人清，回电13900001111", "sender": "13900001111"})
    assert hotline("import", "-", data_dir=tmp_path, stdin=row + "\n", **migrated).returncode == 0
    other = "kK0CqkCYDdoaTnKE6bW5nq0l0wBl8u7bV1uD2p3oF8Y="
    done = hotline("serve", "feedback", "--port", "0", data_dir=tmp_path, KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:9",
                   **{**migrated, "HOTLINE_PII_KEYS": other})
    _one_line_error(done, "HOTLINE_PII_KEYS cannot open", "shared.db")
    rotated = hotline("serve", "feedback", "--port", "0", data_dir=tmp_path, KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:9",
                      **{**migrated, "HOTLINE_PII_KEYS": f"{other},{SHARED['HOTLINE_PII_KEYS']}"})
    _one_line_error(rotated, "KafkaConnectionError")  # past the keys, to the broker that does not answer
    # A token secret of another set-up would turn every citizen's token away (404): it refuses too.
    wrong_secret = hotline("serve", "feedback", "--port", "0", data_dir=tmp_path,
                           KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:9", **{**migrated, "HOTLINE_TOKEN_SECRET": "another"})
    _one_line_error(wrong_secret, "HOTLINE_TOKEN_SECRET does not make the citizen tokens", "shared.db")


def test_the_demo_refuses_a_directory_that_already_holds_a_database_in_one_line(tmp_path: Path) -> None:
    """Its appeals carry fixed ids: run again on its own database they are repeats of closed orders."""
    kept = tmp_path / "demo"
    kept.mkdir()
    (kept / "hotline.db").write_bytes(b"")
    _one_line_error(hotline("demo", "--data-dir", str(kept), data_dir=tmp_path), str(kept), "empty")


def test_classify_help_names_every_field_it_writes() -> None:
    done = CliRunner().invoke(app, ["classify", "-"], input='{"id": "a", "text": "小区路灯坏了一个星期了"}\n')
    written = json.loads(done.output.splitlines()[0])
    helped = " ".join(CliRunner().invoke(app, ["classify", "--help"]).output.split())
    assert [k for k in written if k not in helped.replace("│", " ").replace(" ", "")] == [], helped


def test_status_of_an_empty_database_says_so_on_every_line(tmp_path: Path) -> None:
    status = hotline("status", data_dir=tmp_path)
    assert status.returncode == 0, status.stderr
    assert "run `hotline db upgrade`" in status.stdout
    assert all(len(line.split(maxsplit=1)) == 2 for line in status.stdout.splitlines()), status.stdout


@pytest.mark.parametrize("command", ["classify", "duplicates", "import"])
def test_a_file_or_standard_input_not_in_utf8_is_one_line_saying_so(tmp_path: Path, command: str) -> None:
    """A GBK file (as many Chinese spreadsheets save one): classify and duplicates stopped with a
    UnicodeDecodeError traceback, and from standard input all three read it as text with stray bytes
    ('not JSON', or each row refused: 'text: Input should be a valid string')."""
    assert hotline("db", "upgrade", data_dir=tmp_path).returncode == 0
    gbk = '{"id": "a", "channel": "web", "text": "解放社区的路灯坏了一个星期了"}\n'.encode("gbk")
    path = tmp_path / "gbk.jsonl"
    path.write_bytes(gbk)
    _one_line_error(hotline(command, str(path), data_dir=tmp_path, **SHARED_SECRETS), "gbk.jsonl is not UTF-8 text",
                    "GBK")
    environment = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS")}
    piped = subprocess.run([sys.executable, "-m", "services.cli", command, "-"], input=gbk, capture_output=True,
                           env={**environment, **SHARED_SECRETS, "HOTLINE_DATA_DIR": str(tmp_path)}, timeout=120)
    _one_line_error(subprocess.CompletedProcess(piped.args, piped.returncode, piped.stdout.decode(),
                                                piped.stderr.decode()), "standard input is not UTF-8 text")


def test_serve_on_an_address_it_cannot_listen_on_fails_in_one_line(tmp_path: Path) -> None:
    """A port in use (or a host that is not this machine's): uvicorn started the whole runtime, then
    logged '[Errno 98] … address already in use' as a JSON line and exited with status 3."""
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = hotline("serve", "all", "--port", str(port), data_dir=tmp_path)
    _one_line_error(done, f"cannot listen on 127.0.0.1:{port}", "in use")
    assert not (tmp_path / "hotline.db").exists()  # refused before anything started
    out_of_range = CliRunner().invoke(app, ["serve", "all", "--port", "99999"])
    assert out_of_range.exit_code == 2 and "65535" in out_of_range.output, out_of_range.output


def test_an_id_used_twice_in_duplicates_and_a_blank_text_in_classify_stop_at_their_line() -> None:
    """duplicates answers with ids (duplicate_of: "a"): two lines with id "a" made that answer name
    either; classify routed a blank text (as the hotline centre's catch-all, confidence 0.29)."""
    twice = ('{"id": "a", "text": "人民路井盖丢了"}\n{"id": "b", "text": "东湖路灯坏了"}\n'
             '{"id": "a", "text": "井盖丢了"}\n')
    done = CliRunner().invoke(app, ["duplicates", "-"], input=twice)
    assert isinstance(done.exception, CliError), done.output
    assert "line 3" in str(done.exception) and "'a'" in str(done.exception) and "line 1" in str(done.exception)
    blank = CliRunner().invoke(app, ["classify", "-"], input='{"id": "a", "text": "  "}\n')
    assert isinstance(blank.exception, CliError) and "line 1" in str(blank.exception), blank.output


def test_classify_and_duplicates_read_the_configuration(tmp_path: Path) -> None:
    """Both ignored it: a time zone that is none went unrefused, HOTLINE_ROUTER_MODEL_PATH was not the model
    they routed with (the shipped one was), and 并单's window was always 72 hours."""
    line = '{"id": "a", "text": "人民路12号门口井盖丢了"}\n'
    for command in ("classify", "duplicates"):
        _one_line_error(hotline(command, "-", data_dir=tmp_path, stdin=line, HOTLINE_TIMEZONE="Mars/Base"),
                        "configuration: HOTLINE_TIMEZONE")
        for name, content in (("notes.npz", b"not a model"), ("empty.npz", b"")):  # empty: a bare "Aborted."
            not_a_model = tmp_path / name
            not_a_model.write_bytes(content)
            _one_line_error(hotline(command, "-", data_dir=tmp_path, stdin=line,
                                    HOTLINE_ROUTER_MODEL_PATH=str(not_a_model)), name, "router model")
    # 71.5 hours apart: one incident within the default 72-hour window, two within a 24-hour one.
    lines = "\n".join(json.dumps(r, ensure_ascii=False) for r in (
        {"id": "a", "text": "人民路12号门口井盖丢了", "reported_at": "2026-11-30T23:00:00+08:00"},
        {"id": "b", "text": "人民路12号门口井盖不见了", "reported_at": "2026-12-03T22:30:00+08:00"},
    ))
    for window, expected in (("72", [None, "a"]), ("24", [None, None])):
        done = hotline("duplicates", "-", data_dir=tmp_path, stdin=lines, HOTLINE_DUPLICATE_WINDOW_HOURS=window)
        assert done.returncode == 0, done.stderr
        assert [json.loads(x)["duplicate_of"] for x in done.stdout.splitlines()] == expected
