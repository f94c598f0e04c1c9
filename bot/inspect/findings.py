"""Findings about a role, pure: from a snapshot (and the caller, and the requested duration) to
what is wrong and the fix, filled with the real names."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from bot.arn import Arn
from bot.inspect.snapshot import RoleSnapshot

Severity = Literal["error", "warning", "info"]
CHAINED_SESSION_MAX = 3600
# Condition keys the bot cannot know about a caller from the outside.
UNVERIFIABLE_KEYS = (
    "aws:sourceip",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:multifactorauthpresent",
    "aws:multifactorauthage",
    "aws:securetransport",
    "aws:requestedregion",
    "aws:calledvia",
    "aws:viaawsservice",
    "sts:sourceidentity",
    "sts:rolesessionname",
)


@dataclass(frozen=True)
class Finding:
    id: str
    severity: Severity
    message: str
    commands: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def _statements(document: dict[str, Any]) -> list[dict[str, Any]]:
    statements = document.get("Statement", [])
    return [s for s in (statements if isinstance(statements, list) else [statements]) if isinstance(s, dict)]


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _assume_statements(trust: dict[str, Any]) -> list[dict[str, Any]]:
    """The trust policy's Allow statements for sts:AssumeRole (or a wildcard that covers it)."""
    found = []
    for statement in _statements(trust):
        actions = [str(a).lower() for a in _as_list(statement.get("Action", []))]
        if statement.get("Effect") == "Allow" and any(a in ("sts:assumerole", "sts:*", "*") for a in actions):
            found.append(statement)
    return found


def _conditions(statement: dict[str, Any]) -> list[tuple[str, str, list[str]]]:
    """(operator, key, values) for every condition of a statement."""
    found = []
    for operator, block in (statement.get("Condition") or {}).items():
        if isinstance(block, dict):
            for key, values in block.items():
                found.append((str(operator), str(key), [str(v) for v in _as_list(values)]))
    return found


def _parse_time(value: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def role_findings(role: RoleSnapshot, requested_name: str) -> list[Finding]:
    """What the role itself says: its name's case, its kind, edited service policies."""
    findings = []
    if role.name != requested_name:
        findings.append(
            Finding(
                "role-name-case-mismatch",
                "error",
                f"The role is named {role.name}, not {requested_name}: role names are unique whatever their case, "
                f"but AssumeRole needs the exact case. Use {role.arn}.",
            )
        )
    if role.service_linked:
        arn = Arn.parse(role.arn)
        service = (arn.linked_service if arn is not None else None) or "its service"
        findings.append(
            Finding(
                "service-linked-role",
                "info",
                f"{role.name} is a service-linked role owned by {service}: its trust and permissions cannot be "
                "edited or deleted in IAM (only its description); manage it through that service.",
                [f"aws iam get-role --role-name {role.name} --query 'Role.[Path,Description]' --output text"],
            )
        )
    if role.identity_center:
        findings.append(
            Finding(
                "identity-center-role",
                "info",
                f"{role.name} is an IAM Identity Center role: change it by editing its permission set in the "
                "organization's management account (or delegated administrator), then re-provision it.",
                ["aws sso-admin list-instances --query 'Instances[0].InstanceArn' --output text"],
            )
        )
    trusted_services = [
        str(service)
        for statement in _assume_statements(role.trust_policy)
        for service in _as_list((statement.get("Principal") or {}).get("Service", []))
        if isinstance(statement.get("Principal"), dict)
    ]
    for policy in role.attached_policies:
        if trusted_services and policy.default_version and policy.versions and policy.default_version != "v1":
            if "v1" in policy.versions:
                fix = f"aws iam set-default-policy-version --policy-arn {policy.arn} --version-id v1"
                message = (
                    f"{policy.arn} is attached to a service role and its default version is {policy.default_version}, "
                    "not v1: someone edited the service's policy. Set v1 back as the default and retry; if that "
                    "does not help, replace the policy and role (see the default-policy-version diagnosis)."
                )
            else:
                fix = f"aws iam list-policy-versions --policy-arn {policy.arn}"
                message = (
                    f"{policy.arn} is attached to a service role, its default is {policy.default_version} and v1 is "
                    "gone: the service will not accept it; recreate the policy and role."
                )
            findings.append(Finding("policy-default-version-changed", "warning", message, [fix]))
    return findings


def trust_findings(role: RoleSnapshot, caller_tags: dict[str, str] | None, now: datetime) -> list[Finding]:
    """What the trust policy's conditions ask of any caller: dates, ExternalId, tags, unknowables."""
    findings = []
    for statement in _assume_statements(role.trust_policy):
        sid = f" (statement {statement['Sid']})" if statement.get("Sid") else ""
        for operator, key, values in _conditions(statement):
            lowered = key.lower()
            if lowered == "aws:currenttime" and operator.startswith("DateLessThan"):
                limits = [t for t in (_parse_time(v) for v in values) if t is not None]
                if limits and max(limits) <= now:
                    findings.append(
                        Finding(
                            "trust-condition-expired",
                            "error",
                            f"The trust policy{sid} allows AssumeRole only before {max(limits).isoformat()}: that "
                            "date has passed. Extend or remove the date condition.",
                            [
                                f"aws iam get-role --role-name {role.name} --query Role.AssumeRolePolicyDocument"
                            ],
                        )
                    )
            elif lowered == "sts:externalid":
                findings.append(
                    Finding(
                        "trust-requires-external-id",
                        "warning",
                        f"The trust policy{sid} requires an ExternalId: the caller must pass the agreed value.",
                        [
                            f"aws sts assume-role --role-arn {role.arn} --role-session-name check "
                            '--external-id "$EXTERNAL_ID"'
                        ],
                    )
                )
            elif lowered.startswith("aws:principaltag/"):
                tag = key.split("/", 1)[1]
                have = (caller_tags or {}).get(tag)
                if caller_tags is None or have not in values:
                    shown = "unknown" if caller_tags is None else (repr(have) if have else "missing")
                    findings.append(
                        Finding(
                            "trust-requires-principal-tag",
                            "error" if caller_tags is not None else "warning",
                            f"The trust policy{sid} requires the caller's tag {tag} to be one of "
                            f"{', '.join(values)}; the caller's is {shown}.",
                        )
                    )
            elif lowered in UNVERIFIABLE_KEYS:
                findings.append(
                    Finding(
                        "trust-condition-unverifiable",
                        "info",
                        f"The trust policy{sid} has a condition on {key} ({operator}: {', '.join(values)}), which "
                        "the bot cannot check from outside: make sure the caller meets it.",
                    )
                )
    return findings


def duration_findings(role: RoleSnapshot, caller_arn: str | None, duration: int | None) -> list[Finding]:
    """A requested session longer than the role or role chaining allows."""
    if duration is None:
        return []
    findings = []
    if duration > role.max_session_duration:
        findings.append(
            Finding(
                "duration-exceeds-max",
                "error",
                f"{duration} s were asked for; {role.name} allows at most {role.max_session_duration} s.",
                [
                    f"aws sts assume-role --role-arn {role.arn} --role-session-name check "
                    f"--duration-seconds {role.max_session_duration}",
                    f"aws iam update-role --role-name {role.name} --max-session-duration {min(max(duration, 3600), 43200)}",
                ],
            )
        )
    caller = Arn.parse(caller_arn or "")
    if caller is not None and caller.is_assumed_role and duration > CHAINED_SESSION_MAX:
        findings.append(
            Finding(
                "role-chaining-limit",
                "error",
                f"The caller is itself a role session ({caller.session_role_name}): role chaining caps the new "
                f"session at {CHAINED_SESSION_MAX} s whatever the role's maximum.",
                [
                    f"aws sts assume-role --role-arn {role.arn} --role-session-name check --duration-seconds 3600"
                ],
            )
        )
    return findings


def trust_statement_for(caller_arn: str, role: RoleSnapshot) -> str:
    """The trust-policy statement that lets this caller assume the role."""
    caller = Arn.parse(caller_arn)
    principal = caller_arn
    if caller is not None and caller.is_assumed_role and caller.session_role_name:
        principal = f"arn:{caller.partition}:iam::{caller.account}:role/{caller.session_role_name}"
    statement = {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}
    return json.dumps(statement)


def assume_statement_for(role: RoleSnapshot) -> str:
    """The identity-policy statement the caller needs to call AssumeRole on this role."""
    return json.dumps({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": role.arn})


def identity_tag_findings(policies: list[dict[str, Any]], tags: dict[str, str]) -> list[Finding]:
    """The caller's own policies allow sts:AssumeRole only with principal tags it does not carry."""
    findings = []
    for document in policies:
        for statement in _assume_statements(document):
            for _, key, values in _conditions(statement):
                if not key.lower().startswith("aws:principaltag/"):
                    continue
                tag = key.split("/", 1)[1]
                if tags.get(tag) not in values:
                    have = repr(tags[tag]) if tag in tags else "missing"
                    findings.append(
                        Finding(
                            "identity-requires-principal-tag",
                            "error",
                            f"The caller's own policy allows sts:AssumeRole only when its tag {tag} is one of "
                            f"{', '.join(values)}; the caller's is {have}. Tag the caller or change the condition.",
                        )
                    )
    return findings
