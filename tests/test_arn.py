from __future__ import annotations

from bot.arn import Arn


def test_role_arn_parts_with_path() -> None:
    arn = Arn.parse(
        "arn:aws:iam::111122223333:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"
    )
    assert arn is not None
    assert (arn.partition, arn.service, arn.account_id, arn.resource_type) == (
        "aws",
        "iam",
        "111122223333",
        "role",
    )
    assert arn.path == "/aws-service-role/autoscaling.amazonaws.com/"
    assert arn.name == "AWSServiceRoleForAutoScaling"
    assert arn.is_service_linked_role
    assert arn.linked_service == "autoscaling.amazonaws.com"
    for other in ("arn:aws:iam::111122223333:role/aws-service-role/x", "arn:aws:iam::111122223333:role/app"):
        parsed = Arn.parse(other)
        assert parsed is not None and parsed.linked_service is None


def test_assumed_role_session_is_recognised() -> None:
    arn = Arn.parse("arn:aws-cn:sts::123456789012:assumed-role/Deploy/ci-42")
    assert arn is not None and arn.is_assumed_role
    assert arn.partition == "aws-cn" and arn.session_role_name == "Deploy"


def test_masked_accounts_are_kept_but_not_taken_for_accounts() -> None:
    for masked in ("***", "xxxxxxxxxxxx", "<account-id>"):
        arn = Arn.parse(f"arn:aws-us-gov:iam::{masked}:role/x")
        assert arn is not None and arn.account == masked and arn.account_id is None


def test_not_an_arn() -> None:
    for text in ("arn:aws:iam", "role/x", "arn:gcp:iam::1:role/x", "arn:aws:iam::123456789012:"):
        assert Arn.parse(text) is None
