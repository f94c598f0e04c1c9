"""IAM policy documents and their evaluation against a request the bot may know only in part.

`evaluate` answers like IAM (explicit deny wins, then any allow, else no decision), and says which
condition keys the answer hangs on when the request context lacks them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal, cast
from urllib.parse import unquote

from bot.iam.conditions import ConditionCheck, check_all, parse_operator
from bot.iam.matching import (
    KeyValue,
    Lookup,
    Missing,
    Principal,
    PrincipalMatch,
    Tri,
    Unresolved,
    action_matches,
    all3,
    any3,
    deleted_principals,
    expand,
    match_principal,
    names_exactly,
    not3,
    resource_matches,
)

__all__ = ["Outcome", "PolicyDocument", "PolicyError", "Principal", "RequestContext", "Statement", "evaluate"]

Effect = Literal["Allow", "Deny"]
Decision = Literal["allow", "deny", "none"]
PrincipalValue = Literal["*"] | dict[str, list[str]]
VARIABLES_VERSION = "2012-10-17"
_PRINCIPAL_KINDS = {kind.lower(): kind for kind in ("AWS", "Service", "Federated", "CanonicalUser")}


class PolicyError(ValueError):
    """A policy document that is not valid IAM policy JSON."""


def _strings(value: Any, element: str) -> list[str]:
    """A string-or-list element as a list; numbers and Booleans as IAM reads them."""
    items = value if isinstance(value, list) else [value]
    result = []
    for item in items:
        if isinstance(item, bool):
            result.append("true" if item else "false")
        elif isinstance(item, str | int | float):
            result.append(str(item))
        else:
            raise PolicyError(f"{element} must be a string or a list of strings, not {item!r}")
    return result


def _principal(value: Any, element: str) -> PrincipalValue:
    if value == "*":
        return "*"
    if not isinstance(value, dict):
        raise PolicyError(f'{element} must be "*" or a map of principal types')
    result: dict[str, list[str]] = {}
    for kind, entries in value.items():
        canonical = _PRINCIPAL_KINDS.get(str(kind).lower())
        if canonical is None:
            raise PolicyError(f"{element} has an unknown principal type {kind!r}")
        result[canonical] = _strings(entries, f"{element}.{canonical}")
    return result


def _condition(value: Any) -> dict[str, dict[str, list[str]]]:
    if not isinstance(value, dict):
        raise PolicyError("Condition must be a map of operators")
    result: dict[str, dict[str, list[str]]] = {}
    for operator, block in value.items():
        try:
            parse_operator(str(operator))
        except ValueError as error:
            raise PolicyError(str(error)) from error
        if not isinstance(block, dict):
            raise PolicyError(f"Condition {operator} must map condition keys to values")
        result[str(operator)] = {
            str(key): _strings(values, f"Condition {operator}") for key, values in block.items()
        }
    return result


def _pair(raw: Mapping[str, Any], name: str) -> tuple[Any, Any]:
    """An element and its Not- twin, which a statement may not carry both of."""
    positive, negative = raw.get(name), raw.get(f"Not{name}")
    if positive is not None and negative is not None:
        raise PolicyError(f"a statement cannot have both {name} and Not{name}")
    return positive, negative


@dataclass(frozen=True)
class Statement:
    """One statement, normalised: string-or-list elements become lists, principals "*" or a map of lists."""

    effect: Effect
    sid: str | None = None
    action: list[str] | None = None
    not_action: list[str] | None = None
    resource: list[str] | None = None
    not_resource: list[str] | None = None
    principal: PrincipalValue | None = None
    not_principal: PrincipalValue | None = None
    condition: dict[str, dict[str, list[str]]] = field(default_factory=dict)

    @classmethod
    def parse(cls, raw: Any) -> Statement:
        """Read one statement object; PolicyError when it is not one IAM would accept."""
        if not isinstance(raw, dict):
            raise PolicyError("a statement must be a JSON object")
        effect = raw.get("Effect")
        if effect not in ("Allow", "Deny"):
            raise PolicyError(f'Effect must be "Allow" or "Deny", not {effect!r}')
        action, not_action = _pair(raw, "Action")
        if action is None and not_action is None:
            raise PolicyError("a statement needs Action or NotAction")
        resource, not_resource = _pair(raw, "Resource")
        principal, not_principal = _pair(raw, "Principal")
        sid = raw.get("Sid")
        return cls(
            effect=cast(Effect, effect),
            sid=str(sid) if sid not in (None, "") else None,
            action=None if action is None else _strings(action, "Action"),
            not_action=None if not_action is None else _strings(not_action, "NotAction"),
            resource=None if resource is None else _strings(resource, "Resource"),
            not_resource=None if not_resource is None else _strings(not_resource, "NotResource"),
            principal=None if principal is None else _principal(principal, "Principal"),
            not_principal=None if not_principal is None else _principal(not_principal, "NotPrincipal"),
            condition=_condition(raw.get("Condition", {})),
        )

    @property
    def label(self) -> str:
        """How a reason names this statement: by its Sid when it has one."""
        return f'statement "{self.sid}"' if self.sid else "a statement without a Sid"


@dataclass(frozen=True)
class PolicyDocument:
    """A policy: its language Version, optional Id and statements."""

    statements: list[Statement]
    version: str | None = None
    id: str | None = None

    @classmethod
    def parse(cls, doc: Mapping[str, Any] | str) -> PolicyDocument:
        """Read a policy from a dict or JSON text, URL-encoded JSON included (as IAM's API returns it)."""
        if isinstance(doc, str):
            text = doc.strip()
            if text[:3].upper() == "%7B":
                text = unquote(text)
            try:
                doc = json.loads(text)
            except json.JSONDecodeError as error:
                raise PolicyError(f"not JSON: {error}") from error
        if not isinstance(doc, Mapping):
            raise PolicyError("a policy must be a JSON object")
        raw = doc.get("Statement")
        if raw is None:
            raise PolicyError("a policy needs a Statement")
        version, policy_id = doc.get("Version"), doc.get("Id")
        return cls(
            statements=[Statement.parse(item) for item in (raw if isinstance(raw, list) else [raw])],
            version=None if version is None else str(version),
            id=None if policy_id is None else str(policy_id),
        )

    @property
    def variables_enabled(self) -> bool:
        """Policy variables exist only in Version 2012-10-17; before that `${...}` is plain text."""
        return self.version == VARIABLES_VERSION


@dataclass(frozen=True)
class RequestContext:
    """What the bot knows of a request.

    A key in `keys` has that value; a key mapped to None, listed in `known_absent` or, with `complete`,
    any key not given at all is known to be absent from the request. Any other key is unknown: a decision
    that hangs on it is reported in `Outcome.missing`. Entries of `known_absent` ending in `/*` cover a
    whole family (`aws:PrincipalTag/*` when all of the caller's tags are known). Key names ignore case.
    """

    action: str
    resource: str
    principal: Principal | None = None
    keys: Mapping[str, str | Sequence[str] | None] = field(default_factory=dict)
    known_absent: frozenset[str] = frozenset()
    complete: bool = False

    @cached_property
    def _index(self) -> dict[str, tuple[str, ...] | None]:
        return {
            key.lower(): None if value is None else ((value,) if isinstance(value, str) else tuple(value))
            for key, value in self.keys.items()
        }

    @cached_property
    def _absent(self) -> tuple[frozenset[str], tuple[str, ...]]:
        lowered = {key.lower() for key in self.known_absent}
        return frozenset(lowered), tuple(key[:-1] for key in lowered if key.endswith("/*"))

    def lookup(self, key: str) -> KeyValue:
        """The key's values, or why there are none."""
        lowered = key.lower()
        if lowered in self._index:
            value = self._index[lowered]
            return Missing.ABSENT if value is None else value
        exact, prefixes = self._absent
        if self.complete or lowered in exact or lowered.startswith(prefixes):
            return Missing.ABSENT
        return Missing.UNKNOWN


@dataclass(frozen=True)
class StatementResult:
    """How one statement met the request."""

    statement: Statement
    applies: Tri
    in_scope: Tri  # action, resource and principal match, conditions aside
    principal: PrincipalMatch
    checks: tuple[ConditionCheck, ...] = ()
    missing: frozenset[str] = frozenset()
    unresolved: tuple[str, ...] = ()
    deleted_principals: tuple[str, ...] = ()

    @property
    def failed(self) -> tuple[ConditionCheck, ...]:
        """The conditions that did not hold."""
        return tuple(item for item in self.checks if item.result is False)


@dataclass(frozen=True)
class Outcome:
    """The decision of a set of policies, the statements that decided it, and the unknown keys it hangs on.

    `decision` is what the known facts already establish; while `missing` is not empty, learning those
    keys could still change it (a Deny that may apply, or an Allow that may).
    """

    decision: Decision
    matched: list[Statement]
    missing: set[str]
    results: list[StatementResult] = field(default_factory=list)

    @property
    def determined(self) -> bool:
        """True when no unknown key could change the decision."""
        return not self.missing

    def _effect(self, effect: Effect) -> Tri:
        return any3(result.applies for result in self.results if result.statement.effect == effect)

    @property
    def allows(self) -> Tri:
        """Whether an Allow statement applies, explicit denies aside."""
        return self._effect("Allow")

    @property
    def denies(self) -> Tri:
        """Whether a Deny statement applies."""
        return self._effect("Deny")

    @property
    def near_misses(self) -> list[StatementResult]:
        """Statements that name this action, resource and principal but whose conditions failed."""
        return [item for item in self.results if item.in_scope and item.applies is False]

    @property
    def undecided(self) -> list[StatementResult]:
        """Statements that may or may not apply, depending on keys the bot lacks."""
        return [item for item in self.results if item.applies is None]

    @property
    def deleted_principals(self) -> list[str]:
        """Unique ids of deleted users and roles still named in a Principal element."""
        return sorted({entry for item in self.results for entry in item.deleted_principals})


def _resources(
    statement: Statement, context: RequestContext, lookup: Lookup | None
) -> tuple[Tri, set[str], str]:
    """Whether Resource/NotResource covers the request, unknown variable keys, and a void variable."""
    patterns = statement.resource if statement.resource is not None else statement.not_resource
    if patterns is None:
        return True, set(), ""  # a trust policy names no resource: the role itself
    hits: list[Tri] = []
    missing: set[str] = set()
    for pattern in patterns:
        try:
            hits.append(resource_matches(expand(pattern, lookup), context.resource))
        except Unresolved as unresolved:
            if not unresolved.unknown:
                return False, set(), unresolved.key
            hits.append(None)
            missing.add(unresolved.key)
    hit = any3(hits)
    return (hit if statement.resource is not None else not3(hit)), missing, ""


def _principal_match(statement: Statement, context: RequestContext) -> tuple[PrincipalMatch | None, bool]:
    """How the statement names the requester (None: unknown requester) and whether that makes it apply."""
    spec = statement.principal if statement.principal is not None else statement.not_principal
    if spec is None:
        return PrincipalMatch.EXACT, True  # identity policies: the principal is whoever holds the policy
    if context.principal is None:
        return None, False
    if statement.principal is not None:
        level = match_principal(spec, context.principal)
        return level, level > PrincipalMatch.NONE
    # NotPrincipal spares only a requester it names by its own ARN: AWS may check the account, the role
    # and the session in turn, so naming the account or the role alone does not spare its members.
    return PrincipalMatch.EXACT, not names_exactly(spec, context.principal)


def evaluate_statement(
    statement: Statement, context: RequestContext, *, variables: bool = True, account_grants: bool = True
) -> StatementResult:
    """Whether one statement applies to the request (True, False, or None when it hangs on unknown keys)."""
    lookup: Lookup | None = context.lookup if variables else None
    deleted = deleted_principals(statement.principal) + deleted_principals(statement.not_principal)
    if statement.action is not None:
        action_ok = any(action_matches(pattern, context.action) for pattern in statement.action)
    else:
        action_ok = not any(action_matches(pattern, context.action) for pattern in statement.not_action or [])
    level, principal_ok = _principal_match(statement, context)
    if level == PrincipalMatch.ACCOUNT and statement.effect == "Allow" and not account_grants:
        principal_ok = False
    principal_tri: Tri = principal_ok if level is not None else None
    resource_ok, missing, void = _resources(statement, context, lookup)
    scope = all3((action_ok, principal_tri, resource_ok))
    found = PrincipalMatch.NONE if level is None else level
    if void:
        # A Resource variable without a value voids the statement; it still names this action and caller.
        in_scope = all3((action_ok, principal_tri))
        return StatementResult(
            statement, False, in_scope, found, unresolved=(void,), deleted_principals=deleted
        )
    if scope is False:
        return StatementResult(statement, False, False, found, deleted_principals=deleted)
    if level is None:
        missing.add("aws:PrincipalArn")
    conditions, checks = check_all(statement.condition, context.lookup, variables=variables)
    applies = all3((scope, conditions))
    if applies is None:
        missing.update(key for item in checks if item.result is None for key in item.missing)
    else:
        missing.clear()
    unresolved = tuple(item.unresolved for item in checks if item.unresolved)
    return StatementResult(statement, applies, scope, found, checks, frozenset(missing), unresolved, deleted)


def evaluate(
    policies: PolicyDocument | Iterable[PolicyDocument],
    context: RequestContext,
    *,
    account_grants: bool = True,
) -> Outcome:
    """Evaluate policies of one kind together: an explicit Deny wins, then any Allow, else no decision.

    With `account_grants` False, an Allow that names only the requester's account does not count: within
    one account a trust policy naming the account delegates to identity policies instead of granting.
    """
    documents = [policies] if isinstance(policies, PolicyDocument) else list(policies)
    results = [
        evaluate_statement(statement, context, variables=doc.variables_enabled, account_grants=account_grants)
        for doc in documents
        for statement in doc.statements
    ]

    def keys(effect: Effect) -> set[str]:
        return {
            key for r in results if r.applies is None and r.statement.effect == effect for key in r.missing
        }

    def applying(effect: Effect) -> list[Statement]:
        return [r.statement for r in results if r.applies is True and r.statement.effect == effect]

    denying, allowing = applying("Deny"), applying("Allow")
    if denying:
        return Outcome("deny", denying, set(), results)
    missing = keys("Deny") | (set() if allowing else keys("Allow"))
    return Outcome("allow" if allowing else "none", allowing, missing, results)
