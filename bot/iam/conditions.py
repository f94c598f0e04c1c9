"""The Condition element: every operator family, IfExists, Null, set qualifiers and missing keys.

Operators and keys AND together, a key's values OR (for negated operators: none may match). A key absent
from the request makes positive operators false and negated ones true; `...IfExists` and `ForAllValues`
are true and `ForAnyValue` false when it is absent. A key the bot does not know makes the check unknown.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from bot.iam.matching import KeyValue, Lookup, Missing, Piece, Tri, Unresolved, all3, expand, joined, like

Qualifier = Literal["ForAllValues", "ForAnyValue"]
Compare = Callable[[str, tuple[Piece, ...]], bool]

# Base operator -> (family, negated).
_BASE: dict[str, tuple[str, bool]] = {
    "StringEquals": ("string", False),
    "StringNotEquals": ("string", True),
    "StringEqualsIgnoreCase": ("string-ignore-case", False),
    "StringNotEqualsIgnoreCase": ("string-ignore-case", True),
    "StringLike": ("string-like", False),
    "StringNotLike": ("string-like", True),
    "NumericEquals": ("numeric-eq", False),
    "NumericNotEquals": ("numeric-eq", True),
    "NumericLessThan": ("numeric-lt", False),
    "NumericLessThanEquals": ("numeric-le", False),
    "NumericGreaterThan": ("numeric-gt", False),
    "NumericGreaterThanEquals": ("numeric-ge", False),
    "DateEquals": ("date-eq", False),
    "DateNotEquals": ("date-eq", True),
    "DateLessThan": ("date-lt", False),
    "DateLessThanEquals": ("date-le", False),
    "DateGreaterThan": ("date-gt", False),
    "DateGreaterThanEquals": ("date-ge", False),
    "Bool": ("bool", False),
    "BinaryEquals": ("binary", False),
    "IpAddress": ("ip", False),
    "NotIpAddress": ("ip", True),
    "ArnEquals": ("arn", False),
    "ArnLike": ("arn", False),
    "ArnNotEquals": ("arn", True),
    "ArnNotLike": ("arn", True),
    "Null": ("null", False),
}
_CANONICAL = {name.lower(): name for name in _BASE}
# Policy variables work only with string, ARN and Boolean operators.
_VARIABLE_FAMILIES = frozenset({"string", "string-ignore-case", "string-like", "arn", "bool"})
_YEAR_MONTH = re.compile(r"^(\d{4})(?:-(\d{2}))?$")
_EPOCH = re.compile(r"^-?\d+(?:\.\d+)?$")


@dataclass(frozen=True)
class Operator:
    """A condition operator split into its qualifier, base operator and IfExists suffix."""

    name: str
    base: str
    qualifier: Qualifier | None
    if_exists: bool

    @property
    def family(self) -> str:
        return _BASE[self.base][0]

    @property
    def negated(self) -> bool:
        return _BASE[self.base][1]

    @property
    def takes_variables(self) -> bool:
        return self.family in _VARIABLE_FAMILIES


def parse_operator(name: str) -> Operator:
    """Read `ForAnyValue:StringLikeIfExists` and the like; ValueError for an operator IAM does not have."""
    qualifier: Qualifier | None = None
    rest = name
    prefix, _, tail = name.partition(":")
    if tail:
        if prefix.lower() == "forallvalues":
            qualifier = "ForAllValues"
        elif prefix.lower() == "foranyvalue":
            qualifier = "ForAnyValue"
        else:
            raise ValueError(f"unknown condition operator qualifier {prefix!r}")
        rest = tail
    if_exists = rest.lower().endswith("ifexists") and rest.lower() != "ifexists"
    base = _CANONICAL.get((rest[: -len("IfExists")] if if_exists else rest).lower())
    if base is None or (base == "Null" and (if_exists or qualifier)):
        raise ValueError(f"unknown condition operator {name!r}")
    return Operator(name, base, qualifier, if_exists)


def _number(text: str) -> Decimal | None:
    try:
        return Decimal(text.strip())
    except InvalidOperation:
        return None


def parse_date(text: str) -> datetime | None:
    """A W3C ISO 8601 date (YYYY up to fractions of a second, Z or offset) or epoch seconds, in UTC."""
    text = text.strip()
    short = _YEAR_MONTH.match(text)
    try:
        # Four digits are a year (W3C "YYYY"); longer runs of digits are epoch seconds.
        if _EPOCH.match(text) and not short:
            return datetime.fromtimestamp(float(text), UTC)
        if short:
            return datetime(int(short.group(1)), int(short.group(2) or 1), 1, tzinfo=UTC)
        parsed = datetime.fromisoformat(text)
    except (ValueError, OverflowError, OSError):
        return None
    # A date without a zone is taken as UTC, the zone AWS evaluates aws:CurrentTime in.
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


_TESTS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda left, right: bool(left == right),
    "lt": lambda left, right: bool(left < right),
    "le": lambda left, right: bool(left <= right),
    "gt": lambda left, right: bool(left > right),
    "ge": lambda left, right: bool(left >= right),
}


def _ordered(parse: Callable[[str], Decimal | datetime | None], test: str) -> Compare:
    def compare(value: str, pieces: tuple[Piece, ...]) -> bool:
        left, right = parse(value), parse(joined(pieces))
        # A value that is not a number or a date matches nothing, as in IAM.
        return left is not None and right is not None and _TESTS[test](left, right)

    return compare


def _binary(value: str, pieces: tuple[Piece, ...]) -> bool:
    try:
        return base64.b64decode(value, validate=True) == base64.b64decode(joined(pieces), validate=True)
    except (binascii.Error, ValueError):
        return value == joined(pieces)


def _ip(value: str, pieces: tuple[Piece, ...]) -> bool:
    try:
        address = ipaddress.ip_address(value.strip())
        network = ipaddress.ip_network(joined(pieces).strip(), strict=False)
    except ValueError:
        return False
    return address.version == network.version and address in network


_COMPARE: dict[str, Compare] = {
    "string": lambda value, pieces: value == joined(pieces),
    "string-ignore-case": lambda value, pieces: value.casefold() == joined(pieces).casefold(),
    "string-like": lambda value, pieces: like(pieces, value),
    "bool": lambda value, pieces: value.strip().lower() == joined(pieces).strip().lower(),
    "binary": _binary,
    "ip": _ip,
    "arn": lambda value, pieces: like(pieces, value, arn=True),
}
for _test in ("eq", "lt", "le", "gt", "ge"):
    _COMPARE[f"numeric-{_test}"] = _ordered(_number, _test)
    _COMPARE[f"date-{_test}"] = _ordered(parse_date, _test)


@dataclass(frozen=True)
class ConditionCheck:
    """One operator applied to one key: what the policy wants, what the request had, and the result."""

    operator: Operator
    key: str
    values: tuple[str, ...]
    actual: KeyValue
    result: Tri
    missing: frozenset[str] = frozenset()  # unknown keys the result hangs on
    unresolved: str | None = None  # a policy variable with no value, which voids the statement


def check(
    operator: Operator, key: str, values: Sequence[str], lookup: Lookup, *, variables: bool
) -> ConditionCheck:
    """Evaluate one operator against one key of the request."""
    actual = lookup(key)
    policy_values = tuple(values)

    def done(
        result: Tri, missing: frozenset[str] = frozenset(), unresolved: str | None = None
    ) -> ConditionCheck:
        return ConditionCheck(operator, key, policy_values, actual, result, missing, unresolved)

    if actual is Missing.UNKNOWN:
        return done(None, frozenset({key}))
    if operator.base == "Null":
        is_null = actual is Missing.ABSENT or not actual
        return done(any((value.strip().lower() == "true") == is_null for value in policy_values))
    if actual is Missing.ABSENT or (not actual and operator.qualifier is None):
        if operator.if_exists or operator.qualifier == "ForAllValues":
            return done(True)
        return done(operator.negated if operator.qualifier is None else False)
    try:
        patterns = [
            expand(value, lookup if variables and operator.takes_variables else None) for value in values
        ]
    except Unresolved as unresolved:
        if unresolved.unknown:
            return done(None, frozenset({unresolved.key}))
        return done(False, unresolved=unresolved.key)
    compare = _COMPARE[operator.family]

    def holds(value: str) -> bool:
        hit = any(compare(value, pattern) for pattern in patterns)
        return not hit if operator.negated else hit

    if operator.qualifier == "ForAllValues":
        return done(all(holds(value) for value in actual))
    if operator.qualifier == "ForAnyValue":
        return done(any(holds(value) for value in actual))
    # A plain operator on a multi-valued key: any value may match, and for a negated one none may.
    return done(all(holds(value) for value in actual) if operator.negated else any(holds(v) for v in actual))


def check_all(
    condition: Mapping[str, Mapping[str, Sequence[str]]], lookup: Lookup, *, variables: bool
) -> tuple[Tri, tuple[ConditionCheck, ...]]:
    """Evaluate a whole Condition element: every operator and every key must hold."""
    checks = tuple(
        check(parse_operator(name), key, values, lookup, variables=variables)
        for name, block in condition.items()
        for key, values in block.items()
    )
    return all3(result.result for result in checks), checks
