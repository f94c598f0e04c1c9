"""Settings are checked at start, and each problem is named."""

from __future__ import annotations

import pytest

from bot.config import Settings, SettingsError
from tests.conftest import run_cli

SERVE = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s3cr3t"}


def test_defaults_follow_the_contract() -> None:
    settings = Settings.from_env(SERVE, "serve")
    assert settings.port == 3000 and settings.redis_url is None and settings.channels is None
    assert settings.diagnose_bots is True and settings.readonly_role == "IamRoleDoctorReadOnly"
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.allowed_accounts == frozenset() and not settings.inspection_configured
    assert "xoxb-1" not in repr(settings)


def test_values_are_read() -> None:
    env = SERVE | {
        "PORT": "8080",
        "REDIS_URL": "redis://127.0.0.1:6379/2",
        "IAMROLE_CHANNELS": "C0123ABC, G0456DEF",
        "IAMROLE_DIAGNOSE_BOTS": "no",
        "IAMROLE_ALLOWED_ACCOUNTS": "111122223333,444455556666",
        "SLACK_API_URL": "http://127.0.0.1:9/api",
    }
    settings = Settings.from_env(env, "serve")
    assert settings.port == 8080 and settings.channels == {"C0123ABC", "G0456DEF"}
    assert settings.diagnose_bots is False and settings.inspection_configured
    assert settings.slack_api_url == "http://127.0.0.1:9/api/"


def test_every_problem_is_named_at_once() -> None:
    env = {
        "SLACK_BOT_TOKEN": "not-a-bot-token",
        "PORT": "http",
        "IAMROLE_DIAGNOSE_BOTS": "maybe",
        "IAMROLE_ALLOWED_ACCOUNTS": "1234,111122223333",
        "IAMROLE_CHANNELS": "general",
        "REDIS_URL": "localhost:6379",
    }
    with pytest.raises(SettingsError) as error:
        Settings.from_env(env, "serve")
    message = str(error.value)
    for name in (
        "SLACK_SIGNING_SECRET",
        "SLACK_BOT_TOKEN",
        "PORT",
        "IAMROLE_DIAGNOSE_BOTS",
        "1234",
        "general",
        "REDIS_URL",
    ):
        assert name in message


def test_socket_mode_needs_the_app_token_not_the_signing_secret() -> None:
    with pytest.raises(SettingsError, match="SLACK_APP_TOKEN"):
        Settings.from_env({"SLACK_BOT_TOKEN": "xoxb-1"}, "socket")
    assert Settings.from_env({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"}, "socket")


def test_serve_without_settings_exits_two_with_the_reason() -> None:
    result = run_cli("serve")
    assert result.returncode == 2
    assert "SLACK_BOT_TOKEN is required" in result.stderr
