"""The AssumeRole verdict against the AWS documentation's own examples.

Each case names its source: "Troubleshooting IAM roles" (the seed page, "I can't assume a role"),
"Principal" (AWS JSON policy elements: Principal), "Cross account resource access" / "Cross-account
policy evaluation logic", "Policy evaluation logic", "External ID" (Access to AWS accounts owned by
third parties: external ID), "MFA-protected API access", "Condition operators" and "Variables and tags".
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bot.iam.policy import PolicyDocument
from bot.iam.trust import Caller, TrustVerdict, assume_role_verdict

V = "2012-10-17"
ROLE = "arn:aws:iam::123456789012:role/role-name-you-want-to-assume"
OTHER = "444455556666"
IN_2017 = datetime(2017, 9, 1, tzinfo=UTC)
LATER = datetime(2024, 5, 1, 9, 30, tzinfo=UTC)
SAME_USER = "arn:aws:iam::123456789012:user/Carlos"
CROSS_USER = f"arn:aws:iam::{OTHER}:user/Bob"


def trust(*statements: dict[str, Any]) -> PolicyDocument:
    return PolicyDocument.parse({"Version": V, "Statement": list(statements)})


def allow_assume(resource: str = ROLE, condition: dict[str, Any] | None = None) -> list[PolicyDocument]:
    """The caller's identity policy from the seed page: Allow sts:AssumeRole on the role."""
    statement: dict[str, Any] = {
        "Sid": "AssumeTheRole",
        "Effect": "Allow",
        "Action": "sts:AssumeRole",
        "Resource": resource,
    }
    if condition:
        statement["Condition"] = condition
    return [PolicyDocument.parse({"Version": V, "Statement": statement})]


def principal(value: Any, condition: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": "Allow", "Principal": value, "Action": "sts:AssumeRole", **extra}
    if condition:
        statement["Condition"] = condition
    return statement


SEED_TRUST = trust(
    principal(
        {"AWS": "arn:aws:iam::123456789012:root"},
        {
            "DateGreaterThan": {"aws:CurrentTime": "2017-07-01T00:00:00Z"},
            "DateLessThan": {"aws:CurrentTime": "2017-12-31T23:59:59Z"},
        },
        Sid="TrustAccountIn2017",
    )
)
EXTERNAL_ID_TRUST = trust(
    principal({"AWS": OTHER}, {"StringEquals": {"sts:ExternalId": "12345"}}, Sid="ExampleCorp")
)
TAG_POLICY = allow_assume("*", {"StringEquals": {"aws:PrincipalTag/department": ["HR", "CS"]}})
ACCOUNT_TRUST = trust(principal({"AWS": "arn:aws:iam::123456789012:root"}))
DEPLOYER_ROLE = "arn:aws:iam::123456789012:role/team/Deployer"
DEPLOYER_SESSION = "arn:aws:sts::123456789012:assumed-role/Deployer/ci-42"

# (source, trust policy, caller, keyword arguments, expected verdict, expected missing_context)
CASES: list[tuple[str, PolicyDocument, Caller, dict[str, Any], str, list[str]]] = [
    (
        "Troubleshooting IAM roles > I can't assume a role: trusted account, inside 2017-07-01..2017-12-31",
        SEED_TRUST,
        Caller(SAME_USER, identity_policies=allow_assume()),
        {"now": IN_2017},
        "allowed",
        [],
    ),
    (
        "Troubleshooting IAM roles > I can't assume a role: after the dates the policy does not match",
        SEED_TRUST,
        Caller(SAME_USER, identity_policies=allow_assume()),
        {"now": LATER},
        "denied",
        [],
    ),
    (
        "Troubleshooting IAM roles > I can't assume a role: before the dates the policy does not match",
        SEED_TRUST,
        Caller(SAME_USER, identity_policies=allow_assume()),
        {"now": datetime(2017, 6, 30, tzinfo=UTC)},
        "denied",
        [],
    ),
    (
        "Troubleshooting IAM roles > the account is not in the trust policy, whatever the access policy grants",
        SEED_TRUST,
        Caller(CROSS_USER, identity_policies=allow_assume("*")),
        {"now": IN_2017},
        "denied",
        [],
    ),
    (
        "Troubleshooting IAM roles > the IAM policy must allow sts:AssumeRole on the role (:root delegates)",
        SEED_TRUST,
        Caller(SAME_USER, identity_policies=[]),
        {"now": IN_2017},
        "denied",
        [],
    ),
    (
        "Troubleshooting IAM roles > :root delegates, and the caller's policies were not read",
        SEED_TRUST,
        Caller(SAME_USER),
        {"now": IN_2017},
        "undetermined",
        [],
    ),
    (
        "Troubleshooting IAM roles > the identity policy's own date condition (DateLessThan 2016-05-01) expired",
        ACCOUNT_TRUST,
        Caller(
            SAME_USER,
            identity_policies=allow_assume(
                condition={"DateLessThan": {"aws:CurrentTime": "2016-05-01T12:00:00Z"}}
            ),
        ),
        {"now": LATER},
        "denied",
        [],
    ),
    (
        "Policy evaluation logic > single account: a trust policy naming the user ARN is enough",
        trust(principal({"AWS": SAME_USER})),
        Caller(SAME_USER, identity_policies=[]),
        {},
        "allowed",
        [],
    ),
    (
        "Policy evaluation logic > single account: naming the user needs no identity policy, even unread",
        trust(principal({"AWS": SAME_USER})),
        Caller(SAME_USER),
        {},
        "allowed",
        [],
    ),
    (
        "Principal > AWS account principals: the bare account id delegates like :root",
        trust(principal({"AWS": "123456789012"})),
        Caller(SAME_USER, identity_policies=allow_assume()),
        {},
        "allowed",
        [],
    ),
    (
        'Principal > All principals: "*" needs no other permission within the account',
        trust(principal("*")),
        Caller(SAME_USER, identity_policies=[]),
        {},
        "allowed",
        [],
    ),
    (
        "Cross-account policy evaluation logic > the trust policy alone is not enough across accounts",
        trust(principal({"AWS": CROSS_USER})),
        Caller(CROSS_USER, identity_policies=[]),
        {},
        "denied",
        [],
    ),
    (
        "Cross-account policy evaluation logic > both evaluations allow",
        trust(principal({"AWS": CROSS_USER})),
        Caller(CROSS_USER, identity_policies=allow_assume()),
        {},
        "allowed",
        [],
    ),
    (
        "Cross account resource access > the trusted account's identity policy was not read",
        trust(principal({"AWS": f"arn:aws:iam::{OTHER}:root"})),
        Caller(CROSS_USER),
        {},
        "undetermined",
        [],
    ),
    (
        "Cross account resource access > trust names the account, the identity policy allows the role",
        trust(principal({"AWS": f"arn:aws:iam::{OTHER}:root"})),
        Caller(CROSS_USER, identity_policies=allow_assume()),
        {},
        "allowed",
        [],
    ),
    (
        "Cross account resource access > an identity Allow on another role does not count",
        trust(principal({"AWS": f"arn:aws:iam::{OTHER}:root"})),
        Caller(CROSS_USER, identity_policies=allow_assume("arn:aws:iam::123456789012:role/SomeOtherRole")),
        {},
        "denied",
        [],
    ),
    (
        "Policy evaluation logic > an explicit deny in the trust policy overrides its allow",
        trust(
            principal({"AWS": "arn:aws:iam::123456789012:root"}),
            {
                "Sid": "NoCarlos",
                "Effect": "Deny",
                "Principal": {"AWS": SAME_USER},
                "Action": "sts:AssumeRole",
            },
        ),
        Caller(SAME_USER, identity_policies=allow_assume()),
        {},
        "denied",
        [],
    ),
    (
        "Policy evaluation logic > an explicit deny in the identity policy wins over a trust naming the user",
        trust(principal({"AWS": SAME_USER})),
        Caller(
            SAME_USER,
            identity_policies=[
                PolicyDocument.parse(
                    {
                        "Version": V,
                        "Statement": {
                            "Sid": "NoRoles",
                            "Effect": "Deny",
                            "Action": "sts:AssumeRole",
                            "Resource": "*",
                        },
                    }
                )
            ],
        ),
        {},
        "denied",
        [],
    ),
    (
        "External ID > the call includes the external ID 12345",
        EXTERNAL_ID_TRUST,
        Caller(CROSS_USER, identity_policies=allow_assume()),
        {"external_id": "12345"},
        "allowed",
        [],
    ),
    (
        "External ID > another customer's external ID 67890 fails",
        EXTERNAL_ID_TRUST,
        Caller(CROSS_USER, identity_policies=allow_assume()),
        {"external_id": "67890"},
        "denied",
        [],
    ),
    (
        "External ID > a call known to pass no external ID fails",
        EXTERNAL_ID_TRUST,
        Caller(CROSS_USER, identity_policies=allow_assume()),
        {"context": {"sts:ExternalId": None}},
        "denied",
        [],
    ),
    (
        "External ID > the bot does not know the external ID of the call",
        EXTERNAL_ID_TRUST,
        Caller(CROSS_USER, identity_policies=allow_assume()),
        {},
        "undetermined",
        ["sts:ExternalId"],
    ),
    (
        "Troubleshooting IAM roles > principal tags required: department = HR",
        ACCOUNT_TRUST,
        Caller(SAME_USER, tags={"department": "HR"}, identity_policies=TAG_POLICY),
        {},
        "allowed",
        [],
    ),
    (
        "Troubleshooting IAM roles > principal tags required: department = CS",
        ACCOUNT_TRUST,
        Caller(SAME_USER, tags={"department": "CS"}, identity_policies=TAG_POLICY),
        {},
        "allowed",
        [],
    ),
    (
        "Troubleshooting IAM roles > principal tags required: another department",
        ACCOUNT_TRUST,
        Caller(SAME_USER, tags={"department": "Sales"}, identity_policies=TAG_POLICY),
        {},
        "denied",
        [],
    ),
    (
        "Troubleshooting IAM roles > principal tags required: a caller without the tag",
        ACCOUNT_TRUST,
        Caller(SAME_USER, tags={}, identity_policies=TAG_POLICY),
        {},
        "denied",
        [],
    ),
    (
        "Troubleshooting IAM roles > principal tags required: the caller's tags were not read",
        ACCOUNT_TRUST,
        Caller(SAME_USER, identity_policies=TAG_POLICY),
        {},
        "undetermined",
        ["aws:PrincipalTag/department"],
    ),
    (
        "Principal > AWS service principals: a service role's trust does not admit a user",
        trust(principal({"Service": "ec2.amazonaws.com"})),
        Caller(SAME_USER, identity_policies=allow_assume()),
        {},
        "denied",
        [],
    ),
    (
        "Principal > SAML session principals: a Federated principal does not admit a user's AssumeRole",
        trust(
            {
                "Effect": "Allow",
                "Principal": {"Federated": "arn:aws:iam::123456789012:saml-provider/ExampleIdP"},
                "Action": "sts:AssumeRoleWithSAML",
            }
        ),
        Caller(SAME_USER, identity_policies=allow_assume()),
        {},
        "denied",
        [],
    ),
    (
        "Principal > IAM user principals: a deleted and recreated user leaves its unique id in the policy",
        trust(principal({"AWS": "AIDAJQABLZS4A3QDU576Q"})),
        Caller(SAME_USER, identity_policies=[]),
        {},
        "denied",
        [],
    ),
    (
        "Action > the action must match: sts:AssumeRoleWithWebIdentity is not sts:AssumeRole",
        trust(
            {"Effect": "Allow", "Principal": {"AWS": SAME_USER}, "Action": "sts:AssumeRoleWithWebIdentity"}
        ),
        Caller(SAME_USER, identity_policies=allow_assume()),
        {},
        "denied",
        [],
    ),
    (
        "Principal > IAM role principals: a role ARN admits that role's sessions (path from the role)",
        trust(principal({"AWS": DEPLOYER_ROLE})),
        Caller(DEPLOYER_SESSION, role_arn=DEPLOYER_ROLE, identity_policies=[]),
        {},
        "allowed",
        [],
    ),
    (
        "Principal > Assumed-role session principals: only the named session",
        trust(principal({"AWS": "arn:aws:sts::123456789012:assumed-role/Deployer/release"})),
        Caller(DEPLOYER_SESSION, role_arn=DEPLOYER_ROLE, identity_policies=[]),
        {},
        "denied",
        [],
    ),
    (
        "Principal > IAM role principals: aws:PrincipalArn is the role's ARN, not the session's",
        trust(
            principal(
                {"AWS": "123456789012"},
                {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::123456789012:role/team/*"}},
            )
        ),
        Caller(DEPLOYER_SESSION, role_arn=DEPLOYER_ROLE, identity_policies=allow_assume()),
        {},
        "allowed",
        [],
    ),
    (
        "Principal > IAM role principals: without the role's ARN its path is unknown",
        trust(
            principal(
                {"AWS": "123456789012"},
                {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::123456789012:role/team/*"}},
            )
        ),
        Caller(DEPLOYER_SESSION, identity_policies=allow_assume()),
        {},
        "undetermined",
        ["aws:PrincipalArn"],
    ),
    (
        "Troubleshooting IAM roles > a trust condition on the source IP the bot does not know",
        trust(principal({"AWS": "123456789012"}, {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}})),
        Caller(SAME_USER, identity_policies=allow_assume()),
        {},
        "undetermined",
        ["aws:SourceIp"],
    ),
    (
        "Condition operators > IP address: the caller's address is in 203.0.113.0/24",
        trust(principal({"AWS": "123456789012"}, {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}})),
        Caller(SAME_USER, identity_policies=allow_assume(), source_ip="203.0.113.10"),
        {},
        "allowed",
        [],
    ),
    (
        "Condition operators > IP address: the caller's address is outside the range",
        trust(principal({"AWS": "123456789012"}, {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}})),
        Caller(SAME_USER, identity_policies=allow_assume(), source_ip="198.51.100.4"),
        {},
        "denied",
        [],
    ),
    (
        "MFA-protected API access > trust requires aws:MultiFactorAuthPresent, the bot cannot tell",
        trust(principal({"AWS": CROSS_USER}, {"Bool": {"aws:MultiFactorAuthPresent": "true"}})),
        Caller(CROSS_USER, identity_policies=allow_assume()),
        {},
        "undetermined",
        ["aws:MultiFactorAuthPresent"],
    ),
    (
        "MFA-protected API access > the caller is known to have no MFA",
        trust(principal({"AWS": CROSS_USER}, {"Bool": {"aws:MultiFactorAuthPresent": "true"}})),
        Caller(CROSS_USER, identity_policies=allow_assume(), mfa=False),
        {},
        "denied",
        [],
    ),
    (
        "MFA-protected API access > the caller signed in with MFA",
        trust(principal({"AWS": CROSS_USER}, {"Bool": {"aws:MultiFactorAuthPresent": "true"}})),
        Caller(CROSS_USER, identity_policies=allow_assume(), mfa=True),
        {},
        "allowed",
        [],
    ),
    (
        "Variables and tags > aws:username is present only for IAM users (StringEquals in trust)",
        trust(principal({"AWS": "123456789012"}, {"StringEquals": {"aws:username": "Carlos"}})),
        Caller(SAME_USER, identity_policies=allow_assume()),
        {},
        "allowed",
        [],
    ),
    (
        "Permissions boundaries > a boundary that does not allow sts:AssumeRole limits the identity grant",
        ACCOUNT_TRUST,
        Caller(
            SAME_USER,
            identity_policies=allow_assume(),
            permissions_boundary=PolicyDocument.parse(
                {"Version": V, "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}}
            ),
        ),
        {},
        "denied",
        [],
    ),
]


@pytest.mark.parametrize(
    ("source", "trust_policy", "caller", "kwargs", "expected", "missing"), CASES, ids=[c[0] for c in CASES]
)
def test_assume_role(
    source: str,
    trust_policy: PolicyDocument,
    caller: Caller,
    kwargs: dict[str, Any],
    expected: str,
    missing: list[str],
) -> None:
    verdict = assume_role_verdict(ROLE, trust_policy, caller, **kwargs)
    assert (verdict.assume, verdict.missing_context) == (expected, missing), (source, verdict.reasons)
    assert verdict.reasons, source


def reasons(verdict: TrustVerdict) -> str:
    return " ".join(verdict.reasons)


def test_expiry_reason_names_the_statement_and_the_date() -> None:
    # Troubleshooting IAM roles: outside 2017-07-01..2017-12-31 the trust policy no longer matches.
    verdict = assume_role_verdict(
        ROLE, SEED_TRUST, Caller(SAME_USER, identity_policies=allow_assume()), now=LATER
    )
    assert verdict.trust_allows is False and verdict.identity_allows is True
    assert 'Statement "TrustAccountIn2017"' in reasons(verdict) and "expired" in reasons(verdict)
    assert "2017-12-31T23:59:59Z" in reasons(verdict)


def test_external_id_reasons() -> None:
    # External ID: the role's owner requires the ID Example Corp assigned.
    caller = Caller(CROSS_USER, identity_policies=allow_assume())
    missing = assume_role_verdict(ROLE, EXTERNAL_ID_TRUST, caller, context={"sts:ExternalId": None})
    assert "external ID" in reasons(missing) and 'Statement "ExampleCorp"' in reasons(missing)
    unknown = assume_role_verdict(ROLE, EXTERNAL_ID_TRUST, caller)
    assert "sts:ExternalId" in reasons(unknown) and unknown.trust_allows is None


def test_principal_tag_reason() -> None:
    # Troubleshooting IAM roles: tagged department = HR or department = CS, otherwise the role cannot be assumed.
    verdict = assume_role_verdict(
        ROLE, ACCOUNT_TRUST, Caller(SAME_USER, tags={"department": "Sales"}, identity_policies=TAG_POLICY)
    )
    assert "department = HR or CS" in reasons(verdict) and "Sales" in reasons(verdict)
    assert 'Statement "AssumeTheRole"' in reasons(verdict)


def test_other_action_reason() -> None:
    # Action: a trust statement naming the caller for another STS action does not allow sts:AssumeRole.
    policy = trust(
        {"Sid": "Web", "Effect": "Allow", "Principal": {"AWS": SAME_USER}, "Action": "sts:TagSession"}
    )
    verdict = assume_role_verdict(ROLE, policy, Caller(SAME_USER, identity_policies=[]))
    assert 'Statement "Web"' in reasons(verdict) and "only sts:TagSession" in reasons(verdict)


def test_deleted_principal_and_service_only_reasons() -> None:
    # Principal > IAM user principals / AWS service principals.
    deleted = assume_role_verdict(
        ROLE, trust(principal({"AWS": "AIDAJQABLZS4A3QDU576Q"})), Caller(SAME_USER, identity_policies=[])
    )
    assert "AIDAJQABLZS4A3QDU576Q" in reasons(deleted) and "deleted" in reasons(deleted)
    service = assume_role_verdict(
        ROLE, trust(principal({"Service": "ec2.amazonaws.com"})), Caller(SAME_USER, identity_policies=[])
    )
    assert "Service principals" in reasons(service)


def test_unread_layers() -> None:
    # Policy evaluation logic: SCPs, RCPs, boundaries and session policies the bot cannot read are named.
    user = assume_role_verdict(ROLE, trust(principal({"AWS": SAME_USER})), Caller(SAME_USER))
    assert user.unread_layers == ["scp", "rcp", "identity-based", "permissions-boundary"]
    session = assume_role_verdict(
        ROLE,
        trust(principal({"AWS": DEPLOYER_ROLE})),
        Caller(DEPLOYER_SESSION, role_arn=DEPLOYER_ROLE, identity_policies=[], permissions_boundary="none"),
    )
    assert session.assume == "allowed" and session.unread_layers == ["scp", "rcp", "session"]


def test_cross_account_reason_explains_both_halves() -> None:
    # Cross-account policy evaluation logic: the request is allowed only if both evaluations allow it.
    verdict = assume_role_verdict(ROLE, trust(principal({"AWS": CROSS_USER})), Caller(CROSS_USER))
    assert verdict.assume == "undetermined" and "identity-based" in verdict.unread_layers
    assert f"account {OTHER}" in reasons(verdict) and "not read" in reasons(verdict)


def test_current_time_comes_from_now() -> None:
    # Condition operators > Date: aws:CurrentTime is filled from the caller's clock, never left unknown.
    verdict = assume_role_verdict(ROLE, SEED_TRUST, Caller(SAME_USER, identity_policies=allow_assume()))
    assert verdict.assume == "denied" and verdict.missing_context == []
