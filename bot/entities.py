"""Turn what the patterns captured into the entities of the public JSON contract."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from bot.arn import Arn

# Captures that are not entities themselves but become `deny`.
DENY_CAPTURES = frozenset({"deny_implicit", "deny_explicit", "deny_transitive", "deny_policy_arn"})
# Keys of the public contract, in the order the JSON shows them.
ENTITY_KEYS = (
    "caller_arn",
    "action",
    "role_arn",
    "role_name",
    "resource_arn",
    "account_id",
    "operation",
    "deny",
    "policy_arn",
    "policy_name",
    "version_id",
    "service",
    "requested_duration",
    "session_name",
    "authorization_id",
)
# Values an error quotes whole (STS's "Value '...' at 'roleSessionName'"): free text, kept as quoted.
QUOTED = frozenset({"session_name"})
_TRAILING = ".,;:!?'\"`)]}>"
_LEADING = "'\"`([{<"
_SPACES = re.compile(r"\s+")


# The brackets a mask is written in: <account-id>, [IAMUSERNAME], {account-id}.
_MASKS = (("<", ">"), ("[", "]"), ("{", "}"))


def _closes_mask(value: str) -> bool:
    return any(value[-1] == close and opening in value for opening, close in _MASKS)


def _opens_mask(value: str) -> bool:
    return any(value[0] == opening and close in value[1:] for opening, close in _MASKS)


def clean(value: str) -> str:
    """A captured value as pasted, without surrounding quotes or trailing punctuation."""
    value = value.strip()
    # A mask such as <instance-id> may open a name; keep it whole.
    while value and value[0] in _LEADING and not _opens_mask(value):
        value = value[1:]
    # A mask such as <account-id> or [IAMUSERNAME] ends in '>' or ']' on purpose; keep it whole.
    while value and value[-1] in _TRAILING and not _closes_mask(value):
        value = value[:-1]
    return value


def _deny(captures: Mapping[str, str], layers: Mapping[str, str]) -> dict[str, str] | None:
    """The denying layer, only when the text names it."""
    phrase = captures.get("deny_explicit") or captures.get("deny_implicit")
    if not phrase:
        return None
    policy_type = "scp" if captures.get("deny_transitive") else layers[_SPACES.sub(" ", phrase.lower())]
    deny = {"kind": "explicit" if captures.get("deny_explicit") else "implicit", "policy_type": policy_type}
    if captures.get("deny_policy_arn"):
        deny["policy_arn"] = clean(captures["deny_policy_arn"])
    return deny


def _account(entities: Mapping[str, Any]) -> str | None:
    """The role's or resource's (or instance profile's) 12-digit account, else the caller's."""
    for key in ("role_arn", "resource_arn", "policy_arn", "instance_profile", "caller_arn"):
        if key in entities:
            arn = Arn.parse(entities[key])
            if arn is not None and arn.account_id:
                return arn.account_id
    return None


def hidden(captures: Mapping[str, str]) -> dict[str, str]:
    """Captured values kept out of the entities (names starting with `_`), such as an encoded blob."""
    found: dict[str, str] = {}
    for key, value in captures.items():
        if key.startswith("_"):
            found[key] = value
    return found


def build(captures: Mapping[str, str], layers: Mapping[str, str]) -> dict[str, Any]:
    """Entities from the captures of a match and its context, keys in contract order."""
    values: dict[str, Any] = {}
    for key, value in captures.items():
        if key in DENY_CAPTURES or key.startswith("_"):
            continue
        value = value.strip() if key in QUOTED else clean(value)
        if value:
            values[key] = value
    deny = _deny(captures, layers)
    if deny:
        values["deny"] = deny
    if "requested_duration" in values:
        values["requested_duration"] = int(values["requested_duration"])
    if "account_id" not in values:
        account = _account(values)
        if account:
            values["account_id"] = account
    ordered: dict[str, Any] = {}
    for key in ENTITY_KEYS:
        if key in values:
            ordered[key] = values[key]
    if len(ordered) < len(values):
        ordered |= {key: value for key, value in values.items() if key not in ordered}
    return ordered
