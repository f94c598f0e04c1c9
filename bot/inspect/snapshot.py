"""What inspection reads about a role (and about the caller, when its account is allowed too).

A role with five attached policies takes at most ten AWS calls on a cold cache: GetRole,
ListAttachedRolePolicies, ListRolePolicies and one ListPolicyVersions per customer-managed policy
(AWS-managed policies are AWS's; their versions are not the customer's to fix).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import unquote

from botocore.exceptions import ClientError

from bot.arn import Arn
from bot.inspect.access import error_code


def _document(raw: Any) -> dict[str, Any]:
    """A policy document as IAM returns it (a dict, JSON, or URL-encoded JSON)."""
    if isinstance(raw, dict):
        return raw
    text = str(raw)
    return dict(json.loads(unquote(text) if text.startswith("%7B") else text))


@dataclass
class AttachedPolicy:
    arn: str
    default_version: str | None = None
    versions: list[str] = field(default_factory=list)

    @property
    def aws_managed(self) -> bool:
        arn = Arn.parse(self.arn)
        return arn is not None and arn.is_aws_managed


@dataclass
class RoleSnapshot:
    """A role as IAM holds it; `name` is its real name (which may differ in case from the request)."""

    arn: str
    name: str
    account_id: str
    path: str
    trust_policy: dict[str, Any]
    max_session_duration: int
    attached_policies: list[AttachedPolicy]
    inline_policies: list[str]
    permissions_boundary: str | None
    tags: dict[str, str]

    @property
    def service_linked(self) -> bool:
        return self.path.startswith("/aws-service-role/")

    @property
    def identity_center(self) -> bool:
        return self.path.startswith("/aws-reserved/sso.amazonaws.com/")

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["service_linked"] = self.service_linked
        data["attached_policies"] = [
            {"arn": p.arn, "default_version": p.default_version, "versions": p.versions}
            for p in self.attached_policies
        ]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RoleSnapshot:
        fields = {k: v for k, v in data.items() if k != "service_linked"}
        fields["attached_policies"] = [AttachedPolicy(**p) for p in data["attached_policies"]]
        return cls(**fields)


@dataclass
class PrincipalPolicies:
    """The caller's side: its identity policies (documents), tags, and for a role session the role."""

    arn: str
    role_arn: str | None
    tags: dict[str, str]
    policies: list[dict[str, Any]]
    boundary: str | None


# An account holds at most 5,000 roles (IAM's quota): five pages of ListRoles. An endpoint that
# goes on paging past them, or gives a marker twice, is not listing roles any more.
_ROLE_PAGES = 5


class Reader:
    """Reads snapshots through one account's IAM client, counting its calls."""

    def __init__(self, iam: Any) -> None:
        self.iam = iam
        self.calls = 0

    def _call(self, operation: str, **params: Any) -> Any:
        self.calls += 1
        return getattr(self.iam, operation)(**params)

    def _find_role(self, name: str) -> dict[str, Any] | None:
        """GetRole, and where it fails, a case-insensitive search of ListRoles."""
        try:
            return dict(self._call("get_role", RoleName=name)["Role"])
        except ClientError as exc:
            if error_code(exc) != "NoSuchEntity":
                raise
        marker: str | None = None
        seen: set[str] = set()
        for _ in range(_ROLE_PAGES):
            page = self._call("list_roles", MaxItems=1000, **({"Marker": marker} if marker else {}))
            for role in page["Roles"]:
                if role["RoleName"].casefold() == name.casefold():
                    return dict(self._call("get_role", RoleName=role["RoleName"])["Role"])
            marker = page.get("Marker")
            if not page.get("IsTruncated") or not marker or marker in seen:
                return None
            seen.add(marker)
        return None

    def role(self, name: str) -> RoleSnapshot | None:
        """The role named `name` in any letter case, or None when there is none."""
        role = self._find_role(name)
        if role is None:
            return None
        attached = self._call("list_attached_role_policies", RoleName=role["RoleName"])["AttachedPolicies"]
        inline = self._call("list_role_policies", RoleName=role["RoleName"])["PolicyNames"]
        policies = []
        for item in attached:
            policy = AttachedPolicy(item["PolicyArn"])
            if not policy.aws_managed:
                versions = self._call("list_policy_versions", PolicyArn=policy.arn)["Versions"]
                policy.versions = sorted((v["VersionId"] for v in versions), key=lambda v: int(v[1:]))
                policy.default_version = next(
                    (v["VersionId"] for v in versions if v["IsDefaultVersion"]), None
                )
            policies.append(policy)
        arn = Arn.parse(role["Arn"])
        boundary = role.get("PermissionsBoundary") or {}
        return RoleSnapshot(
            arn=role["Arn"],
            name=role["RoleName"],
            account_id=arn.account if arn else "",
            path=role.get("Path", "/"),
            trust_policy=_document(role.get("AssumeRolePolicyDocument") or {}),
            max_session_duration=int(role.get("MaxSessionDuration", 3600)),
            attached_policies=policies,
            inline_policies=list(inline),
            permissions_boundary=boundary.get("PermissionsBoundaryArn"),
            tags={t["Key"]: t["Value"] for t in role.get("Tags") or []},
        )

    def _documents(self, kind: str, name: str) -> list[dict[str, Any]]:
        """The identity policy documents of a user, group or role: managed (default version) and inline."""
        documents = []
        attached = self._call(f"list_attached_{kind}_policies", **{f"{kind.title()}Name": name})[
            "AttachedPolicies"
        ]
        for item in attached:
            version = self._call("get_policy", PolicyArn=item["PolicyArn"])["Policy"]["DefaultVersionId"]
            body = self._call("get_policy_version", PolicyArn=item["PolicyArn"], VersionId=version)
            documents.append(_document(body["PolicyVersion"]["Document"]))
        for policy_name in self._call(f"list_{kind}_policies", **{f"{kind.title()}Name": name})[
            "PolicyNames"
        ]:
            body = self._call(
                f"get_{kind}_policy", **{f"{kind.title()}Name": name, "PolicyName": policy_name}
            )
            documents.append(_document(body["PolicyDocument"]))
        return documents

    def principal(self, caller_arn: str) -> PrincipalPolicies | None:
        """The caller's identity policies and tags (a user with its groups, or a role or session's role)."""
        arn = Arn.parse(caller_arn)
        if arn is None:
            return None
        role_name = arn.session_role_name or (arn.name if arn.resource_type == "role" else None)
        if role_name:
            role = self._find_role(role_name)
            if role is None:
                return None
            return PrincipalPolicies(
                arn=caller_arn,
                role_arn=role["Arn"],
                tags={t["Key"]: t["Value"] for t in role.get("Tags") or []},
                policies=self._documents("role", role["RoleName"]),
                boundary=(role.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn"),
            )
        if arn.resource_type == "user":
            user = self._call("get_user", UserName=arn.name)["User"]
            documents = self._documents("user", arn.name)
            for group in self._call("list_groups_for_user", UserName=arn.name)["Groups"]:
                documents += self._documents("group", group["GroupName"])
            return PrincipalPolicies(
                arn=caller_arn,
                role_arn=None,
                tags={t["Key"]: t["Value"] for t in user.get("Tags") or []},
                policies=documents,
                boundary=(user.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn"),
            )
        return None
