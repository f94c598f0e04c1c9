"""The policy evaluator against the AWS IAM User Guide's own examples.

Each case names the page and section it comes from ("page > section"). Pages: "Condition operators"
(IAM JSON policy elements: Condition operators), "Condition" (IAM JSON policy elements: Condition),
"Multi-value conditions" (Condition with multiple keys or values: set operators), "Variables and tags"
(IAM policy elements: Variables and tags), "Principal" (AWS JSON policy elements: Principal), "Grammar"
(Grammar of the IAM JSON policy language), "Policy evaluation logic", and the element and example pages.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

import pytest

from bot.iam.policy import (
    Outcome,
    PolicyDocument,
    PolicyError,
    Principal,
    RequestContext,
    Statement,
    evaluate,
)

V = "2012-10-17"
Keys = Mapping[str, str | Sequence[str] | None]


def allow_with(condition: dict[str, Any], *, version: str | None = V) -> PolicyDocument:
    doc: dict[str, Any] = {
        "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": condition}
    }
    if version:
        doc["Version"] = version
    return PolicyDocument.parse(doc)


def run(
    policy: dict[str, Any] | PolicyDocument,
    keys: Keys | None = None,
    *,
    action: str = "s3:GetObject",
    resource: str = "arn:aws:s3:::amzn-s3-demo-bucket/key",
    principal: Principal | None = None,
    complete: bool = True,
) -> Outcome:
    """Evaluate as AWS does: by default every key not given is absent from the request."""
    doc = policy if isinstance(policy, PolicyDocument) else PolicyDocument.parse(policy)
    return evaluate(doc, RequestContext(action, resource, principal, keys or {}, complete=complete))


def verdict(outcome: Outcome) -> str:
    """allow / deny / none, or "unknown" when the decision hangs on keys the caller lacks."""
    return outcome.decision if outcome.determined else "unknown"


# (source, condition, request keys, expected) with a single Allow statement: "allow" when it applies.
CONDITION_CASES: list[tuple[str, dict[str, Any], dict[str, Any], str]] = [
    # String
    (
        "Condition operators > String: StringEquals on aws:PrincipalTag/job-category",
        {"StringEquals": {"aws:PrincipalTag/job-category": "iamuser-admin"}},
        {"aws:PrincipalTag/job-category": "iamuser-admin"},
        "allow",
    ),
    (
        "Condition operators > String: a different tag value does not match",
        {"StringEquals": {"aws:PrincipalTag/job-category": "iamuser-admin"}},
        {"aws:PrincipalTag/job-category": "billing"},
        "none",
    ),
    (
        "Condition operators > String: a user without the tag, the condition returns false",
        {"StringEquals": {"aws:PrincipalTag/job-category": "iamuser-admin"}},
        {},
        "none",
    ),
    (
        "Condition > key names are not case-sensitive, values are: JohnDoe is not johndoe",
        {"StringEquals": {"aws:username": "johndoe"}},
        {"AWS:UserName": "JohnDoe"},
        "none",
    ),
    (
        "Condition > key names are not case-sensitive (AWS:UserName is aws:username)",
        {"StringEquals": {"aws:username": "johndoe"}},
        {"AWS:UserName": "johndoe"},
        "allow",
    ),
    (
        "Condition > StringEqualsIgnoreCase matches johndoe or JohnDoe",
        {"StringEqualsIgnoreCase": {"aws:username": "johndoe"}},
        {"aws:username": "JohnDoe"},
        "allow",
    ),
    (
        "Condition operators > String: StringNotEquals, negated matching",
        {"StringNotEquals": {"aws:PrincipalTag/job-category": "iamuser-admin"}},
        {"aws:PrincipalTag/job-category": "billing"},
        "allow",
    ),
    (
        "Condition operators > a missing key makes a negated operator true (StringNotEquals)",
        {"StringNotEquals": {"aws:PrincipalTag/job-category": "iamuser-admin"}},
        {},
        "allow",
    ),
    (
        "Condition operators > String: StringNotEqualsIgnoreCase, negated matching ignoring case",
        {"StringNotEqualsIgnoreCase": {"aws:PrincipalTag/job-category": "iamuser-admin"}},
        {"aws:PrincipalTag/job-category": "IAMUSER-ADMIN"},
        "none",
    ),
    (
        "Condition operators > String: StringLike home directory with ${aws:username}",
        {"StringLike": {"s3:prefix": ["", "home/", "home/${aws:username}/"]}},
        {"s3:prefix": "home/David/", "aws:username": "David"},
        "allow",
    ),
    (
        "Condition operators > String: StringLike home directory, another user's prefix",
        {"StringLike": {"s3:prefix": ["", "home/", "home/${aws:username}/"]}},
        {"s3:prefix": "home/Adele/", "aws:username": "David"},
        "none",
    ),
    (
        "Condition operators > String: StringLike matches case-sensitively",
        {"StringLike": {"ec2:InstanceType": ["t1.*", "t2.*", "m3.*"]}},
        {"ec2:InstanceType": "T2.micro"},
        "none",
    ),
    (
        "Condition operators > String: StringLike single-character wildcard (?)",
        {"StringLike": {"ec2:InstanceType": "t?.micro"}},
        {"ec2:InstanceType": "t3.micro"},
        "allow",
    ),
    (
        "Condition operators > String: StringNotLike, negated wildcard matching",
        {"StringNotLike": {"s3:prefix": "home/*"}},
        {"s3:prefix": "home/David/"},
        "none",
    ),
    (
        "Condition operators > a missing key makes StringNotLike true",
        {"StringNotLike": {"s3:prefix": "home/*"}},
        {},
        "allow",
    ),
    # Numeric
    (
        "Condition operators > Numeric: NumericLessThanEquals s3:max-keys 10",
        {"NumericLessThanEquals": {"s3:max-keys": "10"}},
        {"s3:max-keys": "10"},
        "allow",
    ),
    (
        "Condition operators > Numeric: more than 10 keys is not allowed",
        {"NumericLessThanEquals": {"s3:max-keys": "10"}},
        {"s3:max-keys": "11"},
        "none",
    ),
    (
        "Condition operators > Numeric: integer or decimal values (NumericEquals 10 and 10.0)",
        {"NumericEquals": {"s3:max-keys": "10"}},
        {"s3:max-keys": "10.0"},
        "allow",
    ),
    (
        "Condition operators > Numeric: NumericNotEquals",
        {"NumericNotEquals": {"s3:max-keys": "10"}},
        {"s3:max-keys": "5"},
        "allow",
    ),
    (
        "Condition operators > Numeric: NumericLessThan",
        {"NumericLessThan": {"s3:max-keys": "10"}},
        {"s3:max-keys": "9.5"},
        "allow",
    ),
    (
        "Condition operators > Numeric: NumericGreaterThan is strict",
        {"NumericGreaterThan": {"s3:max-keys": "10"}},
        {"s3:max-keys": "10"},
        "none",
    ),
    (
        "Condition operators > Numeric: NumericGreaterThanEquals",
        {"NumericGreaterThanEquals": {"s3:max-keys": 10}},
        {"s3:max-keys": "10"},
        "allow",
    ),
    (
        "Condition operators > Numeric: a value that is not a number matches nothing",
        {"NumericLessThanEquals": {"s3:max-keys": "10"}},
        {"s3:max-keys": "ten"},
        "none",
    ),
    # Date
    (
        "Condition operators > Date: DateGreaterThan aws:TokenIssueTime (credentials issued in 2020)",
        {"DateGreaterThan": {"aws:TokenIssueTime": "2020-01-01T00:00:01Z"}},
        {"aws:TokenIssueTime": "2020-06-01T08:00:00Z"},
        "allow",
    ),
    (
        "Condition operators > Date: older credentials do not match",
        {"DateGreaterThan": {"aws:TokenIssueTime": "2020-01-01T00:00:01Z"}},
        {"aws:TokenIssueTime": "2019-12-31T23:59:59Z"},
        "none",
    ),
    (
        "Condition operators > Date: aws:TokenIssueTime is absent with access keys: denied",
        {"DateGreaterThan": {"aws:TokenIssueTime": "2020-01-01T00:00:01Z"}},
        {},
        "none",
    ),
    (
        "Condition operators > Date: epoch (UNIX) time values with aws:EpochTime",
        {"DateLessThan": {"aws:EpochTime": "1514764800"}},
        {"aws:EpochTime": "1514764799"},
        "allow",
    ),
    (
        "Condition operators > Date: ISO 8601 policy value against an epoch request value",
        {"DateLessThan": {"aws:CurrentTime": "2018-01-01T00:00:00Z"}},
        {"aws:CurrentTime": "1514764800"},
        "none",
    ),
    (
        "Condition operators > Date: W3C date without a time (YYYY-MM-DD)",
        {"DateEquals": {"aws:CurrentTime": "2017-07-01"}},
        {"aws:CurrentTime": "2017-07-01T00:00:00Z"},
        "allow",
    ),
    (
        "Condition operators > Date: W3C time zone offset (TZD)",
        {"DateLessThanEquals": {"aws:CurrentTime": "2017-12-31T23:59:59+09:00"}},
        {"aws:CurrentTime": "2017-12-31T14:59:59Z"},
        "allow",
    ),
    (
        "Condition operators > Date: DateGreaterThanEquals at the instant itself",
        {"DateGreaterThanEquals": {"aws:CurrentTime": "2017-07-01T00:00:00Z"}},
        {"aws:CurrentTime": "2017-07-01T00:00:00Z"},
        "allow",
    ),
    (
        "Condition operators > a missing key makes DateNotEquals true",
        {"DateNotEquals": {"aws:TokenIssueTime": "2020-01-01T00:00:00Z"}},
        {},
        "allow",
    ),
    # Boolean
    (
        "Condition operators > Boolean: Bool aws:SecureTransport true",
        {"Bool": {"aws:SecureTransport": "true"}},
        {"aws:SecureTransport": "true"},
        "allow",
    ),
    (
        'Grammar > condition_value may be a JSON Boolean (false is "false")',
        {"Bool": {"aws:SecureTransport": False}},
        {"aws:SecureTransport": "false"},
        "allow",
    ),
    # Binary
    (
        "Condition operators > Binary: BinaryEquals compares base-64 byte for byte",
        {"BinaryEquals": {"key": "QmluYXJ5VmFsdWVJbkJhc2U2NA=="}},
        {"key": "QmluYXJ5VmFsdWVJbkJhc2U2NA=="},
        "allow",
    ),
    (
        "Condition operators > Binary: other bytes do not match",
        {"BinaryEquals": {"key": "QmluYXJ5VmFsdWVJbkJhc2U2NA=="}},
        {"key": "T3RoZXJCeXRlcw=="},
        "none",
    ),
    # IP address
    (
        "Condition operators > IP address: IpAddress 203.0.113.0/24",
        {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
        {"aws:SourceIp": "203.0.113.77"},
        "allow",
    ),
    (
        "Condition operators > IP address: outside the range",
        {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
        {"aws:SourceIp": "198.51.100.7"},
        "none",
    ),
    (
        "Condition operators > IP address: IPv4 and IPv6 ranges mixed (2001:DB8:1234:5678::/64)",
        {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:DB8:1234:5678::/64"]}},
        {"aws:SourceIp": "2001:db8:1234:5678::1"},
        "allow",
    ),
    (
        "Condition operators > IP address: an address without a prefix is /32",
        {"IpAddress": {"aws:SourceIp": "203.0.113.7"}},
        {"aws:SourceIp": "203.0.113.8"},
        "none",
    ),
    (
        "Condition operators > IP address: no aws:SourceIp through a VPC endpoint, condition false",
        {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
        {},
        "none",
    ),
    # ARN
    (
        "Condition operators > ARN: ArnEquals aws:SourceArn of the SNS topic",
        {"ArnEquals": {"aws:SourceArn": "arn:aws:sns:us-east-2:123456789012:TOPIC-ID"}},
        {"aws:SourceArn": "arn:aws:sns:us-east-2:123456789012:TOPIC-ID"},
        "allow",
    ),
    (
        "Condition operators > ARN: aws:SourceArn absent when a user calls directly: false",
        {"ArnEquals": {"aws:SourceArn": "arn:aws:sns:us-east-2:123456789012:TOPIC-ID"}},
        {},
        "none",
    ),
    (
        "Condition operators > ARN: ArnLike checks each colon-delimited part separately (fails)",
        {"ArnLike": {"aws:SourceArn": "arn:aws:someservice:*:111122223333:finance/*"}},
        {
            "aws:SourceArn": "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt"
        },
        "none",
    ),
    (
        "Condition operators > ARN: the same value matches with StringLike",
        {"StringLike": {"aws:SourceArn": "arn:aws:someservice:*:111122223333:finance/*"}},
        {
            "aws:SourceArn": "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt"
        },
        "allow",
    ),
    (
        "Condition operators > ARN: ArnLike, the resource part may hold ':' and '/'",
        {"ArnLike": {"aws:SourceArn": "arn:aws:logs:*:111122223333:log-group:*"}},
        {"aws:SourceArn": "arn:aws:logs:us-east-1:111122223333:log-group:/app/web:log-stream:i-0abc"},
        "allow",
    ),
    (
        "Condition operators > ARN: case-sensitive matching of the ARN",
        {"ArnEquals": {"aws:SourceArn": "arn:aws:sns:us-east-2:123456789012:TOPIC-ID"}},
        {"aws:SourceArn": "arn:aws:sns:us-east-2:123456789012:topic-id"},
        "none",
    ),
    (
        "Condition operators > a missing key makes ArnNotLike true",
        {"ArnNotLike": {"aws:SourceArn": "arn:aws:sns:*:123456789012:*"}},
        {},
        "allow",
    ),
    # ...IfExists
    (
        "Condition operators > ...IfExists: THISPOLICYDOESNOTWORK, resources without ec2:InstanceType",
        {"StringLike": {"ec2:InstanceType": ["t1.*", "t2.*", "m3.*"]}},
        {},
        "none",
    ),
    (
        "Condition operators > ...IfExists: StringLikeIfExists, the key is not present",
        {"StringLikeIfExists": {"ec2:InstanceType": ["t1.*", "t2.*", "m3.*"]}},
        {},
        "allow",
    ),
    (
        "Condition operators > ...IfExists: StringLikeIfExists, a t2 instance",
        {"StringLikeIfExists": {"ec2:InstanceType": ["t1.*", "t2.*", "m3.*"]}},
        {"ec2:InstanceType": "t2.micro"},
        "allow",
    ),
    (
        "Condition operators > ...IfExists: StringLikeIfExists, another instance type",
        {"StringLikeIfExists": {"ec2:InstanceType": ["t1.*", "t2.*", "m3.*"]}},
        {"ec2:InstanceType": "m5.large"},
        "none",
    ),
    (
        "Condition operators > ...IfExists: NumericLessThanIfExists without the key",
        {"NumericLessThanIfExists": {"s3:max-keys": "10"}},
        {},
        "allow",
    ),
    # Null
    (
        "Condition operators > Null: aws:TokenIssueTime true, long-term credentials",
        {"Null": {"aws:TokenIssueTime": "true"}},
        {},
        "allow",
    ),
    (
        "Condition operators > Null: aws:TokenIssueTime true, temporary credentials",
        {"Null": {"aws:TokenIssueTime": "true"}},
        {"aws:TokenIssueTime": "2020-06-01T08:00:00Z"},
        "none",
    ),
    (
        "Condition operators > Null: false means the key exists",
        {"Null": {"aws:TokenIssueTime": "false"}},
        {"aws:TokenIssueTime": "2020-06-01T08:00:00Z"},
        "allow",
    ),
    # Set operators
    (
        "Multi-value conditions > ForAllValues:StringLike, only allowed attributes requested",
        {"ForAllValues:StringLike": {"dynamodb:requestedAttributes": ["PostDateTime", "Message", "Tags"]}},
        {"dynamodb:requestedAttributes": ["PostDateTime", "Message"]},
        "allow",
    ),
    (
        "Multi-value conditions > ForAllValues: UserName matches no policy value, false",
        {"ForAllValues:StringLike": {"dynamodb:requestedAttributes": ["PostDateTime", "Message", "Tags"]}},
        {"dynamodb:requestedAttributes": ["PostDateTime", "UserName"]},
        "none",
    ),
    (
        "Multi-value conditions > an empty data set makes ForAllValues true",
        {"ForAllValues:StringLike": {"dynamodb:requestedAttributes": ["PostDateTime", "Message", "Tags"]}},
        {"dynamodb:requestedAttributes": []},
        "allow",
    ),
    (
        "Multi-value conditions > ForAllValues is true when the key is absent",
        {"ForAllValues:StringLike": {"dynamodb:requestedAttributes": ["PostDateTime", "Message", "Tags"]}},
        {},
        "allow",
    ),
    (
        "Multi-value conditions > an empty data set makes ForAnyValue false",
        {"ForAnyValue:StringLike": {"dynamodb:requestedAttributes": ["ID", "PostDateTime"]}},
        {"dynamodb:requestedAttributes": []},
        "none",
    ),
    (
        "Multi-value conditions > ForAnyValue is false when the key is absent",
        {"ForAnyValue:StringLike": {"dynamodb:requestedAttributes": ["ID", "PostDateTime"]}},
        {},
        "none",
    ),
    # Multiple operators and keys
    (
        "AWS: Allows access within specific dates > DateGreaterThan and DateLessThan both hold",
        {
            "DateGreaterThan": {"aws:CurrentTime": "2017-07-01T00:00:00Z"},
            "DateLessThan": {"aws:CurrentTime": "2017-12-31T23:59:59Z"},
        },
        {"aws:CurrentTime": "2017-09-15T12:00:00Z"},
        "allow",
    ),
    (
        "AWS: Allows access within specific dates > after December 31, 2017 the AND fails",
        {
            "DateGreaterThan": {"aws:CurrentTime": "2017-07-01T00:00:00Z"},
            "DateLessThan": {"aws:CurrentTime": "2017-12-31T23:59:59Z"},
        },
        {"aws:CurrentTime": "2018-01-02T00:00:00Z"},
        "none",
    ),
    (
        "Variables and tags > Condition element: sns:endpoint with ${aws:username} AND sns:Protocol",
        {
            "StringLike": {"sns:endpoint": "https://example.com/${aws:username}/"},
            "StringEquals": {"sns:Protocol": "https"},
        },
        {"sns:endpoint": "https://example.com/David/", "sns:Protocol": "https", "aws:username": "David"},
        "allow",
    ),
    (
        "Variables and tags > Condition element: iam:ResourceTag/costCenter 12345 or 67890",
        {"StringLike": {"iam:ResourceTag/costCenter": ["12345", "67890"]}},
        {"iam:ResourceTag/costCenter": "67890"},
        "allow",
    ),
]


@pytest.mark.parametrize(
    ("source", "condition", "keys", "expected"), CONDITION_CASES, ids=[c[0] for c in CONDITION_CASES]
)
def test_condition_operators(
    source: str, condition: dict[str, Any], keys: dict[str, Any], expected: str
) -> None:
    assert verdict(run(allow_with(condition), keys)) == expected, source


# (source, policy, action, resource, request keys, expected) for whole policies.
POLICY_CASES: list[tuple[str, dict[str, Any], str, str, dict[str, Any], str]] = [
    (
        "Action > the prefix and the action name are case insensitive (IAM:listaccesskeys)",
        {"Version": V, "Statement": {"Effect": "Allow", "Action": "iam:ListAccessKeys", "Resource": "*"}},
        "IAM:listaccesskeys",
        "arn:aws:iam::123456789012:user/Bob",
        {},
        "allow",
    ),
    (
        "Action > wildcards in the action name (iam:*AccessKey*)",
        {"Version": V, "Statement": {"Effect": "Allow", "Action": "iam:*AccessKey*", "Resource": "*"}},
        "iam:UpdateAccessKey",
        "arn:aws:iam::123456789012:user/Bob",
        {},
        "allow",
    ),
    (
        "Action > iam:*AccessKey* does not cover iam:CreateUser",
        {"Version": V, "Statement": {"Effect": "Allow", "Action": "iam:*AccessKey*", "Resource": "*"}},
        "iam:CreateUser",
        "arn:aws:iam::123456789012:user/Bob",
        {},
        "none",
    ),
    (
        "Resource > wildcards within an ARN segment: users whose path is /accounting",
        {
            "Version": V,
            "Statement": {
                "Effect": "Allow",
                "Action": "iam:*",
                "Resource": "arn:aws:iam::*:user/accounting/*",
            },
        },
        "iam:GetUser",
        "arn:aws:iam::123456789012:user/accounting/Carlos",
        {},
        "allow",
    ),
    (
        "Resource > users outside the /accounting path do not match",
        {
            "Version": V,
            "Statement": {
                "Effect": "Allow",
                "Action": "iam:*",
                "Resource": "arn:aws:iam::*:user/accounting/*",
            },
        },
        "iam:GetUser",
        "arn:aws:iam::123456789012:user/sales/Carlos",
        {},
        "none",
    ),
    (
        "Resource > ARNs match case-sensitively, unlike actions",
        {
            "Version": V,
            "Statement": {
                "Effect": "Allow",
                "Action": "s3:*",
                "Resource": "arn:aws:s3:::my_corporate_bucket/*",
            },
        },
        "s3:GetObject",
        "arn:aws:s3:::MY_CORPORATE_BUCKET/report.csv",
        {},
        "none",
    ),
    (
        "Resource > ? is any single character within a segment (us-east-? region)",
        {
            "Version": V,
            "Statement": {
                "Effect": "Allow",
                "Action": "dynamodb:*",
                "Resource": "arn:aws:dynamodb:us-east-?:123456789012:table/books_table",
            },
        },
        "dynamodb:GetItem",
        "arn:aws:dynamodb:us-east-2:123456789012:table/books_table",
        {},
        "allow",
    ),
    (
        "NotAction > Allow every action in every service except IAM (s3 allowed)",
        {"Version": V, "Statement": {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}},
        "s3:GetObject",
        "arn:aws:s3:::amzn-s3-demo-bucket/key",
        {},
        "allow",
    ),
    (
        "NotAction > Allow every action except IAM (iam:CreateUser not allowed)",
        {"Version": V, "Statement": {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}},
        "iam:CreateUser",
        "*",
        {},
        "none",
    ),
    (
        "NotAction > DenyAllUsersNotUsingMFA: non-IAM action without MFA (key false) is denied",
        {
            "Version": V,
            "Statement": [
                {
                    "Sid": "DenyAllUsersNotUsingMFA",
                    "Effect": "Deny",
                    "NotAction": "iam:*",
                    "Resource": "*",
                    "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
                },
                {"Effect": "Allow", "Action": "*", "Resource": "*"},
            ],
        },
        "ec2:RunInstances",
        "*",
        {"aws:MultiFactorAuthPresent": "false"},
        "deny",
    ),
    (
        "NotAction > DenyAllUsersNotUsingMFA: long-term keys carry no MFA key, BoolIfExists denies",
        {
            "Version": V,
            "Statement": [
                {
                    "Sid": "DenyAllUsersNotUsingMFA",
                    "Effect": "Deny",
                    "NotAction": "iam:*",
                    "Resource": "*",
                    "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
                },
                {"Effect": "Allow", "Action": "*", "Resource": "*"},
            ],
        },
        "ec2:RunInstances",
        "*",
        {},
        "deny",
    ),
    (
        "NotAction > DenyAllUsersNotUsingMFA: signed in with MFA, the Deny has no effect",
        {
            "Version": V,
            "Statement": [
                {
                    "Sid": "DenyAllUsersNotUsingMFA",
                    "Effect": "Deny",
                    "NotAction": "iam:*",
                    "Resource": "*",
                    "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
                },
                {"Effect": "Allow", "Action": "*", "Resource": "*"},
            ],
        },
        "ec2:RunInstances",
        "*",
        {"aws:MultiFactorAuthPresent": "true"},
        "allow",
    ),
    (
        "NotResource > HRPayroll: S3 outside the Payroll folder is denied",
        {
            "Version": V,
            "Statement": [
                {
                    "Effect": "Deny",
                    "Action": "s3:*",
                    "NotResource": ["arn:aws:s3:::HRBucket/Payroll", "arn:aws:s3:::HRBucket/Payroll/*"],
                },
                {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
            ],
        },
        "s3:GetObject",
        "arn:aws:s3:::HRBucket/Marketing/plan.txt",
        {},
        "deny",
    ),
    (
        "NotResource > HRPayroll: the Payroll folder itself is not denied",
        {
            "Version": V,
            "Statement": [
                {
                    "Effect": "Deny",
                    "Action": "s3:*",
                    "NotResource": ["arn:aws:s3:::HRBucket/Payroll", "arn:aws:s3:::HRBucket/Payroll/*"],
                },
                {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
            ],
        },
        "s3:GetObject",
        "arn:aws:s3:::HRBucket/Payroll/june.csv",
        {},
        "allow",
    ),
    (
        "Condition operators > Boolean: BooleanExample denies S3 without SSL",
        {
            "Version": V,
            "Statement": [
                {
                    "Sid": "BooleanExample",
                    "Action": "s3:*",
                    "Effect": "Deny",
                    "Resource": ["arn:aws:s3:::amzn-s3-demo-bucket", "arn:aws:s3:::amzn-s3-demo-bucket/*"],
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                },
                {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
            ],
        },
        "s3:GetObject",
        "arn:aws:s3:::amzn-s3-demo-bucket/key",
        {"aws:SecureTransport": "false"},
        "deny",
    ),
    (
        "AWS: Denies access to AWS based on the source IP > NotIpAddress from outside the ranges",
        {
            "Version": V,
            "Statement": [
                {
                    "Effect": "Deny",
                    "Action": "*",
                    "Resource": "*",
                    "Condition": {"NotIpAddress": {"aws:SourceIp": ["192.0.2.0/24", "203.0.113.0/24"]}},
                },
                {"Effect": "Allow", "Action": "*", "Resource": "*"},
            ],
        },
        "ec2:RunInstances",
        "*",
        {"aws:SourceIp": "198.51.100.7"},
        "deny",
    ),
    (
        "AWS: Denies access to AWS based on the source IP > from inside a range, not denied",
        {
            "Version": V,
            "Statement": [
                {
                    "Effect": "Deny",
                    "Action": "*",
                    "Resource": "*",
                    "Condition": {"NotIpAddress": {"aws:SourceIp": ["192.0.2.0/24", "203.0.113.0/24"]}},
                },
                {"Effect": "Allow", "Action": "*", "Resource": "*"},
            ],
        },
        "ec2:RunInstances",
        "*",
        {"aws:SourceIp": "192.0.2.10"},
        "allow",
    ),
    (
        "Condition operators > ...IfExists: Deny with StringNotEqualsIfExists still denies without the tag",
        {
            "Version": V,
            "Statement": [
                {
                    "Effect": "Deny",
                    "Action": "*",
                    "Resource": "*",
                    "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalTag/team": "platform"}},
                },
                {"Effect": "Allow", "Action": "*", "Resource": "*"},
            ],
        },
        "ec2:RunInstances",
        "*",
        {},
        "deny",
    ),
    (
        "Multi-value conditions > ForAnyValue Deny PutItem: PostDateTime matches, denied",
        {
            "Version": V,
            "Statement": [
                {
                    "Effect": "Deny",
                    "Action": "dynamodb:PutItem",
                    "Resource": "arn:aws:dynamodb:us-east-2:123456789012:table/Thread",
                    "Condition": {
                        "ForAnyValue:StringLike": {"dynamodb:requestedAttributes": ["ID", "PostDateTime"]}
                    },
                },
                {"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"},
            ],
        },
        "dynamodb:PutItem",
        "arn:aws:dynamodb:us-east-2:123456789012:table/Thread",
        {"dynamodb:requestedAttributes": ["UserName", "Message", "PostDateTime"]},
        "deny",
    ),
    (
        "Multi-value conditions > ForAnyValue Deny PutItem: only UserName, not denied by this policy",
        {
            "Version": V,
            "Statement": [
                {
                    "Effect": "Deny",
                    "Action": "dynamodb:PutItem",
                    "Resource": "arn:aws:dynamodb:us-east-2:123456789012:table/Thread",
                    "Condition": {
                        "ForAnyValue:StringLike": {"dynamodb:requestedAttributes": ["ID", "PostDateTime"]}
                    },
                },
                {"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"},
            ],
        },
        "dynamodb:PutItem",
        "arn:aws:dynamodb:us-east-2:123456789012:table/Thread",
        {"dynamodb:requestedAttributes": ["UserName"]},
        "allow",
    ),
    (
        "Policy evaluation logic > an explicit deny overrides an allow",
        {
            "Version": V,
            "Statement": [
                {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
                {"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"},
            ],
        },
        "s3:DeleteBucket",
        "arn:aws:s3:::amzn-s3-demo-bucket",
        {},
        "deny",
    ),
    (
        "Policy evaluation logic > by default all requests are implicitly denied (no decision)",
        {"Version": V, "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}},
        "s3:PutObject",
        "arn:aws:s3:::amzn-s3-demo-bucket/key",
        {},
        "none",
    ),
    # Variables
    (
        "Variables and tags > Introduction: mybucket/${aws:username}/* for David",
        {
            "Version": V,
            "Statement": {
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:PutObject"],
                "Resource": "arn:aws:s3:::mybucket/${aws:username}/*",
            },
        },
        "s3:GetObject",
        "arn:aws:s3:::mybucket/David/notes.txt",
        {"aws:username": "David"},
        "allow",
    ),
    (
        "Variables and tags > Introduction: David cannot reach Adele's objects",
        {
            "Version": V,
            "Statement": {
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:PutObject"],
                "Resource": "arn:aws:s3:::mybucket/${aws:username}/*",
            },
        },
        "s3:GetObject",
        "arn:aws:s3:::mybucket/Adele/notes.txt",
        {"aws:username": "David"},
        "none",
    ),
    (
        "Variables and tags > without Version 2012-10-17 variables are literal strings",
        {
            "Statement": {
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::mybucket/${aws:username}/*",
            }
        },
        "s3:GetObject",
        "arn:aws:s3:::mybucket/David/notes.txt",
        {"aws:username": "David"},
        "none",
    ),
    (
        "Variables and tags > Version 2008-10-17: ${aws:username} matches only itself",
        {
            "Version": "2008-10-17",
            "Statement": {
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::mybucket/${aws:username}/*",
            },
        },
        "s3:GetObject",
        "arn:aws:s3:::mybucket/${aws:username}/notes.txt",
        {"aws:username": "David"},
        "allow",
    ),
    (
        "Variables and tags > a variable that cannot be resolved makes the statement invalid (role session)",
        {
            "Version": V,
            "Statement": {
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::mybucket/${aws:username}/*",
            },
        },
        "s3:GetObject",
        "arn:aws:s3:::mybucket/David/notes.txt",
        {},
        "none",
    ),
    (
        "Variables and tags > Resource element: ${aws:username}-queue in us-east-2",
        {
            "Version": V,
            "Statement": {
                "Sid": "AllQueueActions",
                "Effect": "Allow",
                "Action": "sqs:*",
                "Resource": "arn:aws:sqs:us-east-2:*:${aws:username}-queue",
            },
        },
        "sqs:SendMessage",
        "arn:aws:sqs:us-east-2:123456789012:David-queue",
        {"aws:username": "David"},
        "allow",
    ),
    (
        "Variables and tags > Resource element: a bucket named after the department tag",
        {
            "Version": V,
            "Statement": {
                "Effect": "Allow",
                "Action": "s3:*",
                "Resource": ["arn:aws:s3:::bucket/${aws:PrincipalTag/department}"],
            },
        },
        "s3:ListBucket",
        "arn:aws:s3:::bucket/HumanResources",
        {"aws:PrincipalTag/department": "HumanResources"},
        "allow",
    ),
    (
        "Variables and tags > Specifying default values: ${aws:userid, 'anonymous'}",
        {
            "Version": V,
            "Statement": {
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": "*",
                "Condition": {
                    "StringEquals": {"aws:Resource": "arn:aws:s3:::/bucket/${aws:userid, 'anonymous'}"}
                },
            },
        },
        "s3:GetObject",
        "arn:aws:s3:::/bucket/anonymous",
        {"aws:Resource": "arn:aws:s3:::/bucket/anonymous"},
        "allow",
    ),
    (
        "Variables and tags > Specifying default values: the request value wins over the default",
        {
            "Version": V,
            "Statement": {
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": "*",
                "Condition": {
                    "StringEquals": {"aws:Resource": "arn:aws:s3:::/bucket/${aws:userid, 'anonymous'}"}
                },
            },
        },
        "s3:GetObject",
        "arn:aws:s3:::/bucket/AIDACKCEVSQ6C2EXAMPLE",
        {"aws:Resource": "arn:aws:s3:::/bucket/AIDACKCEVSQ6C2EXAMPLE", "aws:userid": "AIDACKCEVSQ6C2EXAMPLE"},
        "allow",
    ),
    (
        "Variables and tags > Specifying default values: the default with a principal tag",
        {
            "Version": V,
            "Statement": {
                "Effect": "Allow",
                "Action": "s3:*",
                "Resource": "arn:aws:s3:::amzn-s3-demo-bucket/${aws:PrincipalTag/team, 'company-wide'}/*",
            },
        },
        "s3:GetObject",
        "arn:aws:s3:::amzn-s3-demo-bucket/company-wide/handbook.pdf",
        {},
        "allow",
    ),
    (
        "Variables and tags > Special characters: ${*} is a literal asterisk, not a wildcard",
        {
            "Version": V,
            "Statement": {
                "Effect": "Allow",
                "Action": "s3:*",
                "Resource": "*",
                "Condition": {"StringLike": {"s3:prefix": "a${*}b"}},
            },
        },
        "s3:ListBucket",
        "arn:aws:s3:::amzn-s3-demo-bucket",
        {"s3:prefix": "axxb"},
        "none",
    ),
    (
        "Variables and tags > Special characters: ${*} matches a literal *",
        {
            "Version": V,
            "Statement": {
                "Effect": "Allow",
                "Action": "s3:*",
                "Resource": "*",
                "Condition": {"StringLike": {"s3:prefix": "a${*}b"}},
            },
        },
        "s3:ListBucket",
        "arn:aws:s3:::amzn-s3-demo-bucket",
        {"s3:prefix": "a*b"},
        "allow",
    ),
    (
        "Variables and tags > Special characters: ${?} and ${$}",
        {
            "Version": V,
            "Statement": {
                "Effect": "Allow",
                "Action": "s3:*",
                "Resource": "*",
                "Condition": {"StringLike": {"s3:prefix": "why${?}-${$}5"}},
            },
        },
        "s3:ListBucket",
        "arn:aws:s3:::amzn-s3-demo-bucket",
        {"s3:prefix": "why?-$5"},
        "allow",
    ),
]


@pytest.mark.parametrize(
    ("source", "policy", "action", "resource", "keys", "expected"),
    POLICY_CASES,
    ids=[c[0] for c in POLICY_CASES],
)
def test_policies(
    source: str, policy: dict[str, Any], action: str, resource: str, keys: dict[str, Any], expected: str
) -> None:
    assert verdict(run(policy, keys, action=action, resource=resource)) == expected, source


BOB = Principal("arn:aws:iam::444455556666:user/Bob")
ALICE = Principal("arn:aws:iam::444455556666:user/Alice")
DEPLOY_SESSION = Principal(
    "arn:aws:sts::111122223333:assumed-role/Deployer/ci-42",
    role_arn="arn:aws:iam::111122223333:role/team/Deployer",
)
AUDIT_SESSION = Principal(
    "arn:aws:sts::444455556666:assumed-role/cross-account-read-only-role/cross-account-audit-app"
)
OTHER_AUDIT_SESSION = Principal(
    "arn:aws:sts::444455556666:assumed-role/cross-account-read-only-role/other-app"
)

# (source, Principal element, requester, expected) in a bucket policy that allows s3:GetObject.
PRINCIPAL_CASES: list[tuple[str, Any, Principal, str]] = [
    ("Principal > AWS account principals: the shortened account id", {"AWS": "444455556666"}, BOB, "allow"),
    (
        "Principal > AWS account principals: the account ARN (:root) is not only the root user",
        {"AWS": "arn:aws:iam::444455556666:root"},
        BOB,
        "allow",
    ),
    (
        "Principal > Specifying a principal: an array is a logical OR",
        {"AWS": ["123456789012", "444455556666"]},
        ALICE,
        "allow",
    ),
    (
        "Principal > AWS account principals: another account does not match",
        {"AWS": "123456789012"},
        BOB,
        "none",
    ),
    (
        "Principal > IAM user principals: the user name part is case sensitive",
        {"AWS": "arn:aws:iam::444455556666:user/bob"},
        BOB,
        "none",
    ),
    (
        "Principal > IAM user principals: no wildcard to mean all users",
        {"AWS": "arn:aws:iam::444455556666:user/*"},
        BOB,
        "none",
    ),
    (
        "Principal > IAM role principals: a role ARN covers the role's sessions",
        {"AWS": "arn:aws:iam::111122223333:role/team/Deployer"},
        DEPLOY_SESSION,
        "allow",
    ),
    (
        "Principal > IAM role principals: the role's path is part of its ARN",
        {"AWS": "arn:aws:iam::111122223333:role/other/Deployer"},
        DEPLOY_SESSION,
        "none",
    ),
    (
        "Principal > Assumed-role session principals: names one session only",
        {
            "AWS": "arn:aws:sts::444455556666:assumed-role/cross-account-read-only-role/cross-account-audit-app"
        },
        OTHER_AUDIT_SESSION,
        "none",
    ),
    (
        "Principal > Assumed-role session principals: no wildcard for all sessions",
        {"AWS": "arn:aws:sts::444455556666:assumed-role/cross-account-read-only-role/*"},
        AUDIT_SESSION,
        "none",
    ),
    ('Principal > All principals: "*"', "*", BOB, "allow"),
    ('Principal > All principals: {"AWS": "*"} is the same', {"AWS": "*"}, BOB, "allow"),
    (
        "Principal > AWS service principals do not match an IAM user",
        {"Service": ["ecs.amazonaws.com", "elasticloadbalancing.amazonaws.com"]},
        BOB,
        "none",
    ),
    (
        "Principal > Web identity session principals do not match an IAM user",
        {"Federated": "accounts.google.com"},
        BOB,
        "none",
    ),
    (
        "Principal > IAM user principals: a deleted user's unique id matches nobody",
        {"AWS": "AIDAJQABLZS4A3QDU576Q"},
        BOB,
        "none",
    ),
]


@pytest.mark.parametrize(
    ("source", "element", "who", "expected"), PRINCIPAL_CASES, ids=[c[0] for c in PRINCIPAL_CASES]
)
def test_principals(source: str, element: Any, who: Principal, expected: str) -> None:
    policy = {
        "Version": V,
        "Statement": {
            "Effect": "Allow",
            "Principal": element,
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::amzn-s3-demo-bucket/*",
        },
    }
    assert verdict(run(policy, principal=who)) == expected, source


NOT_PRINCIPAL_BOB = {
    "Version": V,
    "Statement": [
        {
            "Effect": "Deny",
            "NotPrincipal": {"AWS": ["arn:aws:iam::444455556666:user/Bob", "arn:aws:iam::444455556666:root"]},
            "Action": "s3:*",
            "Resource": ["arn:aws:s3:::BUCKETNAME", "arn:aws:s3:::BUCKETNAME/*"],
        },
        {
            "Effect": "Allow",
            "Principal": {"AWS": "444455556666"},
            "Action": "s3:*",
            "Resource": "arn:aws:s3:::BUCKETNAME/*",
        },
    ],
}
NOT_PRINCIPAL_AUDIT = {
    "Version": V,
    "Statement": [
        {
            "Effect": "Deny",
            "NotPrincipal": {
                "AWS": [
                    "arn:aws:sts::444455556666:assumed-role/cross-account-read-only-role/cross-account-audit-app",
                    "arn:aws:iam::444455556666:role/cross-account-read-only-role",
                    "arn:aws:iam::444455556666:root",
                ]
            },
            "Action": "s3:*",
            "Resource": ["arn:aws:s3:::Bucket_AccountAudit", "arn:aws:s3:::Bucket_AccountAudit/*"],
        },
        {"Effect": "Allow", "Principal": {"AWS": "444455556666"}, "Action": "s3:*", "Resource": "*"},
    ],
}

NOT_PRINCIPAL_CASES: list[tuple[str, dict[str, Any], str, Principal, str]] = [
    (
        "NotPrincipal > NotPrincipal with Deny: Bob is not denied",
        NOT_PRINCIPAL_BOB,
        "arn:aws:s3:::BUCKETNAME/a",
        BOB,
        "allow",
    ),
    (
        "NotPrincipal > NotPrincipal with Deny: everyone else is denied",
        NOT_PRINCIPAL_BOB,
        "arn:aws:s3:::BUCKETNAME/a",
        ALICE,
        "deny",
    ),
    (
        "NotPrincipal > IAM role example: the named session is not denied",
        NOT_PRINCIPAL_AUDIT,
        "arn:aws:s3:::Bucket_AccountAudit/x",
        AUDIT_SESSION,
        "allow",
    ),
    (
        "NotPrincipal > IAM role example: another session of the role is denied",
        NOT_PRINCIPAL_AUDIT,
        "arn:aws:s3:::Bucket_AccountAudit/x",
        OTHER_AUDIT_SESSION,
        "deny",
    ),
]


@pytest.mark.parametrize(
    ("source", "policy", "resource", "who", "expected"),
    NOT_PRINCIPAL_CASES,
    ids=[c[0] for c in NOT_PRINCIPAL_CASES],
)
def test_not_principal(
    source: str, policy: dict[str, Any], resource: str, who: Principal, expected: str
) -> None:
    assert verdict(run(policy, action="s3:GetObject", resource=resource, principal=who)) == expected, source


def test_deleted_principal_ids_are_reported() -> None:
    # Principal > IAM role principals: a deleted role shows as its unique id and the policy no longer applies.
    policy = {
        "Version": V,
        "Statement": {
            "Effect": "Allow",
            "Principal": {"AWS": "AROADBQP57FF2AEXAMPLE"},
            "Action": "sts:AssumeRole",
        },
    }
    outcome = run(policy, action="sts:AssumeRole", resource="arn:aws:iam::111122223333:role/R", principal=BOB)
    assert outcome.decision == "none" and outcome.deleted_principals == ["AROADBQP57FF2AEXAMPLE"]


def test_unknown_keys_leave_the_decision_open_and_are_named() -> None:
    # Condition operators > IP address: the bot rarely knows aws:SourceIp; absent and unknown differ.
    policy = allow_with({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}})
    unknown = run(policy, {}, complete=False)
    assert (unknown.decision, unknown.missing, unknown.determined) == ("none", {"aws:SourceIp"}, False)
    absent = run(policy, {"aws:SourceIp": None}, complete=False)
    assert (absent.decision, absent.determined) == ("none", True)


def test_known_absent_families_and_ifexists_with_unknown_keys() -> None:
    # Condition operators > Null and ...IfExists: only a known absence decides them.
    policy = allow_with({"Null": {"aws:PrincipalTag/team": "true"}})
    context = RequestContext("s3:GetObject", "*", keys={}, known_absent=frozenset({"aws:PrincipalTag/*"}))
    assert evaluate(policy, context).decision == "allow"
    assert (
        verdict(run(allow_with({"StringLikeIfExists": {"ec2:InstanceType": "t2.*"}}), {}, complete=False))
        == "unknown"
    )


def test_a_possible_deny_keeps_an_allow_undetermined() -> None:
    # Policy evaluation logic > Deny evaluation: a Deny that may apply must be settled before any Allow.
    policy = {
        "Version": V,
        "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {
                "Sid": "OfficeOnly",
                "Effect": "Deny",
                "Action": "*",
                "Resource": "*",
                "Condition": {"NotIpAddress": {"aws:SourceIp": "192.0.2.0/24"}},
            },
        ],
    }
    outcome = run(policy, {}, complete=False)
    assert (outcome.decision, outcome.missing, outcome.denies) == ("allow", {"aws:SourceIp"}, None)
    assert [result.statement.sid for result in outcome.undecided] == ["OfficeOnly"]


def test_failed_conditions_are_reported_for_explanations() -> None:
    # AWS: Allows access within specific dates: the bot must say which condition failed.
    policy = allow_with({"DateLessThan": {"aws:CurrentTime": "2017-12-31T23:59:59Z"}})
    outcome = run(policy, {"aws:CurrentTime": "2024-01-01T00:00:00Z"})
    [miss] = outcome.near_misses
    assert [(c.operator.base, c.key, c.values) for c in miss.failed] == [
        ("DateLessThan", "aws:CurrentTime", ("2017-12-31T23:59:59Z",))
    ]


# Grammar: string-or-list, a statement object or a list, and documents as IAM returns them.
def test_statement_may_be_an_object_or_a_list() -> None:
    single = PolicyDocument.parse(
        {"Version": V, "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}
    )
    listed = PolicyDocument.parse(
        {"Version": V, "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["*"]}]}
    )
    assert single.statements == listed.statements
    assert single.statements[0].action == ["s3:GetObject"] and single.variables_enabled


def test_url_encoded_json_as_iam_returns_it() -> None:
    text = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}'
    doc = PolicyDocument.parse(quote(text))
    assert doc.statements[0].principal == {"AWS": ["arn:aws:iam::123456789012:root"]}
    assert PolicyDocument.parse(text) == doc


def test_principal_and_condition_values_are_normalised() -> None:
    statement = Statement.parse(
        {
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "NotResource": "arn:aws:s3:::b/*",
            "Condition": {"Bool": {"aws:SecureTransport": False}, "NumericLessThan": {"s3:max-keys": 10}},
        }
    )
    assert statement.principal == "*" and statement.not_resource == ["arn:aws:s3:::b/*"]
    assert statement.condition == {
        "Bool": {"aws:SecureTransport": ["false"]},
        "NumericLessThan": {"s3:max-keys": ["10"]},
    }
    assert statement.label == "a statement without a Sid"


@pytest.mark.parametrize(
    ("source", "doc"),
    [
        (
            "Grammar > Effect is Allow or Deny",
            {"Statement": {"Effect": "Permit", "Action": "*", "Resource": "*"}},
        ),
        (
            "JSON element reference > Action and NotAction are mutually exclusive",
            {"Statement": {"Effect": "Allow", "Action": "*", "NotAction": "iam:*", "Resource": "*"}},
        ),
        (
            "Grammar > principal_map_entry is AWS, Federated, Service or CanonicalUser",
            {"Statement": {"Effect": "Allow", "Principal": {"Group": "x"}, "Action": "*"}},
        ),
        (
            "Condition operators > an operator IAM does not have",
            {
                "Statement": {
                    "Effect": "Allow",
                    "Action": "*",
                    "Resource": "*",
                    "Condition": {"StringRoughly": {"k": "v"}},
                }
            },
        ),
        (
            "Condition operators > Null takes no IfExists",
            {
                "Statement": {
                    "Effect": "Allow",
                    "Action": "*",
                    "Resource": "*",
                    "Condition": {"NullIfExists": {"k": "true"}},
                }
            },
        ),
        ("Grammar > policy needs a statement_block", {"Version": V}),
    ],
)
def test_invalid_policies_are_refused(source: str, doc: dict[str, Any]) -> None:
    with pytest.raises(PolicyError):
        PolicyDocument.parse(doc)


def test_many_wildcards_against_a_long_value_stay_fast() -> None:
    # Condition operators > String: StringLike wildcards anywhere; a pasted policy is untrusted text,
    # so a pattern of many `*` must not backtrack exponentially.
    policy = allow_with({"StringLike": {"s3:prefix": "a*" * 40 + "b"}})
    assert verdict(run(policy, {"s3:prefix": "a" * 3000})) == "none"
    assert verdict(run(policy, {"s3:prefix": "a" * 3000 + "b"})) == "allow"
