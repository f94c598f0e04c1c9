"""`check`: inspect a role read-only and say whether the caller can assume it, and what to fix.

boto3 runs off the event loop, with a bound on concurrent inspections; role snapshots are cached
in the store (a re-check bypasses the cache).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from bot.arn import Arn
from bot.diagnosis import Diagnosis
from bot.iam.policy import PolicyDocument
from bot.iam.trust import Caller, TrustVerdict, assume_role_verdict
from bot.inspect import findings as found
from bot.inspect.access import Access, AccountNotAllowed, Unreachable, answered, error_code
from bot.inspect.snapshot import PrincipalPolicies, Reader, RoleSnapshot
from bot.store import Store

audit = logging.getLogger("bot.audit")
SNAPSHOT_TTL = 300
SHORTEST_SESSION = 900  # the least DurationSeconds AssumeRole takes
_DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "InvalidClientTokenId"}


class BadRequest(ValueError):
    """The request is not a check the bot can make (e.g. not a role ARN)."""


@dataclass(frozen=True)
class CheckRequest:
    role_arn: str
    caller_arn: str | None = None
    duration: int | None = None
    fresh: bool = False


# What IAM allows in the name of a role, user or session (1 to 64 of these characters).
_NAME = re.compile(r"[\w+=,.@-]{1,64}", re.ASCII)
# The principals a check reads: the resource types, by service, of a role and of a caller.
_ROLE: dict[str, tuple[str, ...]] = {"iam": ("role",)}
_CALLER: dict[str, tuple[str, ...]] = {"iam": ("user", "role"), "sts": ("assumed-role", "federated-user")}


def _principal_arn(text: str, types: dict[str, tuple[str, ...]], what: str) -> Arn:
    """The ARN, where it names a principal of one of the types in an account, by a name IAM allows."""
    arn = Arn.parse(text.strip())
    if (
        arn is None
        or arn.resource_type not in types.get(arn.service, ())
        or not arn.account_id
        or not _NAME.fullmatch(arn.name)
    ):
        raise BadRequest(f"{text.strip()!r} is not {what}")
    return arn


class Inspector:
    def __init__(
        self,
        access: Access,
        store: Store,
        *,
        concurrency: int = 4,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.access = access
        self.store = store
        self._slots = asyncio.Semaphore(concurrency)
        self._clock = clock
        self.calls = 0  # AWS calls made by readers (the assume-role hop not counted)

    def configured_for(self, account_id: str | None) -> bool:
        return account_id is not None and account_id in self.access.allowed_accounts

    def covers(self, diagnosis: Diagnosis) -> bool:
        """Whether a diagnosis names a role this inspector may look at (for the inspect button)."""
        return "role_arn" in diagnosis.entities and self.configured_for(diagnosis.entities.get("account_id"))

    def _read_role(self, arn: Arn) -> RoleSnapshot | None:
        reader = Reader(self.access.client(self.access.session(arn.account, arn.partition), "iam"))
        try:
            return reader.role(arn.name)
        finally:
            self.calls += reader.calls

    def _read_caller(self, caller: Arn) -> PrincipalPolicies | None:
        reader = Reader(self.access.client(self.access.session(caller.account, caller.partition), "iam"))
        try:
            return reader.principal(str(caller))
        finally:
            self.calls += reader.calls

    async def _role(self, arn: Arn, fresh: bool) -> RoleSnapshot | None:
        key = f"snapshot:{arn}"
        cached = None if fresh else await self.store.get(key)
        if cached:
            data = json.loads(cached)
            return None if data is None else RoleSnapshot.from_json(data)
        snapshot = await asyncio.to_thread(self._read_role, arn)
        await self.store.put(key, json.dumps(snapshot.as_json() if snapshot else None), SNAPSHOT_TTL)
        return snapshot

    async def check(
        self, request: CheckRequest, *, who: str = "cli", where: str = "terminal"
    ) -> dict[str, Any]:
        """The report of the `check --json` contract; raises BadRequest or Unreachable."""
        arn = _principal_arn(request.role_arn, _ROLE, "a role ARN (arn:aws:iam::123456789012:role/NAME)")
        caller = (
            _principal_arn(
                request.caller_arn,
                _CALLER,
                "the ARN of a user, role or role session (arn:aws:iam::123456789012:user/NAME, "
                "arn:aws:sts::123456789012:assumed-role/ROLE/SESSION)",
            )
            if request.caller_arn
            else None
        )
        if request.duration is not None and request.duration < SHORTEST_SESSION:
            raise BadRequest(
                f"a role session lasts at least {SHORTEST_SESSION} s; {request.duration} s cannot be asked for"
            )
        async with self._slots:
            report = await self._check(arn, caller, request)
        audit.info(
            "inspection who=%s where=%s role=%s caller=%s findings=%s",
            who,
            where,
            arn,
            caller,
            ",".join(f["id"] for f in report["findings"]) or "none",
        )
        return report

    async def _check(self, arn: Arn, caller: Arn | None, request: CheckRequest) -> dict[str, Any]:
        role_json: dict[str, Any] = {
            "arn": str(arn),
            "name": arn.name,
            "account_id": arn.account,
            "exists": None,
        }
        report: dict[str, Any] = {"role": role_json, "caller": None, "verdict": None, "findings": []}
        if caller is not None:
            report["caller"] = {"arn": str(caller)}
        try:
            with answered():
                role = await self._role(arn, request.fresh)
        except AccountNotAllowed:
            return self._stopped(report, self._not_allowed(arn.account), "the role's account is not allowed")
        except ClientError as exc:
            if error_code(exc) in _DENIED:
                return self._stopped(report, self._denied(arn, exc), "the read-only role was refused")
            raise Unreachable(str(exc)) from exc
        if role is None:
            role_json["exists"] = False
            missing = found.Finding(
                "role-not-found",
                "error",
                f"No role named {arn.name} (in any letter case) exists in account {arn.account}.",
                [
                    "aws iam list-roles --query 'Roles[].RoleName' --output text | tr '\\t' '\\n' "
                    f"| grep -ix {shlex.quote(arn.name)}"
                ],
            )
            return self._stopped(report, missing, "the role does not exist")
        role_json |= role.as_json() | {"exists": True}
        principal = await self._caller_side(caller, report)
        now = self._clock()
        report["findings"] += [f.as_json() for f in found.role_findings(role, arn.name)]
        report["findings"] += [
            f.as_json() for f in found.trust_findings(role, principal.tags if principal else None, now)
        ]
        report["findings"] += [
            f.as_json() for f in found.duration_findings(role, request.caller_arn, request.duration)
        ]
        if principal is not None:
            tagged = found.identity_tag_findings(principal.policies, principal.tags)
            report["findings"] += [f.as_json() for f in tagged]
        if caller is not None:
            verdict = self._verdict(role, caller, principal, now)
            report["verdict"] = {
                "assume": verdict.assume,
                "reasons": verdict.reasons,
                "missing_context": verdict.missing_context,
                "unread_layers": verdict.unread_layers,
            }
            report["findings"] += [f.as_json() for f in self._verdict_findings(role, caller, verdict)]
        return report

    async def _caller_side(self, caller: Arn | None, report: dict[str, Any]) -> PrincipalPolicies | None:
        if caller is None or not self.configured_for(caller.account_id):
            return None
        try:
            with answered():
                return await asyncio.to_thread(self._read_caller, caller)
        except (ClientError, AccountNotAllowed, Unreachable) as exc:
            missing = isinstance(exc, ClientError) and error_code(exc) == "NoSuchEntity"
            finding = (
                found.Finding(
                    "caller-not-found",
                    "error",
                    f"{caller} does not exist in account {caller.account} (deleted, or a typo): "
                    "nothing can assume a role as it.",
                )
                if missing
                else found.Finding(
                    "inspection-denied",
                    "warning",
                    f"The caller's side in {caller.account} could not be read ({exc}); its policies were not checked.",
                )
            )
            report["findings"].append(finding.as_json())
            return None

    def _verdict(
        self, role: RoleSnapshot, caller: Arn, principal: PrincipalPolicies | None, now: datetime
    ) -> TrustVerdict:
        subject = Caller(
            arn=str(caller),
            role_arn=principal.role_arn if principal else None,
            account_id=caller.account,
            tags=principal.tags if principal else None,
            identity_policies=[PolicyDocument.parse(p) for p in principal.policies] if principal else None,
        )
        return assume_role_verdict(role.arn, PolicyDocument.parse(role.trust_policy), subject, now=now)

    def _verdict_findings(
        self, role: RoleSnapshot, caller: Arn, verdict: TrustVerdict
    ) -> list[found.Finding]:
        findings = []
        if verdict.trust_allows is False:
            findings.append(
                found.Finding(
                    "caller-not-trusted",
                    "error",
                    f"The trust policy of {role.name} does not let {caller} assume it. Add this statement to it: "
                    f"{found.trust_statement_for(str(caller), role)}",
                    [f"aws iam get-role --role-name {role.name} --query Role.AssumeRolePolicyDocument"],
                )
            )
        if verdict.identity_allows is False:
            findings.append(
                found.Finding(
                    "caller-lacks-assume-permission",
                    "error",
                    f"{caller}'s own policies do not allow sts:AssumeRole on {role.arn}. Add this statement to "
                    f"them: {found.assume_statement_for(role)}",
                )
            )
        return findings

    def _stopped(self, report: dict[str, Any], finding: found.Finding, reason: str) -> dict[str, Any]:
        report["findings"].append(finding.as_json())
        if report["caller"] is not None:
            report["verdict"] = {
                "assume": "undetermined",
                "reasons": [reason],
                "missing_context": [],
                "unread_layers": [],
            }
        return report

    def _not_allowed(self, account: str) -> found.Finding:
        return found.Finding(
            "account-not-allowed",
            "error",
            f"Account {account} is not in IAMROLE_ALLOWED_ACCOUNTS, so the bot does not look into it. Deploy the "
            "read-only role there (deploy/aws/readonly-role.yaml) and add the account to the list.",
        )

    def _denied(self, arn: Arn, exc: ClientError) -> found.Finding:
        return found.Finding(
            "inspection-denied",
            "error",
            f"Reading account {arn.account} was refused ({error_code(exc)}). Check that "
            f"{self.access.role_arn(arn.account, arn.partition)} exists, trusts the bot's hub role with the "
            "ExternalId, and allows the reads in bot/inspect/readonly_actions.txt.",
        )
