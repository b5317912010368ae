"""`hotline keys`: an administrator issues, lists and revokes keys; the key is shown once and
only its hash is stored."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from services.cli import app
from services.keys import key_hash


def test_keys_are_issued_once_listed_without_the_secret_and_revoked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOTLINE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    runner = CliRunner()
    made = runner.invoke(app, ["keys", "create", "--role", "unit", "--unit", "education", "--name", "教育局"])
    assert made.exit_code == 0, made.output
    lines = dict(line.split(":", 1) for line in made.output.splitlines() if line.startswith(("id:", "key:")))
    key_id, secret = lines["id"].strip(), lines["key"].strip()
    stored = sqlite3.connect(tmp_path / "hotline.db").execute("SELECT key_hash, role, unit FROM api_keys").fetchall()
    assert stored == [(key_hash(secret), "unit", "education")]  # the hash, never the key

    listed = runner.invoke(app, ["keys", "list"])
    assert key_id in listed.output and "education" in listed.output and secret not in listed.output

    assert runner.invoke(app, ["keys", "revoke", key_id]).exit_code == 0
    assert "revoked" in runner.invoke(app, ["keys", "list", "--all"]).output
    again = runner.invoke(app, ["keys", "revoke", key_id])
    assert again.exit_code == 1


@pytest.mark.parametrize(("args", "problem"), [
    (["--role", "unit"], "needs --unit"),
    (["--role", "unit", "--unit", "no_such_unit"], "no_such_unit"),
    (["--role", "supervisor", "--unit", "education"], "only unit keys"),
    # the key's name fits its column (PostgreSQL refused it: "the database does not answer")
    (["--role", "operator", "--name", "名" * 101], "--name: at most 100 characters"),
    (["--role", "operator", "--name", "话务员\u0001张三"], "--name: must not contain NUL or other control characters"),
])
def test_a_bad_key_request_is_a_one_line_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], problem: str
) -> None:
    monkeypatch.setenv("HOTLINE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    result = CliRunner().invoke(app, ["keys", "create", *args])
    assert result.exit_code == 2 and problem in result.output
    assert result.stderr.startswith("hotline: error: "), result.stderr  # like every other command's refusal


def test_a_phone_number_in_a_keys_name_is_kept_masked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The name is shown in `keys list` and on the dashboard of whoever signs in with the key: a mobile
    typed into it (话务员 张三 13812345678) was kept and shown whole."""
    monkeypatch.setenv("HOTLINE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    runner = CliRunner()
    made = runner.invoke(app, ["keys", "create", "--role", "operator", "--name", "话务员 张三 13812345678"])
    assert made.exit_code == 0 and "13812345678" not in made.output, made.output
    listed = runner.invoke(app, ["keys", "list"]).output
    assert "话务员 张三 138****5678" in listed and "13812345678" not in listed, listed
