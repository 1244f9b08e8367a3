"""The command line itself: help, version, bad usage and bad settings."""

from __future__ import annotations

from nsai import __version__
from nsai.config import Settings
from tests.conftest import CliRunner


def test_help_lists_the_command_groups(cli: CliRunner) -> None:
    result = cli("--help", environ={})
    assert result.code == 0
    for command in ("db", "serve"):
        assert command in result.out


def test_version(cli: CliRunner) -> None:
    result = cli("--version", environ={})
    assert result.code == 0
    assert result.out.strip() == f"nsai {__version__}"


def test_unknown_command_is_a_usage_error(cli: CliRunner) -> None:
    result = cli("frobnicate", environ={})
    assert result.code == 2
    assert "No such command" in result.err


def test_a_bad_setting_is_one_line_naming_the_variable(cli: CliRunner) -> None:
    result = cli("db", "status", environ={"NSAI_LOCAL_PORT": "eighty"})
    assert result.code == 2
    assert result.err.strip().splitlines() == [
        "nsai: error: NSAI_LOCAL_PORT: Input should be a valid integer, unable to parse "
        "string as an integer"
    ]


def test_settings_read_only_the_given_environment(monkeypatch: object) -> None:
    settings = Settings.from_environ({"NSAI_LOG_LEVEL": "DEBUG", "OTHER": "x", "NSAI_HOME": ""})
    assert settings.log_level == "DEBUG"
    assert str(settings.home) == ".nsai"
    assert settings.database_url is None


def test_a_mistyped_setting_is_warned_about(cli: CliRunner) -> None:
    result = cli("--version", environ={"NSAI_DATABSE_URL": "postgresql://x/y"})
    assert result.code == 0
    assert "nsai: warning: NSAI_DATABSE_URL is not an NSAI setting and is ignored" in result.err
