"""Can this caller assume that role? The AssumeRole decision from the policies the bot could read.

The trust policy must allow the caller. Within one account, naming the caller itself is enough, while
naming the account delegates to the caller's identity-based policies; across accounts both must allow.
An explicit Deny anywhere wins. Facts the bot lacks (source IP, MFA, ...) make the answer undetermined,
and layers it cannot read (SCPs, RCPs, ...) are named rather than guessed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Literal

from bot.arn import Arn
from bot.iam.conditions import ConditionCheck
from bot.iam.matching import Principal, PrincipalMatch, all3, any3, not3
from bot.iam.policy import Outcome, PolicyDocument, RequestContext, StatementResult, evaluate

ACTION = "sts:AssumeRole"
TRUST = "the role's trust policy"
ContextValue = str | Sequence[str] | None
_NO_CONTEXT: Mapping[str, ContextValue] = MappingProxyType({})
_PRINCIPAL_TYPES = {"user": "User", "assumed-role": "AssumedRole", "federated-user": "FederatedUser"}


@dataclass(frozen=True)
class Caller:
    """Who calls AssumeRole, with what the bot knows of them; None means "not known" or "not read".

    `role_arn` is the role's full ARN behind an assumed-role session (a session ARN has no path).
    `identity_policies` None means they were not read; `[]` means read and there are none. Likewise
    `permissions_boundary` None is unread and "none" means the caller has no boundary.
    """

    arn: str
    role_arn: str | None = None
    account_id: str | None = None
    user_id: str | None = None
    tags: Mapping[str, str] | None = None
    identity_policies: list[PolicyDocument] | None = None
    permissions_boundary: PolicyDocument | Literal["none"] | None = None
    mfa: bool | None = None
    source_ip: str | None = None

    @property
    def parsed(self) -> Arn | None:
        """The caller's ARN split into its parts."""
        return Arn.parse(self.arn)

    @property
    def account(self) -> str | None:
        """The caller's 12-digit account, from `account_id` or the ARN."""
        parsed = self.parsed
        return self.account_id or (parsed.account_id if parsed else None)

    @property
    def is_session(self) -> bool:
        """True for a role session (or a bare role ARN standing for one): session policies may apply."""
        parsed = self.parsed
        return parsed is not None and (parsed.is_assumed_role or parsed.resource_type == "role")

    @property
    def principal(self) -> Principal:
        """The caller as a trust policy's Principal element sees it."""
        parsed = self.parsed
        role_arn = self.role_arn or (self.arn if parsed and parsed.resource_type == "role" else None)
        return Principal(self.arn, role_arn)


@dataclass(frozen=True)
class TrustVerdict:
    """The AssumeRole decision as `check --json` reports it."""

    assume: Literal["allowed", "denied", "undetermined"]
    reasons: list[str]
    missing_context: list[str]
    unread_layers: list[str]
    trust_allows: bool | None
    identity_allows: bool | None


def _request_keys(
    caller: Caller, now: datetime, external_id: str | None, context: Mapping[str, ContextValue]
) -> tuple[dict[str, ContextValue], set[str]]:
    """The global condition keys the bot can fill from the caller; the rest stay unknown."""
    parsed = caller.parsed
    kind = parsed.resource_type if parsed else ""
    keys: dict[str, ContextValue] = {
        "aws:CurrentTime": now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "aws:EpochTime": str(int(now.timestamp())),
        "aws:SecureTransport": "true",  # STS takes HTTPS only
        "aws:PrincipalIsAWSService": "false",
        "aws:PrincipalServiceName": None,
        # Only IAM users have a friendly name in aws:username.
        "aws:username": parsed.name if parsed and kind == "user" else None,
    }
    if caller.account:
        keys["aws:PrincipalAccount"] = caller.account
    if kind in _PRINCIPAL_TYPES or (parsed and parsed.resource == "root"):
        keys["aws:PrincipalType"] = _PRINCIPAL_TYPES.get(kind, "Account")
    principal_arn = caller.principal.role_arn if parsed and parsed.is_assumed_role else caller.arn
    if principal_arn:
        keys["aws:PrincipalArn"] = principal_arn
    if caller.user_id:
        keys["aws:userid"] = caller.user_id
    if caller.mfa is not None:
        keys["aws:MultiFactorAuthPresent"] = "true" if caller.mfa else "false"
    if caller.source_ip:
        keys["aws:SourceIp"] = caller.source_ip
    if external_id is not None:
        keys["sts:ExternalId"] = external_id
    known_absent = set()
    if caller.tags is not None:
        keys.update({f"aws:PrincipalTag/{tag}": value for tag, value in caller.tags.items()})
        known_absent.add("aws:PrincipalTag/*")
    keys.update(context)
    return keys, known_absent


def _where(result: StatementResult, layer: str) -> str:
    sid = result.statement.sid
    return f'Statement "{sid}" of {layer}' if sid else f"A statement of {layer} (it has no Sid)"


def _explain(check: ConditionCheck, where: str) -> str:
    """A sentence a user can act on for one condition that did not hold."""
    key, lowered, wanted = check.key, check.key.lower(), " or ".join(check.values)
    actual = check.actual
    has = ", ".join(actual) if isinstance(actual, tuple) and actual else None
    base = check.operator.base
    if lowered in ("aws:currenttime", "aws:epochtime") and base.startswith("Date"):
        if "LessThan" in base:
            return f"{where} allowed this only before {wanted}; it has expired (now {has})."
        if "GreaterThan" in base:
            return f"{where} allows this only after {wanted}; it is not in force yet (now {has})."
    if lowered == "sts:externalid":
        if has is None:
            return f"{where} requires an external ID (sts:ExternalId): pass the one the role's owner gave."
        return f"{where} requires the external ID {wanted}, but the call passed {has}."
    if lowered.startswith("aws:principaltag/"):
        tag = key.split("/", 1)[1]
        now_has = f"its {tag} tag is {has}" if has else f"it has no {tag} tag"
        return f"{where} requires the caller to be tagged {tag} = {wanted}, but {now_has}."
    if lowered == "aws:multifactorauthpresent":
        return f"{where} requires the caller to have signed in with MFA (aws:MultiFactorAuthPresent); it did not."
    if has is None:
        return f"{where} requires {key} ({check.operator.name} {wanted}), which this request does not carry."
    return f"{where} requires {key} {check.operator.name} {wanted}, but the request has {has}."


def _near_misses(outcome: Outcome, layer: str) -> list[str]:
    reasons: list[str] = []
    for result in outcome.near_misses:
        where = _where(result, layer)
        reasons.extend(
            f"{where} uses the policy variable ${{{name}}}, which has no value for this caller, "
            "so the statement never applies."
            for name in result.unresolved
        )
        reasons.extend(_explain(item, where) for item in result.failed if not item.unresolved)
    return reasons


def _trust_refusal(trust: Outcome, trust_policy: PolicyDocument, caller: Caller) -> list[str]:
    """Why the trust policy does not allow the caller."""
    reasons = _near_misses(trust, TRUST)
    # Statements naming the caller that still do not apply can only be about another action.
    reasons.extend(
        f"{_where(result, TRUST)} names this caller but allows only "
        f"{', '.join(result.statement.action or ['other actions'])}, not {ACTION}."
        for result in trust.results
        if result.statement.effect == "Allow"
        and result.principal > PrincipalMatch.NONE
        and not result.in_scope
    )
    if reasons:
        return reasons
    kinds = {
        kind
        for statement in trust_policy.statements
        if statement.effect == "Allow" and isinstance(statement.principal, dict)
        for kind in statement.principal
    }
    if kinds and "AWS" not in kinds:
        names = " and ".join(sorted(kinds))
        return [f"The role's trust policy lets only {names} principals assume it, not IAM users or roles."]
    account = f"its account {caller.account}" if caller.account else "its account"
    return [
        f"The role's trust policy does not name this caller ({caller.arn}) or {account} as a Principal "
        f"allowed to call {ACTION}."
    ]


def _undecided(outcome: Outcome | None, layer: str) -> list[str]:
    if outcome is None:
        return []
    return [
        f"{_where(result, layer)} depends on {', '.join(sorted(result.missing))}, which the bot cannot see."
        for result in outcome.undecided
    ]


def _why_identity(caller: Caller, role: Arn, role_arn: str, same_account: bool) -> str:
    """Why the caller's own policy must allow the call too."""
    must = f"the caller's identity-based policy must also allow {ACTION} on {role_arn}."
    if same_account:
        return f"The trust policy names the account {role.account} rather than the caller, so {must}"
    if caller.account is None:
        return f"The bot cannot tell the caller's account, so it takes this as cross-account: {must}"
    return f"The caller is in account {caller.account} and the role in {role.account}, so {must}"


def _unread_layers(caller: Caller) -> list[str]:
    layers = ["scp", "rcp"]
    if caller.identity_policies is None:
        layers.append("identity-based")
    if caller.permissions_boundary is None:
        layers.append("permissions-boundary")
    if caller.is_session:
        layers.append("session")
    return layers


def assume_role_verdict(
    role_arn: str,
    trust_policy: PolicyDocument,
    caller: Caller,
    *,
    context: Mapping[str, ContextValue] = _NO_CONTEXT,
    now: datetime | None = None,
    external_id: str | None = None,
) -> TrustVerdict:
    """Decide whether `caller` may call sts:AssumeRole on `role_arn`, from what the bot could read.

    `context` adds or overrides condition keys (None marks a key known to be absent, e.g. no external
    ID passed); `now` fills aws:CurrentTime. Keys neither filled nor given stay unknown, and a decision
    that hangs on them is "undetermined" with those keys in `missing_context`.
    """
    role = Arn.parse(role_arn)
    if role is None:
        raise ValueError(f"not a role ARN: {role_arn!r}")
    keys, known_absent = _request_keys(caller, now or datetime.now(UTC), external_id, context)
    trust_request = RequestContext(ACTION, role_arn, caller.principal, keys, frozenset(known_absent))
    own_request = RequestContext(ACTION, role_arn, None, keys, frozenset(known_absent))
    trust = evaluate(trust_policy, trust_request)
    direct = evaluate(trust_policy, trust_request, account_grants=False)
    identity = None if caller.identity_policies is None else evaluate(caller.identity_policies, own_request)
    boundary_doc = caller.permissions_boundary
    boundary = evaluate(boundary_doc, own_request) if isinstance(boundary_doc, PolicyDocument) else None
    same_account = caller.account is not None and caller.account == role.account_id

    layers = (
        (trust, TRUST),
        (identity, "the caller's identity-based policies"),
        (boundary, "the caller's permissions boundary"),
    )
    deny = any3(outcome.denies for outcome, _ in layers if outcome is not None)
    identity_ok = identity.allows if identity is not None else None
    boundary_ok = boundary.allows if boundary is not None else True
    # A trust policy naming a role grants its sessions within the role's boundary; a user is not limited.
    via_direct = all3((direct.allows if same_account else False, boundary_ok if caller.is_session else True))
    via_identity = all3((trust.allows, identity_ok, boundary_ok))
    final = all3((any3((via_direct, via_identity)), not3(deny)))

    reasons = [
        f"{_where(result, layer)} explicitly denies {ACTION} for this caller."
        for outcome, layer in layers
        if outcome is not None
        for result in outcome.results
        if result.applies is True and result.statement.effect == "Deny"
    ]
    reasons.extend(
        f"The trust policy names {entry}, the id of a user or role that was deleted: it matches nobody. "
        "Replace it with the ARN of the principal that should assume the role."
        for entry in trust.deleted_principals
    )
    needs_identity = _why_identity(caller, role, role_arn, same_account)
    if final is True:
        if via_direct is True:
            grant = direct.matched[0].label
            reasons.append(f"The role's trust policy names this caller directly ({grant}).")
        else:
            grant = identity.matched[0].label if identity and identity.matched else "a statement"
            reasons.append(needs_identity)
            reasons.append(f"The caller's identity-based policy allows it ({grant}).")
    elif deny is not True:
        if trust.allows is False:
            reasons.extend(_trust_refusal(trust, trust_policy, caller))
        elif not same_account or direct.allows is False:
            if identity is None:
                reasons.append(needs_identity + " Those policies were not read.")
            elif identity.allows is not True:
                reasons.append(needs_identity)
                misses = _near_misses(identity, "the caller's identity-based policies")
                reasons.extend(misses)
                if not misses and identity.allows is False:
                    reasons.append(
                        f"None of the caller's identity-based policies allows {ACTION} on {role_arn}: add a "
                        "statement that does (its Resource may be the role's ARN or a wildcard)."
                    )
            if boundary is not None and boundary.allows is False:
                reasons.append(f"The caller's permissions boundary does not allow {ACTION} on {role_arn}.")
    missing: set[str] = set()
    if final is None:
        for outcome, layer in layers:
            if outcome is not None:
                missing |= outcome.missing
                reasons.extend(_undecided(outcome, layer))
    return TrustVerdict(
        assume="allowed" if final is True else "denied" if final is False else "undetermined",
        reasons=reasons,
        missing_context=sorted(missing, key=str.lower),
        unread_layers=_unread_layers(caller),
        trust_allows=all3((trust.allows, not3(trust.denies))),
        identity_allows=None if identity is None else all3((identity.allows, not3(identity.denies))),
    )


__all__ = ["Caller", "TrustVerdict", "assume_role_verdict"]
