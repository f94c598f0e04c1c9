"""Credentials in a paste are never repeated, in any output, and the user is told to rotate them."""

from __future__ import annotations

import json

from bot.credentials import redact
from bot.diagnosis import diagnose
from bot.knowledge import KnowledgeBase
from bot.render import as_json, blocks, terminal

ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
TOKEN = "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQDyuPjhQ2dKcA0FjG6dtfA8b3AaVRrj"
PASTE = f"""$ export AWS_ACCESS_KEY_ID={ACCESS_KEY}
$ export AWS_SECRET_ACCESS_KEY={SECRET}
$ export AWS_SESSION_TOKEN={TOKEN}
$ aws ecs register-task-definition --cli-input-json file://task.json
An error occurred (AccessDeniedException) when calling the RegisterTaskDefinition operation: User: arn:aws:sts::123456789012:assumed-role/dev/{ACCESS_KEY} is not authorized to perform: iam:PassRole on resource: arn:aws:iam::123456789012:role/ecsTaskExecutionRole
"""


def test_every_kind_is_found_by_its_context() -> None:
    text, kinds = redact(PASTE)
    assert kinds == ["aws-access-key-id", "aws-secret-access-key", "aws-session-token"]
    assert ACCESS_KEY not in text and SECRET not in text and TOKEN not in text


def test_no_output_repeats_a_secret(kb: KnowledgeBase) -> None:
    triage = diagnose(PASTE)
    assert triage.primary is not None and triage.primary.cause.id == "passrole-denied"
    outputs = [
        json.dumps(as_json.render(triage, kb)),
        terminal.render(triage, kb),
        json.dumps(blocks.render(triage, kb).blocks) + blocks.render(triage, kb).text,
    ]
    for output in outputs:
        for secret in (ACCESS_KEY, SECRET, TOKEN, SECRET[:20]):
            assert secret not in output
    assert as_json.render(triage, kb)["secrets_seen"] == [
        "aws-access-key-id",
        "aws-secret-access-key",
        "aws-session-token",
    ]
    assert "rotate" in blocks.render(triage, kb).text


def test_a_value_on_the_line_under_its_label_is_found() -> None:
    # The access portal's and the console's boxes put each label above its value.
    portal = f"AWS access key ID\n{ACCESS_KEY}\nAWS secret access key\n{SECRET}\nAWS session token\n{TOKEN}\n"
    redacted, kinds = redact(portal)
    assert kinds == ["aws-access-key-id", "aws-secret-access-key", "aws-session-token"]
    assert SECRET not in redacted and TOKEN not in redacted


def test_a_secret_key_given_right_after_its_key_id_is_found() -> None:
    for text in (
        f"Access key ID,Secret access key\n{ACCESS_KEY},{SECRET}\n",  # the console's CSV
        f'new BasicAWSCredentials("{ACCESS_KEY}", "{SECRET}")',
    ):
        redacted, kinds = redact(text)
        assert kinds == ["aws-access-key-id", "aws-secret-access-key"] and SECRET not in redacted


def test_sts_xml_credentials_are_found_once_the_tags_are_gone() -> None:
    xml = (
        "<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>"
        f"<SecretAccessKey>{SECRET}</SecretAccessKey><SessionToken>{TOKEN}</SessionToken>"
        "</Credentials></AssumeRoleResult></AssumeRoleResponse>"
    )
    assert diagnose(xml).secrets_seen == ["aws-access-key-id", "aws-secret-access-key", "aws-session-token"]


def test_a_name_spaced_out_is_seen_as_it_is_pasted() -> None:
    assert diagnose(f"Secret  access key: {SECRET}").secrets_seen == ["aws-secret-access-key"]


def test_forty_characters_alone_are_not_a_secret() -> None:
    assert redact(f"commit {SECRET} fixed the build")[1] == []
    # A hex digest after the words, on their line or the next, is no key or token.
    assert redact("Please rotate the secret key 3e798a8c0123456789abcdef0123456789abcdef now")[1] == []
    assert redact("where do I put the session token\n" + "9f86d081" * 8)[1] == []
    assert redact("sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")[1] == []


def test_an_encoded_authorization_message_is_not_taken_for_a_key() -> None:
    blob = "AKIA" + "ABCDEFGHIJKLMNOP" + "x" * 200
    text = f"You are not authorized to perform this operation. Encoded authorization failure message: {blob}"
    assert redact(text) == (text, [])


def test_each_kind_is_found_on_its_own() -> None:
    for line, kind, value in (
        (f"x-amz-security-token: {TOKEN}", "aws-session-token", TOKEN),
        (f"aws_secret_access_key = {SECRET}", "aws-secret-access-key", SECRET),
        (f"the key {ACCESS_KEY} leaked", "aws-access-key-id", ACCESS_KEY),
        # The names in words and in other tools' spellings, and the ways they are given a value.
        (f"AWS Secret Access Key [****************EKEY]: {SECRET}", "aws-secret-access-key", SECRET),
        (f"$ aws configure set aws_secret_access_key {SECRET}", "aws-secret-access-key", SECRET),
        (f"  aws-secret-access-key: {SECRET}", "aws-secret-access-key", SECRET),
        (f"Secret access key: {SECRET}", "aws-secret-access-key", SECRET),
        (f'  secret_key = "{SECRET}"', "aws-secret-access-key", SECRET),
        (f"secretAccessKey => '{SECRET}'", "aws-secret-access-key", SECRET),
        ('{"SecretAccessKey": "' + SECRET.replace("/", "\\/") + '"}', "aws-secret-access-key", "EXAMPLEKEY"),
        (f"session-token: {TOKEN}", "aws-session-token", TOKEN),
        (f'  token = "{TOKEN}"', "aws-session-token", TOKEN),  # an STS token's own opening
    ):
        text, kinds = redact(line)
        assert kinds == [kind] and value not in text
        assert diagnose(line).secrets_seen == [kind]  # the first look sees it too
