"""Settings from the environment, validated once at start, with a clear message for each problem."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from pydantic import SecretStr

Mode = Literal["serve", "socket", "cli"]
DEFAULT_API_URL = "https://slack.com/api/"
DEFAULT_READONLY_ROLE = "IamRoleDoctorReadOnly"
_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}
_CHANNEL = re.compile(r"^[CGD][A-Z0-9]{2,}$")
_ACCOUNT = re.compile(r"^\d{12}$")
_ROLE_NAME = re.compile(r"^[\w+=,.@-]{1,64}$")


class SettingsError(Exception):
    """The environment is incomplete or malformed; the message names every problem."""


@dataclass(frozen=True)
class Settings:
    """Everything the bot reads from its environment (see README and the product contract)."""

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = DEFAULT_API_URL
    redis_url: str | None = None
    port: int = 3000
    channels: frozenset[str] | None = None
    diagnose_bots: bool = True
    readonly_role: str = DEFAULT_READONLY_ROLE
    external_id: SecretStr | None = None
    allowed_accounts: frozenset[str] = field(default_factory=frozenset)
    public_inspect_channels: frozenset[str] = field(default_factory=frozenset)

    @property
    def inspection_configured(self) -> bool:
        return bool(self.allowed_accounts)

    @classmethod
    def from_env(cls, env: Mapping[str, str], mode: Mode) -> Settings:
        """Read and check the environment for `mode`; raise SettingsError naming every problem."""
        problems: list[str] = []

        def text(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        def secret(name: str, required: bool, prefix: str | None = None) -> SecretStr | None:
            value = text(name)
            if value is None:
                if required:
                    problems.append(f"{name} is required for `iamrole-bot {mode}`")
                return None
            if prefix and not value.startswith(prefix):
                problems.append(f"{name} should start with {prefix!r}")
            return SecretStr(value)

        def ids(name: str, pattern: re.Pattern[str], what: str) -> frozenset[str] | None:
            value = text(name)
            if value is None:
                return None
            items = frozenset(item.strip() for item in value.split(",") if item.strip())
            bad = sorted(item for item in items if not pattern.match(item))
            if bad:
                problems.append(f"{name} has values that are not {what}: {', '.join(bad)}")
            return items

        port = 3000
        if text("PORT") is not None:
            raw = text("PORT") or ""
            if not raw.isdigit() or not 0 < int(raw) < 65536:
                problems.append(f"PORT must be a number from 1 to 65535, not {raw!r}")
            else:
                port = int(raw)
        diagnose_bots = True
        raw_bots = (text("IAMROLE_DIAGNOSE_BOTS") or "true").lower()
        if raw_bots in _FALSE:
            diagnose_bots = False
        elif raw_bots not in _TRUE:
            problems.append(f"IAMROLE_DIAGNOSE_BOTS must be true/false/1/0/yes/no, not {raw_bots!r}")
        api_url = text("SLACK_API_URL") or DEFAULT_API_URL
        if not api_url.startswith(("https://", "http://")):
            problems.append(f"SLACK_API_URL must be an http(s) URL, not {api_url!r}")
        redis_url = text("REDIS_URL")
        if redis_url and not redis_url.startswith(("redis://", "rediss://", "unix://")):
            problems.append("REDIS_URL must start with redis://, rediss:// or unix://")
        readonly_role = text("IAMROLE_READONLY_ROLE") or DEFAULT_READONLY_ROLE
        if not _ROLE_NAME.match(readonly_role):
            problems.append(f"IAMROLE_READONLY_ROLE is not a valid IAM role name: {readonly_role!r}")
        settings = cls(
            slack_bot_token=secret("SLACK_BOT_TOKEN", mode != "cli", "xoxb-"),
            slack_signing_secret=secret("SLACK_SIGNING_SECRET", mode == "serve"),
            slack_app_token=secret("SLACK_APP_TOKEN", mode == "socket", "xapp-"),
            slack_api_url=api_url if api_url.endswith("/") else api_url + "/",
            redis_url=redis_url,
            port=port,
            channels=ids("IAMROLE_CHANNELS", _CHANNEL, "Slack channel ids"),
            diagnose_bots=diagnose_bots,
            readonly_role=readonly_role,
            external_id=secret("IAMROLE_EXTERNAL_ID", False),
            allowed_accounts=ids("IAMROLE_ALLOWED_ACCOUNTS", _ACCOUNT, "12-digit account ids") or frozenset(),
            public_inspect_channels=ids("IAMROLE_PUBLIC_INSPECT_CHANNELS", _CHANNEL, "Slack channel ids")
            or frozenset(),
        )
        if problems:
            raise SettingsError("; ".join(problems))
        return settings
