"""The values templates and conditions see: the entities, plus what can be derived from them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from bot.arn import Arn
from bot.knowledge import Lang
from bot.matcher import search

_SAFE_VALUE = re.compile(r"^[A-Za-z0-9_+=,.@:/-]+$")
_DOC_TYPO = re.compile(r"\.amazon\.com$")


def _arn_values(prefix: str, arn: Arn) -> dict[str, str]:
    values = {f"{prefix}_partition": arn.partition}
    if arn.account_id:
        values[f"{prefix}_account"] = arn.account_id
    return values


# The ARNs a paste's partition (aws, aws-cn, aws-us-gov) is read from, the first found.
_PARTITION_FROM = ("role_arn", "caller_arn", "resource_arn", "policy_arn")
# Values derived from the entities, and the entities each is derived from (for the KB lint).
DERIVED_FROM: dict[str, frozenset[str]] = {
    "role": frozenset({"role_arn", "role_name"}),
    "role_path": frozenset({"role_arn"}),
    "role_partition": frozenset({"role_arn"}),
    "role_account": frozenset({"role_arn"}),
    "not_a_role": frozenset({"role_arn"}),
    "instance_profile_name": frozenset({"instance_profile"}),
    "instance_profile_kind": frozenset({"instance_profile"}),
    "caller_name": frozenset({"caller_arn"}),
    "caller_role": frozenset({"caller_arn"}),
    "caller_account": frozenset({"caller_arn"}),
    "caller_partition": frozenset({"caller_arn"}),
    "policy": frozenset({"policy_name", "policy_arn"}),
    "policy_scope": frozenset({"policy_arn"}),
    "version_lower": frozenset({"version_id"}),
    "service_principal": frozenset({"service", "role_arn", "resource_arn"}),
    "passed_to_service": frozenset({"operation"}),
    "layer_policy_arn": frozenset({"deny"}),
    "layer": frozenset({"deny"}),
    "deny_kind": frozenset({"deny"}),
    "permission_set": frozenset({"role_arn", "role_name"}),
    "slr_service": frozenset({"role_arn", "resource_arn"}),
    "service_linked_role": frozenset({"role_arn", "role_name"}),
    "partition": frozenset(_PARTITION_FROM),
    "resource_account": frozenset({"resource_arn"}),
    "trust_action": frozenset({"operation"}),
}
# What an ARN's account part holds when a variable was never set or never substituted
# ("arn:aws:iam::None:policy/x", "<nil>", "${AWS::AccountId}" in a plain string, "$ACCOUNT_ID").
_UNSET_ACCOUNT = re.compile(r"(?i:none|null|nil|<nil>|undefined)?|\$\{?[A-Za-z_][A-Za-z0-9_.]*\}?")
# The IAM and STS resource types other than a role's, and what each names, in words. (An unknown
# type, such as a typo "roles/", is left to the role's own lookups.)
_NOT_ROLES: dict[str, dict[Lang, str]] = {
    "user": {"en": "a user", "ja": "IAM ユーザー"},
    "group": {"en": "a group", "ja": "IAM グループ"},
    "policy": {"en": "a policy", "ja": "ポリシー"},
    "instance-profile": {"en": "an instance profile", "ja": "インスタンスプロファイル"},
    "assumed-role": {"en": "a role session", "ja": "ロールのセッション"},
    "federated-user": {"en": "a federated user session", "ja": "フェデレーションユーザーのセッション"},
    "mfa": {"en": "an MFA device", "ja": "MFA デバイス"},
    "oidc-provider": {"en": "an OIDC provider", "ja": "OIDC プロバイダー"},
    "saml-provider": {"en": "a SAML provider", "ja": "SAML プロバイダー"},
    "server-certificate": {"en": "a server certificate", "ja": "サーバー証明書"},
}
# The calls that write a role's trust policy, whose statements grant sts:AssumeRole.
_TRUST_CALLS = frozenset({"CreateRole", "UpdateAssumeRolePolicy"})
# Every service-linked role's name starts so, whatever its path.
_SLR_NAME = "AWSServiceRoleFor"
# IAM Identity Center roles: AWSReservedSSO_<permission set>_<16 hex digits>.
_SSO_ROLE = re.compile(r"^AWSReservedSSO_(.+)_[0-9a-f]{16}$")


def template_values(
    found: Mapping[str, Any],
    passed_to_service: Mapping[str, str],
    principal: str | None = None,
    lang: Lang = "en",
) -> dict[str, str]:
    """Entities plus the values derived from them, all as strings (those in words, in `lang`).
    `principal`: the service principal the message names in words (Cause.principal), where it
    names none itself."""
    values: dict[str, str] = {}
    for key, value in found.items():
        if not isinstance(value, dict):
            values[key] = str(value)
    values |= _role_values(values, lang) | _instance_profile_values(values.get("instance_profile"))
    caller = Arn.parse(values.get("caller_arn", ""))
    if caller is not None:
        values |= _arn_values("caller", caller)
        values["caller_name"] = caller.session_role_name or caller.name
        if caller.is_assumed_role and caller.session_role_name:
            values["caller_role"] = caller.session_role_name
        elif caller.resource_type == "role":
            values["caller_role"] = caller.name
    policy_arn = Arn.parse(values.get("policy_arn", ""))
    if "policy_name" in values or policy_arn is not None:
        values["policy"] = values.get("policy_name") or (policy_arn.name if policy_arn else "")
    if (
        policy_arn is not None
        and policy_arn.service == "iam"
        and policy_arn.resource_type == "policy"
        and not _UNSET_ACCOUNT.fullmatch(policy_arn.account)
    ):
        # As list-policies names the scopes: AWS managed (account "aws") or the account's own.
        values["policy_scope"] = "AWS" if policy_arn.is_aws_managed else "Local"
    if "version_id" in values:
        values["version_lower"] = values["version_id"].lower()
    if "service" in values:
        values["service_principal"] = _DOC_TYPO.sub(".amazonaws.com", values["service"])
    elif principal is not None:
        values["service_principal"] = principal
    elif "slr_service" in values:
        values["service_principal"] = values["slr_service"]  # the service a service-linked role is for
    if values.get("operation") in passed_to_service:
        values["passed_to_service"] = passed_to_service[values["operation"]]
    if values.get("operation") in _TRUST_CALLS:
        values["trust_action"] = "sts:AssumeRole"
    resource = Arn.parse(values.get("resource_arn", ""))
    if resource is not None and resource.account_id:
        # The resource's own account (account_id is the caller's where the ARN names none, as S3's).
        values["resource_account"] = resource.account_id
    arns = (Arn.parse(values.get(source, "")) for source in _PARTITION_FROM)
    partition = next((arn.partition for arn in arns if arn is not None), None)
    if partition is not None:
        values["partition"] = partition
    return values | deny_values(found)


def _role_values(found: Mapping[str, str], lang: Lang) -> dict[str, str]:
    """The role the error is about: its name (from its ARN, else the name the error gives), path,
    partition and account; the service of a service-linked role; the permission set of an IAM
    Identity Center role. `not_a_role` where the role's ARN names another IAM or STS resource."""
    values: dict[str, str] = {}
    role = Arn.parse(found.get("role_arn", ""))
    if role is not None and role.service in ("iam", "sts") and role.resource_type in _NOT_ROLES:
        values["not_a_role"] = _NOT_ROLES[role.resource_type][lang]
        role = None
    if role is not None and ("/" not in role.resource or not role.name.strip()):
        role = None  # no name after the type ("...:role", "...:role/"): no role to look up
    if role is not None:
        values |= {"role": role.name, "role_path": role.path} | _arn_values("role", role)
    elif "role_name" in found:
        values["role"] = found["role_name"]
    if role is not None and role.linked_service:
        values["slr_service"] = role.linked_service
    else:
        # A service-linked role refused as the resource (creating it, say) names its service.
        resource = Arn.parse(found.get("resource_arn", ""))
        if resource is not None and resource.is_service_linked_role and resource.linked_service:
            values["slr_service"] = resource.linked_service
    name = values.get("role", "")
    if (role is not None and role.is_service_linked_role) or name.startswith(_SLR_NAME):
        values["service_linked_role"] = name
    sso = _SSO_ROLE.match(name)
    if sso:
        values["permission_set"] = sso.group(1)
    return values


# The values derived from the denial alone (what the layer causes require).
DENY_VALUES = frozenset(key for key, sources in DERIVED_FROM.items() if sources == {"deny"})


def deny_values(found: Mapping[str, Any]) -> dict[str, str]:
    """The values of the denying layer the entities name: DENY_VALUES, as far as known."""
    deny = found.get("deny")
    if not isinstance(deny, dict):
        return {}
    values = {"layer": deny["policy_type"], "deny_kind": deny["kind"]}
    if "policy_arn" in deny:
        values["layer_policy_arn"] = deny["policy_arn"]
    return values


def _instance_profile_values(profile: str | None) -> dict[str, str]:
    """An instance profile's name, and, given as an ARN, what type of resource the ARN names (a
    role's ARN is often given where the profile's belongs)."""
    arn = Arn.parse(profile or "")
    if arn is None:
        return {"instance_profile_name": profile} if profile else {}
    name = arn.name if "/" in arn.resource else ""  # "instance-profile/" alone names nothing
    return {"instance_profile_kind": arn.resource_type} | ({"instance_profile_name": name} if name else {})


_MASK = re.compile(r"x{3,}|X{3,}|\*+")
# A part of a name or path masked by x's: an issuer's id/xxxx, a host's xxx.example.com, the
# account in a CDK role's name (cdk-hnb659fds-deploy-role-XXXXXXXXXXXX-us-east-1).
_MASKED_PART = re.compile(r"(?:^|[/.:_-])(?:x{3,}|X{3,})(?:$|[/.:_-])")
# An ARN whose account is a variable never substituted: arn:aws:iam::${AWS::AccountId}:role/x.
_VARIABLE_ACCOUNT = re.compile(r"^(arn:[^:]+:[^:]+:[^:]*:)\$\{[^{}]*\}(?=:)")
# Masks a policy would read as wildcards (runs of stars, a star for an account, a ?) or as a
# variable (${...}), and masks' brackets. (A single star AWS itself names, `instance/*`, stays.)
_NOT_IN_A_STATEMENT = re.compile(r"\*\*|::\*:|[?<>]|\$\{")


def _masked_account(arn: Arn | None) -> bool:
    """An ARN whose account is masked or unset (that of AWS managed policies, `aws`, is no mask)."""
    return arn is not None and bool(arn.account) and not arn.account_id and not arn.is_aws_managed


def _written_over(value: str) -> bool:
    """A value the paste wrote a mask in place of: all x's or stars, or a part of x's."""
    return bool(_MASK.fullmatch(value) or _MASKED_PART.search(value))


def _masked(value: str) -> bool:
    """A value the paste masked: written over, or an ARN whose account is masked or unset."""
    return _written_over(value) or _masked_account(Arn.parse(value))


def runnable(values: Mapping[str, str]) -> dict[str, str]:
    """Only the values that can go into a shell command as they are: no masks, no quoting."""
    return {key: value for key, value in values.items() if _SAFE_VALUE.match(value) and not _masked(value)}


def exact(values: Mapping[str, str]) -> dict[str, str]:
    """The values that can go into a policy statement: no mask a policy reads as a wildcard or a
    variable (a masked account, `***`, would grant every account). An ARN whose account is masked
    keeps the rest, its account written ACCOUNT_ID as the statements' placeholders are."""
    kept: dict[str, str] = {}
    for key, value in values.items():
        value = _VARIABLE_ACCOUNT.sub(r"\1ACCOUNT_ID", value)  # its colons would split the ARN
        arn = Arn.parse(value)
        if arn is not None and _masked_account(arn):
            value = str(arn._replace(account="ACCOUNT_ID"))
        if not _written_over(value) and not _NOT_IN_A_STATEMENT.search(value):
            kept[key] = value
    return kept


def applies(when: Mapping[str, str], values: Mapping[str, str]) -> bool:
    """A step's or command's condition: every named value present and matching its expression;
    an expression after `!` holds where the value is absent or does not match it ('!.': absent)."""
    for name, regex in when.items():
        value = values.get(name)
        if regex.startswith("!"):
            if value is not None and search(regex[1:], value):
                return False
        elif value is None or not search(regex, value):
            return False
    return True
