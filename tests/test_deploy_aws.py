"""The AWS deployment templates (deploy/aws/): lint-clean, read-only by construction, and a hub role
that can do nothing but assume the read-only role in the allowed accounts.

The templates are read with a YAML loader that accepts CloudFormation's short-form tags (!Ref,
!Sub, ...) and their intrinsic functions are resolved here for given parameter values, so the
policies are checked as AWS would see them after deployment, not only as written.
"""

from __future__ import annotations

import fnmatch
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
AWS_DIR = ROOT / "deploy" / "aws"
READONLY_TEMPLATE = AWS_DIR / "readonly-role.yaml"
HUB_TEMPLATE = AWS_DIR / "hub-role.yaml"
ACTIONS_FILE = AWS_DIR.parent.parent / "bot" / "inspect" / "readonly_actions.txt"

WRITE_VERBS = (
    "Create",
    "Put",
    "Update",
    "Delete",
    "Attach",
    "Detach",
    "Tag",
    "Untag",
    "Set",
    "Add",
    "Remove",
    "Pass",
    "Upload",
)
READ_VERBS = ("Get", "List", "Lookup", "Decode")
# Actions cfn-lint's action catalogue does not know yet (IAM Access Troubleshooter is in preview);
# only a policy holding nothing but these may switch off cfn-lint's unknown-action check (W3037).
PREVIEW_ACTIONS = {"iam:GetRequestAuthorizationDetails"}
POLICY_RESOURCE_TYPES = {"AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::RolePolicy"}
ROLE_NAME = "IamRoleDoctorReadOnly"
HUB_ROLE_ARN = "arn:aws:iam::999999999999:role/iamrole-bot-hub"


# --- reading and resolving templates ------------------------------------------------------------


class _CfnLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short-form tags read as their long forms ({"Fn::Sub": ...})."""


def _intrinsic(loader: _CfnLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = suffix if suffix in ("Ref", "Condition") else f"Fn::{suffix}"
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {name: value}


_CfnLoader.add_multi_constructor("!", _intrinsic)


def load_template(path: Path) -> dict[str, Any]:
    template = yaml.load(path.read_text(), Loader=_CfnLoader)
    assert isinstance(template, dict)
    return template


_NO_VALUE = object()


class Stack:
    """A template with its parameters filled in: resolves Ref, Fn::Sub, Fn::Join, Fn::Split,
    Fn::Select, Fn::If (with the template's conditions) and AWS::NoValue."""

    def __init__(
        self, template: dict[str, Any], params: dict[str, Any] | None = None, partition: str = "aws"
    ) -> None:
        self.template = template
        self.refs: dict[str, Any] = {
            "AWS::Partition": partition,
            "AWS::AccountId": "999999999999",
            "AWS::Region": {"aws": "us-east-1", "aws-cn": "cn-north-1"}.get(partition, "us-gov-west-1"),
            "AWS::StackName": "test-stack",
        }
        for name, spec in template.get("Parameters", {}).items():
            if "Default" in spec:
                default = spec["Default"]
                if spec["Type"] == "CommaDelimitedList":
                    default = default.split(",")
                self.refs[name] = default
        self.refs.update(params or {})
        self._conditions: dict[str, bool] = {}

    def condition(self, name: str) -> bool:
        if name not in self._conditions:
            self._conditions[name] = self._evaluate(self.template["Conditions"][name])
        return self._conditions[name]

    def _evaluate(self, expr: dict[str, Any]) -> bool:
        ((function, args),) = expr.items()
        if function == "Condition":
            return self.condition(args)
        if function == "Fn::Equals":
            return bool(self.resolve(args[0]) == self.resolve(args[1]))
        if function == "Fn::Not":
            return not self._evaluate(args[0])
        if function == "Fn::And":
            return all(self._evaluate(arg) for arg in args)
        if function == "Fn::Or":
            return any(self._evaluate(arg) for arg in args)
        raise AssertionError(f"unsupported condition function {function}")

    def _ref(self, name: str) -> Any:
        if name == "AWS::NoValue":
            return _NO_VALUE
        if name in self.refs:
            return self.refs[name]
        assert name in self.template["Resources"], f"Ref to unknown name {name}"
        return f"<{name}>"

    def _sub(self, args: Any) -> str:
        text, variables = (args, {}) if isinstance(args, str) else (args[0], self.resolve(args[1]))

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in variables:
                return str(variables[name])
            if "." in name:  # ${Resource.Attribute}
                return f"<{name}>"
            value = self._ref(name)
            assert isinstance(value, str), f"${{{name}}} in Fn::Sub must be a string"
            return value

        return re.sub(r"\$\{([^}]+)\}", replace, text)

    def resolve(self, node: Any) -> Any:
        if isinstance(node, list):
            return [value for value in (self.resolve(item) for item in node) if value is not _NO_VALUE]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            ((key, args),) = node.items()
            if key == "Ref":
                return self._ref(args)
            if key == "Fn::Sub":
                return self._sub(args)
            if key == "Fn::Join":
                return args[0].join(self.resolve(args[1]))
            if key == "Fn::Split":
                return self.resolve(args[1]).split(args[0])
            if key == "Fn::Select":
                return self.resolve(args[1])[int(self.resolve(args[0]))]
            if key == "Fn::If":
                return self.resolve(args[1] if self.condition(args[0]) else args[2])
            if key == "Fn::GetAtt":
                return "<{}.{}>".format(*args)
            assert not key.startswith("Fn::"), f"unsupported intrinsic function {key}"
        return {
            key: value
            for key, value in ((k, self.resolve(v)) for k, v in node.items())
            if value is not _NO_VALUE
        }

    def resources(self, kind: str) -> dict[str, dict[str, Any]]:
        return {
            name: resource
            for name, resource in self.template["Resources"].items()
            if resource["Type"] == kind
            and ("Condition" not in resource or self.condition(resource["Condition"]))
        }


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def permission_statements(stack: Stack, role: str) -> list[dict[str, Any]]:
    """Every statement of every permissions policy (inline or separate) that applies to the role."""
    properties = stack.template["Resources"][role]["Properties"]
    documents = [policy["PolicyDocument"] for policy in properties.get("Policies", [])]
    for name, resource in stack.template["Resources"].items():
        if resource["Type"] in POLICY_RESOURCE_TYPES:
            attached = resource["Properties"].get("RoleName") or resource["Properties"].get("Roles")
            assert {"Ref": role} in as_list(attached), f"{name} must apply to {role}"
            documents.append(resource["Properties"]["PolicyDocument"])
    resolved = [stack.resolve(document) for document in documents]
    return [statement for document in resolved for statement in as_list(document["Statement"])]


def readonly_actions() -> list[str]:
    return ACTIONS_FILE.read_text().splitlines()


# --- IAM evaluation, enough for these identity policies --------------------------------------


def _arn_matches(pattern: str, arn: str) -> bool:
    # Resource ARNs match segment by segment; * and ? do not cross a ':'.
    pattern_parts, arn_parts = pattern.split(":", 5), arn.split(":", 5)
    return len(pattern_parts) == len(arn_parts) == 6 and all(
        fnmatch.fnmatchcase(part, glob) for glob, part in zip(pattern_parts, arn_parts, strict=True)
    )


def _statement_applies(statement: dict[str, Any], action: str, arn: str) -> bool:
    assert "Condition" not in statement, "the evaluator here does not handle conditions"
    if "Action" in statement:
        action_ok = any(fnmatch.fnmatchcase(action.lower(), a.lower()) for a in as_list(statement["Action"]))
    else:
        action_ok = not any(
            fnmatch.fnmatchcase(action.lower(), a.lower()) for a in as_list(statement["NotAction"])
        )
    if "Resource" in statement:
        resource_ok = any(_arn_matches(r, arn) for r in as_list(statement["Resource"]))
    else:
        resource_ok = not any(_arn_matches(r, arn) for r in as_list(statement["NotResource"]))
    return action_ok and resource_ok


def is_allowed(statements: list[dict[str, Any]], action: str, arn: str) -> bool:
    applying = [s["Effect"] for s in statements if _statement_applies(s, action, arn)]
    return "Allow" in applying and "Deny" not in applying


# --- (1) cfn-lint ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [READONLY_TEMPLATE, HUB_TEMPLATE], ids=lambda p: p.name)
def test_template_passes_cfn_lint(path: Path) -> None:
    # cfn-lint (PyPI package "cfn-lint") is a test-only dependency.
    from cfnlint.api import lint

    matches = lint(path.read_text(), regions=["us-east-1", "eu-west-1", "cn-north-1", "us-gov-west-1"])
    found = [f"{m.rule.id} line {m.linenumber}: {m.message[:200]}" for m in matches]
    errors = [line for line in found if line.startswith("E")]
    assert errors == [], "cfn-lint errors:\n" + "\n".join(errors)
    assert found == [], "cfn-lint warnings:\n" + "\n".join(found)


@pytest.mark.parametrize("path", [READONLY_TEMPLATE, HUB_TEMPLATE], ids=lambda p: p.name)
def test_cfn_lint_is_silenced_only_for_preview_actions(path: Path) -> None:
    template = load_template(path)
    assert "cfn-lint" not in template.get("Metadata", {})
    stack = Stack(
        template, {"HubRoleArn": HUB_ROLE_ARN, "ExternalId": "x" * 32, "TargetAccountIds": ["1" * 12]}
    )
    for name, resource in template["Resources"].items():
        lint_config = resource.get("Metadata", {}).get("cfn-lint")
        if lint_config is None:
            continue
        assert lint_config == {"config": {"ignore_checks": ["W3037"]}}, name
        assert resource["Type"] in POLICY_RESOURCE_TYPES, name
        document = stack.resolve(resource["Properties"]["PolicyDocument"])
        actions = {a for statement in as_list(document["Statement"]) for a in as_list(statement["Action"])}
        assert actions <= PREVIEW_ACTIONS, (
            f"{name} hides cfn-lint's action check from {actions - PREVIEW_ACTIONS}"
        )


# --- (2) the read-only role --------------------------------------------------------------------


def test_readonly_actions_file_is_a_plain_list_of_read_apis() -> None:
    actions = readonly_actions()
    assert actions, "readonly_actions.txt is empty"
    assert len(actions) == len(set(actions)), "duplicate actions"
    for action in actions:
        assert re.fullmatch(r"[a-z0-9-]+:[A-Z][A-Za-z0-9]+", action), f"not a plain action name: {action!r}"
        verb = action.split(":", 1)[1]
        assert not verb.startswith(WRITE_VERBS), f"write action {action}"
        assert verb.startswith(READ_VERBS), f"not a read action: {action}"


def readonly_stack(**params: Any) -> Stack:
    values = {"HubRoleArn": HUB_ROLE_ARN, "ExternalId": "s3cr3t-external-id-0123456789"}
    values.update(params)
    return Stack(load_template(READONLY_TEMPLATE), values)


def test_readonly_policy_allows_exactly_the_allow_list() -> None:
    stack = readonly_stack()
    statements = permission_statements(stack, "ReadOnlyRole")
    allowed: list[str] = []
    for statement in statements:
        assert statement["Effect"] == "Allow"
        assert set(statement) <= {"Sid", "Effect", "Action", "Resource"}, statement
        assert statement["Resource"] == "*"
        allowed.extend(as_list(statement["Action"]))
    allow_list = readonly_actions()
    assert [a for a in allowed if a not in allow_list] == [], (
        "actions allowed but not in readonly_actions.txt"
    )
    assert len(allowed) == len(set(allowed)), "an action is allowed twice"
    assert set(allowed) == set(allow_list), "readonly_actions.txt lists actions the role does not allow"


def test_readonly_policy_has_no_wildcard_or_write_action() -> None:
    for statement in permission_statements(readonly_stack(), "ReadOnlyRole"):
        for action in as_list(statement["Action"]):
            assert "*" not in action and "?" not in action, f"wildcard action {action}"
            verb = action.split(":", 1)[1]
            assert not verb.lower().startswith(tuple(v.lower() for v in WRITE_VERBS)), (
                f"write action {action}"
            )


def test_readonly_role_gets_no_other_permissions() -> None:
    template = load_template(READONLY_TEMPLATE)
    kinds = {resource["Type"] for resource in template["Resources"].values()}
    assert kinds <= {"AWS::IAM::Role"} | POLICY_RESOURCE_TYPES
    roles = [name for name, r in template["Resources"].items() if r["Type"] == "AWS::IAM::Role"]
    assert roles == ["ReadOnlyRole"]
    properties = template["Resources"]["ReadOnlyRole"]["Properties"]
    assert "ManagedPolicyArns" not in properties
    assert properties["RoleName"] == {"Ref": "RoleName"}
    assert template["Parameters"]["RoleName"]["Default"] == ROLE_NAME
    assert properties.get("Path", "/") == "/", "the bot assumes arn:...:role/<name>, without a path"
    assert properties["Description"] and properties["Tags"]


def test_readonly_trust_policy_names_only_the_hub_role_and_requires_the_external_id() -> None:
    template = load_template(READONLY_TEMPLATE)
    trust = template["Resources"]["ReadOnlyRole"]["Properties"]["AssumeRolePolicyDocument"]
    (statement,) = as_list(trust["Statement"])
    assert statement["Effect"] == "Allow"
    assert "NotPrincipal" not in statement and "NotAction" not in statement
    assert statement["Principal"] == {"AWS": {"Ref": "HubRoleArn"}}
    assert as_list(statement["Action"]) == ["sts:AssumeRole"]
    assert statement["Condition"] == {"StringEquals": {"sts:ExternalId": {"Ref": "ExternalId"}}}

    resolved = readonly_stack(ExternalId="abcdefgh-1234").resolve(trust)
    assert resolved["Statement"][0]["Principal"] == {"AWS": HUB_ROLE_ARN}
    assert resolved["Statement"][0]["Condition"] == {"StringEquals": {"sts:ExternalId": "abcdefgh-1234"}}


def test_readonly_parameters_keep_the_trust_narrow() -> None:
    parameters = load_template(READONLY_TEMPLATE)["Parameters"]
    external_id = parameters["ExternalId"]
    assert external_id["NoEcho"] is True
    assert external_id["MinLength"] >= 8
    assert "Default" not in external_id
    hub = parameters["HubRoleArn"]
    assert "Default" not in hub
    for good in (
        HUB_ROLE_ARN,
        "arn:aws-cn:iam::111122223333:role/service/iamrole-bot-hub",
        "arn:aws-us-gov:iam::111122223333:role/iamrole-bot-hub",
    ):
        assert re.fullmatch(hub["AllowedPattern"], good), good
    for bad in (
        "*",
        "111122223333",
        "arn:aws:iam::111122223333:root",
        "arn:aws:iam::*:role/iamrole-bot-hub",
        "arn:aws:iam::111122223333:role/*",
        "arn:aws:iam::111122223333:user/alice",
        "arn:aws:sts::111122223333:assumed-role/iamrole-bot-hub/session",
    ):
        assert not re.fullmatch(hub["AllowedPattern"], bad), bad


def test_readonly_max_session_duration_is_at_most_an_hour() -> None:
    template = load_template(READONLY_TEMPLATE)
    duration = template["Resources"]["ReadOnlyRole"]["Properties"]["MaxSessionDuration"]
    if isinstance(duration, dict):  # a parameter: its largest allowed value counts
        parameter = template["Parameters"][duration["Ref"]]
        assert int(parameter["MaxValue"]) <= 3600 and int(parameter["Default"]) <= 3600
    else:
        assert int(duration) <= 3600


def test_readonly_template_is_account_neutral_for_stacksets() -> None:
    template = load_template(READONLY_TEMPLATE)
    body = json.dumps([template["Resources"], template["Outputs"]])
    assert not re.search(r"\d{12}", body), "hard-coded account id"
    assert "arn:aws" not in body, "hard-coded partition: use ${AWS::Partition} or a parameter"
    assert set(template["Parameters"]) >= {"HubRoleArn", "ExternalId", "RoleName"}
    assert template["Outputs"]["RoleArn"]["Value"] == {"Fn::GetAtt": ["ReadOnlyRole", "Arn"]}


# --- (3) the hub role --------------------------------------------------------------------------


def hub_stack(
    accounts: list[str], role_name: str = ROLE_NAME, partition: str = "aws", **params: Any
) -> Stack:
    values = {"TargetAccountIds": accounts, "ReadOnlyRoleName": role_name, **params}
    return Stack(load_template(HUB_TEMPLATE), values, partition)


def test_hub_grants_nothing_but_assume_role_on_the_readonly_role() -> None:
    template = load_template(HUB_TEMPLATE)
    properties = template["Resources"]["HubRole"]["Properties"]
    assert "ManagedPolicyArns" not in properties
    assert not [r for r in template["Resources"].values() if r["Type"] in POLICY_RESOURCE_TYPES]
    for partition in ("aws", "aws-cn", "aws-us-gov"):
        for role_name in (ROLE_NAME, "Other.Name@x"):
            stack = hub_stack(["111111111111", "222222222222"], role_name, partition)
            statements = permission_statements(stack, "HubRole")
            assert statements
            for statement in statements:
                assert as_list(statement["Action"]) == ["sts:AssumeRole"], statement
                assert "Condition" not in statement and "NotAction" not in statement
                if statement["Effect"] == "Allow":
                    assert "NotResource" not in statement
                    for resource in as_list(statement["Resource"]):
                        target = rf"arn:{partition}:iam::(\d{{12}}|\*):role/{re.escape(role_name)}"
                        assert re.fullmatch(target, resource), resource
                else:
                    assert statement["Effect"] == "Deny"


@pytest.mark.parametrize("partition", ["aws", "aws-cn", "aws-us-gov"])
@pytest.mark.parametrize("accounts", [["111111111111"], ["111111111111", "222222222222", "444444444444"]])
def test_hub_may_assume_only_the_readonly_role_in_the_target_accounts(
    partition: str, accounts: list[str]
) -> None:
    statements = permission_statements(hub_stack(accounts, partition=partition), "HubRole")

    def role(account: str, name: str = ROLE_NAME) -> str:
        return f"arn:{partition}:iam::{account}:role/{name}"

    for account in accounts:
        assert is_allowed(statements, "sts:AssumeRole", role(account))
        assert is_allowed(statements, "STS:assumerole", role(account))  # actions ignore case
        for other_role in ("Admin", f"{ROLE_NAME}2", f"x{ROLE_NAME}", f"path/{ROLE_NAME}", ROLE_NAME.lower()):
            assert not is_allowed(statements, "sts:AssumeRole", role(account, other_role)), other_role
        for other_action in (
            "sts:AssumeRoleWithWebIdentity",
            "sts:AssumeRoleWithSAML",
            "sts:TagSession",
            "sts:GetSessionToken",
            "iam:GetRole",
            "iam:PassRole",
        ):
            assert not is_allowed(statements, other_action, role(account)), other_action
    for outsider in ("333333333333", "999999999999", "11111111111", "1111111111111"):
        assert not is_allowed(statements, "sts:AssumeRole", role(outsider)), outsider
    assert not is_allowed(
        statements, "sts:AssumeRole", f"arn:{partition}:iam::{accounts[0]}:user/{ROLE_NAME}"
    )


def test_hub_target_account_ids_are_validated() -> None:
    parameter = load_template(HUB_TEMPLATE)["Parameters"]["TargetAccountIds"]
    assert parameter["Type"] == "CommaDelimitedList"
    assert "Default" not in parameter
    assert re.fullmatch(parameter["AllowedPattern"], "111122223333")
    for bad in ("*", "", "11112222333", "1111222233334", "111122223333*"):
        assert not re.fullmatch(parameter["AllowedPattern"], bad), bad


@pytest.mark.parametrize(
    ("params", "principal", "actions", "condition", "instance_profile"),
    [
        (
            {},
            {"Service": "ecs-tasks.amazonaws.com"},
            ["sts:AssumeRole"],
            {"StringEquals": {"aws:SourceAccount": "999999999999"}},
            False,
        ),
        (
            {"ServicePrincipal": "pods.eks.amazonaws.com"},
            {"Service": "pods.eks.amazonaws.com"},
            ["sts:AssumeRole", "sts:TagSession"],
            None,
            False,
        ),
        (
            {"ServicePrincipal": "ec2.amazonaws.com"},
            {"Service": "ec2.amazonaws.com"},
            ["sts:AssumeRole"],
            None,
            True,
        ),
        (
            {"TrustedPrincipalArn": "arn:aws:iam::999999999999:role/platform-runner"},
            {"AWS": "arn:aws:iam::999999999999:role/platform-runner"},
            ["sts:AssumeRole"],
            None,
            False,
        ),
    ],
    ids=["ecs-default", "eks-pod-identity", "ec2", "trusted-principal-arn"],
)
def test_hub_trusts_only_the_bot_runtime(
    params: dict[str, str],
    principal: dict[str, str],
    actions: list[str],
    condition: dict[str, Any] | None,
    instance_profile: bool,
) -> None:
    stack = hub_stack(["111111111111"], **params)
    trust = stack.resolve(stack.template["Resources"]["HubRole"]["Properties"]["AssumeRolePolicyDocument"])
    (statement,) = trust["Statement"]
    assert statement["Effect"] == "Allow"
    assert statement["Principal"] == principal
    assert as_list(statement["Action"]) == actions
    assert statement.get("Condition") == condition
    assert bool(stack.resources("AWS::IAM::InstanceProfile")) is instance_profile


def test_hub_trusted_principal_must_be_a_role_or_user() -> None:
    pattern = load_template(HUB_TEMPLATE)["Parameters"]["TrustedPrincipalArn"]["AllowedPattern"]
    for good in ("", "arn:aws:iam::111122223333:role/runner", "arn:aws:iam::111122223333:user/ci"):
        assert re.fullmatch(pattern, good), good
    for bad in ("*", "111122223333", "arn:aws:iam::111122223333:root", "arn:aws:iam::*:role/runner"):
        assert not re.fullmatch(pattern, bad), bad


def test_hub_outputs_feed_the_readonly_stacks_and_the_bot() -> None:
    stack = hub_stack(["111111111111", "222222222222"])
    outputs = stack.resolve(stack.template["Outputs"])
    assert outputs["RoleArn"]["Value"] == "<HubRole.Arn>"
    assert outputs["AllowedAccounts"]["Value"] == "111111111111,222222222222"
    assert outputs["ReadOnlyRoleName"]["Value"] == ROLE_NAME
