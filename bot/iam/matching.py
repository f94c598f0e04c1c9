"""How one policy string meets one request value: wildcards, policy variables and principals.

Everything here is three-valued where the bot may lack facts: True, False, or None for "depends on
something the bot does not know".
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from bot.arn import Arn

Tri = bool | None


class Missing(enum.Enum):
    """Why a condition key has no value: known to be absent, or simply not known to the bot."""

    ABSENT = "absent"
    UNKNOWN = "unknown"


KeyValue = tuple[str, ...] | Missing
Lookup = Callable[[str], KeyValue]
# (text, literal): literal text came from a variable or ${*}/${?}/${$}, so its * and ? are plain characters.
Piece = tuple[str, bool]

_VARIABLE = re.compile(r"\$\{([^{}]*)\}")
_NAME_AND_DEFAULT = re.compile(r"^\s*([^\s,']+)\s*(?:,\s*'([^']*)'\s*)?$")
_ACCOUNT_ID = re.compile(r"^\d{12}$")
# Unique ids of users (AIDA) and roles (AROA): IAM shows them in a trust policy once the principal is gone.
_UNIQUE_ID = re.compile(r"^A(?:IDA|ROA)[A-Z0-9]{12,}$")


def all3(values: Iterable[Tri]) -> Tri:
    """Three-valued AND: any False wins, then any unknown, else True."""
    result: Tri = True
    for value in values:
        if value is False:
            return False
        if value is None:
            result = None
    return result


def any3(values: Iterable[Tri]) -> Tri:
    """Three-valued OR: any True wins, then any unknown, else False."""
    result: Tri = False
    for value in values:
        if value is True:
            return True
        if value is None:
            result = None
    return result


def not3(value: Tri) -> Tri:
    """Three-valued NOT."""
    return None if value is None else not value


class Unresolved(Exception):
    """A policy variable whose key has no single value in the request."""

    def __init__(self, key: str, *, unknown: bool) -> None:
        super().__init__(key)
        self.key = key
        self.unknown = unknown


def expand(text: str, lookup: Lookup | None) -> tuple[Piece, ...]:
    """Split `text` into pieces, replacing `${key}` and `${key, 'default'}` with request values.

    `lookup` None means the policy predates Version 2012-10-17, where `${...}` is plain text.
    Raises Unresolved when a variable has no value and no default.
    """
    if lookup is None or "${" not in text:
        return ((text, False),)
    pieces: list[Piece] = []
    position = 0
    for match in _VARIABLE.finditer(text):
        pieces.append((text[position : match.start()], False))
        pieces.append(_resolve(match, lookup))
        position = match.end()
    pieces.append((text[position:], False))
    return tuple(piece for piece in pieces if piece[0])


def _resolve(match: re.Match[str], lookup: Lookup) -> Piece:
    inner = match.group(1)
    if inner in ("*", "?", "$"):
        return (inner, True)
    parsed = _NAME_AND_DEFAULT.match(inner)
    if parsed is None:
        return (match.group(0), True)
    name, default = parsed.group(1), parsed.group(2)
    value = lookup(name)
    # A multi-valued key cannot stand in for one string: IAM treats it as having no value.
    if isinstance(value, tuple) and len(value) == 1:
        return (value[0], True)
    if value is Missing.UNKNOWN:
        raise Unresolved(name, unknown=True)
    if default is not None:
        return (default, True)
    raise Unresolved(name, unknown=False)


def joined(pieces: Sequence[Piece]) -> str:
    """The pieces as one string, for operators without wildcards."""
    return "".join(text for text, _ in pieces)


# A compiled wildcard pattern: (kind, character, bounded) with kind "*", "?" or "=" (a literal character);
# a bounded wildcard does not cross ':' (it sits in one of an ARN's first five parts).
Token = tuple[str, str, bool]


@lru_cache(maxsize=4096)
def wildcard_tokens(
    pieces: tuple[Piece, ...], *, arn: bool = False, ignore_case: bool = False
) -> tuple[Token, ...]:
    """The pattern's characters and wildcards.

    With `arn`, a pattern of six colon-separated parts is matched part by part: wildcards in the first
    five parts stay inside their part, while the last part (the resource, which may hold ':' and '/')
    takes anything. A pattern with fewer parts is matched as a whole string.
    """
    per_segment = arn and sum(text.count(":") for text, literal in pieces if not literal) >= 5
    tokens: list[Token] = []
    colons = 0
    for text, literal in pieces:
        for char in text.lower() if ignore_case else text:
            if not literal and char in "*?":
                tokens.append((char, "", per_segment and colons < 5))
            else:
                colons += not literal and char == ":"
                tokens.append(("=", char, False))
    return tuple(tokens)


def _skip_stars(states: set[int], tokens: tuple[Token, ...]) -> set[int]:
    """Add the states reached by letting `*` match nothing."""
    pending = list(states)
    while pending:
        index = pending.pop()
        if index < len(tokens) and tokens[index][0] == "*" and index + 1 not in states:
            states.add(index + 1)
            pending.append(index + 1)
    return states


def like(pieces: tuple[Piece, ...], value: str, *, arn: bool = False, ignore_case: bool = False) -> bool:
    """Whether `value` matches the wildcard pattern.

    A set-of-states walk rather than a regex: time stays linear in the value for any number of `*`,
    which matters because a pasted policy is untrusted text.
    """
    tokens = wildcard_tokens(pieces, arn=arn, ignore_case=ignore_case)
    states = _skip_stars({0}, tokens)
    for char in value.lower() if ignore_case else value:
        reached: set[int] = set()
        for index in states:
            if index == len(tokens):
                continue
            kind, literal, bounded = tokens[index]
            if kind == "=":
                if literal == char:
                    reached.add(index + 1)
            elif not (bounded and char == ":"):
                reached.add(index if kind == "*" else index + 1)
        if not reached:
            return False
        states = _skip_stars(reached, tokens)
    return len(tokens) in states


def action_matches(pattern: str, action: str) -> bool:
    """Actions compare without regard to case: `iam:ListAccessKeys` is `IAM:listaccesskeys`."""
    return like(((pattern, False),), action, ignore_case=True)


def resource_matches(pieces: tuple[Piece, ...], resource: str) -> bool:
    """Resources compare with case, part by part when the pattern is an ARN."""
    return like(pieces, resource, arn=True)


class PrincipalMatch(enum.IntEnum):
    """How a Principal element names the requester; higher is more specific."""

    NONE = 0
    ACCOUNT = 1  # names the requester's account: the account must delegate through identity policies
    EXACT = 2  # names the requester itself (or everyone, "*")


@dataclass(frozen=True)
class Principal:
    """The requester as a Principal element sees it.

    `arn` is the caller's ARN (user, role session, root, federated user). For a role session, whose ARN
    carries no path, `role_arn` is the role's full ARN when the bot has looked it up. `kind` is "AWS" for
    IAM identities, or "Service" / "Federated" / "CanonicalUser" with `arn` holding that identifier.
    """

    arn: str
    role_arn: str | None = None
    kind: str = "AWS"

    @property
    def account_id(self) -> str | None:
        """The requester's 12-digit account, from its ARN."""
        parsed = Arn.parse(self.arn)
        return parsed.account_id if parsed else None


def is_deleted_principal_id(entry: str) -> bool:
    """True for an AIDA.../AROA... unique id, which a trust policy shows once its user or role is deleted."""
    return _UNIQUE_ID.match(entry) is not None


def _same_role(entry: Arn, who: Principal) -> bool:
    if who.role_arn is not None:
        return str(entry) == who.role_arn
    session = Arn.parse(who.arn)
    # Without the role's full ARN, compare account and name: role names are unique in an account, and
    # IAM refuses to save a trust policy naming a role that does not exist, so the path cannot differ.
    return (
        session is not None
        and session.is_assumed_role
        and session.partition == entry.partition
        and session.account == entry.account
        and session.session_role_name == entry.name
    )


def match_aws_entry(entry: str, who: Principal) -> PrincipalMatch:
    """How one `"AWS"` principal string names `who`. Wildcards other than a lone `*` never match."""
    if entry == "*":
        return PrincipalMatch.EXACT
    if is_deleted_principal_id(entry):
        return PrincipalMatch.NONE
    account = who.account_id
    if _ACCOUNT_ID.match(entry):
        return PrincipalMatch.ACCOUNT if entry == account else PrincipalMatch.NONE
    parsed = Arn.parse(entry)
    if parsed is None:
        return PrincipalMatch.NONE
    if parsed.service == "iam" and parsed.resource == "root":
        return PrincipalMatch.ACCOUNT if parsed.account == account else PrincipalMatch.NONE
    if entry == who.arn:
        return PrincipalMatch.EXACT
    if parsed.service == "iam" and parsed.resource_type == "role" and _same_role(parsed, who):
        return PrincipalMatch.EXACT
    return PrincipalMatch.NONE


PrincipalSpec = str | Mapping[str, Sequence[str]]


def match_principal(spec: PrincipalSpec, who: Principal) -> PrincipalMatch:
    """The best match of `who` in a normalised Principal element ("*" or a map of lists)."""
    if isinstance(spec, str):
        return PrincipalMatch.EXACT if spec == "*" else PrincipalMatch.NONE
    best = PrincipalMatch.NONE
    for kind, entries in spec.items():
        if kind != who.kind:
            continue
        for entry in entries:
            if kind == "AWS":
                best = max(best, match_aws_entry(entry, who))
            elif entry == "*" or entry.lower() == who.arn.lower():
                best = PrincipalMatch.EXACT
    return best


def names_exactly(spec: PrincipalSpec, who: Principal) -> bool:
    """Whether a Principal element names `who` by its own ARN (or everyone), as NotPrincipal requires."""
    if isinstance(spec, str):
        return spec == "*"
    return any(entry in ("*", who.arn) for entry in spec.get(who.kind, ()))


def deleted_principals(spec: PrincipalSpec | None) -> tuple[str, ...]:
    """The unique ids of deleted users and roles that a Principal element still names."""
    if spec is None or isinstance(spec, str):
        return ()
    return tuple(entry for entry in spec.get("AWS", ()) if is_deleted_principal_id(entry))
