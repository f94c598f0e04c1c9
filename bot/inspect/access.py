"""Getting into a target account: the hub identity assumes the read-only role there.

Only accounts in IAMROLE_ALLOWED_ACCOUNTS are entered. Credentials are cached until shortly before
they expire. Every session is guarded (read-only) and every client has standard retries with
backoff and timeouts.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config

from bot.inspect import guard

CLIENT_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 4},
    connect_timeout=3,
    read_timeout=8,
    region_name="us-east-1",
)
SESSION_SECONDS = 900
REFRESH_MARGIN = 120


class AccountNotAllowed(Exception):
    """The account is not in IAMROLE_ALLOWED_ACCOUNTS: no AWS call is made for it."""


@dataclass(frozen=True)
class _Held:
    session: boto3.Session
    expires: float


class Access:
    """Read-only sessions into allowed accounts, through the hub identity."""

    def __init__(
        self,
        *,
        readonly_role: str,
        allowed_accounts: frozenset[str],
        external_id: str | None,
        hub: Callable[[], boto3.Session] = boto3.Session,
        endpoint_url: str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.readonly_role = readonly_role
        self.allowed_accounts = allowed_accounts
        self.external_id = external_id
        self.endpoint_url = endpoint_url
        self._hub_factory = hub
        self._hub: boto3.Session | None = None
        self._clock = clock
        self._held: dict[tuple[str, str], _Held] = {}
        self._lock = threading.Lock()
        self.assumed = 0  # how many times the read-only role was assumed (for tests and metrics)

    def client(self, session: boto3.Session, service: str) -> Any:
        return session.client(service, config=CLIENT_CONFIG, endpoint_url=self.endpoint_url)

    def hub(self) -> boto3.Session:
        if self._hub is None:
            self._hub = guard.install(self._hub_factory(), self.readonly_role)
        return self._hub

    def role_arn(self, account_id: str, partition: str = "aws") -> str:
        return f"arn:{partition}:iam::{account_id}:role/{self.readonly_role}"

    def session(self, account_id: str, partition: str = "aws") -> boto3.Session:
        """A guarded session in `account_id` as the read-only role (cached until near expiry)."""
        if account_id not in self.allowed_accounts:
            raise AccountNotAllowed(account_id)
        with self._lock:
            held = self._held.get((partition, account_id))
            if held is not None and held.expires - REFRESH_MARGIN > self._clock():
                return held.session
            params: dict[str, Any] = {
                "RoleArn": self.role_arn(account_id, partition),
                "RoleSessionName": "iamrole-bot",
                "DurationSeconds": SESSION_SECONDS,
            }
            if self.external_id:
                params["ExternalId"] = self.external_id
            credentials = self.client(self.hub(), "sts").assume_role(**params)["Credentials"]
            self.assumed += 1
            session = guard.install(
                boto3.Session(
                    aws_access_key_id=credentials["AccessKeyId"],
                    aws_secret_access_key=credentials["SecretAccessKey"],
                    aws_session_token=credentials["SessionToken"],
                ),
                self.readonly_role,
            )
            expiration = credentials.get("Expiration")
            expires = (
                expiration.timestamp()
                if hasattr(expiration, "timestamp")
                else self._clock() + SESSION_SECONDS
            )
            self._held[(partition, account_id)] = _Held(session, expires)
            return session
