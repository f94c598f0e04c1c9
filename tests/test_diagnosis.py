"""Several errors in one paste, precedence, repeats, and the passive and asked modes."""

from __future__ import annotations

from bot.diagnosis import Diagnosis, diagnose
from bot.entities import clean

CHAINING = "An error occurred (ValidationError) when calling the AssumeRole operation: The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."
SESSION = "User: arn:aws:sts::123456789012:assumed-role/app/s1 is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::bucket/key because no session policy allows the s3:GetObject action"
PASSROLE = "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: iam:PassRole on resource: arn:aws:iam::123456789012:role/app"


def _primary(text: str) -> Diagnosis:
    """The paste's primary diagnosis: there must be one."""
    primary = diagnose(text).primary
    assert primary is not None, text
    return primary


def test_several_errors_give_several_diagnoses_the_specific_level_first() -> None:
    triage = diagnose(f"first:\n{SESSION}\nthen:\n{CHAINING}\nand:\n{PASSROLE}")
    assert [d.cause.id for d in triage.diagnoses] == [
        "role-chaining-limit",
        "passrole-denied",
        "session-policy-denied",
    ]


def test_the_same_error_repeated_collapses_but_a_different_role_does_not() -> None:
    other = PASSROLE.replace("role/app", "role/worker")
    triage = diagnose("\n".join([PASSROLE] * 5 + [other]))
    assert [d.entities["role_arn"].rsplit("/", 1)[1] for d in triage.diagnoses] == ["app", "worker"]


def test_one_error_sentence_after_different_calls_is_read_with_each_call() -> None:
    sentence = (
        "User: arn:aws:sts::111122223333:assumed-role/Deploy/ci is not authorized to perform: "
        "iam:PassRole on resource: arn:aws:iam::111122223333:role/app"
    )
    text = "\n".join(
        f"An error occurred (AccessDenied) when calling the {operation} operation: {sentence}"
        for operation in ("CreateFunction", "CreateFunction", "RunInstances")
    )
    triage = diagnose(text)
    assert [d.entities["operation"] for d in triage.diagnoses] == ["CreateFunction", "RunInstances"]


def test_a_weak_match_is_silent_when_passive_and_a_question_when_asked() -> None:
    chatter = "I can't assume the deploy role since this morning, any idea?"
    passive = diagnose(chatter)
    assert passive.diagnoses == [] and passive.question is None
    asked = diagnose(chatter, asked=True)
    assert asked.diagnoses == [] and asked.question


def test_question_type_cause_only_when_asked_and_after_errors() -> None:
    question = "A new role AWSServiceRoleForAutoScaling appeared in our account, what is it? Can I delete it?"
    assert diagnose(question).diagnoses == []
    assert [d.cause.id for d in diagnose(question, asked=True).diagnoses] == ["service-linked-role-appeared"]
    both = diagnose(question + "\n" + PASSROLE, asked=True)
    assert [d.cause.id for d in both.diagnoses] == ["passrole-denied", "service-linked-role-appeared"]


def test_japanese_console_message_is_recognised_and_answered_in_japanese() -> None:
    triage = diagnose(
        "スイッチロールしようとしたら 1 つ以上のフィールドに無効な情報があります。情報を確認するか、管理者に連絡してください。 と出ます"
    )
    assert triage.lang == "ja"
    assert triage.primary is not None and triage.primary.cause.id == "switch-role-invalid"


def test_an_arn_ends_where_japanese_written_straight_after_it_begins() -> None:
    denial = (
        "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: sts:AssumeRole"
        " on resource: arn:aws:iam::123456789012:role/Deployer"
    )
    triage = diagnose(f"{denial}を引き受けようとしたら、この{denial}。というエラーになります")
    assert [d.entities["role_arn"] for d in triage.diagnoses] == ["arn:aws:iam::123456789012:role/Deployer"]
    malformed = diagnose(
        'MalformedPolicyDocument: Invalid principal in policy: "AWS":arn:aws:iam::123456789012:role/Deployerを追加したら'
    )
    assert malformed.primary is not None
    assert malformed.primary.entities["role_arn"] == "arn:aws:iam::123456789012:role/Deployer"
    masked = diagnose(denial.replace("::123456789012:role", "::<アカウントID>:role") + "が拒否されます")
    assert masked.primary is not None
    assert masked.primary.entities["role_arn"] == "arn:aws:iam::<アカウントID>:role/Deployer"
    # Inside Terraform's parentheses too, and in a role named without "arn:".
    terraform = diagnose("IAM Role (arn:aws:iam::123456789012:role/Deployerを) cannot be assumed")
    assert terraform.primary is not None
    assert terraform.primary.entities["role_arn"] == "arn:aws:iam::123456789012:role/Deployer"
    bare = diagnose(denial.replace("arn:aws:iam::123456789012:role", "aws:iam::本番:role"))
    assert bare.primary is not None and "role_arn" not in bare.primary.entities
    # A particle typed straight after the caller's ARN, with or without a space before the English.
    for particle in ("が ", "は", "から ", "、"):
        said = diagnose(denial.replace("user/dev ", f"user/dev{particle}"))
        assert said.primary is not None
        assert said.primary.entities["caller_arn"] == "arn:aws:iam::123456789012:user/dev"
        assert said.primary.entities["role_arn"] == "arn:aws:iam::123456789012:role/Deployer"


def test_a_huge_paste_is_answered() -> None:
    noise = "INFO request ok latency=12ms path=/api/v1/items\n" * 900
    triage = diagnose(noise + PASSROLE + "\n" + noise)
    assert triage.primary is not None and triage.primary.cause.id == "passrole-denied"


def test_a_matcher_that_knows_no_signs_prepares_every_paste_and_finds_the_same() -> None:
    from bot.knowledge import bundled
    from bot.matcher import Matcher

    careful = Matcher(bundled())  # no signs: every paste is normalised and searched for credentials
    pastes = [
        "deploy is green, thanks!",
        "`User: arn:aws:iam::123456789012:user/dev is not authorized to perform: iam:PassRole on "
        "resource: arn:aws:iam::123456789012:role/app`",
        "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: iam:PassRole on "
        "resource: arn:aws:iam::123456789012:role/app aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    ]
    for text in pastes:
        expected, got = diagnose(text), diagnose(text, matcher=careful)
        assert [(d.cause.id, d.entities) for d in got.diagnoses] == [
            (d.cause.id, d.entities) for d in expected.diagnoses
        ]
        assert got.secrets_seen == expected.secrets_seen
    assert diagnose(pastes[2], matcher=careful).secrets_seen == ["aws-secret-access-key"]


def test_each_error_of_a_paste_gets_the_operation_written_just_before_it() -> None:
    def error(operation: str, action: str) -> str:
        return (
            f"An error occurred (AccessDenied) when calling the {operation} operation: User: "
            f"arn:aws:iam::123456789012:user/dev is not authorized to perform: {action} on resource: "
            f"arn:aws:s3:::bucket/key with an explicit deny in an identity-based policy"
        )

    triage = diagnose(f"{error('PutObject', 's3:PutObject')}\nretried:\n{error('GetObject', 's3:GetObject')}")
    assert [(d.entities["action"], d.entities["operation"]) for d in triage.diagnoses] == [
        ("s3:PutObject", "PutObject"),
        ("s3:GetObject", "GetObject"),
    ]


def test_a_paste_cut_inside_the_cli_wrapper_still_names_the_operation() -> None:
    denial = (
        "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: ec2:CreateKeyPair on "
        "resource: arn:aws:ec2:us-east-1:123456789012:key-pair/k with an explicit deny in a service control policy"
    )
    cut = diagnose(
        f"ling the CreateKeyPair operation: You are not authorized to perform this operation. {denial}"
    )
    assert cut.primary is not None and cut.primary.entities["operation"] == "CreateKeyPair"
    prose = diagnose(f"we ran the nightly operation: {denial}")
    assert prose.primary is not None and "operation" not in prose.primary.entities


def test_the_nearest_wrapper_names_the_operation_not_an_earlier_errors() -> None:
    cli = (
        "An error occurred (MalformedPolicyDocument) when calling the UpdateAssumeRolePolicy operation: "
        'Invalid principal in policy: "AWS":"arn:aws:iam::210987654321:role/ci-deployer"'
    )
    terraform = (
        "Error: creating IAM Role (lambda-exec): operation error IAM: CreateRole, https response error "
        'StatusCode: 400, MalformedPolicyDocument: Invalid principal in policy: "SERVICE":"lamda.amazonaws.com"'
    )
    triage = diagnose(f"{cli}\n\n{terraform}")
    assert [d.entities.get("operation") for d in triage.diagnoses] == ["UpdateAssumeRolePolicy", "CreateRole"]


def test_a_letter_that_folds_into_ascii_loses_none_of_what_the_sentence_names() -> None:
    # "ſ" (the long s) reads as "s" without regard to case: the sentence holding it is still
    # read whole, though most sentences are plain ASCII and read another way.
    entities = diagnose(PASSROLE.replace("User", "Uſer")).diagnoses[0].entities
    assert entities["caller_arn"] == "arn:aws:iam::123456789012:user/bob"
    assert entities["role_arn"] == "arn:aws:iam::123456789012:role/app"


def test_a_name_that_opens_with_a_mask_is_kept_whole_and_quotes_still_go() -> None:
    masked = _primary(
        'Resource handler returned message: "Maximum policy size of 10240 bytes exceeded for role '
        "<instance-id>-SystemTestCl-TaskDefinitionTaskRole (Service: Iam, Status Code: 409)"
    )
    assert masked.cause.id == "policy-quota-exceeded"
    assert masked.entities["role_name"] == "<instance-id>-SystemTestCl-TaskDefinitionTaskRole"
    quoted = _primary(
        "An error occurred (NoSuchEntity) when calling the GetRole operation: "
        "The role with name 'deploy-role' cannot be found."
    )
    assert quoted.entities["role_name"] == "deploy-role"


def test_a_role_given_to_a_tools_short_flag_is_the_role_of_the_error() -> None:
    triage = diagnose(
        "chaos-lambda deploy -r arn:aws:iam::111122223333:role/ChaosLambda-Accessrole\n"
        "Something went wrong:\n{ AccessDeniedException: Cross-account pass role is not allowed.\n"
    )
    assert triage.primary is not None and triage.primary.cause.id == "passrole-cross-account"
    assert triage.primary.entities["role_arn"] == "arn:aws:iam::111122223333:role/ChaosLambda-Accessrole"
    for command in (
        "aws s3 sync . s3://bucket -r arn:aws:s3:::bucket",
        "grep -r arn:aws:iam::111122223333:role/old-role infra/",
    ):
        other = _primary(command + "\nCross-account pass role is not allowed.")
        assert "role_arn" not in other.entities


def test_an_account_masked_with_an_ellipsis_keeps_the_arn_whole_and_gives_no_account() -> None:
    triage = diagnose(
        "Firehose is unable to assume role arn:aws:iam::…:role/app-firehose-role. Please check the role provided."
    )
    assert triage.primary is not None and triage.primary.cause.id == "service-cannot-assume-role"
    assert triage.primary.entities["role_arn"] == "arn:aws:iam::…:role/app-firehose-role"
    assert "account_id" not in triage.primary.entities
    # The same in the resource of an AssumeRole denial, whose patterns spell the ARN out.
    denied = _primary(
        "User: arn:aws:iam::111122223333:user/ci is not authorized to perform: sts:AssumeRole on resource:"
        " arn:aws:iam::…:role/deploy"
    )
    assert denied.entities["role_arn"] == "arn:aws:iam::…:role/deploy"


def test_a_value_loses_the_quotes_and_brackets_around_it_but_keeps_a_mask_whole() -> None:
    assert clean("'deploy-role'") == "deploy-role"
    assert clean("'abc") == "abc"
    assert clean("(arn:aws:iam::111122223333:role/x).") == "arn:aws:iam::111122223333:role/x"
    assert clean("[x") == "x"
    assert clean("'<instance-id>-Role'") == "<instance-id>-Role"
    assert clean("<account-id>") == "<account-id>"
    assert clean("{a}b") == "{a}b"


def test_a_command_line_names_the_role_or_policy_only_of_the_error_right_after_it() -> None:
    quota = "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1"
    failing = diagnose(
        "$ aws iam add-role-to-instance-profile --instance-profile-name web --role-name shipper\n\n"
        f"An error occurred (LimitExceeded) when calling the AddRoleToInstanceProfile operation: {quota}"
    )
    assert failing.primary is not None
    assert failing.primary.entities["instance_profile"] == "web"
    assert failing.primary.entities["role_name"] == "shipper"
    # An earlier command that went through names nothing of a later error from elsewhere.
    earlier = diagnose(
        "$ aws iam add-role-to-instance-profile --instance-profile-name old-prof --role-name old-role\n"
        '{\n    "ResponseMetadata": {}\n}\n'
        f"CREATE_FAILED AWS::IAM::InstanceProfile Prof {quota}"
    )
    assert earlier.primary is not None and earlier.primary.cause.id == "instance-profile-role-limit"
    assert "instance_profile" not in earlier.primary.entities and "role_name" not in earlier.primary.entities
    # Nor does one whose own error names the same call, with another program run in between.
    refused = diagnose(
        "PS> aws iam add-role-to-instance-profile --instance-profile-name old-prof --role-name old-role\n"
        "An error occurred (NoSuchEntity) when calling the AddRoleToInstanceProfile operation: "
        "The role with name old-role cannot be found.\n"
        "PS> ./deploy.ps1\n"
        f"An error occurred (LimitExceeded) when calling the AddRoleToInstanceProfile operation: {quota}"
    )
    limit = [d for d in refused.diagnoses if d.cause.id == "instance-profile-role-limit"]
    assert limit and "instance_profile" not in limit[0].entities and "role_name" not in limit[0].entities
    policy = diagnose(
        "$ aws iam create-policy --policy-name ci-deploy --policy-document file://p.json\n"
        "$ aws iam create-role --role-name app --assume-role-policy-document file://t.json\n"
        "An error occurred (MalformedPolicyDocument) when calling the CreateRole operation: Has prohibited field Resource"
    )
    assert policy.primary is not None and "policy_name" not in policy.primary.entities


def test_a_pipeline_role_refused_an_action_role_is_a_caller_denied_not_a_service() -> None:
    action = diagnose(
        "An error occurred (InvalidStructureException) when calling the UpdatePipeline operation:"
        " arn:aws:iam::111122223333:role/pipeline-role is not authorized to perform AssumeRole on role"
        " arn:aws:iam::444455556666:role/deploy-action-role"
    )
    assert action.primary is not None and action.primary.cause.id == "assume-role-denied"
    assert action.primary.entities["caller_arn"] == "arn:aws:iam::111122223333:role/pipeline-role"
    assert action.primary.entities["role_arn"] == "arn:aws:iam::444455556666:role/deploy-action-role"
    own = diagnose(
        "CodePipeline is not authorized to perform AssumeRole on role arn:aws:iam::111122223333:role/pipeline-role"
        " (Service: AWSCodePipeline; Status Code: 400; Error Code: InvalidStructureException)"
    )
    assert own.primary is not None and own.primary.cause.id == "service-cannot-assume-role"


def test_s3s_words_from_an_s3_compatible_store_are_no_aws_error() -> None:
    aws = (
        "upload failed: ./backup.tar to s3://backups/backup.tar An error occurred (AccessDenied) "
        "when calling the PutObject operation: Access Denied"
    )
    assert [d.cause.id for d in diagnose(aws).diagnoses] == ["access-denied-unspecified"]
    for store in (
        "--endpoint-url https://s3.eu-central-1.wasabisys.com",
        "--endpoint-url https://0123abcd.r2.cloudflarestorage.com",
        "(rclone to our Cloudflare R2 bucket)",
    ):
        assert diagnose(f"$ aws s3 cp ./backup.tar s3://backups/ {store}\n{aws}").diagnoses == [], store
    # A token error from such a store is no AWS error either.
    token = "An error occurred (InvalidAccessKeyId) when calling the ListBuckets operation: The AWS Access Key Id you provided does not exist in our records."
    assert diagnose(token).diagnoses
    assert diagnose(f"endpoint: https://s3.us-west-001.backblazeb2.com\n{token}").diagnoses == []


def test_masks_wrappers_and_residue_around_an_error_leave_its_names_readable() -> None:
    empty_masks = _primary(
        "An error occurred (AccessDenied) when calling the GetObject operation: User: "
        "arn:aws:sts::<>:assumed-role/api-role/api is not authorized to perform: kms:Decrypt on resource: "
        "arn:aws:kms:us-east-1:<>:key/<> because no identity-based policy allows the kms:Decrypt action"
    )
    assert empty_masks.entities["caller_arn"] == "arn:aws:sts::<>:assumed-role/api-role/api"
    assert empty_masks.entities["resource_arn"] == "arn:aws:kms:us-east-1:<>:key/<>"
    mailto = _primary(
        "An error occurred (AccessDenied) when calling the AssumeRole operation: User: "
        "arn:aws:sts::111122223333:assumed-role/Admin/jo](mailto:jo) is not authorized to perform: "
        "sts:AssumeRole on resource: arn:aws:iam::444455556666:role/Import"
    )
    assert mailto.entities["caller_arn"] == "arn:aws:sts::111122223333:assumed-role/Admin/jo"
    inline = _primary(
        "│ Error: 1 error occurred:\n│       * creating inline policy (logs): MalformedPolicyDocument: "
        "The policy failed legacy parsing"
    )
    assert inline.entities["policy_name"] == "logs"
    web_identity = _primary(
        "InvalidIdentityTokenException:\nAn error occurred (InvalidIdentityToken) when calling the "
        "AssumeRoleWithWebIdentity operation: No OpenIDConnect provider found in your account for https://x.example/api"
    )
    assert web_identity.entities["operation"] == "AssumeRoleWithWebIdentity"


def test_an_xml_error_body_slack_escaped_reads_as_the_body_itself() -> None:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>'
        "<Message>User: arn:aws:sts::123456789012:assumed-role/ci/runner is not authorized to perform: "
        "sts:AssumeRole on resource: arn:aws:iam::123456789012:role/deploy</Message></Error>"
        "<RequestId>abc</RequestId></ErrorResponse>"
    )
    escaped = body.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")  # as Slack sends it
    raw, slack = _primary(body), _primary(escaped)
    assert slack.entities == raw.entities
    assert slack.entities["role_arn"] == "arn:aws:iam::123456789012:role/deploy"


def test_the_role_a_command_line_hands_the_service_is_the_role_in_question() -> None:
    lambda_role = _primary(
        "$ aws lambda create-function --function-name ingest --zip-file fileb://app.zip \\\n"
        "    --role=arn:aws:iam::444455556666:role/ingest-worker --handler app.handler\n\n"
        "An error occurred (InvalidParameterValueException) when calling the CreateFunction operation: "
        "The role defined for the function cannot be assumed by Lambda."
    )
    assert lambda_role.entities["role_arn"] == "arn:aws:iam::444455556666:role/ingest-worker"
    codebuild = _primary(
        "aws codebuild create-project --name logs --service-role arn:aws:iam::148761640356:role/cb-role\n"
        "An error occurred (InvalidInputException) when calling the CreateProject operation: CodeBuild is "
        "not authorized to perform: sts:AssumeRole on service role"
    )
    assert codebuild.entities["role_arn"] == "arn:aws:iam::148761640356:role/cb-role"
    assert codebuild.entities["account_id"] == "148761640356"
    # A role the message names itself beats the command line's; a role's name alone is no ARN.
    named = _primary(
        "aws lambda update-function-configuration --function-name f --role arn:aws:iam::1:role/other\n"
        "ECS was unable to assume the role 'arn:aws:iam::444455556666:role/web-exec' that was provided for this task."
    )
    assert named.entities["role_arn"] == "arn:aws:iam::444455556666:role/web-exec"
    unnamed = _primary(
        "aws lambda create-function --function-name f --role $ROLE_ARN\n"
        "An error occurred (InvalidParameterValueException) when calling the CreateFunction operation: "
        "The role defined for the function cannot be assumed by Lambda."
    )
    assert "role_arn" not in unnamed.entities
