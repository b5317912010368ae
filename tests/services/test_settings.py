"""A configuration that cannot work is refused when the settings are read, in one line naming the
variable, by every command: these were read only as a service started, inside uvicorn, which logged
a traceback as a JSON line and exited with status 3 (or, for a channel or a weight misspelt, not at
all: the channel stayed open, every rates report answered 422)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from services.cli import settings_problem
from services.settings import CoreSettings
from tests.services.test_cli import _one_line_error, hotline

BAD = [
    ("HOTLINE_TIMEZONE", "Mars/Base", "time zone"),
    ("HOTLINE_EXTRA_HOLIDAYS", "2027-02-30", "2027-02-30"),
    ("HOTLINE_EXTRA_WORKING_DAYS", "next monday", "next monday"),
    ("HOTLINE_HOLIDAYS_FILE", "/no/such/holidays.txt", "/no/such/holidays.txt"),
    ("HOTLINE_AUTO_REPORT_UP_CLOCKS", "claim,lunch", "lunch"),
    ("HOTLINE_LOG_LEVEL", "LOUD", "LOUD"),
    ("HOTLINE_PII_KEYS", "not-a-key", "Fernet"),
    ("HOTLINE_CHANNELS_OFF", "wechat,fax", "fax"),
    ("HOTLINE_REPORT_WEIGHTS", "speed:1", "speed"),
    ("HOTLINE_ROUTER_MODEL_PATH", "/no/such/model.npz", "/no/such/model.npz"),
]


@pytest.mark.parametrize(("variable", "value", "named"), BAD, ids=[b[0] for b in BAD])
def test_a_setting_that_cannot_work_is_refused_naming_its_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, named: str,
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValidationError) as refused:
        CoreSettings()
    problem = settings_problem(refused.value)
    assert problem.startswith(f"configuration: {variable}: ") and named in problem, problem


def test_settings_that_work_are_taken_as_given(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    days = tmp_path / "holidays.txt"
    days.write_text("2027-01-01\n2027-02-05..2027-02-11  # 春节\n", encoding="utf-8")
    for variable, value in (("HOTLINE_TIMEZONE", "Asia/Urumqi"), ("HOTLINE_HOLIDAYS_FILE", str(days)),
                            ("HOTLINE_AUTO_REPORT_UP_CLOCKS", "claim, resolve"), ("HOTLINE_LOG_LEVEL", "debug"),
                            ("HOTLINE_CHANNELS_OFF", "sms, open311"), ("HOTLINE_REPORT_WEIGHTS", "response:1")):
        monkeypatch.setenv(variable, value)
    settings = CoreSettings()
    assert settings.log_level == "DEBUG" and settings.timezone == "Asia/Urumqi"


def test_serve_with_a_setting_that_cannot_work_fails_in_one_line(tmp_path: Path) -> None:
    _one_line_error(hotline("serve", "all", "--port", "0", data_dir=tmp_path, HOTLINE_TIMEZONE="Mars/Base"),
                    "configuration: HOTLINE_TIMEZONE")
