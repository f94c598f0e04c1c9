"""Getting into a target account: the hub identity assumes the read-only role there.

Only accounts in IAMROLE_ALLOWED_ACCOUNTS are entered. Credentials are cached until shortly before
they expire. Every session is guarded (read-only) and every client has standard retries with
backoff and timeouts, short enough that a check given no answer says so within about 20 seconds.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from botocore.parsers import ResponseParserError

from bot.inspect import guard

CLIENT_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 3},
    connect_timeout=2,
    read_timeout=5,
    region_name="us-east-1",
)
SESSION_SECONDS = 900
REFRESH_MARGIN = 120


class AccountNotAllowed(Exception):
    """The account is not in IAMROLE_ALLOWED_ACCOUNTS: no AWS call is made for it."""


class Unreachable(Exception):
    """AWS gave no answer the bot can read (no connection, no reply in time, or an answer that is
    not AWS's, such as a proxy's page), or the hub has no credentials: no report can be made."""


def error_code(exc: ClientError) -> str:
    """The error code AWS named ('' when the answer named none)."""
    return str(exc.response.get("Error", {}).get("Code") or "")


def _raised_in_botocore(exc: BaseException) -> bool:
    frame = exc.__traceback__
    while frame is not None and frame.tb_next is not None:
        frame = frame.tb_next
    return frame is not None and str(frame.tb_frame.f_globals.get("__name__", "")).startswith("botocore.")


@contextmanager
def answered() -> Iterator[None]:
    """Around calls to AWS: an error AWS named stays a ClientError; anything else that stops the
    calls (no connection, a timeout, a body botocore cannot read as AWS's) is Unreachable."""
    try:
        yield
    except ClientError as exc:
        if not error_code(exc):
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            raise Unreachable(f"the answer (HTTP {status}) is not AWS's") from exc
        raise
    except ResponseParserError as exc:  # its message would repeat the whole body
        raise Unreachable("the answer could not be read as AWS's") from exc
    except BotoCoreError as exc:
        raise Unreachable(str(exc)) from exc
    except KeyError as exc:
        # botocore's parsers look up the result they expect in any well-formed XML they are given.
        if not _raised_in_botocore(exc):
            raise
        raise Unreachable("the answer is not AWS's") from exc


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
            credentials: Any = self.client(self.hub(), "sts").assume_role(**params).get("Credentials")
            if not isinstance(credentials, dict) or "SecretAccessKey" not in credentials:
                raise Unreachable("the answer to AssumeRole holds no credentials: it is not AWS's")
            self.assumed += 1
            session = guard.install(
                boto3.Session(
                    aws_access_key_id=credentials["AccessKeyId"],
                    aws_secret_access_key=credentials["SecretAccessKey"],
                    aws_session_token=credentials["SessionToken"],
                ),
                self.readonly_role,
            )
            expiration: Any = credentials.get("Expiration")
            expires = (
                expiration.timestamp()
                if hasattr(expiration, "timestamp")
                else self._clock() + SESSION_SECONDS
            )
            self._held[(partition, account_id)] = _Held(session, expires)
            return session
